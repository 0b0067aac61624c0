"""Starts the bulk worker once per dashboard server (imported by app.py and the Bulk Generator page)."""

import threading

import streamlit as st

from core.bulk.worker import BulkWorker, start_worker
from ui.common import generator


@st.cache_resource(show_spinner=False)
def bulk_worker() -> BulkWorker:
    """The server's one background worker: jobs run outside any browser session and resume after a restart."""
    worker = start_worker(generator())
    # Stop it before the interpreter shuts thread pools down, so no runner submits to a closed pool on exit
    # (threading's own exit hooks run before atexit's, in reverse order of registration).
    threading._register_atexit(worker.stop, 10)
    return worker
