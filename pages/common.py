"""Shared Streamlit helpers for the pages: the cached generator, the sidebar, friendly errors."""

import streamlit as st

from core.config import get_settings
from core.db import upgrade
from core.pipeline import Generator


@st.cache_resource(show_spinner="Preparing the database…")
def generator() -> Generator:
    """One pipeline per server process, after the database is migrated."""
    upgrade()
    return Generator()


def current_user() -> str:
    """Who is using the dashboard (sign-in arrives with the dashboard issue)."""
    return st.session_state.get("user", "studio")


def sidebar() -> None:
    """The provider in use, shown on every page."""
    settings = get_settings()
    with st.sidebar:
        st.caption(f"Provider: **{settings.provider}**" + (f" · {settings.model}" if settings.model else ""))
        if settings.fallback:
            st.caption("Fallback: " + " → ".join(settings.fallback))
