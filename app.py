"""ContentCraft dashboard entry point: the sign-in gate, then the pages the user's role may open."""

from pathlib import Path

import streamlit as st

from core.auth import allowed
from ui import signin
from ui.bulk_worker import bulk_worker
from ui.common import sidebar, signed_in_user, text_direction_style

FAVICON = Path(__file__).parent / "data" / "favicon.png"

# The icon ships with the app: a Material icon name would make browsers fetch it from the internet.
st.set_page_config(page_title="ContentCraft", page_icon=str(FAVICON), layout="wide")
text_direction_style()
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
]

user = signed_in_user()
if user is None:
    st.navigation([st.Page(signin.show, title="Sign in", icon=":material/login:")], position="hidden").run()
    st.stop()
pages = [st.Page(path, title=title, icon=icon) for path, title, icon, action in PAGES if allowed(user.role, action)]
# The navigation is drawn as links: .streamlit/config.toml hides Streamlit's own (showSidebarNavigation = false),
# which would otherwise list the pages/ folder for a moment after each server start.
navigation = st.navigation(pages, position="hidden")
sidebar(user, pages)
navigation.run()
