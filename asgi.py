"""One process for a single machine: the dashboard at / and the API at /api (Streamlit's st.App).

Run it with `streamlit run asgi.py`, `python asgi.py` or `uvicorn asgi:app --host 127.0.0.1 --port 8501`;
the separate API process is `python -m api` (see README, "Headless API").
"""

from pathlib import Path

import streamlit as st
from starlette.routing import Mount

from api.app import create_app
from core.db import upgrade

upgrade()  # the API answers before any dashboard session has migrated the database
# The dashboard starts the bulk worker itself (app.py), so the mounted API does not start a second one.
app = st.App(Path(__file__).with_name("app.py"), routes=[Mount("/api", app=create_app(bulk_worker=False, prefix=""))])

if __name__ == "__main__":
    app.run()
