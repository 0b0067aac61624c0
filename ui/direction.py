"""The dashboard's writing direction: mirrored for fa and ar (text, alignment, the sidebar on the right).

CSS turns the app right to left as soon as it is drawn; a small script also sets `dir` and `lang` on the
document, for screen readers, form controls and scroll bars. Code, JSON, URLs and charts stay left to
right, and generated content keeps its own direction (the preview's `dir`, ui.common.isolate) in any UI
language.
"""

import json

import streamlit as st

from core.i18n import current_language, is_rtl

# The app container and the sidebar inherit the direction; Streamlit's flex rows then put the sidebar on the
# right and every row's first column at the right edge.
RTL_CSS = """<style>
.stApp { direction: rtl; }
.stApp :is([data-testid="stMain"], [data-testid="stSidebar"], h1, h2, h3, h4, h5, h6,
  [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"]) {
  text-align: right; }
.stApp :is(pre, code, [data-testid="stJson"], .js-plotly-plot, [data-testid="stDataFrame"]) {
  direction: ltr; text-align: left; }
.stApp :is(input[type="number"], input[type="email"], input[type="password"]) { direction: ltr; }
</style>"""


def _document_script(language: str, direction: str) -> str:
    return (f"<script>document.documentElement.lang = {json.dumps(language)};"
            f"document.documentElement.dir = {json.dumps(direction)};</script>")


def dashboard_direction() -> None:
    """Right to left for the whole dashboard when the current language is; nothing drawn, only style."""
    language = current_language()
    direction = "rtl" if is_rtl() else "ltr"
    if direction == "rtl":
        st.html(RTL_CSS)
    st.html(_document_script(language, direction), unsafe_allow_javascript=True, width=1)
