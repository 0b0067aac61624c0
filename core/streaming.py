"""Runs a callback-streaming call in a thread and exposes its chunks as an iterator."""

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
REDRAW_SECONDS, TAIL_CHARS = 0.25, 3000
_DONE = object()


class ChunkStream(Generic[T]):
    """Iterate to get text chunks as they arrive; `result` holds the call's return value afterwards."""

    def __init__(self, run: Callable[[Callable[[str], None]], T]):
        self._queue: queue.Queue = queue.Queue()
        self.result: T | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(run,), daemon=True)
        self._thread.start()

    def _work(self, run) -> None:
        try:
            self.result = run(self._queue.put)
        except BaseException as exc:  # re-raised in the consumer's thread
            self.error = exc
        finally:
            self._queue.put(_DONE)

    def __iter__(self) -> Iterator[str]:
        while (chunk := self._queue.get()) is not _DONE:
            yield chunk
        self._thread.join()
        if self.error is not None:
            raise self.error


def redraws(chunks: Iterable[str], every: float = REDRAW_SECONDS, tail: int = TAIL_CHARS,
            clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """The last `tail` characters written so far, at most once per `every` seconds and once at the end.

    A preview redrawn on every chunk re-sends the whole text each time (quadratic: a 200 KB answer cost
    over a minute of server CPU); this sends at most 4 bounded redraws a second.
    """
    recent: deque[str] = deque()
    size, last, pending = 0, float("-inf"), False
    for chunk in chunks:
        recent.append(chunk)
        size += len(chunk)
        while size - len(recent[0]) >= tail:  # keep only the chunks the tail needs
            size -= len(recent.popleft())
        pending = True
        if clock() - last >= every:
            last, pending = clock(), False
            yield "".join(recent)[-tail:]
    if pending:
        yield "".join(recent)[-tail:]
