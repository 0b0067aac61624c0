"""Settings → Users and roles: add, change role, deactivate, reset a password, delete (admins only)."""

import pandas as pd
import streamlit as st

from core import auth
from core.identity import accounts
from core.models import User
from ui.common import engine, friendly_errors


def users_panel(user: User) -> None:
    """The user table and the forms that change it; core refuses anything that would leave no admin."""
    users = auth.list_users(engine())
    st.dataframe(pd.DataFrame([{"Email": u.email, "Role": u.role, "Active": u.is_active, "Since": u.created_at}
                               for u in users]), hide_index=True, width="stretch")
    with st.form("settings_add_user", clear_on_submit=True):
        cols = st.columns([2, 1, 2])
        email = cols[0].text_input("Email", key="settings_new_email")
        role = cols[1].selectbox("Role", auth.ROLES, key="settings_new_role")
        password = cols[2].text_input(f"Temporary password (at least {auth.MIN_PASSWORD_LENGTH} characters)",
                                      type="password", key="settings_new_password")
        if st.form_submit_button("Add user"):
            with friendly_errors("Adding the user"):
                auth.require(user, "manage_users")
                auth.create_user(engine(), email=email, password=password, role=role)
                st.success(f"Added {email} as {role}.")
    with st.form("settings_change_role"):
        cols = st.columns([2, 1])
        target = cols[0].selectbox("User", [u.email for u in users], key="settings_role_user")
        new_role = cols[1].selectbox("New role", auth.ROLES, key="settings_role_value")
        if st.form_submit_button("Change role"):
            with friendly_errors("Changing the role"):
                accounts.set_role(engine(), user, email=target, role=new_role)
                st.success(f"{target} is now {new_role}.")
    _account_actions(user, users)


def _account_actions(user: User, users: list[User]) -> None:
    with st.form("settings_account"):
        cols = st.columns([2, 2])
        target = cols[0].selectbox("Account", [u.email for u in users], key="settings_account_user")
        password = cols[1].text_input("New temporary password (for a reset)", type="password",
                                      key="settings_account_password")
        actions = st.columns(4)
        deactivate = actions[0].form_submit_button("Deactivate")
        reactivate = actions[1].form_submit_button("Reactivate")
        reset = actions[2].form_submit_button("Reset password")
        delete = actions[3].form_submit_button("Delete user")
        confirm = st.checkbox("Yes, delete this user for good", key="settings_account_confirm")
    with friendly_errors("Changing the account"):
        if deactivate or reactivate:
            accounts.set_active(engine(), user, email=target, active=reactivate)
            st.success(f"{target} is {'active again' if reactivate else 'deactivated and signed out'}.")
        elif reset:
            accounts.reset_password(engine(), user, email=target, new_password=password)
            st.success(f"{target}'s password was reset; they were signed out everywhere.")
        elif delete and not confirm:
            st.warning("Tick the confirmation box to delete the user.")
        elif delete:
            accounts.delete_user(engine(), user, email=target)
            st.success(f"Deleted {target}; their content keeps their name as author.")
