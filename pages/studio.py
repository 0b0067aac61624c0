"""Content Studio: the seed's blog form, a live preview while the model writes, then the result."""

import json

import streamlit as st
from pydantic import ValidationError

from core.cli import describe_validation_error
from core.schemas import LANGUAGES, RTL_LANGUAGES, TONES, ContentRequest, ContentResponse
from core.seo import sanitize_html
from core.streaming import ChunkStream
from pages.common import current_user, generator

user = current_user()
st.title("Content Studio")
st.caption("Describe the post you need; ContentCraft writes it, checks the SEO basics and saves a draft.")

with st.form("studio_form"):
    topic = st.text_input("Topic", placeholder="e.g. How to choose running shoes for flat feet", key="studio_topic")
    keywords = st.text_input("Keywords", placeholder="comma-separated, up to 10", key="studio_keywords")
    col1, col2, col3 = st.columns(3)
    tone = col1.selectbox("Tone", TONES, index=1)
    length = col2.radio("Length", ["short", "medium", "long"], index=0, horizontal=True)
    language = col3.selectbox("Language", list(LANGUAGES), format_func=lambda code: f"{LANGUAGES[code]} ({code})",
                              key="studio_language")
    brand_profile = st.text_input("Brand profile (optional)")
    sections = st.text_area("Sections (optional, one per line)")
    submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    try:
        request = ContentRequest(topic=topic, keywords=keywords, tone=tone, length=length, language=language,
                                 brand_profile=brand_profile or None, sections=sections.splitlines())
    except ValidationError as exc:
        st.error(f"Please fix the form: {describe_validation_error(exc)}")
        st.stop()
    with st.status("Writing…", expanded=True) as status:
        stream = ChunkStream(lambda on_chunk: generator().generate(request, user.email, on_chunk=on_chunk))
        st.write_stream(stream)
        status.update(label="Done", state="complete", expanded=False)
    st.session_state["studio_result"] = stream.result


def show_result(response: ContentResponse) -> None:
    """Render a generated post, right-to-left where the language needs it."""
    if response.status != "succeeded":
        st.error(f"Generation failed: {response.error}")
        return
    data, request_language = response.content, response.content.schema_ld_json.get("inLanguage", "en")
    direction = "rtl" if request_language in RTL_LANGUAGES else "ltr"
    origin = "from cache" if response.cache_hit else f"{response.provider} / {response.model}"
    st.success(f"Saved as draft #{response.item_id} · {origin} · {response.latency_ms} ms")
    st.header(data.title)
    st.write(data.excerpt)
    left, right = st.columns([2, 1])
    with left:
        st.html(f'<div dir="{direction}" lang="{request_language}">{sanitize_html(data.body_html)}</div>')
    with right:
        st.subheader("SEO")
        st.text_input(f"SEO title ({len(data.meta.seo_title)}/60)", data.meta.seo_title, disabled=True)
        st.text_area(f"Meta description ({len(data.meta.meta_desc)}/140–160)", data.meta.meta_desc, disabled=True)
        st.text_input("Slug", data.meta.slug, disabled=True)
        st.markdown("**Outline**\n" + "\n".join(f"- {line}" for line in data.outline))
        st.markdown("**Headings**\n" + "\n".join(f"- {line}" for line in data.headings))
        st.code(json.dumps(data.schema_ld_json, indent=2, ensure_ascii=False), language="json")


if result := st.session_state.get("studio_result"):
    show_result(result)
