"""Shared Streamlit helpers for the pages: the cached pipeline, the signed-in user, friendly errors."""

import json
from contextlib import contextmanager

import streamlit as st

from core import auth
from core.db import upgrade
from core.errors import ContentCraftError
from core.i18n import _
from core.identity import accounts, sessions, setup
from core.wordpress.secrets import check_key
from core.models import User
from core.app_settings import configured_generator
from core.pipeline import Generator
from ui import labels, language
from ui.plain import md


@st.cache_resource(show_spinner=False)
def generator() -> Generator:
    """One pipeline per server process, after the database is migrated and the env admin exists."""
    upgrade()
    pipeline = configured_generator()
    check_key(pipeline.engine)  # stored secrets and no (or the wrong) key: refuse to start
    settings = pipeline.settings
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    auth.ensure_admin_from_settings(pipeline.engine, settings.admin_email, password)
    setup.announce(pipeline.engine, _server_url())  # a no-op when server.py already printed it
    return pipeline


def _server_url() -> str:
    address = st.get_option("server.address") or "127.0.0.1"
    return f"http://{address}:{st.get_option('server.port')}"


def engine():
    """The database engine the dashboard uses."""
    return generator().engine


def client_address() -> str:
    """The browser's address for sign-in throttling (the proxy's X-Forwarded-For entry when trusted)."""
    forwarded = _context_text(st.context.headers.get("X-Forwarded-For"))
    if generator().settings.trust_proxy_headers and forwarded.strip(" ,"):
        return forwarded.split(",")[-1].strip()[:64]  # the entry our own proxy appended; the rest is hearsay
    return _context_text(st.context.ip_address) or "local"


def _context_text(value) -> str:
    return value if isinstance(value, str) else ""  # AppTest's context has no client: its values are mocks


def sign_in(user: User, via: str = "password") -> None:
    """Start a server-side session for user; the browser gets its cookie on the next run."""
    session_id, code = sessions.start(engine(), user, via=via, client=client_address())
    st.session_state["auth_session"], st.session_state["auth_via"] = session_id, via
    st.session_state["auth_handoff"] = code


def sign_out() -> None:
    """End the session here and server-side (the cookie becomes worthless); SSO users also leave the provider."""
    sessions.end(engine(), st.session_state.pop("auth_session", None))
    st.session_state["auth_cookie_clear"] = True
    if st.session_state.pop("auth_via", None) == "sso":
        st.logout()


def signed_in_user() -> User | None:
    """The signed-in, still active user: from this tab's session, else from the session cookie (a reload)."""
    session_id = st.session_state.get("auth_session")
    user = sessions.user_for(engine(), session_id)
    if user is None and session_id:
        st.session_state.pop("auth_session", None)
        st.session_state["auth_notice"] = _("Your session expired or was ended. Please sign in again.")
    if user is None and (cookie := _context_text(st.context.cookies.get(sessions.COOKIE_NAME))):
        session_id = sessions.from_cookie(engine(), cookie, sessions.signer())
        user = sessions.user_for(engine(), session_id)
        if user is not None:
            st.session_state["auth_session"] = session_id
            st.session_state.pop("auth_notice", None)
    return user


def session_cookie_script() -> None:
    """Hand a fresh session to the browser as an HttpOnly cookie (server.py's route), or clear it on sign-out."""
    if code := st.session_state.pop("auth_handoff", None):
        body = f"code={code}"
        _post_script(sessions.SESSION_ROUTE, body)
    elif st.session_state.pop("auth_cookie_clear", None):
        _post_script(sessions.SIGNOUT_ROUTE, "")


def _post_script(route: str, body: str) -> None:
    st.html(f"<script>fetch({json.dumps(route)}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'application/x-www-form-urlencoded'}}, body: {json.dumps(body)}}})"
            f"</script>", unsafe_allow_javascript=True, width=1)


def current_user() -> User:
    """The signed-in user; pages only run behind the sign-in gate, so this stops the run otherwise."""
    user = signed_in_user()
    language.apply(user)  # as app.py did; also when a page file runs on its own (AppTest's reruns)
    if user is None:
        st.warning(_("Please sign in."))
        st.stop()
    return user


@contextmanager
def friendly_errors(action: str | None = None):
    """Show ContentCraft errors as a message that says what to do, never a traceback (action: translated)."""
    try:
        yield
    except ContentCraftError as error:  # its text may quote a provider or a site: plain text, never markdown
        st.error(md(str(error)))
    except Exception:  # the last line of defence: log it, show no internals
        import logging

        logging.getLogger("contentcraft").exception("unexpected error in the dashboard")
        st.error(_("{action} failed unexpectedly. Try again; if it keeps failing, tell your admin.").format(
            action=action or _("That")))


def _change_password_form(user: User) -> None:
    with st.form("account_password", clear_on_submit=True):
        current = st.text_input(_("Current password"), type="password", key="account_current_password")
        new = st.text_input(_("New password (at least {count} characters)").format(count=auth.MIN_PASSWORD_LENGTH),
                            type="password", key="account_new_password")
        if st.form_submit_button(_("Change password")):
            with friendly_errors(_("Changing the password")):
                accounts.change_password(engine(), user, current=current, new=new,
                                         keep_session=st.session_state.get("auth_session"))
                st.success(_("Password changed; your other sessions were signed out."))


def sidebar(user: User | None, pages: list | None = None) -> None:
    """The pages the user may open, who is signed in and which provider is in use, on every page."""
    settings = generator().settings
    with st.sidebar:
        for page in pages or []:
            st.page_link(page)
        language.switch(user)
        if user is not None:
            st.caption(_("Signed in as **{email}** ({role})").format(email=user.email, role=labels.role(user.role)))
            if st.button(_("Sign out"), key="sidebar_sign_out"):
                sign_out()
                st.rerun()
            with st.popover(_("Profile")):
                language.profile_setting(user)
                _change_password_form(user)
        provider = f"{settings.provider} · {settings.model}" if settings.model else settings.provider
        st.caption(_("Provider: **{provider}**").format(provider=provider))
        if settings.fallback:
            st.caption(_("Fallback: {providers}").format(providers=" → ".join(settings.fallback)))
