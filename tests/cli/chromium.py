"""Drive the machine's headless Chromium over the DevTools protocol on a pipe (no port, no download).

Just enough of the protocol for tests that look at a page as a person's browser shows it: open a
file, evaluate JavaScript in it, take a screenshot. Messages are JSON separated by NUL bytes on
file descriptors 3 (to the browser) and 4 (from it), as `--remote-debugging-pipe` defines.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from qed.agent.report.browser import base_command, find_chromium


class Chromium:
    def __init__(self, width: int = 1280, height: int = 1600, timeout_s: float = 60.0):
        binary = find_chromium()
        if binary is None:
            raise FileNotFoundError("chromium")
        self.timeout_s = timeout_s
        self._profile = tempfile.TemporaryDirectory(prefix="qed-test-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child: the protocol's descriptors 3 and 4
            # copied above 10 first, so that neither end can be overwritten by the other's dup2
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        cmd = [*base_command(binary, self._profile.name), "--remote-debugging-pipe",
               f"--window-size={width},{height}", "about:blank"]
        self.proc = subprocess.Popen(cmd, preexec_fn=wire, pass_fds=(3, 4),  # kept open after wire()
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    # -- the protocol ------------------------------------------------------------------------------
    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_child], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    # -- what tests use ----------------------------------------------------------------------------
    def open(self, page: Path, scripts: bool = True) -> None:
        self.call("Emulation.setScriptExecutionDisabled", session=True, value=not scripts)
        self.events.clear()
        self.call("Page.navigate", session=True, url=page.resolve().as_uri())
        deadline = time.monotonic() + self.timeout_s
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not load")
            self.events.append(self._read())

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (run by the protocol, not by the page:
        it works with the page's own scripts disabled)."""
        r = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def screenshot(self, out: Path) -> Path:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        out.write_bytes(base64.b64decode(data))
        return out

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):  # it may be gone already
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
