"""A scripted HTTP server on 127.0.0.1 that answers in each vendor's wire format, for SDK-level tests."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from tests.net import QuietHandler


@dataclass
class Reply:
    """One scripted answer: a JSON body, a raw body, SSE events or NDJSON lines, after an optional delay."""

    status: int = 200
    body: object = None
    raw: bytes | None = None
    sse: list[tuple[str | None, object]] | None = None
    ndjson: list[dict] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class VendorServer:
    """Serves queued replies in order; every request is recorded in `requests`."""

    def __init__(self):
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _next(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else Reply(500, {"error": "no reply queued"})

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                self._answer(None)

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                self._answer(json.loads(body) if body else None)

            def _answer(self, body):
                reply = server._next({"path": self.path, "json": body,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}})
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, reply: Reply):
                if reply.sse is not None:
                    payload = b"".join(_sse_event(name, data) for name, data in reply.sse)
                    content_type = "text/event-stream"
                elif reply.ndjson is not None:
                    payload = b"".join(json.dumps(line).encode() + b"\n" for line in reply.ndjson)
                    content_type = "application/x-ndjson"
                elif reply.raw is not None:
                    payload, content_type = reply.raw, "application/json"
                else:
                    payload, content_type = json.dumps(reply.body).encode(), "application/json"
                self.send_response(reply.status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def _sse_event(name: str | None, data) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    prefix = f"event: {name}\n" if name else ""
    return f"{prefix}data: {text}\n\n".encode()


# --- vendor payloads -------------------------------------------------------------------------

def openai_chat(content: str, model: str = "gpt-4o-mini", prompt_tokens: int = 50, completion_tokens: int = 120,
                finish_reason: str = "stop"):
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def openai_stream(content: str, model: str = "gpt-4o-mini", size: int = 20, finish_reason: str = "stop") -> list:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": model}
    events = [(None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                             "finish_reason": None}]})]
    for i in range(0, len(content), size):
        events.append((None, {**base, "choices": [{"index": 0, "delta": {"content": content[i:i + size]},
                                                    "finish_reason": None}]}))
    events.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]}))
    events.append((None, {**base, "choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 99,
                                                            "total_tokens": 149}}))
    events.append((None, "[DONE]"))
    return events


def anthropic_message(tool_input: dict, model: str = "claude-sonnet-4-5", stop_reason: str = "tool_use"):
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "emit_content", "input": tool_input}],
            "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": 60, "output_tokens": 140}}


def anthropic_stream(tool_json: str, model: str = "claude-sonnet-4-5", size: int = 25,
                     stop_reason: str = "tool_use") -> list:
    events = [("message_start", {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 60, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
            "type": "tool_use", "id": "toolu_1", "name": "emit_content", "input": {}}})]
    for i in range(0, len(tool_json), size):
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
            "type": "input_json_delta", "partial_json": tool_json[i:i + size]}}))
    events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason,
                                                                     "stop_sequence": None},
                                  "usage": {"output_tokens": 140}}),
               ("message_stop", {"type": "message_stop"})]
    return events


def openai_error(code: str, message: str = "error", kind: str | None = None):
    return {"error": {"message": message, "type": kind or code, "param": None, "code": code}}


def anthropic_error(kind: str, message: str = "error"):
    return {"type": "error", "error": {"type": kind, "message": message}}


def ollama_chat(content: str, model: str = "llama3.2", done_reason: str = "stop"):
    return {"model": model, "created_at": "2026-11-25T00:00:00Z",
            "message": {"role": "assistant", "content": content}, "done": True, "done_reason": done_reason,
            "prompt_eval_count": 40, "eval_count": 110}


def ollama_stream(content: str, model: str = "llama3.2", size: int = 20, done_reason: str = "stop") -> list:
    lines = [{"model": model, "created_at": "2026-11-25T00:00:00Z",
              "message": {"role": "assistant", "content": content[i:i + size]}, "done": False}
             for i in range(0, len(content), size)]
    lines.append({"model": model, "created_at": "2026-11-25T00:00:00Z", "message": {"role": "assistant",
                  "content": ""}, "done": True, "done_reason": done_reason, "prompt_eval_count": 40,
                  "eval_count": 110})
    return lines
