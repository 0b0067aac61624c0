"""An OpenAI-compatible chat server on 127.0.0.1 that writes a valid draft about the prompt's topic at once.

For end-to-end tests through `python -m api` (provider "custom"): the real pipeline, prompt and
validation run, only the model is instant. `python -m tests.wordpress.model_server PORT` serves it;
a topic containing "FAIL" gets a 500, so tests can make one item of a batch fail; a brand voice
prompt gets a voice description.
"""

import json
import re
import sys
import time
from http.server import ThreadingHTTPServer

from tests.net import QuietHandler
from tests.samples import LONG_BODY, META, blog_draft, product_draft

SUBJECT = re.compile(r"^(?:Write a blog post about|Write the product description for): (.+)$", re.M)


VOICE = {"description": "Plain, encouraging coaching that speaks to the reader as you.", "tone": "friendly",
         "rules_do": ["Speak to the reader as you", "Give one concrete step per paragraph"],
         "rules_dont": ["No jargon without an explanation"], "preferred_words": ["easy", "steady"],
         "banned_words": []}


def draft_for(messages: list[dict]) -> tuple[str, dict]:
    """('blog'|'product'|'brand', a draft about the subject named in the last user message, or a voice)."""
    if "writing voice" in messages[0]["content"]:
        return "brand", dict(VOICE)
    prompt = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    found = SUBJECT.search(prompt)
    subject = found.group(1).strip() if found else "Running shoes"
    if prompt.startswith("Write the product description"):
        return "product", product_draft(title=subject[:200], seo_title=subject[:60],
                                         image_alt_text=f"Photo of {subject}"[:125])
    body = (f"<h2>Why {subject} matters</h2><p>{subject}: what to know before you start.</p>"
            f"<h2>How to begin</h2><ul><li>Plan</li><li>Practise</li></ul><p>Keep going.</p>"
            + LONG_BODY)  # as long as the asked length, so the pipeline keeps the one-shot answer
    return "blog", blog_draft(title=subject[:200], seo_title=subject[:60], body_html=body,
                              excerpt=f"A short guide to {subject}.", meta_desc=META)


class Handler(QuietHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        kind, draft = draft_for(request["messages"])
        if kind != "brand" and "FAIL" in draft["title"]:
            return self._send(500, {"error": {"message": "scripted failure", "type": "server_error"}})
        text = json.dumps(draft)
        if request.get("stream"):
            return self._stream(request["model"], text)
        self._send(200, {"id": "cmpl-1", "object": "chat.completion", "created": int(time.time()),
                         "model": request["model"], "usage": {"prompt_tokens": 50, "completion_tokens": 120,
                                                              "total_tokens": 170},
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": text}}]})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model: str, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        base = {"id": "cmpl-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        chunks = [{"choices": [{"index": 0, "delta": {"content": text[i:i + 200]}, "finish_reason": None}]}
                  for i in range(0, len(text), 200)]
        chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        chunks.append({"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 120, "total_tokens": 170}})
        for chunk in chunks:
            self.wfile.write(f"data: {json.dumps({**base, **chunk})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.close_connection = True


def serve(port: int = 0) -> ThreadingHTTPServer:
    """A running server (call serve_forever in a thread)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    return httpd


if __name__ == "__main__":
    serve(int(sys.argv[1])).serve_forever()
