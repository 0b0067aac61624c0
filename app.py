"""ContentCraft dashboard entry point: routes to the pages and draws the shared sidebar."""

import streamlit as st

from pages.common import sidebar

st.set_page_config(page_title="ContentCraft", page_icon=":material/edit_note:", layout="wide")

navigation = st.navigation([
    st.Page("pages/studio.py", title="Content Studio", icon=":material/edit_note:", default=True),
])
sidebar()
navigation.run()
