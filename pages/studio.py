"""Content Studio: the seed's blog form, a live preview while the model writes, then an editor for every field."""

import streamlit as st
from pydantic import ValidationError

from core.errors import explain_validation_error
from core.i18n import _
from core.schemas import LENGTH_WORDS, TONES, ContentRequest
from ui import editor, formats, item_editor, labels
from ui.common import current_user

PREFIX = "studio"
user = current_user()
st.title(_("Content Studio"))
st.caption(_("Describe the post you need; ContentCraft writes it, checks the SEO basics and saves a draft."))


def length_label(name: str) -> str:
    """A length with its word count, e.g. "short (≈ 400 words)"."""
    return _("{length} (≈ {words} words)").format(length=labels.label(labels.LENGTHS, name),
                                                  words=formats.number(LENGTH_WORDS[name], group=False))


def request_form() -> ContentRequest | None:
    """The seed's form; the request once it is submitted and valid."""
    editor.form_direction(PREFIX, ["studio_topic", "studio_keywords", "studio_sections"])
    with st.form("studio_form"):
        topic = st.text_input(_("Topic"), placeholder=_("e.g. How to choose running shoes for flat feet"),
                              key="studio_topic", persist_state="session")
        keywords = st.text_input(_("Keywords"), placeholder=_("comma-separated, up to 10"), key="studio_keywords",
                                 persist_state="session")
        col1, col2, col3 = st.columns(3)
        tone = col1.selectbox(_("Tone"), TONES, index=1, key="studio_tone", persist_state="session",
                              format_func=labels.tone)
        length = col2.radio(_("Length"), list(LENGTH_WORDS), index=0, horizontal=True, key="studio_length",
                            persist_state="session", format_func=length_label,
                            help=_("The body's length in words; long posts are written section by section."))
        language = editor.language_picker(col3, PREFIX)
        brand_profile = editor.brand_profile_select(PREFIX)
        sections = st.text_area(_("Sections (optional, one per line)"), key="studio_sections",
                                persist_state="session")
        keep_images = editor.keep_images_choice(PREFIX)
        if not st.form_submit_button(_("Generate"), type="primary"):
            return None
    try:
        return ContentRequest(topic=topic, keywords=keywords, tone=tone, length=length, language=language,
                              brand_profile=brand_profile, sections=sections.splitlines(),
                              keep_external_images=keep_images)
    except ValidationError as exc:
        st.error(_("Please fix the form: {problems}").format(problems=explain_validation_error(exc)))
        return None


if request := request_form():
    editor.start_editing(PREFIX, request, editor.stream_generation(PREFIX, request, user))
elif editor.new_version_wanted(PREFIX):
    editor.start_editing(PREFIX, st.session_state["studio_request"],
                         editor.stream_generation(PREFIX, st.session_state["studio_request"], user, use_cache=False))
editor.show_cancelled(PREFIX)

if (result := st.session_state.get("studio_result")) and editor.show_origin(result):
    editor.new_version_button(PREFIX)
    item_editor.edit(PREFIX, st.session_state["studio_request"], result.item_id, user)
