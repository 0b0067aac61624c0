"""The one editor for a blog post or a product: Studio, Product Writer and the Library's Edit/Revise all use it."""

import html

import streamlit as st

from core import workflow
from core.i18n import _
from core.editing import (CONTENT_FIELDS, PRODUCT_FIELDS, content_from_fields, draft_data, product_from_fields,
                          set_by_hand)
from core.models import ContentItem, User
from core.pipeline import Request
from core.schemas import ContentRequest, ProductRequest
from core.seo_report import build_report
from ui import editor, preview
from ui.common import engine
from ui.editor import field_key


def open_item(prefix: str, item: ContentItem) -> Request:
    """Load a saved item into the editor fields under prefix; returns the request it was written from."""
    request = (ContentRequest if item.type == "content" else ProductRequest).model_validate(item.request_json)
    notes = [version.note for version in workflow.versions(engine(), item.id)]
    st.session_state[f"{prefix}_request"], st.session_state[f"{prefix}_item"] = request, item.id
    st.session_state[f"{prefix}_notice"] = None
    st.session_state[f"{prefix}_saved"], st.session_state[f"{prefix}_regenerated"] = item.data_json, []
    st.session_state[f"{prefix}_hand"] = set_by_hand(item.data_json, notes)
    st.session_state[f"{prefix}_keep_images"] = request.keep_external_images
    editor.load_fields(prefix, item.data_json)
    return request


def edit(prefix: str, request: Request, item_id: int, user: User) -> None:
    """The editor for item_id: a blog post or a product, by the request's kind."""
    if isinstance(request, ContentRequest):
        _content_editor(prefix, request, item_id, user)
    else:
        _product_editor(prefix, request, item_id, user)


def _content_fields(prefix: str) -> None:
    editor.title_field(prefix, _("Title"))
    editor.regenerate_button(prefix, "content", "title")
    st.text_area(_("Excerpt"), key=field_key(prefix, "excerpt"), height=90, persist_state="session")
    editor.regenerate_button(prefix, "content", "excerpt")
    st.text_area(_("Outline (one heading per line)"), key=field_key(prefix, "outline"), height=120,
                 persist_state="session")
    st.text_area(_("Body (HTML)"), key=field_key(prefix, "body_html"), height=360, persist_state="session",
                 help=_("Unsafe HTML (scripts, styles, event handlers) is removed when shown and saved."))
    editor.regenerate_button(prefix, "content", "body")


def _content_seo_fields(prefix: str) -> None:
    editor.seo_title_field(prefix)
    editor.meta_desc_field(prefix)
    editor.regenerate_button(prefix, "content", "meta")
    editor.slug_field(prefix)
    st.text_area(_("Headings (one per line)"), key=field_key(prefix, "headings"), height=110, persist_state="session")
    st.text_area(_("Internal links (Title | URL | anchor text, one per line)"), key=field_key(prefix, "internal_links"),
                 height=90, persist_state="session")
    st.text_area(_("JSON-LD"), key=field_key(prefix, "schema_ld_json"), height=200, persist_state="session")
    st.checkbox(_("Keep JSON-LD in step with the fields when saving"), value=True, key=f"{prefix}_sync_ld",
                persist_state="session", help=_("Updates headline, description, language, keywords and word count."))


def _content_editor(prefix: str, request: ContentRequest, item_id: int, user: User) -> None:
    def report(fields: dict, data: dict):
        return build_report(title=data["title"], seo_title=fields["seo_title"], meta_desc=fields["meta_desc"],
                            body_html=data["body_html"], keywords=request.keywords, language=request.language,
                            length=request.length)

    def build(current: dict):
        return content_from_fields(current, language=request.language, keywords=request.keywords,
                                   sync_json_ld=st.session_state.get(f"{prefix}_sync_ld", True),
                                   images=editor.image_policy(prefix))

    _layout(prefix, request, item_id, user, CONTENT_FIELDS, (_content_fields, _content_seo_fields), report,
            lambda data: (data["excerpt"], data["body_html"]), build)


def _layout(prefix: str, request: Request, item_id: int, user: User, names: tuple[str, ...], draw, report,
            preview_parts, build) -> None:
    """Fields left, SEO fields and checks right, the preview under the fields, then Save."""
    editor.run_pending_regeneration(prefix, names, user)
    editor.show_notice(prefix)
    editor.text_direction(prefix, request.language)
    left, right = st.columns([3, 2])
    with left:
        draw[0](prefix)
    with right:
        draw[1](prefix)
    fields = editor.current_fields(prefix, names)
    data = draft_data(fields)
    with right:
        preview.seo_panel(report(fields, data))
    with left:
        st.subheader(_("Preview"))
        editor.keep_images_box(prefix)
        preview.preview(data["title"], *preview_parts(data), request.language, editor.image_policy(prefix))
    editor.save_button(prefix, user, item_id, names, build)


def _product_fields(prefix: str) -> None:
    editor.title_field(prefix, _("Product title"))
    editor.regenerate_button(prefix, "product", "title")
    st.text_area(_("Short description"), key=field_key(prefix, "short_description"), height=100,
                 persist_state="session")
    editor.regenerate_button(prefix, "product", "short_description")
    st.text_area(_("Long description (HTML)"), key=field_key(prefix, "description_html"), height=300,
                 persist_state="session", help=_("Unsafe HTML is removed when shown and saved."))
    editor.regenerate_button(prefix, "product", "description")
    st.text_area(_("Feature bullets (one per line)"), key=field_key(prefix, "bullet_features"), height=130,
                 persist_state="session")
    editor.regenerate_button(prefix, "product", "bullets")


def _product_seo_fields(prefix: str) -> None:
    editor.seo_title_field(prefix)
    editor.meta_desc_field(prefix)
    editor.regenerate_button(prefix, "product", "meta")
    editor.slug_field(prefix)
    alt_length = len(st.session_state.get(field_key(prefix, "image_alt_text"), ""))
    st.text_input(_("Image alt text · {length}/{most}").format(length=alt_length, most=125),
                  key=field_key(prefix, "image_alt_text"), max_chars=125,
                  live=True, persist_state="session")
    editor.regenerate_button(prefix, "product", "alt_text")
    st.text_area(_("JSON-LD"), key=field_key(prefix, "schema_ld_json"), height=180, persist_state="session")
    st.checkbox(_("Keep JSON-LD in step with the fields when saving"), value=True, key=f"{prefix}_sync_ld",
                persist_state="session", help=_("Updates name, description, language and category."))


def _product_editor(prefix: str, request: ProductRequest, item_id: int, user: User) -> None:
    def report(fields: dict, data: dict):
        return build_report(title=data["title"], seo_title=fields["seo_title"], meta_desc=fields["meta_desc"],
                            body_html=data["description_html"], keywords=[request.name], language=request.language)

    def parts(data: dict) -> tuple[str, str]:
        bullets = "".join(f"<li>{html.escape(line)}</li>" for line in data["bullet_features"])
        return data["short_description"], f"{data['description_html']}<ul>{bullets}</ul>"

    def build(current: dict):
        return product_from_fields(current, language=request.language, category=request.category,
                                   sync_json_ld=st.session_state.get(f"{prefix}_sync_ld", True),
                                   images=editor.image_policy(prefix))

    _layout(prefix, request, item_id, user, PRODUCT_FIELDS, (_product_fields, _product_seo_fields), report, parts,
            build)
