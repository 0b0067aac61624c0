"""An OpenAI-compatible chat server on 127.0.0.1 with settable latency, RPM limit and fault rate.

It answers /v1/chat/completions with a valid blog or product draft about the subject in the prompt's
first line, so the whole pipeline runs for real. Above its requests-per-minute limit (counted over a
sliding window, 60 s unless `window` scales time down for tests) it answers 429 with Retry-After, and
below it its answers carry OpenAI's x-ratelimit-limit|remaining|reset-requests headers;
with probability `fault_rate` it answers 429, 500 or stalls past the client's timeout instead (in turn).
`account` ("quota" or "revoked", settable while it runs) makes it answer as OpenAI does when billing
is out (429 insufficient_quota) or the key was revoked (401 invalid_api_key); "down" answers 500 to everything.
Run it alone with `python -m tests.fault_server --port 8765 --rpm 600`.
"""

import argparse
import json
import random
import threading
import time
from collections import Counter, deque
from http.server import ThreadingHTTPServer

from tests.net import QuietHandler
from tests.samples import LONG_BODY, META, blog_draft, product_draft
from tests.vendor_server import openai_chat

FAULTS = ("429", "500", "timeout")
ACCOUNT_REPLIES = {
    "quota": (429, {"error": {"message": "You exceeded your current quota, please check your plan and billing "
                                         "details.", "type": "insufficient_quota", "param": None,
                              "code": "insufficient_quota"}}),
    "revoked": (401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                "param": None, "code": "invalid_api_key"}}),
    "down": (500, {"error": {"message": "The server had an error while processing your request.",
                             "type": "server_error", "param": None, "code": None}}),
}


class _QuietServer(ThreadingHTTPServer):
    """Clients that give up (timeouts) reset their connections; that is expected here, not an error."""

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class FaultServer:
    """Serves chat completions; `stats` counts what it answered, `subjects` what it wrote about."""

    def __init__(self, latency: float = 0.0, rpm: float | None = None, fault_rate: float = 0.0,
                 timeout_delay: float = 1.0, retry_after: float = 0.1, seed: int = 0, port: int = 0,
                 window: float = 60.0, account: str | None = None):
        self.latency, self.rpm, self.fault_rate, self.window = latency, rpm, fault_rate, window
        self.timeout_delay, self.retry_after = timeout_delay, retry_after
        self.account = account
        self.random = random.Random(seed)
        self.stats: Counter = Counter()
        self.subjects: Counter = Counter()
        self._lock = threading.Lock()
        self._arrivals: deque[float] = deque()
        self.httpd = _QuietServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def rate_headers(self) -> dict:
        """OpenAI's x-ratelimit-*-requests headers for the window as it is now (none without an RPM limit)."""
        if not self.rpm:
            return {}
        with self._lock:
            now, capacity = time.monotonic(), int(self.rpm * self.window / 60.0)
            while self._arrivals and self._arrivals[0] <= now - self.window:
                self._arrivals.popleft()
            reset = self._arrivals[-1] + self.window - now if self._arrivals else 0.0  # until the window is empty
            return {"x-ratelimit-limit-requests": str(capacity),
                    "x-ratelimit-remaining-requests": str(max(0, capacity - len(self._arrivals))),
                    "x-ratelimit-reset-requests": f"{reset:.3f}s"}

    def _admit(self) -> tuple[str, float]:
        """('ok' | 'limited' | a fault, Retry-After seconds), decided when the request arrives."""
        with self._lock:
            self.stats["requests"] += 1
            if self.account:
                self.stats[f"account_{self.account}"] += 1
                return self.account, 0.0
            if self.rpm:
                now = time.monotonic()
                while self._arrivals and self._arrivals[0] <= now - self.window:
                    self._arrivals.popleft()
                if len(self._arrivals) >= self.rpm * self.window / 60.0:
                    self.stats["429_rate_limit"] += 1
                    return "limited", self._arrivals[0] + self.window - now
                self._arrivals.append(now)
            if self.fault_rate and self.random.random() < self.fault_rate:
                faults = sum(self.stats[f"fault_{kind}"] for kind in FAULTS)
                fault = FAULTS[faults % len(FAULTS)]  # in turn, so even a short run sees every kind
                self.stats[f"fault_{fault}"] += 1
                return fault, self.retry_after
            return "ok", 0.0

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                verdict, retry_after = server._admit()
                try:
                    if verdict in ("limited", "429"):
                        self._send(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                                   {"retry-after": f"{retry_after:.3f}"})
                    elif verdict in ACCOUNT_REPLIES:
                        self._send(*ACCOUNT_REPLIES[verdict])
                    elif verdict == "500":
                        self._send(500, {"error": {"message": "The server had an error", "type": "server_error"}})
                    elif verdict == "timeout":
                        time.sleep(server.timeout_delay)
                        self._send(200, _answer(body))
                    else:
                        time.sleep(server.latency)
                        answer = _answer(body)
                        with server._lock:
                            server.stats["ok"] += 1
                            server.subjects[_subject(body)] += 1
                        self._send(200, answer, server.rate_headers())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status: int, payload: dict, headers: dict | None = None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _subject(body: dict) -> str:
    """What the prompt asks about: the text after the colon on the user message's first line."""
    user = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
    return user.splitlines()[0].partition(": ")[2].strip() if user else ""


def _answer(body: dict) -> dict:
    properties = body.get("response_format", {}).get("json_schema", {}).get("schema", {}).get("properties", {})
    properties = properties or body.get("response_format", {}).get("schema", {}).get("properties", {})
    subject = _subject(body)
    if set(properties) == {"meta_desc"}:
        draft = {"meta_desc": META}
    elif "short_description" in properties:
        draft = product_draft(title=subject[:150], short_description=f"{subject}: built for daily use.")
    else:
        draft = blog_draft(title=subject[:150], excerpt=f"A practical guide: {subject}.",
                           body_html=f"<h2>{subject}</h2><p>What to know about {subject}.</p>" + LONG_BODY)
    return openai_chat(json.dumps(draft, ensure_ascii=False), model="fault-model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--rpm", type=float)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    server = FaultServer(latency=args.latency, rpm=args.rpm, fault_rate=args.fault_rate, port=args.port)
    print(f"Serving on {server.base_url}")
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
