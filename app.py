"""ContentCraft dashboard entry point: the sign-in gate, then the pages the user's role may open."""

import streamlit as st

from core.auth import allowed
from pages import signin
from pages.bulk_worker import bulk_worker
from pages.common import sidebar, signed_in_user

st.set_page_config(page_title="ContentCraft", page_icon=":material/edit_note:", layout="wide")
bulk_worker()  # once per server: queued and interrupted bulk jobs run with nobody on the Bulk page

# (script, title, icon, the action a role needs to see the page)
PAGES = [
    ("pages/studio.py", "Content Studio", ":material/edit_note:", "generate"),
    ("pages/products.py", "Product Writer", ":material/shopping_bag:", "generate"),
    ("pages/library.py", "Library", ":material/library_books:", "generate"),
    ("pages/bulk.py", "Bulk Generator", ":material/dataset:", "generate"),
    ("pages/brand.py", "Brand voice", ":material/record_voice_over:", "manage_brand"),
    ("pages/analytics.py", "Analytics", ":material/monitoring:", "view_analytics"),
    ("pages/settings.py", "Settings", ":material/settings:", "settings"),
    ("pages/api_tokens.py", "API tokens", ":material/key:", "generate"),
]

user = signed_in_user()
if user is None:
    st.navigation([st.Page(signin.show, title="Sign in", icon=":material/login:")], position="hidden").run()
    st.stop()
navigation = st.navigation([st.Page(path, title=title, icon=icon) for path, title, icon, action in PAGES
                            if allowed(user.role, action)])
sidebar(user)
navigation.run()
