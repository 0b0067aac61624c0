"""ContentCraft dashboard entry point: the sign-in gate, then the pages the user's role may open."""

from pathlib import Path

import streamlit as st

from core.auth import allowed
from core.errors import ContentCraftError
from core.i18n import N_, _
from ui import language, signin
from ui.bulk_worker import bulk_worker
from ui.common import generator, session_cookie_script, sidebar, signed_in_user
from ui.direction import dashboard_direction

FAVICON = Path(__file__).parent / "data" / "favicon.png"

# The icon ships with the app: a Material icon name would make browsers fetch it from the internet.
st.set_page_config(page_title="ContentCraft", page_icon=str(FAVICON), layout="wide")
language.apply()  # the session's or the browser's language until the user is known
try:
    with st.spinner(_("Preparing the database…")):
        generator()  # migrations, the key check and the setup token, once per server
except ContentCraftError as error:
    st.error(str(error))
    st.stop()
bulk_worker()  # once per server: queued and interrupted bulk jobs run with nobody on the Bulk page

# (script, title, icon, the action a role needs to see the page)
PAGES = [
    ("pages/studio.py", N_("Content Studio"), ":material/edit_note:", "generate"),
    ("pages/products.py", N_("Product Writer"), ":material/shopping_bag:", "generate"),
    ("pages/library.py", N_("Library"), ":material/library_books:", "generate"),
    ("pages/bulk.py", N_("Bulk Generator"), ":material/dataset:", "generate"),
    ("pages/brand.py", N_("Brand voice"), ":material/record_voice_over:", "manage_brand"),
    ("pages/analytics.py", N_("Analytics"), ":material/monitoring:", "view_analytics"),
    ("pages/settings.py", N_("Settings"), ":material/settings:", "settings"),
    ("pages/api_tokens.py", N_("API tokens"), ":material/key:", "generate"),
]

user = signed_in_user()
language.apply(user)
session_cookie_script()
if user is None:
    with st.sidebar:
        language.switch(None)
    dashboard_direction()
    # Every page's address leads to the sign-in form, so a deep link survives signing in (no "Page not found").
    gate = [st.Page(signin.show, title=_("Sign in"), icon=":material/login:")]
    gate += [st.Page(signin.show, title=_("Sign in"), url_path=path.removeprefix("pages/").removesuffix(".py"))
             for path, *rest in PAGES]
    st.navigation(gate, position="hidden").run()
    st.stop()
allowed_pages = [(path, _(title), icon) for path, title, icon, action in PAGES if allowed(user.role, action)]
pages = [st.Page(path, title=title, icon=icon) for path, title, icon in allowed_pages]
# Streamlit serves its default page at / only, so /studio would be "Page not found": the root gets its own
# hidden page running the first page's script, and every listed page keeps its path (deep links, bookmarks).
home = st.Page(allowed_pages[0][0], title=allowed_pages[0][1], url_path="home", default=True, visibility="hidden")
# The navigation is drawn as links: .streamlit/config.toml hides Streamlit's own (showSidebarNavigation = false),
# which would otherwise list the pages/ folder for a moment after each server start.
navigation = st.navigation([home, *pages], position="hidden")
sidebar(user, pages)
dashboard_direction()
navigation.run()
