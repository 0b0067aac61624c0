"""The embedded model's supervised runner process: crashes become errors, no orphans, idle exit."""

import os
import signal
import subprocess
import sys
import time

import pytest

from core.config import ROOT, Settings
from core.errors import ContentCraftError, ProviderUnavailableError
from core.providers import complete_with_fallback
from core.providers.local import LocalProvider
from tests.conftest import FakeProvider

pytestmark = pytest.mark.slow
STORY = [{"role": "user", "content": "Write a long story about a lighthouse keeper and the sea."}]
HELLO = [{"role": "user", "content": "Say hello in one short sentence."}]


def gone(pid: int) -> bool:
    """True once pid has exited (a zombie waiting for its reaper counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return gone(pid)


def kill_at_first_chunk(provider: LocalProvider, sig: int):
    killed = []

    def on_chunk(_text):
        if not killed:
            killed.append(provider.runner.pid)
            os.kill(killed[0], sig)
    return on_chunk, killed


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_runner_crash_mid_generation_is_a_clear_error_and_the_next_call_works(sig):
    provider = LocalProvider(Settings(max_tokens=300))
    on_chunk, killed = kill_at_first_chunk(provider, sig)
    with pytest.raises(ProviderUnavailableError, match="stopped unexpectedly; it has been restarted") as caught:
        provider.complete(STORY, on_chunk=on_chunk)
    assert caught.value.retryable and gone(killed[0])
    assert provider.runner.pid not in (None, killed[0])  # the replacement is already up
    completion = provider.complete(HELLO)
    assert completion.text.strip() and completion.completion_tokens > 0


def test_fallback_moves_on_when_the_runner_crashes():
    local = LocalProvider(Settings(max_tokens=300))
    FakeProvider.enqueue(["The fallback answer."])
    on_chunk, killed = kill_at_first_chunk(local, signal.SIGKILL)
    completion = complete_with_fallback([local, FakeProvider(Settings())], STORY, on_chunk=on_chunk)
    assert killed and completion.provider == "fake" and completion.fallback_from == ["local"]
    assert completion.text == "The fallback answer."


def test_streaming_through_the_runner_and_the_stop_reason():
    provider = LocalProvider(Settings(max_tokens=12))
    chunks = []
    streamed = provider.complete(STORY, on_chunk=chunks.append)
    assert 1 < len(chunks) == streamed.completion_tokens <= 12 and "".join(chunks) == streamed.text
    assert streamed.finish_reason == "length"
    whole = LocalProvider(Settings(max_tokens=200)).complete(HELLO)
    assert whole.finish_reason == "stop" and whole.prompt_tokens > 5


def test_runner_loads_without_extra_buffer_types():
    provider = LocalProvider(Settings(max_tokens=8))
    provider.complete(HELLO)
    assert provider.runner.info["use_extra_bufts"] is False and provider.runner.info["pid"] == provider.runner.pid
    with open(f"/proc/{provider.runner.pid}/stat") as stat:
        assert int(stat.read().rsplit(")", 1)[1].split()[1]) == os.getpid()  # a child of the process using it


def test_abandoned_stream_stops_the_runner_and_the_next_call_works():
    provider = LocalProvider(Settings(max_tokens=300))
    pid = None

    def walk_away(_text):
        nonlocal pid
        pid = provider.runner.pid
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        provider.complete(STORY, on_chunk=walk_away)
    assert wait_gone(pid, 5)
    assert provider.complete(HELLO).text.strip()


def test_idle_runner_exits_and_a_new_one_starts_on_demand():
    provider = LocalProvider(Settings(max_tokens=8, local_idle_seconds=1, local_context=1024))
    provider.complete(HELLO)
    pid = provider.runner.pid
    assert pid and wait_gone(pid, 10) and provider.runner.pid is None
    provider.complete(HELLO)
    assert provider.runner.pid not in (None, pid)
    provider.runner.close()


def test_a_file_that_is_not_a_model_is_explained(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf file" * 100)
    provider = LocalProvider(Settings(local_model_path=str(bad)))
    with pytest.raises(ContentCraftError, match="could not be loaded.*CONTENTCRAFT_LOCAL_MODEL_PATH") as caught:
        provider.complete(HELLO)
    assert not caught.value.retryable and provider.runner.pid is None


PARENT = """
import sys, threading, time
from core.config import Settings
from core.providers.local import LocalProvider

provider = LocalProvider(Settings(max_tokens=2000))
story = [{"role": "user", "content": "Write a very long story about the sea."}]
announced = threading.Event()

def announce(_text):
    if not announced.is_set():
        print(provider.runner.pid, flush=True)
        announced.set()

provider.complete([{"role": "user", "content": "Say hi."}])
if sys.argv[1] == "idle":
    announce("")
elif sys.argv[1] == "exiting":  # a daemon thread is mid-answer when the interpreter exits normally
    threading.Thread(target=provider.complete, args=(story, None, announce), daemon=True).start()
    announced.wait()
    sys.exit(0)
else:
    threading.Thread(target=provider.complete, args=(story, None, announce), daemon=True).start()
time.sleep(600)
"""


@pytest.mark.parametrize("state", ["idle", "busy", "exiting"])
def test_runner_does_not_outlive_its_parent(state):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", PARENT, state], stdout=subprocess.PIPE, text=True, env=env,
                              cwd=ROOT)
    try:
        runner_pid = int(parent.stdout.readline())
        assert not gone(runner_pid)
        if state != "exiting":
            os.kill(parent.pid, signal.SIGKILL)
        parent.wait(20)  # an exiting parent does not wait for the answer in progress
        assert wait_gone(runner_pid, 10), f"runner {runner_pid} outlived its parent"
    finally:
        parent.kill()
        parent.wait()
