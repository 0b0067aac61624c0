"""Real-browser test helpers: Debian's Chromium, and a Streamlit script served on a free loopback port."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.net import free_port, stop, wait_until

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip without Debian's Chromium; fail in CI, whose .ci/run installs it."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@contextmanager
def streamlit_server(script: str | Path, env: dict) -> Iterator[str]:
    """`streamlit run script` on 127.0.0.1 with env; yields its base URL once healthy, stops it after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok", process, "streamlit")
        yield url
    finally:
        stop(process)
