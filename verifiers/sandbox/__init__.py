"""Run model-written Python in a contained child process and say what cut it off, if anything.

    result = run_python("import sympy; print(sympy.factor('x**2-1'))")
    result.ok, result.stdout, result.limit_hit, result.reason

Each run gets a fresh scratch directory (its working directory, HOME and TMPDIR), removed
afterwards unless `keep_scratch=True`. The child is `python -I -B` (isolated: no user site, no
PYTHON* variables, no cwd on sys.path) with a minimal environment; numpy, scipy, sympy and
mpmath import as usual (one BLAS thread).

Guaranteed (kernel-enforced) when the host runs as root, as on this project's machines and CI:
  - CPU time (RLIMIT_CPU: SIGXCPU, then SIGKILL a second later), address space (RLIMIT_AS:
    allocations fail with MemoryError), single-file size (RLIMIT_FSIZE), open files, no core files.
  - Wall time: the host kills the child's session, and every process of the run's uid, at the
    limit; nothing the run started outlives it, even a process that left the session.
  - Processes: the child runs as its own unprivileged uid (2,000,000,000 + its pid) with no
    groups, so RLIMIT_NPROC counts exactly this run's processes and threads.
  - No network: a new network namespace holding only a loopback that is down, so no packet
    reaches the host's loopback or any other address.
  - No writes outside the scratch directory: a private mount namespace where every mount is
    read-only except the scratch directory and a private, size-capped /dev/shm; and file
    permissions apply to the unprivileged uid. Directories that uid cannot enter (e.g. /root,
    where the interpreter lives here) are covered with a tmpfs that re-exposes, read-only,
    only what the interpreter needs, so the user's home is not even readable.
  - Output: stdout and stderr are each read through a pipe into at most `output_bytes`; past
    that the run is stopped and the text says it was cut off.
  - No privilege regain: no_new_privs is set; setuid binaries do nothing.
On top, a Python audit hook (installed before user code) refuses sockets other than AF_UNIX,
DNS look-ups, starting other programs, writes and renames outside the scratch directory and
signals to processes outside the run, and reports each refusal, so `limit_hit` and `reason`
can name the cause even when the code catches the error. Audit hooks are not a boundary by
themselves (ctypes can bypass them); the kernel layers above are the boundary.

Not guaranteed:
  - Total disk use in the scratch directory is bounded only per file (RLIMIT_FSIZE) and by time.
  - Reading is not confined: the run can read world-readable files (not /root here); it cannot
    send them anywhere but its own stdout.
  - CPU time is per process: N processes may use N x cpu_seconds before the wall limit.
  - The memory limit is on address space, not resident memory; it is per process.
  - `limit_hit` for events the code reports (network, file system, failed fork, MemoryError)
    relies on the child's own report, which hostile code could forge or suppress; containment
    does not depend on it.
  - When not root, the layers degrade: a user namespace (if the kernel allows unprivileged
    ones) gives the network and read-only mount namespaces; RLIMIT_NPROC is set to the user's
    current task count plus the limit; the wall kill reaches only the session (a process that
    calls setsid() can escape it); without a user namespace only the rlimits and the audit
    hook remain. As root where namespaces are not permitted (a container without
    CAP_SYS_ADMIN), the per-run uid is still used if it can reach the interpreter; if it cannot,
    the run keeps root with only the rlimits and the audit hook, which then refuses every fork.
    `SandboxResult.protections` lists the layers that were in force for each run, so a caller
    (or `qed doctor`) can tell: run_python("pass").protections.
"""

from qed.verifiers.sandbox.blocks import extract_code_blocks
from qed.verifiers.sandbox.limits import LimitName, Limits, SandboxError, SandboxResult
from qed.verifiers.sandbox.runner import run_python

__all__ = [
    "LimitName",
    "Limits",
    "SandboxError",
    "SandboxResult",
    "extract_code_blocks",
    "run_checks",
    "run_python",
]


def run_checks(reply: str, *, limits: Limits | None = None) -> SandboxResult | None:
    """Run the Python a model wrote in its reply: every ```python block, joined in order, as one
    program (later blocks usually build on earlier ones). None when the reply holds no block."""
    blocks = extract_code_blocks(reply)
    if not blocks:
        return None
    return run_python("\n".join(blocks), limits=limits)
