"""Settings → Users and roles: add, change role, deactivate, reset a password, delete (admins only)."""

import pandas as pd
import streamlit as st

from core import auth
from core.i18n import _
from core.identity import accounts
from core.models import User
from ui import formats, labels
from ui.common import engine, friendly_errors


def users_panel(user: User) -> None:
    """The user table and the forms that change it; core refuses anything that would leave no admin."""
    users = auth.list_users(engine())
    if done := st.session_state.pop("settings_users_flash", None):
        st.success(done)
    st.dataframe(pd.DataFrame([{_("Email"): u.email, _("Role"): labels.role(u.role), _("Active"): u.is_active,
                                _("Since"): formats.when(u.created_at)} for u in users]),
                 hide_index=True, width="stretch")
    with st.form("settings_add_user", clear_on_submit=True):
        cols = st.columns([2, 1, 2])
        email = cols[0].text_input(_("Email"), key="settings_new_email")
        role = cols[1].selectbox(_("Role"), auth.ROLES, key="settings_new_role", format_func=labels.role)
        password = cols[2].text_input(_("Temporary password (at least {count} characters)").format(
            count=auth.MIN_PASSWORD_LENGTH), type="password", key="settings_new_password")
        if st.form_submit_button(_("Add user")):
            with friendly_errors(_("Adding the user")):
                auth.require(user, "manage_users")
                auth.create_user(engine(), email=email, password=password, role=role)
                _changed(_("Added {email} as {role}.").format(email=email, role=labels.role(role)))
    with st.form("settings_change_role"):
        cols = st.columns([2, 1])
        target = cols[0].selectbox(_("User"), [u.email for u in users], key="settings_role_user")
        new_role = cols[1].selectbox(_("New role"), auth.ROLES, key="settings_role_value", format_func=labels.role)
        if st.form_submit_button(_("Change role")):
            with friendly_errors(_("Changing the role")):
                accounts.set_role(engine(), user, email=target, role=new_role)
                _changed(_("{email} is now {role}.").format(email=target, role=labels.role(new_role)))
    _account_actions(user, users)


def _changed(message: str) -> None:
    """Say what changed and draw the page again, so the table above shows it at once."""
    st.session_state["settings_users_flash"] = message
    st.rerun()


def _account_actions(user: User, users: list[User]) -> None:
    with st.form("settings_account"):
        cols = st.columns([2, 2])
        target = cols[0].selectbox(_("Account"), [u.email for u in users], key="settings_account_user")
        password = cols[1].text_input(_("New temporary password (for a reset)"), type="password",
                                      key="settings_account_password")
        actions = st.columns(4)
        deactivate = actions[0].form_submit_button(_("Deactivate"))
        reactivate = actions[1].form_submit_button(_("Reactivate"))
        reset = actions[2].form_submit_button(_("Reset password"))
        delete = actions[3].form_submit_button(_("Delete user"))
        confirm = st.checkbox(_("Yes, delete this user for good"), key="settings_account_confirm")
    with friendly_errors(_("Changing the account")):
        if deactivate or reactivate:
            accounts.set_active(engine(), user, email=target, active=reactivate)
            st.success((_("{email} is active again.") if reactivate else
                        _("{email} is deactivated and signed out.")).format(email=target))
        elif reset:
            accounts.reset_password(engine(), user, email=target, new_password=password)
            st.success(_("{email}'s password was reset; they were signed out everywhere.").format(email=target))
        elif delete and not confirm:
            st.warning(_("Tick the confirmation box to delete the user."))
        elif delete:
            accounts.delete_user(engine(), user, email=target)
            st.success(_("Deleted {email}; their content keeps their name as author.").format(email=target))
