"""Loopback helpers for tests that start real servers."""

import socket
from http.server import BaseHTTPRequestHandler
import subprocess
import time
from collections.abc import Callable

# Seconds an AppTest waits for one script run: well under one alone, far more on a loaded CI machine.
APP_TIMEOUT = 120


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    """Poll ready() until it is true; kill the process and fail the test if it never is."""
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:  # not up yet: connection refused, reset, half-written answer
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"{what} did not start within {timeout:.0f} s")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll condition() until it is true; fail naming `what` after `timeout` s (generous: CI machines get loaded)."""
    import pytest

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """Terminate a server, then kill it if a loaded machine keeps it closing longer than `grace` s."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 keep-alive handler that does not print a line per request."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: Nagle would hold the body for the client's ACK

    def log_message(self, *args):
        pass
