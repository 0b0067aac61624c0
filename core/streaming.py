"""Runs a callback-streaming call in a thread and exposes its chunks as an iterator."""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
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
