"""Run numpy's BLAS on one thread while memory computes.

OpenBLAS worker threads spin while they wait; when the two cores are already busy (a local model
generating, a solver running) a two-thread matrix product can take a hundred times longer than a
one-thread one. Embedding and vector search are small enough that one thread loses little when the
machine is idle and gains a great deal when it is not. Where the BLAS is not OpenBLAS, this is a no-op.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")
_lock = threading.Lock()
_api: tuple[object, object] | None | bool = False  # False: not looked up yet; None: no OpenBLAS found


def _find() -> tuple[object, object] | None:
    try:
        import numpy  # noqa: F401  (loads numpy's BLAS so that it shows in the process maps)

        with open("/proc/self/maps") as f:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", f.read())))
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            getter = name.replace("set_num_threads", "get_num_threads")
            if hasattr(lib, name) and hasattr(lib, getter):
                return getattr(lib, name), getattr(lib, getter)
    return None


@contextmanager
def single_thread() -> Iterator[None]:
    """Within the block numpy's OpenBLAS uses one thread; the previous setting is restored after."""
    global _api
    with _lock:
        if _api is False:
            _api = _find()
        api = _api
        if not api:
            yield
            return
        setter, getter = api
        before = getter()  # type: ignore[operator]
        setter(1)  # type: ignore[operator]
        try:
            yield
        finally:
            setter(before)  # type: ignore[operator]
