"""Run model-written Python in a contained child process and say what cut it off, if anything.

    result = run_python("import sympy; print(sympy.factor('x**2-1'))")
    result.ok, result.stdout, result.limit_hit, result.reason

Each run gets a fresh scratch directory (its working directory, HOME and TMPDIR): a tmpfs in
its own mount namespace, holding a copy of main.py and the inputs, gone when the run ends
(`keep_scratch=True` copies its files and folders, not its links, back to `scratch_dir`). The
child is `python -I -B` (no user site, no PYTHON* variables, no cwd on sys.path) with a minimal
environment; numpy, scipy, sympy and mpmath import as usual (one BLAS thread).

Guaranteed (kernel-enforced) when the host runs as root, as on this project's machines and CI
(each limit is defined exactly in `Limits`):
  - Processes: the run has its own pid namespace; its pid 1 is the sandbox's supervisor, and
    when that dies the kernel kills every process of the run. The run cannot see or signal any
    process outside. It runs as its own unprivileged uid (2,000,000,000 + launcher pid) with no
    groups; a pids cgroup and RLIMIT_NPROC cap how many processes and threads it has.
  - Wall time: the host kills the run at the limit (the supervisor half a second later if the
    host has not). The run dies with the host, however the host ends (kill -9 included): the
    supervisor watches a pipe only the host holds open, and parent-death signals back it up.
  - Memory: a cgroup caps the memory of all the run's processes together; RLIMIT_AS caps each
    process's address space at the same value. CPU time (per process), file size and open files
    are rlimits; no core files.
  - Disk: the scratch tmpfs caps the bytes and the number of files the run writes.
  - System calls: a seccomp filter, installed before any user code and inherited by every
    process of the run, refuses sockets of every family, starting other programs, new
    namespaces, mounts, ptrace, bpf, keyctl, io_uring and the like, and kills a call made
    through a foreign ABI. The host answers each refused call, so the result names it even
    when the code swallowed the error (ctypes and _posixsubprocess bypass the audit hook, not
    the filter).
  - No network: besides the filter, a network namespace holding only a loopback that is down.
  - Files: the run sees a new root with only /usr, the Python installation it runs and a few
    /etc files, all read-only; home directories, /work, /tmp and other runs are not there. Its
    only writable places are the scratch directory and a small private /dev/shm.
  - Output: stdout and stderr are each read through a pipe into at most `output_bytes`; past
    that the run is stopped and the text says it was cut off.
  - No privilege regain: no_new_privs is set; setuid binaries do nothing.
On top, a Python audit hook (installed before user code) refuses network use, DNS look-ups,
starting other programs, writes and renames outside the scratch directory and signals to
processes outside the run, and reports each refusal, so `limit_hit` and `reason` can name the
cause early and clearly. Audit hooks are not a boundary by themselves; the kernel layers are.

Not guaranteed:
  - CPU time is per process: N processes may use N x cpu_seconds before the wall limit.
  - The run can read what the Python installation and /usr hold (read-only), and send it
    nowhere but its own stdout.
  - multiprocessing works with the "fork" start method (the default before Python 3.14);
    "spawn" and "forkserver" need exec or sockets, which the filter refuses.
  - `limit_hit` for events the run's own code reports (MemoryError, a failed fork) relies on
    the child's report, which hostile code could forge or suppress; containment does not
    depend on it. Reports from the filter, the cgroup and the supervisor come from outside
    the run's reach.
  - When not root, a user namespace (if the kernel allows unprivileged ones) gives every layer
    above but the per-run uid and the cgroup: the supervisor then enforces the memory total by
    sampling the run's PSS every 50 ms (a faster burst may overshoot briefly), and
    RLIMIT_NPROC in the user namespace counts the run's processes exactly. Without a user
    namespace only the rlimits (memory then per process), the filter and the audit hook
    remain, and a process that calls setsid() can outlive the run. As root where namespaces
    are not permitted (a container without CAP_SYS_ADMIN), the per-run uid is still used if
    it can reach the interpreter; if it cannot, the run keeps root, and the audit hook then
    refuses every fork.
    `SandboxResult.protections` lists the layers that were in force for each run, so a caller
    (or `qed doctor`) can tell: run_python("pass").protections.
  - A killed host leaves its staging folder (main.py and the inputs, not what the run wrote)
    and empty cgroup directories; the next run on the machine removes them.
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
