"""The sandbox's system-call filter: the calls a run may not make, as a seccomp BPF program.

The audit hook sees Python-level calls only; ctypes, _posixsubprocess and C extensions go
straight to the kernel. This filter is what the kernel itself refuses, whatever the caller:

  socket()                    every address family: the network namespace has no route out,
                              but a path-named UNIX socket on the host needs no route.
  socketpair()                any family but AF_UNIX (an unnamed pair reaches nothing outside).
  execve(), execveat()        no other programs (bootstrap.py installs the filter after the
                              sandbox's own last exec).
  unshare(), setns(), clone() with a CLONE_NEW* flag
                              no new namespaces: a user namespace hands out capabilities.
  clone3()                    fails with ENOSYS (its flags sit behind a pointer the filter cannot
                              read), so the C library falls back to clone(), which is checked.
  mount and friends, ptrace, process_vm_*, pidfd_getfd, keyctl, bpf, userfaultfd,
  perf_event_open, io_uring_*, open_by_handle_at
                              nothing a check needs, and the usual ways out of a container;
                              io_uring would run socket operations past seccomp.

A call from a foreign ABI (32-bit int 0x80 on x86_64, x32) kills the process: the numbers above
are for the native ABI only, so anything else fails closed.

Refused calls fail with an errno (EACCES for sockets, EPERM otherwise). Where the kernel supports
user notification the refusals go to the host instead of straight back: the host answers each
with that errno and records which call it was, so the result names the refusal even when the
code swallowed the error (`Listener`).
"""

from __future__ import annotations

import errno
import fcntl
import platform
import select
import struct
from dataclasses import dataclass

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0_LOW = 0, 4, 16

_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_JSET_K = 0x45
_BPF_RET_K = 0x06

RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_USER_NOTIF = 0x7FC00000
RET_ALLOW = 0x7FFF0000

AF_UNIX = 1
CLONE_NEW_FLAGS = {
    0x00020000: "CLONE_NEWNS",
    0x02000000: "CLONE_NEWCGROUP",
    0x04000000: "CLONE_NEWUTS",
    0x08000000: "CLONE_NEWIPC",
    0x10000000: "CLONE_NEWUSER",
    0x20000000: "CLONE_NEWPID",
    0x40000000: "CLONE_NEWNET",
    0x00000080: "CLONE_NEWTIME",
}
_CLONE_NS_MASK = sum(flag for flag in CLONE_NEW_FLAGS if flag != 0x80)  # 0x80 is CSIGNAL in clone()

# Refused calls and the limit their refusal is reported under.
REFUSED: dict[str, str] = {
    "socket": "network",
    "socketpair": "network",
    "execve": "processes",
    "execveat": "processes",
    **dict.fromkeys(
        (
            "unshare",
            "setns",
            "clone",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "pidfd_getfd",
            "keyctl",
            "add_key",
            "request_key",
            "bpf",
            "userfaultfd",
            "perf_event_open",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "open_by_handle_at",
        ),
        "syscall",
    ),
}


@dataclass(frozen=True)
class Arch:
    """The native system-call ABI of one machine type."""

    audit_arch: int
    numbers: dict[str, int]
    foreign_bit: int | None = None  # x32's syscall numbers on x86_64 carry this bit


_X86_64 = Arch(
    audit_arch=0xC000003E,
    foreign_bit=0x40000000,
    numbers={
        "socket": 41,
        "socketpair": 53,
        "clone": 56,
        "execve": 59,
        "ptrace": 101,
        "pivot_root": 155,
        "chroot": 161,
        "mount": 165,
        "umount2": 166,
        "add_key": 248,
        "request_key": 249,
        "keyctl": 250,
        "unshare": 272,
        "perf_event_open": 298,
        "open_by_handle_at": 304,
        "setns": 308,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "seccomp": 317,
        "bpf": 321,
        "execveat": 322,
        "userfaultfd": 323,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "clone3": 435,
        "pidfd_getfd": 438,
        "mount_setattr": 442,
    },
)
_AARCH64 = Arch(  # asm-generic/unistd.h
    audit_arch=0xC00000B7,
    numbers={
        "umount2": 39,
        "mount": 40,
        "pivot_root": 41,
        "chroot": 51,
        "unshare": 97,
        "ptrace": 117,
        "socket": 198,
        "socketpair": 199,
        "add_key": 217,
        "request_key": 218,
        "keyctl": 219,
        "clone": 220,
        "execve": 221,
        "perf_event_open": 241,
        "open_by_handle_at": 265,
        "setns": 268,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "seccomp": 277,
        "bpf": 280,
        "execveat": 281,
        "userfaultfd": 282,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "clone3": 435,
        "pidfd_getfd": 438,
        "mount_setattr": 442,
    },
)
ARCHES = {"x86_64": _X86_64, "aarch64": _AARCH64}


def native_arch() -> Arch | None:
    """This machine's ABI, or None where the filter has no table (then it is not installed)."""
    return ARCHES.get(platform.machine())


def errno_for(name: str) -> int:
    return errno.EACCES if name in ("socket", "socketpair") else errno.EPERM


