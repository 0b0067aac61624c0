"""Sign-in, and the one-time setup of the first admin when no user exists yet (shown by app.py's gate)."""

import streamlit as st

from core import auth
from core.errors import ContentCraftError
from ui.common import engine, sign_in


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False


def setup_form() -> None:
    """Create the first admin account."""
    st.title("Welcome to ContentCraft")
    st.write("Create the first admin account. You can add writers and editors afterwards in Settings.")
    with st.form("signin_setup"):
        email = st.text_input("Email", key="signin_setup_email")
        password = st.text_input("Password (at least 8 characters)", type="password", key="signin_setup_password")
        if st.form_submit_button("Create admin account", type="primary"):
            try:
                sign_in(auth.create_first_admin(engine(), email=email, password=password))
                st.rerun()
            except ContentCraftError as error:
                st.error(str(error))


def signin_form() -> None:
    """Email and password, or the organisation's OpenID Connect provider."""
    st.title("Sign in to ContentCraft")
    if notice := st.session_state.pop("auth_notice", None):
        st.info(notice)
    with st.form("signin_form"):
        email = st.text_input("Email", key="signin_email")
        password = st.text_input("Password", type="password", key="signin_password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                sign_in(auth.authenticate(engine(), email=email, password=password))
                st.rerun()
            except ContentCraftError as error:
                st.error(str(error))
    if _sso_configured():
        sso_sign_in()


def sso_sign_in() -> None:
    """OpenID Connect through Streamlit's st.login; the email must belong to a ContentCraft user."""
    if not st.user.is_logged_in:
        st.button("Sign in with your organisation", on_click=st.login)
        return
    user = auth.get_user(engine(), st.user.get("email", ""))
    if user is None or not user.is_active:
        st.error(f"{st.user.get('email')} has no ContentCraft account yet: ask an admin to add you.")
        st.button("Use another account", on_click=st.logout)
        return
    sign_in(user)
    st.rerun()


def show() -> None:
    """The setup form on first run, the sign-in form afterwards."""
    if auth.has_users(engine()):
        signin_form()
    else:
        setup_form()
