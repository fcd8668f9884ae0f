"""How long `qed` takes to start, per command, and which imports cost the most.

Each command runs several times in a fresh process; the bench prints the median wall time, the
median CPU time (user + system of the child: on a loaded machine the wall time mostly measures
the wait for a core, the CPU time what QED itself spends), and the heavy modules it imported.
By default it times `--version`, `--help` and every command's `--help` (the commands listed in
qed.cli.commands.COMMANDS); --subcommands adds each subcommand of a group (`memory search --help`).
With --importtime it prints the most expensive imports of one command (`python -X importtime`).

    .venv/bin/python bench/startup.py                          # --version, --help, every CMD --help
    .venv/bin/python bench/startup.py --runs 3 --commands "--help;solve --help"
    .venv/bin/python bench/startup.py --runs 9 --importtime "solve --help"
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("sympy", "scipy", "langgraph", "torch", "numpy", "z3", "rich.live")
_PROBE = ("import sys, runpy; sys.argv = ['qed', *sys.argv[1:]];\n"
          "try:\n    runpy.run_module('qed.cli', run_name='__main__')\n"
          "except SystemExit:\n    pass\n"
          "finally:\n    sys.stderr.write('\\nHEAVY ' + ' '.join(m for m in {heavy!r} if m in sys.modules) + '\\n')")


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, list[str]]:
    """Wall seconds, CPU seconds (user + system) and the heavy modules of one fresh `qed ARGS`."""
    code = _PROBE.format(heavy=HEAVY)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    cpu = _child_cpu()
    heavy = next((line.split()[1:] for line in stderr.splitlines() if line.startswith("HEAVY")), [])
    return wall, cpu, heavy


_last_children = [0.0]


def _child_cpu() -> float:
    """CPU time of the child just reaped: the growth of this process's children's times."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ru.ru_utime + ru.ru_stime
    spent, _last_children[0] = total - _last_children[0], total
    return spent


def importtime(args: list[str], env: dict[str, str], top: int) -> list[tuple[int, str]]:
    """The `top` modules with the largest cumulative import time (microseconds) for `qed ARGS`."""
    code = _PROBE.format(heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], env=env,
                          capture_output=True, text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            if cumulative.isdigit() and not name.startswith(" "):
                rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def default_commands(subcommands: bool) -> list[str]:
    """`--version`, `--help`, then `CMD --help` for every command (and, if asked, `CMD SUB --help`)."""
    from qed.cli.commands import COMMANDS, load_command

    out = ["--version", "--help"]
    for name in COMMANDS:
        out.append(f"{name} --help")
        if subcommands:  # loading a group here is cheap: its module imports what --help needs only
            out += [f"{name} {sub} --help" for sub in getattr(load_command(name), "commands", {})]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per command (the median is shown)")
    ap.add_argument("--commands", help="';'-separated argument lists (default: --version, --help, every CMD --help)")
    ap.add_argument("--subcommands", action="store_true", help="with the default list, also every CMD SUB --help")
    ap.add_argument("--importtime", metavar="ARGS", help="also list the costliest imports of `qed ARGS`")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    commands = args.commands.split(";") if args.commands else default_commands(args.subcommands)
    width = max(len(c) for c in commands) + 4
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QED_RUNS_DIR": tmp, "QED_MEMORY": os.path.join(tmp, "memory.db")}
        load = os.getloadavg()[0]
        print(f"qed start-up, {args.runs} fresh processes each; load average {load:.1f} on {os.cpu_count()} cores")
        print(f"{'command':<{width}} {'wall p50':>9} {'cpu p50':>9}  heavy modules imported")
        for command in commands:
            argv = shlex.split(command)
            walls, cpus, heavy = [], [], []
            for _ in range(args.runs):
                wall, cpu, heavy = run_once(argv, env)
                walls.append(wall)
                cpus.append(cpu)
            print(f"{'qed ' + command:<{width}} {statistics.median(walls):8.3f}s {statistics.median(cpus):8.3f}s  "
                  f"{', '.join(heavy) or '-'}")
        if args.importtime:
            print(f"\ncostliest imports of `qed {args.importtime}` (cumulative, one run):")
            for micros, name in importtime(shlex.split(args.importtime), env, args.top):
                print(f"  {micros / 1e6:7.3f}s  {name}")


if __name__ == "__main__":
    main()