def _ins(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build(arch: Arch, notify: bool) -> bytes:
    """The filter program for `arch`: refusals either notify the host or return their errno."""

    def refuse(name: str) -> bytes:
        action = RET_USER_NOTIF if notify else RET_ERRNO | errno_for(name)
        return _ins(_BPF_RET_K, action)

    nr = arch.numbers
    out = [
        _ins(_BPF_LD_W_ABS, _ARCH),
        _ins(_BPF_JEQ_K, arch.audit_arch, 1, 0),
        _ins(_BPF_RET_K, RET_KILL_PROCESS),
        _ins(_BPF_LD_W_ABS, _NR),
    ]
    if arch.foreign_bit is not None:
        out += [_ins(_BPF_JGE_K, arch.foreign_bit, 0, 1), _ins(_BPF_RET_K, RET_KILL_PROCESS)]
    for name in REFUSED:
        if name not in ("socketpair", "clone"):
            out += [_ins(_BPF_JEQ_K, nr[name], 0, 1), refuse(name)]
    out += [_ins(_BPF_JEQ_K, nr["clone3"], 0, 1), _ins(_BPF_RET_K, RET_ERRNO | errno.ENOSYS)]
    # The two calls refused only for some arguments come last: they load an argument.
    out += [
        _ins(_BPF_JEQ_K, nr["socketpair"], 0, 4),
        _ins(_BPF_LD_W_ABS, _ARG0_LOW),
        _ins(_BPF_JEQ_K, AF_UNIX, 0, 1),
        _ins(_BPF_RET_K, RET_ALLOW),
        refuse("socketpair"),
        _ins(_BPF_JEQ_K, nr["clone"], 0, 4),
        _ins(_BPF_LD_W_ABS, _ARG0_LOW),  # clone() uses only the low 32 bits of its flags
        _ins(_BPF_JSET_K, _CLONE_NS_MASK, 1, 0),
        _ins(_BPF_RET_K, RET_ALLOW),
        refuse("clone"),
        _ins(_BPF_RET_K, RET_ALLOW),
    ]
    return b"".join(out)


def program(notify: bool = True) -> dict | None:
    """What bootstrap.py needs to install the filter on this machine (None: no table here)."""
    arch = native_arch()
    if arch is None:
        return None
    return {
        "nr": arch.numbers["seccomp"],
        "notify": build(arch, notify=True).hex() if notify else None,
        "errno": build(arch, notify=False).hex(),
    }


# -- the host's side of user notification ------------------------------------------------------

_NOTIF = struct.Struct("=QIIiIQ6Q")  # struct seccomp_notif: id, pid, flags, seccomp_data
_RESP = struct.Struct("=QqiI")  # struct seccomp_notif_resp: id, val, error, flags


def _iowr(nr: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


_IOCTL_RECV = _iowr(0, _NOTIF.size)
_IOCTL_SEND = _iowr(1, _RESP.size)


@dataclass(frozen=True)
class Refusal:
    kind: str
    detail: str


class Listener:
    """The notification descriptor of one run's filter: answer each refused call, say which."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        arch = native_arch()
        self.names = {number: name for name, number in (arch.numbers if arch else {}).items()}

    def pending(self) -> tuple[bool, bool]:
        """(a notification is waiting, no process is left that could send one)."""
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        events = dict(poller.poll(0)).get(self.fd, 0)
        return bool(events & select.POLLIN), bool(events & select.POLLHUP)

    def answer(self) -> Refusal | None:
        """Refuse the waiting call with its errno. Call only when `pending()` says one waits:
        the receive blocks otherwise. None when the caller died before it could be answered."""
        buffer = bytearray(_NOTIF.size)
        try:
            fcntl.ioctl(self.fd, _IOCTL_RECV, buffer, True)
        except OSError as e:
            if e.errno == errno.ENOENT:
                return None
            raise
        ident, _pid, _flags, number, _arch, _ip, *args = _NOTIF.unpack(buffer)
        name = self.names.get(number, f"system call {number}")
        response = _RESP.pack(ident, 0, -errno_for(name), 0)
        try:
            fcntl.ioctl(self.fd, _IOCTL_SEND, response)
        except OSError as e:
            if e.errno != errno.ENOENT:  # ENOENT: the caller was killed meanwhile
                raise
        return Refusal(REFUSED.get(name, "syscall"), describe(name, args))


def describe(name: str, args: list[int]) -> str:
    """One line naming the refused call and the arguments that made it refused."""
    if name in ("socket", "socketpair"):
        family = {1: "AF_UNIX", 2: "AF_INET", 10: "AF_INET6", 16: "AF_NETLINK", 17: "AF_PACKET"}
        shown = family.get(args[0] & 0xFFFFFFFF, f"family {args[0] & 0xFFFFFFFF}")
        return f"{name}({shown}) refused by the kernel filter: no sockets in the sandbox"
    if name in ("execve", "execveat"):
        return f"{name} refused by the kernel filter: starting another program is not allowed"
    if name in ("unshare", "clone"):
        flags = "|".join(n for flag, n in sorted(CLONE_NEW_FLAGS.items()) if args[0] & flag)
        return f"{name}({flags or hex(args[0])}) refused by the kernel filter: no new namespaces"
    return f"{name} refused by the kernel filter"
