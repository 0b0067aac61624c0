"""A lane's rows overlapped: while a row's provider call is out, the lane takes its next row, which waits with
its request all but built and goes out the moment the answer has arrived; the answered row is read, checked,
scored and saved meanwhile. The lane's send slot keeps at most one provider call of the lane out at a time (a
row's second call, a repair or a meta description, waits for it too; SDK retries keep it), so a job's
concurrency stays the number of calls the provider sees at once. A row that waited for the slot, or whose call
before it failed (that row keeps the slot until the pause or retry it leads to is written), looks whether its
job was paused or cancelled meanwhile before it goes out: a pause sends nothing more, however short the calls."""

import contextvars
import threading
from collections.abc import Callable



class SendSlot:
    """The lane's right to have a provider call out; taken by one thread at a time, given back by that thread."""

    def __init__(self):
        self._lock, self._owner, self._answered = threading.Lock(), None, True

    def take(self) -> bool:
        """Take the slot (at once if this thread has it already). True when the job may have stopped since this
        row was taken: it waited for another row's call, or the call before it failed (a pause may have followed)."""
        if self._owner == threading.get_ident():
            return False
        waited = not self._lock.acquire(blocking=False)
        if waited:
            self._lock.acquire()
        self._owner = threading.get_ident()
        return waited or not self._answered

    def give_back(self, answered: bool = False) -> None:
        """Give the slot back if this thread has it; answered: its call came back with an answer."""
        if self._owner == threading.get_ident():
            self._owner, self._answered = None, answered
            self._lock.release()


class RowThreads:
    """The rows a lane has started and not yet seen end, each in a thread of its own."""

    def __init__(self):
        self.slot = SendSlot()
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def start(self, run: Callable[[Callable[[], None]], object]) -> None:
        """Run run(sending) in a new thread; return once it called sending() (it has the lane's send slot and
        goes on to send) or ended, whichever is first."""
        sending = threading.Event()

        def body() -> None:
            try:
                run(sending.set)
            except BaseException as exc:  # raised in the lane by settle(), once every row has ended
                self.errors.append(exc)
            finally:
                sending.set()

        thread = threading.Thread(target=contextvars.copy_context().run, args=(body,),
                                  name="contentcraft-bulk-row", daemon=True)
        thread.start()
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        sending.wait()

    def busy(self) -> bool:
        """Whether a row started here has not ended yet."""
        return any(thread.is_alive() for thread in self.threads)

    def settle(self) -> None:
        """Wait for every started row to end; raise the first error one of them raised."""
        for thread in self.threads:
            thread.join()
        self.threads = []
        if self.errors:
            error, self.errors = self.errors[0], []
            raise error
