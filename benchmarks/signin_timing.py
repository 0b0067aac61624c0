"""Sign-in time for a known email (wrong password), an unknown email, and a refused (throttled) attempt.

The first two should match (no email enumeration by timing); the third shows the throttle answers
before the slow argon2 hash. Run: .venv/bin/python benchmarks/signin_timing.py [--runs 20]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import auth  # noqa: E402
from core.db import engine_for, upgrade  # noqa: E402
from core.errors import AuthenticationError  # noqa: E402
from core.identity import throttle  # noqa: E402


def timed(engine, email: str, client: str) -> float:
    start = time.perf_counter()
    try:
        auth.authenticate(engine, email=email, password="wrong password", client=client)
    except AuthenticationError:
        pass
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    url = f"sqlite:///{tempfile.mkdtemp()}/signin.db"
    upgrade(url)
    engine = engine_for(url)
    auth.create_user(engine, email="known@example.com", password="correct horse battery")
    timed(engine, "warm@example.com", "warm-up")  # builds the dummy hash once
    # A fresh client address per attempt keeps the throttle out of the first two measurements.
    known = [timed(engine, "known@example.com", f"10.0.0.{i}") for i in range(runs)]
    unknown = [timed(engine, f"nobody{i}@example.com", f"10.0.1.{i}") for i in range(runs)]
    for _ in range(throttle.LIMITS["client"]):
        timed(engine, "known@example.com", "10.9.9.9")
    refused = [timed(engine, "known@example.com", "10.9.9.9") for _ in range(runs)]
    k, u, r = (statistics.median(values) for values in (known, unknown, refused))
    print(f"median over {runs} runs: known email {k:.1f} ms, unknown email {u:.1f} ms "
          f"(ratio {u / k:.2f}), throttled {r:.1f} ms (ratio to known {r / k:.3f})")


if __name__ == "__main__":
    main()
