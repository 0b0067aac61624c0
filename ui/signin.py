"""Sign-in, and the one-time setup of the first admin when no user exists yet (shown by app.py's gate)."""

import streamlit as st

from core import auth
from core.errors import ContentCraftError
from core.i18n import _
from ui.common import client_address, engine, sign_in
from ui.plain import md


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False


def setup_form() -> None:
    """Create the first admin account."""
    st.title(_("Welcome to ContentCraft"))
    st.write(_("Create the first admin account. You can add writers and editors afterwards in Settings."))
    st.caption(_("The setup token is in the server's log, on the line starting 'ContentCraft setup' "
                 "(the link there fills it in)."))
    with st.form("signin_setup"):
        token = st.text_input(_("Setup token"), st.query_params.get("setup", ""), type="password",
                              key="signin_setup_token")
        email = st.text_input(_("Email"), key="signin_setup_email")
        password = st.text_input(_("Password (at least {count} characters)").format(count=auth.MIN_PASSWORD_LENGTH),
                                 type="password", key="signin_setup_password")
        if st.form_submit_button(_("Create admin account"), type="primary"):
            try:
                sign_in(auth.create_first_admin(engine(), email=email, password=password, token=token), via="setup")
                st.query_params.pop("setup", None)
                st.rerun()
            except ContentCraftError as error:
                st.error(str(error))


def signin_form() -> None:
    """Email and password, or the organisation's OpenID Connect provider."""
    st.title(_("Sign in to ContentCraft"))
    if notice := st.session_state.pop("auth_notice", None):
        st.info(notice)
    with st.form("signin_form"):
        email = st.text_input(_("Email"), key="signin_email")
        password = st.text_input(_("Password"), type="password", key="signin_password")
        if st.form_submit_button(_("Sign in"), type="primary"):
            try:
                sign_in(auth.authenticate(engine(), email=email, password=password, client=client_address()))
                st.rerun()
            except ContentCraftError as error:
                st.error(str(error))
    if _sso_configured():
        sso_sign_in()


def sso_sign_in() -> None:
    """OpenID Connect through Streamlit's st.login; the verified email must belong to a ContentCraft user."""
    if not st.user.is_logged_in:
        st.button(_("Sign in with your organisation"), on_click=st.login)
        return
    try:
        user = auth.sso_user(engine(), st.user.to_dict())
    except ContentCraftError as error:  # it quotes the email the identity provider sent: plain text
        st.error(md(str(error)))
        st.button(_("Use another account"), on_click=st.logout)
        return
    sign_in(user, via="sso")
    st.rerun()


def show() -> None:
    """The setup form on first run, the sign-in form afterwards."""
    if auth.has_users(engine()):
        signin_form()
    else:
        setup_form()
