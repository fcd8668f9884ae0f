"""A real HTTP server on 127.0.0.1 that plays an OpenAI- or Anthropic-compatible model server.

It answers like a good server or misbehaves on purpose, chosen by the first path segment of the
base URL: `http://127.0.0.1:PORT/<mode>/v1`. Every request is recorded (path, headers, body), so
tests can check what QED sent, e.g. which Authorization header reached which host.

Modes: ok (a reply; SSE when the request asks to stream), echo-auth (the reply quotes the
credentials it received), garbage (200 with a body that is not JSON), no-choices (`choices: []`),
no-message (a choice without a message), null-content (a message whose content is null),
cut (a stream that stops before it finishes), hang (accept the request and never answer),
trickle (send headers, then a byte now and then, forever: no read timeout ever fires),
refuse-echo (401 whose error quotes the credentials), redirect (307 to the same path on
`redirect_to`, another server).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_REPLY = "Checking 11: it is prime.\nThe answer is 11.\nVERDICT: PASS"


@dataclass
class Seen:
    mode: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeModelServer:
    reply: str = DEFAULT_REPLY
    host: str = "127.0.0.1"
    redirect_to: str | None = None  # base of another server, for mode redirect
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

        self._httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # releases the handlers that hang
        self._httpd.shutdown()
        self._httpd.server_close()

    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, mode: str = "ok") -> str:
        return f"{self.origin()}/{mode}/v1"

    def auth_seen(self) -> set[str]:
        """Every credential header value any request carried."""
        out = set()
        for r in self.requests:
            for name in ("authorization", "x-api-key"):
                if name in r.headers:
                    out.add(r.headers[name])
        return out

    # -- answering ----------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {}
        mode = h.path.strip("/").split("/", 1)[0]
        headers = {k.lower(): v for k, v in h.headers.items()}
        self.requests.append(Seen(mode, h.path, headers, body))
        anthropic = h.path.endswith("/messages")
        stream = bool(body.get("stream"))
        credentials = headers.get("authorization") or headers.get("x-api-key") or "(none)"

        if mode == "hang":
            self._stop.wait(120)
            return
        if mode == "trickle":
            return self._trickle(h, stream)
        if mode == "redirect":
            h.send_response(307)
            h.send_header("Location", f"{self.redirect_to}{h.path.replace('/redirect/', '/ok/', 1)}")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if mode == "refuse-echo":
            return _send(h, 401, {"error": {"message": f"invalid key {credentials}", "type": "auth"}})
        if mode == "garbage":
            if stream:
                return _send_sse(h, ["this is not json {"], done=True)
            return _send_bytes(h, 200, b"<html>this is not json {", "application/json")
        text = self.reply if mode != "echo-auth" else f"{self.reply}\nyou sent {credentials}"
        if anthropic:
            return _anthropic(h, mode, text, stream, body)
        return _openai(h, mode, text, stream, body)

    def _trickle(self, h: BaseHTTPRequestHandler, stream: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        if not stream:
            h.send_header("Content-Length", "1000000")
        h.end_headers()
        try:
            while not self._stop.wait(0.1):
                h.wfile.write(b": still thinking\n\n" if stream else b" ")
                h.wfile.flush()
        except OSError:  # the client hung up, as it should
            pass
        h.close_connection = True


def _openai(h: BaseHTTPRequestHandler, mode: str, text: str, stream: bool, body: dict[str, Any]) -> None:
    model = body.get("model", "fake")
    usage = {"prompt_tokens": 7, "completion_tokens": len(text.split()), "total_tokens": 7 + len(text.split())}
    base = {"id": "fake-1", "object": "chat.completion", "created": 0, "model": model}
    if not stream:
        if mode == "no-choices":
            return _send(h, 200, {**base, "choices": [], "usage": usage})
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
        if mode == "null-content":
            choice["message"] = {"role": "assistant", "content": None}
        elif mode != "no-message":
            choice["message"] = {"role": "assistant", "content": text}
        return _send(h, 200, {**base, "choices": [choice], "usage": usage})
    chunk = {**base, "object": "chat.completion.chunk"}
    if mode == "no-choices":
        return _send_sse(h, [json.dumps({**chunk, "choices": []}), json.dumps({**chunk, "choices": [], "usage": usage})])
    if mode in ("no-message", "null-content"):
        empty = {"index": 0, "delta": {} if mode == "no-message" else {"content": None}, "finish_reason": None}
        return _send_sse(h, [json.dumps({**chunk, "choices": [empty]})])
    pieces = [text[i:i + 8] for i in range(0, len(text), 8)]
    events = [json.dumps({**chunk, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]})
              for p in pieces]
    if mode == "cut":
        return _send_sse(h, events[: max(1, len(events) // 2)], done=False)
    events.append(json.dumps({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    events.append(json.dumps({**chunk, "choices": [], "usage": usage}))
    return _send_sse(h, events)


def _anthropic(h: BaseHTTPRequestHandler, mode: str, text: str, stream: bool, body: dict[str, Any]) -> None:
    model = body.get("model", "fake")
    content = [] if mode in ("no-choices", "no-message", "null-content") else [{"type": "text", "text": text}]
    message = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": content,
               "stop_reason": "end_turn", "stop_sequence": None,
               "usage": {"input_tokens": 7, "output_tokens": len(text.split())}}
    if not stream:
        return _send(h, 200, message)
    start = {**message, "content": [], "stop_reason": None, "usage": {"input_tokens": 7, "output_tokens": 0}}
    events = [("message_start", {"type": "message_start", "message": start})]
    if content:
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "text", "text": ""}}))
        pieces = [text[i:i + 8] for i in range(0, len(text), 8)]
        if mode == "cut":
            pieces = pieces[: max(1, len(pieces) // 2)]
        for p in pieces:
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                   "delta": {"type": "text_delta", "text": p}}))
        if mode == "cut":
            return _send_named_sse(h, events)
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                     "usage": {"output_tokens": len(text.split())}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return _send_named_sse(h, events)


def _send(h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
    _send_bytes(h, status, json.dumps(payload).encode(), "application/json")


def _send_bytes(h: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _send_sse(h: BaseHTTPRequestHandler, datas: list[str], done: bool = True) -> None:
    lines = "".join(f"data: {d}\n\n" for d in datas) + ("data: [DONE]\n\n" if done else "")
    _stream_body(h, lines.encode())


def _send_named_sse(h: BaseHTTPRequestHandler, events: list[tuple[str, dict[str, Any]]]) -> None:
    _stream_body(h, "".join(f"event: {name}\ndata: {json.dumps(d)}\n\n" for name, d in events).encode())


def _stream_body(h: BaseHTTPRequestHandler, data: bytes) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(data)
    h.wfile.flush()
    h.close_connection = True
