"""Starts the bulk worker once per dashboard server (imported by app.py and the Bulk Generator page)."""

import streamlit as st

from core.bulk.worker import BulkWorker, start_worker
from ui.common import generator


@st.cache_resource(show_spinner=False)
def bulk_worker() -> BulkWorker:
    """The server's one background worker: jobs run outside any browser session and resume after a restart."""
    return start_worker(generator())
