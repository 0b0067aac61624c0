"""Shared Streamlit helpers for the pages: the cached pipeline, the signed-in user, friendly errors."""

import time
from contextlib import contextmanager

import streamlit as st

from core import auth
from core.db import upgrade
from core.errors import ContentCraftError
from core.models import User
from core.app_settings import configured_generator
from core.pipeline import Generator


@st.cache_resource(show_spinner="Preparing the database…")
def generator() -> Generator:
    """One pipeline per server process, after the database is migrated and the env admin exists."""
    upgrade()
    pipeline = configured_generator()
    settings = pipeline.settings
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    auth.ensure_admin_from_settings(pipeline.engine, settings.admin_email, password)
    return pipeline


def engine():
    """The database engine the dashboard uses."""
    return generator().engine


def sign_in(user: User) -> None:
    """Start a dashboard session for user."""
    st.session_state["auth_email"] = user.email
    st.session_state["auth_started"] = time.time()


def sign_out() -> None:
    """End the dashboard session."""
    for key in ("auth_email", "auth_started"):
        st.session_state.pop(key, None)


def signed_in_user() -> User | None:
    """The signed-in, still active user, or None when the session is absent or expired."""
    email = st.session_state.get("auth_email")
    if not email:
        return None
    if auth.session_expired(st.session_state.get("auth_started", 0)):
        sign_out()
        st.session_state["auth_notice"] = "Your session expired. Please sign in again."
        return None
    user = auth.get_user(engine(), email)
    if user is None or not user.is_active:
        sign_out()
        return None
    return user


def current_user() -> User:
    """The signed-in user; pages only run behind the sign-in gate, so this stops the run otherwise."""
    user = signed_in_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user


@contextmanager
def friendly_errors(action: str = "That"):
    """Show ContentCraft errors as a message that says what to do, never a traceback."""
    try:
        yield
    except ContentCraftError as error:
        st.error(str(error))
    except Exception:  # the last line of defence: log it, show no internals
        import logging

        logging.getLogger("contentcraft").exception("unexpected error in the dashboard")
        st.error(f"{action} failed unexpectedly. Try again; if it keeps failing, tell your admin.")


# Every text field picks its direction from its first strong character, like dir="auto": Persian or Arabic
# typed into any field runs right to left, with its full stop on the correct side.
BIDI_CSS = ("<style>input[type='text'], input:not([type]), textarea "
            "{ unicode-bidi: plaintext; text-align: start; }</style>")


def text_direction_style() -> None:
    """The page-wide bidi rule for text fields (a style only: nothing is drawn)."""
    st.html(BIDI_CSS)


def rtl_fields(keys: list[str]) -> None:
    """Right-to-left for the fields with these widget keys (the content language is Persian or Arabic)."""
    selectors = ", ".join(f".st-key-{key} :is(input, textarea)" for key in keys)
    st.html(f"<style>{selectors} {{ direction: rtl; text-align: right; }}</style>")


def isolate(text: str) -> str:
    """Text wrapped in Unicode first-strong isolates, so RTL text inside LTR labels keeps its own order."""
    return f"\u2068{text}\u2069"


def sidebar(user: User | None, pages: list | None = None) -> None:
    """The pages the user may open, who is signed in and which provider is in use, on every page."""
    settings = generator().settings
    with st.sidebar:
        for page in pages or []:
            st.page_link(page)
        if user is not None:
            st.caption(f"Signed in as **{user.email}** ({user.role})")
            if st.button("Sign out", key="sidebar_sign_out"):
                sign_out()
                st.rerun()
        st.caption(f"Provider: **{settings.provider}**" + (f" · {settings.model}" if settings.model else ""))
        if settings.fallback:
            st.caption("Fallback: " + " → ".join(settings.fallback))
