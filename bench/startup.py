"""How long `qed` takes to start, per command, and which imports cost the most.

Each command runs several times in a fresh process; the bench prints the median wall time, the
median CPU time (user + system of the child: on a loaded machine the wall time mostly measures
the wait for a core, the CPU time what QED itself spends), and the heavy modules it imported.
With --importtime it prints the most expensive imports of one command (`python -X importtime`).

    .venv/bin/python bench/startup.py                          # --version, --help, a few commands
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

COMMANDS = ("--version", "--help", "memory --help", "check --help", "solve --help")
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per command (the median is shown)")
    ap.add_argument("--commands", default=";".join(COMMANDS), help="';'-separated argument lists")
    ap.add_argument("--importtime", metavar="ARGS", help="also list the costliest imports of `qed ARGS`")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QED_RUNS_DIR": tmp, "QED_MEMORY": os.path.join(tmp, "memory.db")}
        load = os.getloadavg()[0]
        print(f"qed start-up, {args.runs} fresh processes each; load average {load:.1f} on {os.cpu_count()} cores")
        print(f"{'command':<22} {'wall p50':>9} {'cpu p50':>9}  heavy modules imported")
        for command in args.commands.split(";"):
            argv = shlex.split(command)
            walls, cpus, heavy = [], [], []
            for _ in range(args.runs):
                wall, cpu, heavy = run_once(argv, env)
                walls.append(wall)
                cpus.append(cpu)
            print(f"qed {command:<18} {statistics.median(walls):8.3f}s {statistics.median(cpus):8.3f}s  "
                  f"{', '.join(heavy) or '-'}")
        if args.importtime:
            print(f"\ncostliest imports of `qed {args.importtime}` (cumulative, one run):")
            for micros, name in importtime(shlex.split(args.importtime), env, args.top):
                print(f"  {micros / 1e6:7.3f}s  {name}")


if __name__ == "__main__":
    main()
