"""The runner process: loads one GGUF with llama.cpp and answers chat requests from its parent.

Started by core.providers.local_runner.Runner as `python -m core.providers.llama_runner --model FILE
--n-ctx N --parent PID [--threads T]`; speaks the length-prefixed JSON described there on stdin/stdout.
It exits on end of input, and within a second of its parent's death (even by SIGKILL), so it never
outlives the process that uses it.
"""

import argparse
import os
import signal
import sys
import threading
import time

from .local_runner import receive, send


def main(argv: list[str] | None = None) -> int:
    """Serve requests until stdin closes; 1 when the model cannot be loaded."""
    parser = argparse.ArgumentParser(prog="python -m core.providers.llama_runner")
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, required=True)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--parent", type=int, required=True)
    options = parser.parse_args(argv)
    # Ctrl-C belongs to the parent (the bulk CLI pauses on it and waits for the rows in progress).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(options.parent,), daemon=True).start()
    requests, replies = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever llama.cpp prints goes to stderr and cannot corrupt the replies
    sys.stdout = sys.stderr
    try:
        llama = _load(options)
    except (ValueError, RuntimeError, OSError) as exc:
        send(replies, {"error": str(exc), "fatal": True})
        return 1
    send(replies, {"ready": {"model": options.model, "use_extra_bufts": llama.model_params.use_extra_bufts,
                             "n_threads": llama.n_threads, "pid": os.getpid()}})
    try:
        while True:
            try:
                request = receive(requests)
            except EOFError:
                return 0
            try:
                for message in _answer(llama, request["args"], request["stream"]):
                    send(replies, message)
            except (RuntimeError, ValueError) as exc:
                send(replies, {"error": str(exc)})
    except BrokenPipeError:  # the parent stopped listening
        return 0


def _load(options):
    from llama_cpp import Llama

    from .llama_portable import install

    install()
    return Llama(model_path=options.model, n_ctx=options.n_ctx, verbose=False,
                 n_threads=options.threads or max(1, os.cpu_count() or 1))


def _answer(llama, args: dict, stream: bool):
    if not stream:
        result = llama.create_chat_completion(**args)
        choice = result["choices"][0]
        yield {"chunk": choice["message"]["content"] or ""}
        yield {"done": {"prompt_tokens": result["usage"]["prompt_tokens"],
                        "completion_tokens": result["usage"]["completion_tokens"],
                        "finish_reason": choice["finish_reason"]}}
        return
    completion_tokens, finish_reason = 0, None
    for chunk in llama.create_chat_completion(**args, stream=True):
        choice = chunk["choices"][0]
        if text := choice["delta"].get("content"):
            completion_tokens += 1  # llama.cpp streams one token per chunk
            yield {"chunk": text}
        finish_reason = choice.get("finish_reason") or finish_reason
    yield {"done": {"prompt_tokens": _count_prompt_tokens(llama, args["messages"]),
                    "completion_tokens": completion_tokens, "finish_reason": finish_reason}}


def _count_prompt_tokens(llama, messages) -> int:
    text = "\n".join(m["content"] for m in messages)
    return len(llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))


def _exit_when_orphaned(parent: int) -> None:
    # Polling getppid() rather than PR_SET_PDEATHSIG: that signal fires when the *thread* that started
    # us exits, and the dashboard and bulk worker start runners from short-lived threads.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
