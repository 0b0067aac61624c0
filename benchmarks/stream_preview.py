"""Server CPU of the streaming preview: st.write_stream (redraws the whole text per chunk) vs core.streaming.redraws.

Run: .venv/bin/python benchmarks/stream_preview.py [--kib 200] [--chunk 50] [--pause-ms 0.5]
Streams the same text through both in Streamlit's AppTest (the script runner and the delta messages a server
builds; no browser, no WebSocket) and prints the CPU seconds of this process for each, the wall time, the
length of the last frame shown, and the CPU ratio. A real server also serialises and sends every frame, so the
before side costs it more than here.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest  # noqa: E402

HEADER = """
import sys, time
sys.path.insert(0, {root!r})
import streamlit as st

def chunks():
    for i in range({count}):
        time.sleep({pause})  # a model's pace; sleeping costs no CPU
        yield "{chunk}"
"""
BEFORE = "st.write_stream(chunks())\n"
AFTER = """
from ui.editor import show_stream
show_stream(chunks())
"""


def run(script: str) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, characters in the final element) for one run of script."""
    app = AppTest.from_string(script, default_timeout=3600)
    cpu, wall = time.process_time(), time.perf_counter()
    app.run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert not app.exception, app.exception
    shown = (app.markdown or app.code)[-1].value
    return cpu, wall, len(shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kib", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=50, help="characters per streamed chunk")
    parser.add_argument("--pause-ms", type=float, default=0.5, help="model time between chunks")
    args = parser.parse_args()
    count = args.kib * 1024 // args.chunk
    header = HEADER.format(root=str(Path(__file__).resolve().parent.parent), count=count,
                           pause=args.pause_ms / 1000, chunk="x" * (args.chunk - 1) + " ")
    run(header + AFTER)  # imports once, outside the timings
    print(f"{count} chunks of {args.chunk} characters ({args.kib} KiB), {args.pause_ms} ms apart")
    print(f"{'preview':<28}{'CPU s':>8}{'wall s':>8}{'last frame chars':>18}")
    results = {}
    for name, body in (("st.write_stream (before)", BEFORE), ("redraws tail (after)", AFTER)):
        cpu, wall, shown = results[name] = run(header + body)
        print(f"{name:<28}{cpu:>8.2f}{wall:>8.2f}{shown:>18,}")
    before, after = (results[name][0] for name in results)
    print(f"CPU before/after: {before / max(after, 1e-6):.1f}×")


if __name__ == "__main__":
    main()
