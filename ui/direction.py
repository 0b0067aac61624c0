"""Writing direction, all in one place: the dashboard mirrored for fa and ar (text, alignment, the sidebar on
the right), and content in fa or ar right to left whatever the UI language.

CSS turns the app right to left as soon as it is drawn; a small script also sets `dir` and `lang` on the
document, for screen readers, form controls and scroll bars. Code, JSON, numbers typed in and charts stay
left to right; generated content keeps its own direction (a `dir` on its preview, `rtl_fields`, `isolate`).
"""

import json

import streamlit as st

from core.i18n import current_language, is_rtl

# The app container and the sidebar inherit the direction; Streamlit's flex rows then put the sidebar on the
# right and every row's first column at the right edge. Streamlit collapses the sidebar to zero width and slides
# it left by its width, which from the right edge lands it over the form with its text one letter a line: in
# RTL it stays at the right edge instead, zero wide with its content clipped, and grows leftwards when opened.
RTL_CSS = """<style>
.stApp { direction: rtl; }
.stApp :is([data-testid="stMain"], [data-testid="stSidebar"], h1, h2, h3, h4, h5, h6,
  [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"]) {
  text-align: right; }
.stApp :is(pre, code, [data-testid="stJson"], .js-plotly-plot, [data-testid="stDataFrame"]) {
  direction: ltr; text-align: left; }
.stApp :is(input[type="number"], input[type="email"], input[type="password"]) { direction: ltr; }
.stApp [data-testid="stSidebar"][data-collapsed="true"] { transform: none; overflow: hidden; }
.stApp :is([data-testid="stSidebarCollapseButton"], [data-testid="stExpandSidebarButton"]) [data-testid="stIconMaterial"] {
  transform: scaleX(-1); }
</style>"""


# Every text field picks its direction from its first strong character, like dir="auto": Persian or Arabic
# typed into any field runs right to left, with its full stop on the correct side.
BIDI_CSS = ("<style>input[type='text'], input:not([type]), textarea "
            "{ unicode-bidi: plaintext; text-align: start; }</style>")


def rtl_fields(keys: list[str]) -> None:
    """Right-to-left for the fields with these widget keys (the content language is Persian or Arabic)."""
    selectors = ", ".join(f".st-key-{key} :is(input, textarea)" for key in keys)
    st.html(f"<style>{selectors} {{ direction: rtl; text-align: right; }}</style>")


def isolate(text: str) -> str:
    """Text wrapped in Unicode first-strong isolates, so RTL text inside LTR labels keeps its own order."""
    return f"\u2068{text}\u2069"


def _document_script(language: str, direction: str) -> str:
    return (f"<script>document.documentElement.lang = {json.dumps(language)};"
            f"document.documentElement.dir = {json.dumps(direction)};</script>")


def dashboard_direction() -> None:
    """Every field's bidi rule, and right to left for the whole dashboard when the current language is."""
    language = current_language()
    direction = "rtl" if is_rtl() else "ltr"
    st.html(BIDI_CSS + (RTL_CSS if direction == "rtl" else ""))
    # The script is an element with a place of its own: at the end of the sidebar, out of the page's way.
    st.sidebar.html(_document_script(language, direction), unsafe_allow_javascript=True, width=1)
