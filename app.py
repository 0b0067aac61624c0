"""ContentCraft dashboard entry point: the sign-in gate, then the pages the user's role may open."""

import streamlit as st

from core.auth import allowed
from pages.common import sidebar, signed_in_user

st.set_page_config(page_title="ContentCraft", page_icon=":material/edit_note:", layout="wide")

# (script, title, icon, the action a role needs to see the page)
PAGES = [
    ("pages/studio.py", "Content Studio", ":material/edit_note:", "generate"),
]

user = signed_in_user()
if user is None:
    pages = [st.Page("pages/signin.py", title="Sign in", icon=":material/login:")]
else:
    pages = [st.Page(path, title=title, icon=icon, default=index == 0)
             for index, (path, title, icon, action) in enumerate(PAGES) if allowed(user.role, action)]
navigation = st.navigation(pages)
sidebar(user)
navigation.run()
