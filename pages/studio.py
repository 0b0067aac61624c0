"""Content Studio: the seed's blog form, a live preview while the model writes, then an editor for every field."""

import streamlit as st
from pydantic import ValidationError

from core.errors import describe_validation_error
from core.editing import CONTENT_FIELDS, content_from_fields, draft_data
from core.schemas import LENGTH_WORDS, TONES, ContentRequest
from core.seo_report import build_report
from pages import editor
from pages.common import current_user
from pages.editor import field_key

PREFIX = "studio"
user = current_user()
st.title("Content Studio")
st.caption("Describe the post you need; ContentCraft writes it, checks the SEO basics and saves a draft.")


def request_form() -> ContentRequest | None:
    """The seed's form; the request once it is submitted and valid."""
    with st.form("studio_form"):
        topic = st.text_input("Topic", placeholder="e.g. How to choose running shoes for flat feet",
                              key="studio_topic", persist_state="session")
        keywords = st.text_input("Keywords", placeholder="comma-separated, up to 10", key="studio_keywords",
                                 persist_state="session")
        col1, col2, col3 = st.columns(3)
        tone = col1.selectbox("Tone", TONES, index=1, key="studio_tone", persist_state="session")
        length = col2.radio("Length", list(LENGTH_WORDS), index=0, horizontal=True, key="studio_length",
                            persist_state="session", format_func=lambda name: f"{name} (≈ {LENGTH_WORDS[name]} words)",
                            help="The body's length in words; long posts are written section by section.")
        language = editor.language_picker(col3, PREFIX)
        brand_profile = editor.brand_profile_select(PREFIX)
        sections = st.text_area("Sections (optional, one per line)", key="studio_sections", persist_state="session")
        if not st.form_submit_button("Generate", type="primary"):
            return None
    try:
        return ContentRequest(topic=topic, keywords=keywords, tone=tone, length=length, language=language,
                              brand_profile=brand_profile, sections=sections.splitlines())
    except ValidationError as exc:
        st.error(f"Please fix the form: {describe_validation_error(exc)}")
        return None


def content_fields(kind: str) -> None:
    """Title, excerpt, outline and body, each editable, with their regenerate buttons."""
    st.text_input("Title", key=field_key(PREFIX, "title"), persist_state="session")
    editor.regenerate_button(PREFIX, kind, "title")
    st.text_area("Excerpt", key=field_key(PREFIX, "excerpt"), height=90, persist_state="session")
    editor.regenerate_button(PREFIX, kind, "excerpt")
    st.text_area("Outline (one heading per line)", key=field_key(PREFIX, "outline"), height=120,
                 persist_state="session")
    st.text_area("Body (HTML)", key=field_key(PREFIX, "body_html"), height=360, persist_state="session",
                 help="Unsafe HTML (scripts, styles, event handlers) is removed when shown and saved.")
    editor.regenerate_button(PREFIX, kind, "body")


def seo_fields(kind: str) -> None:
    """Meta, slug, headings, internal links and JSON-LD."""
    editor.seo_title_field(PREFIX)
    editor.meta_desc_field(PREFIX)
    editor.regenerate_button(PREFIX, kind, "meta")
    st.text_input("Slug", key=field_key(PREFIX, "slug"), persist_state="session",
                  help="Lower-case words joined by hyphens; tidied up when you save.")
    st.text_area("Headings (one per line)", key=field_key(PREFIX, "headings"), height=110, persist_state="session")
    st.text_area("Internal links (Title | URL | anchor text, one per line)", key=field_key(PREFIX, "internal_links"),
                 height=90, persist_state="session")
    st.text_area("JSON-LD", key=field_key(PREFIX, "schema_ld_json"), height=200, persist_state="session")
    st.checkbox("Keep JSON-LD in step with the fields when saving", value=True, key="studio_sync_ld",
                persist_state="session", help="Updates headline, description, language, keywords and word count.")


def editor_view(request: ContentRequest, item_id: int) -> None:
    """The editable result, its preview and SEO check, and the save button."""
    editor.run_pending_regeneration(PREFIX, CONTENT_FIELDS, user)
    editor.show_notice(PREFIX)
    left, right = st.columns([3, 2])
    with left:
        content_fields("content")
    with right:
        seo_fields("content")
    fields = editor.current_fields(PREFIX, CONTENT_FIELDS)
    data = draft_data(fields)
    with right:
        editor.seo_panel(build_report(title=data["title"], seo_title=fields["seo_title"], meta_desc=fields["meta_desc"],
                                      body_html=data["body_html"], keywords=request.keywords, language=request.language, length=request.length))
    with left:
        st.subheader("Preview")
        editor.preview(data["title"], data["excerpt"], data["body_html"], request.language)

    def build(current: dict):
        return content_from_fields(current, language=request.language, keywords=request.keywords,
                                   sync_json_ld=st.session_state.get("studio_sync_ld", True))

    editor.save_button(PREFIX, user, item_id, CONTENT_FIELDS, build)


if request := request_form():
    editor.start_editing(PREFIX, request, editor.stream_generation(PREFIX, request, user))
elif editor.new_version_wanted(PREFIX):
    editor.start_editing(PREFIX, st.session_state["studio_request"],
                         editor.stream_generation(PREFIX, st.session_state["studio_request"], user, use_cache=False))
editor.show_cancelled(PREFIX)

if (result := st.session_state.get("studio_result")) and editor.show_origin(result):
    editor.new_version_button(PREFIX)
    editor_view(st.session_state["studio_request"], result.item_id)
