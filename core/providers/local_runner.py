"""The embedded model out of process: one supervised llama.cpp runner per loaded GGUF (Ollama's pattern).

A native crash (segfault, OOM kill) ends the runner, never the dashboard, CLI or bulk worker: the call in
flight fails with ProviderUnavailableError, a fresh runner is started, and the next call uses it.

Wire format on the runner's stdin and stdout: a 4-byte big-endian length, then one UTF-8 JSON object.
  parent → runner: {"args": create_chat_completion keyword arguments, "stream": bool}
  runner → parent: {"ready": {...}} once loaded (or {"error": str, "fatal": true} and exit), then per
                   request {"chunk": str}… and {"done": {"prompt_tokens", "completion_tokens",
                   "finish_reason"}}, or {"error": str} when llama.cpp refused the request.
"""

import atexit
import json
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator

from ..config import ROOT
from ..errors import ContentCraftError, ProviderUnavailableError
from ..i18n import N_, _

CRASHED = N_("The local model stopped unexpectedly; it has been restarted. Try again.")
_HEADER = struct.Struct(">I")


def send(stream, message: dict) -> None:
    """Write one length-prefixed JSON message and flush it."""
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def receive(stream) -> dict:
    """Read one length-prefixed JSON message; EOFError when the other side is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size, = _HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return json.loads(body)


class Runner:
    """A llama.cpp child process for one GGUF; started lazily, one generation at a time, stopped when idle."""

    def __init__(self, path: str, n_ctx: int, n_threads: int | None, idle_seconds: float = 300.0):
        self.path, self.n_ctx, self.n_threads = path, n_ctx, n_threads
        self.idle_seconds = idle_seconds
        self.info: dict | None = None  # the runner's ready message: llama.cpp build and load parameters
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._idle_timer: threading.Timer | None = None

    @property
    def pid(self) -> int | None:
        """The runner's process id, or None when none is running."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def chat(self, args: dict, stream: bool) -> Iterator[str]:
        """Yield the answer's text chunks; returns the "done" usage dict. Callers queue on a lock."""
        with self._lock:
            if self._idle_timer:
                self._idle_timer.cancel()
            try:
                return (yield from self._exchange({"args": args, "stream": stream}))
            finally:
                self._idle_timer = threading.Timer(self.idle_seconds, self._stop_if_idle)
                self._idle_timer.daemon = True
                self._idle_timer.start()

    def _exchange(self, request: dict) -> Iterator[str]:
        if self.pid is None:
            self._start()
        process = self._process  # close() at interpreter exit may kill it under us: then this call fails
        try:
            if self.info is None:
                self._read_ready()
            send(process.stdin, request)
            while "chunk" in (message := receive(process.stdout)):
                yield message["chunk"]
        except (EOFError, OSError, ValueError):  # ValueError: a closed pipe or a garbled message
            if process is self._process:  # it died by itself, not by close()
                self._stop()
                self._start()  # warm up the replacement now, so "restarted" is true and the retry is quick
            raise ProviderUnavailableError(_(CRASHED)) from None
        except GeneratorExit:
            self._stop(kill=True)  # the caller walked away mid-answer; the runner would keep writing it
            raise
        if "error" in message:
            raise ProviderUnavailableError(_("The local model failed: {error}. Try a shorter request.")
                                           .format(error=message['error']))
        return message["done"]

    def _read_ready(self) -> None:
        message = receive(self._process.stdout)
        if "error" in message:
            self._stop()
            raise ContentCraftError(_("The local model {path} could not be loaded ({error}): set "
                                      "CONTENTCRAFT_LOCAL_MODEL_PATH to a valid GGUF file.")
                                    .format(path=self.path, error=message['error']))
        self.info = message["ready"]

    def _start(self) -> None:
        command = [sys.executable, "-m", "core.providers.llama_runner", "--model", self.path,
                   "--n-ctx", str(self.n_ctx), "--parent", str(os.getpid())]
        if self.n_threads:
            command += ["--threads", str(self.n_threads)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.info = None

    def _stop(self, kill: bool = False) -> None:
        process, self._process, self.info = self._process, None, None
        if process is None:
            return
        if kill:
            process.kill()
        try:
            process.stdin.close()  # a runner exits on end of input
        except OSError:  # it is already gone, with our last request unsent
            pass
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def _stop_if_idle(self) -> None:
        if self._lock.acquire(blocking=False):  # a call in progress re-arms the timer when it ends
            try:
                self._stop()
            finally:
                self._lock.release()

    def close(self, wait: float | None = None) -> None:
        """Stop the runner; a generation in progress gets `wait` seconds (None: all it needs), then is killed."""
        locked = self._lock.acquire(timeout=-1 if wait is None else wait)
        try:
            if self._idle_timer:
                self._idle_timer.cancel()
            self._stop(kill=not locked)
        finally:
            if locked:
                self._lock.release()


_runners: dict[tuple, Runner] = {}
_runners_lock = threading.Lock()


def runner_for(path: str, n_ctx: int, n_threads: int | None) -> Runner:
    """The one runner of this process for a GGUF loaded with this context size and thread count."""
    key = (path, n_ctx, n_threads)
    with _runners_lock:
        if key not in _runners:
            _runners[key] = Runner(path, n_ctx, n_threads)
        return _runners[key]


@atexit.register
def close_runners() -> None:
    """Stop every runner at interpreter exit, without waiting long for a daemon thread's generation.

    A parent killed outright never gets here; its runners notice on their own (see llama_runner).
    """
    with _runners_lock:
        runners = list(_runners.values())
    for runner in runners:
        runner.close(wait=1.0)
