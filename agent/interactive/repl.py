"""The session's read-eval-print loop on prompt_toolkit: commands, completion, history, Ctrl-C.

Enter sends the input; Alt-Enter (Esc then Enter) starts a new line, and so does Enter while a
brace, bracket or parenthesis is still open. Ctrl-C during a step stops that step (the session
stays on the step before it); at the prompt it clears the line. Ctrl-D or /quit ends the session,
which `qed session --resume RUN` continues.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from qed.agent.interactive.export import FORMATS, ExportError, export
from qed.agent.interactive.state import Entry
from qed.agent.interactive.workbench import SessionError, Workbench
from rich.console import Console
from rich.markup import escape

COMMANDS: dict[str, str] = {
    "/claim": "LATEX  check a lemma or a step now (engine, certificate or counterexample, numeric judges)",
    "/prove": "[LATEX|problem]  engine and certificate search on a claim (default: the last one) or the problem",
    "/run": "PYTHON  run code in the sandbox and show its output",
    "/step": "run the next node of the loop",
    "/auto": "[N]  run N rounds of the loop (default 1)",
    "/review": "the hostile referee on the proof as it stands",
    "/grade": "[JUDGES]  the judges (default all; or numeric, model, names) on the proof as it stands",
    "/proof": "[TEXT]  show the proof, or make TEXT the proof",
    "/recall": "QUERY  search the knowledge graph (with provenance)",
    "/remember": "TEXT  add a fact to the knowledge graph (provenance: this session)",
    "/history": "the steps of this branch",
    "/branches": "every branch of the session (none is ever lost)",
    "/undo": "go back one step (the step stays on its branch)",
    "/goto": "N [BRANCH]  stand after step N (of BRANCH, a tip id prefix from /branches)",
    "/export": "md|tex|lean [FILE]  the proof with its certificates and evidence",
    "/model": "ROLE SPEC  switch a role's model (generator, verifier, reviewer, judge, formalizer)",
    "/retry": "run again the step a kill interrupted (shown when the session resumed)",
    "/help": "this list",
    "/quit": "end the session (resume with qed session --resume RUN)",
}
_STYLE = {"certified": "bold green", "pass": "green", "ok": "green", "refuted": "bold red", "fail": "red",
          "error": "red", "holds numerically": "yellow", "unknown": "yellow", "no_verdict": "yellow",
          "not_checked": "yellow", "skipped": "dim", "unreadable": "red"}


def _open_brackets(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}()\[\]]", "", text):
        depth += ch in "{[("
        depth -= ch in "}])"
    return depth > 0


def problem_names(statement: str, variables: Iterable[str] = ()) -> list[str]:
    """Names a person may type about this problem: its variables and the LaTeX commands it uses."""
    found = list(variables)
    found += re.findall(r"\\[A-Za-z]+", statement)
    found += [w for w in re.findall(r"\b[a-zA-Z]\b", statement) if w not in ("a",) or w in variables]
    return list(dict.fromkeys(found))


def _completer(names: list[str]):
    from prompt_toolkit.completion import Completer, Completion

    class SessionCompleter(Completer):
        def get_completions(self, document, complete_event):
            text = document.text_before_cursor
            if text.startswith("/") and " " not in text:
                for cmd in COMMANDS:
                    if cmd.startswith(text):
                        yield Completion(cmd, start_position=-len(text), display_meta=COMMANDS[cmd][:60])
                return
            if text.startswith("/export ") and text.count(" ") == 1:
                word = text.split(" ", 1)[1]
                for fmt in FORMATS:
                    if fmt.startswith(word):
                        yield Completion(fmt, start_position=-len(word))
                return
            m = re.search(r"(\\?[A-Za-z]+)$", text)
            if not m:
                return
            word = m.group(1)
            for name in names:
                if name.startswith(word) and name != word:
                    yield Completion(name, start_position=-len(word))

    return SessionCompleter()


class Repl:
    def __init__(self, bench: Workbench, console: Console, history_file: Path,
                 read_line: Callable[[], str] | None = None):
        self.bench = bench
        self.console = console
        self.history_file = history_file
        self.streaming = False
        self._read_line = read_line
        bench.on_event = self.show_event

    # -- screen ---------------------------------------------------------------------------------
    def show_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "token":
            self.streaming = True
            self.console.out(event["text"], end="", highlight=False)
            self.console.file.flush()
        elif kind == "node":
            self._end_stream()
            self.console.print(f"[cyan]── {event['node']}[/cyan]", highlight=False)
        elif kind == "status":
            self._end_stream()
            self.console.print(f"[dim]{escape(event['text'])}[/dim]", highlight=False)

    def _end_stream(self) -> None:
        if self.streaming:
            self.console.out("")
            self.streaming = False

    def show_entry(self, e: Entry) -> None:
        self._end_stream()
        style = _STYLE.get(e["verdict"] or "", "white")
        head = f"[{e['n']}] /{e['command']}" + (f" {e['input']}" if e["command"] == "step" else "")
        if e["verdict"]:
            head += f" → [{style}]{escape(e['verdict'])}[/{style}]"
        self.console.print(head, highlight=False)
        if e["command"] != "say":  # a reply was streamed already
            self.console.print(escape(e["output"]), highlight=False)
        elif (e.get("evidence") or {}).get("truncated"):
            self.console.print("[yellow](the reply was cut off by the token budget)[/yellow]")

    def banner(self) -> None:
        p = self.bench.problem()
        self.console.print(f"[bold]QED session[/bold] on {escape(p.id)} ({p.kind}) → {self.bench.run.path}")
        self.console.print(escape(p.statement))
        steps = self.bench.history()
        if steps:
            self.console.print(f"resumed after step {len(steps)}: {escape(_entry_line(steps[-1]))}", highlight=False)
        self.show_pending()
        self.console.print("[dim]/help for commands; Alt-Enter for a new line; Ctrl-C stops a step; /quit ends[/dim]")

    # -- input ----------------------------------------------------------------------------------
    def _prompt_session(self):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.key_binding import KeyBindings

        kb = KeyBindings()

        @kb.add("enter")
        def _(event):
            buf = event.current_buffer
            if _open_brackets(buf.text):
                buf.insert_text("\n")
            else:
                buf.validate_and_handle()

        @kb.add("escape", "enter")
        def _(event):
            event.current_buffer.insert_text("\n")

        p = self.bench.problem()
        names = problem_names(p.statement, self._variables())
        return PromptSession(history=FileHistory(str(self.history_file)), completer=_completer(names),
                             key_bindings=kb, multiline=True, complete_while_typing=False,
                             prompt_continuation=lambda width, n, soft: "." * (width - 1) + " ")

    def _variables(self) -> list[str]:
        from qed.agent.interactive.claims import hypotheses
        from qed.verifiers.certificates.statement import StatementError, read_prove_statement

        try:
            return [str(v) for v in read_prove_statement(self.bench.problem().statement).formal.variables]
        except (StatementError, ValueError):
            return re.findall(r"\b([a-z])\b", hypotheses(self.bench.problem().statement))

    def run(self) -> None:
        self.banner()
        session = self._prompt_session() if self._read_line is None and sys.stdin.isatty() else None
        while True:
            try:
                if session is not None:
                    line = session.prompt(f"qed[{len(self.bench.history())}]> ")
                elif self._read_line is not None:
                    line = self._read_line()
                else:
                    line = input(f"qed[{len(self.bench.history())}]> ")
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                line = "/quit"
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/exit", "/q"):
                self.console.print(f"session saved; continue with: qed session --resume {self.bench.run.path.name}")
                return
            try:
                self.dispatch(line)
            except KeyboardInterrupt:
                self._end_stream()
                self.console.print(f"[yellow]interrupted: {escape(line[:60])} — the session stays at step "
                                   f"{len(self.bench.history())}[/yellow]")
            except (SessionError, ExportError, ValueError) as e:
                self._end_stream()
                self.console.print(f"[red]error:[/red] {escape(str(e))}")

    # -- commands -------------------------------------------------------------------------------
    def dispatch(self, line: str) -> None:
        if not line.startswith("/"):
            self._show(self.bench.step("say", line))
            return
        command, _, rest = line.partition(" ")
        if "\n" in command:
            command, _, more = command.partition("\n")
            rest = more + (" " + rest if rest else "")
        rest = rest.strip()
        if command in ("/claim", "/prove", "/run", "/review", "/grade", "/recall", "/remember", "/proof"):
            self._show(self.bench.step(command[1:], rest))
        elif command == "/step":
            self._show(self.bench.step("step"))
        elif command == "/auto":
            if self.bench.loop_ended():
                self.console.print("the loop has ended (/undo or /goto to go back)")
            for e in self.bench.auto(int(rest) if rest.isdigit() else 1):
                self.show_entry(e)
        elif command == "/history":
            self.show_history()
        elif command == "/branches":
            for b in self.bench.branches():
                mark = "*" if b.current else " "
                self.console.print(f"{mark} {b.tip[-12:]}  {b.steps} steps, last: {escape(b.last)}", highlight=False)
        elif command == "/undo":
            n = self.bench.undo()
            self.console.print(f"back at step {n}" + (f": {escape(_entry_line(self.bench.history()[-1]))}" if n else " (the start)"))
            self._show_proof()
        elif command == "/goto":
            parts = rest.split()
            if not parts or not parts[0].isdigit():
                raise SessionError("usage: /goto N [BRANCH]")
            n = self.bench.goto(int(parts[0]), parts[1] if len(parts) > 1 else None)
            self.console.print(f"at step {n}" + (f": {escape(_entry_line(self.bench.history()[-1]))}" if n else " (the start)"))
            self._show_proof()
        elif command == "/export":
            parts = shlex.split(rest) if rest else []
            if not parts:
                raise ExportError(f"usage: /export {'|'.join(FORMATS)} [FILE]")
            fmt = parts[0]
            suffix = {"md": ".md", "tex": ".tex", "lean": ".lean"}.get(fmt, "")
            path = Path(parts[1]).expanduser() if len(parts) > 1 else self.bench.run.file(f"proof{suffix}")
            for p in export(self.bench.state(), fmt, path):
                self.console.print(f"wrote {p}", highlight=False)
        elif command == "/model":
            role, _, spec = rest.partition(" ")
            if not role or not spec.strip():
                raise SessionError("usage: /model ROLE SPEC")
            self._show(self.bench.switch_model(role, spec.strip()))
        elif command == "/retry":
            self._show(self.bench.retry())
        elif command == "/help":
            for cmd, text in COMMANDS.items():
                self.console.print(f"{cmd:10} {escape(text)}", highlight=False)
            self.console.print("anything else is a message to the generator")
        else:
            raise SessionError(f"unknown command {command} (/help lists them)")

    def show_pending(self) -> None:
        """The step a kill interrupted: what was asked, what it had streamed, how to run it again."""
        step = self.bench.pending_step
        if step is None:
            return
        self.console.print(f"[yellow]step {step.n} did not finish (the session was killed during it): "
                           f"{escape(step.describe())}[/yellow]", highlight=False)
        partial = self.bench.journal.partial_reply(step).strip()
        if partial:
            self.console.print(f"[yellow]its reply as far as it streamed (kept in {escape(step.partial)}, "
                               f"marked incomplete):[/yellow]", highlight=False)
            self.console.print(escape(partial[-800:]), highlight=False)
        self.console.print("[yellow]/retry runs it again; any other step leaves it on record[/yellow]", highlight=False)

    def _show(self, entries: list[Entry]) -> None:
        for e in entries:
            self.show_entry(e)

    def _show_proof(self) -> None:
        proof = self.bench.state().get("proof_text")
        self.console.print("proof: " + (escape(proof[:400]) if proof else "(none yet)"), highlight=False)

    def show_history(self) -> None:
        steps = self.bench.history()
        if not steps:
            self.console.print("no steps yet")
        for e in steps:
            self.console.print(escape(_entry_line(e)), highlight=False)
        step = self.bench.pending_step
        if step is not None:
            self.console.print(escape(f"{step.n:>3}  {step.describe()[:60]}  → incomplete (killed; /retry runs it again)"),
                               highlight=False)


def _entry_line(e: Entry) -> str:
    first = (e["output"] or "").splitlines()[0] if e["output"] else ""
    what = f"/{e['command']} {e['input']}".strip().replace("\n", " ")
    return f"{e['n']:>3}  {what[:60]}  → {e['verdict'] or '-'}  {first[:70]}"
