"""API tokens: each user creates and revokes their own tokens for scripts and the WordPress plugin."""

import pandas as pd
import streamlit as st

from core.access.tokens import create_token, list_tokens, revoke_token
from core.auth import PERMISSIONS, ROLE_RANK, ROLES, allowed, list_users
from core.i18n import _
from ui import formats, labels
from ui.common import current_user, engine, friendly_errors

user = current_user()
st.title(_("API tokens"))
st.caption(_("A token lets a script or your WordPress site call the ContentCraft API as you, never with more rights "
             "than your role. Send it as `Authorization: Bearer <token>`. It is shown once: store it safely."))

with st.form("tokens_create", clear_on_submit=True):
    cols = st.columns([2, 1, 1])
    name = cols[0].text_input(_("Name"), key="tokens_name", placeholder=_("e.g. shop.example.com WordPress plugin"))
    roles = [role for role in ROLES if ROLE_RANK[role] <= ROLE_RANK.get(user.role, 0)]
    # Least privilege by default: the lowest role that can generate; raising it is a deliberate choice.
    role = cols[1].selectbox(_("Role"), roles, index=roles.index(PERMISSIONS["generate"]), key="tokens_role",
                             format_func=labels.role,
                             help=_("A token may do less than you, never more. Writer is enough to generate."))
    days = cols[2].number_input(_("Expires after (days; 0 = never)"), 0, 3650, 90, key="tokens_days")
    if st.form_submit_button(_("Create token"), type="primary"):
        with friendly_errors(_("Creating the token")):
            token, _row = create_token(engine(), user, name=name, role=role, expires_days=int(days) or None)
            st.session_state["tokens_new"] = token

if "tokens_notice" in st.session_state:
    st.success(st.session_state.pop("tokens_notice"))
if "tokens_new" in st.session_state:
    st.success(_("Copy the token now: it will not be shown again."))
    st.code(st.session_state.pop("tokens_new"), language=None)

everyone = allowed(user.role, "manage_users")
tokens = list_tokens(engine(), user, everyone=everyone)
if not tokens:
    st.info(_("No tokens yet."))
    st.stop()
owners = {person.id: person.email for person in list_users(engine())} if everyone else {}


def utc(moment, empty: str = formats.DASH) -> str:
    return formats.when(moment, "UTC") if moment else empty


st.dataframe(pd.DataFrame([{_("ID"): t.id, _("Name"): t.name, _("Starts with"): f"{t.prefix}…",
                            _("Role"): labels.role(t.role),
                            **({_("Owner"): owners.get(t.user_id, _("deleted user"))} if everyone else {}),
                            _("Created (UTC)"): utc(t.created_at), _("Expires (UTC)"): utc(t.expires_at, _("never")),
                            _("Last used (UTC)"): utc(t.last_used_at, _("never")),
                            _("State"): _("revoked") if t.revoked_at else _("active")} for t in tokens]),
             hide_index=True, width="stretch")
active = {t.id: f"#{t.id} {t.name} ({t.prefix}…)" for t in tokens if t.revoked_at is None}
if active:
    with st.form("tokens_revoke"):
        chosen = st.selectbox(_("Token"), list(active), format_func=active.get, key="tokens_revoke_id")
        if st.form_submit_button(_("Revoke")):
            with friendly_errors(_("Revoking the token")):
                revoke_token(engine(), user, chosen)
                st.session_state["tokens_notice"] = _("Token #{id} revoked: it stopped working at once.").format(
                    id=chosen)
                st.rerun()
