"""Product Writer: a WooCommerce product description from a few facts, then an editor for every field."""

import html

import streamlit as st
from pydantic import ValidationError

from core.errors import describe_validation_error
from core.editing import PRODUCT_FIELDS, draft_data, lines, parse_attributes, product_from_fields
from core.errors import ContentCraftError
from core.schemas import TONES, ProductRequest
from core.seo_report import build_report
from pages import editor
from pages.common import current_user
from pages.editor import field_key

PREFIX = "products"
user = current_user()
st.title("Product Writer")
st.caption("Give the product's facts; ContentCraft writes the descriptions, bullets, SEO meta and alt text.")


def request_form() -> ProductRequest | None:
    """The product form; the request once it is submitted and valid."""
    with st.form("products_form"):
        name = st.text_input("Product name", placeholder="e.g. TrailFlex stability running shoe", key="products_name",
                             persist_state="session")
        col1, col2 = st.columns(2)
        category = col1.text_input("Category", key="products_category", persist_state="session")
        audience = col2.text_input("Audience", placeholder="e.g. runners with flat feet", key="products_audience",
                                   persist_state="session")
        features = col1.text_area("Features (one per line)", key="products_features", persist_state="session")
        attributes = col2.text_area("Attributes (name: value, one per line)", placeholder="Colour: blue",
                                    key="products_attributes", persist_state="session")
        col3, col4 = st.columns(2)
        tone = col3.selectbox("Tone", TONES, index=TONES.index("persuasive"), key="products_tone",
                              persist_state="session")
        language = editor.language_picker(col4, PREFIX)
        brand_profile = editor.brand_profile_select(PREFIX)
        if not st.form_submit_button("Write product copy", type="primary"):
            return None
    try:
        return ProductRequest(name=name, category=category, features=lines(features),
                              attributes=parse_attributes(attributes), audience=audience, tone=tone,
                              language=language, brand_profile=brand_profile)
    except ValidationError as exc:
        st.error(f"Please fix the form: {describe_validation_error(exc)}")
    except ContentCraftError as error:
        st.error(f"Please fix the form: {error}")
    return None


def copy_fields() -> None:
    """Title, short and long description, bullets, each editable, with their regenerate buttons."""
    st.text_input("Product title", key=field_key(PREFIX, "title"), persist_state="session")
    editor.regenerate_button(PREFIX, "product", "title")
    st.text_area("Short description", key=field_key(PREFIX, "short_description"), height=100, persist_state="session")
    editor.regenerate_button(PREFIX, "product", "short_description")
    st.text_area("Long description (HTML)", key=field_key(PREFIX, "description_html"), height=300,
                 persist_state="session", help="Unsafe HTML is removed when shown and saved.")
    editor.regenerate_button(PREFIX, "product", "description")
    st.text_area("Feature bullets (one per line)", key=field_key(PREFIX, "bullet_features"), height=130,
                 persist_state="session")
    editor.regenerate_button(PREFIX, "product", "bullets")


def seo_fields() -> None:
    """Meta, slug, alt text and JSON-LD."""
    editor.seo_title_field(PREFIX)
    editor.meta_desc_field(PREFIX)
    editor.regenerate_button(PREFIX, "product", "meta")
    st.text_input("Slug", key=field_key(PREFIX, "slug"), persist_state="session")
    alt_length = len(st.session_state.get(field_key(PREFIX, "image_alt_text"), ""))
    st.text_input(f"Image alt text · {alt_length}/125", key=field_key(PREFIX, "image_alt_text"), max_chars=125,
                  live=True, persist_state="session")
    editor.regenerate_button(PREFIX, "product", "alt_text")
    st.text_area("JSON-LD", key=field_key(PREFIX, "schema_ld_json"), height=180, persist_state="session")
    st.checkbox("Keep JSON-LD in step with the fields when saving", value=True, key="products_sync_ld",
                persist_state="session", help="Updates name, description, language and category.")


def editor_view(request: ProductRequest, item_id: int) -> None:
    """The editable result, its preview and SEO check, and the save button."""
    editor.run_pending_regeneration(PREFIX, PRODUCT_FIELDS, user)
    editor.show_notice(PREFIX)
    left, right = st.columns([3, 2])
    with left:
        copy_fields()
    with right:
        seo_fields()
    fields = editor.current_fields(PREFIX, PRODUCT_FIELDS)
    data = draft_data(fields)
    with right:
        editor.seo_panel(build_report(title=data["title"], seo_title=fields["seo_title"], meta_desc=fields["meta_desc"],
                                      body_html=data["description_html"], keywords=[request.name],
                                      language=request.language))
    with left:
        st.subheader("Preview")
        bullets = "".join(f"<li>{html.escape(line)}</li>" for line in data["bullet_features"])
        editor.preview(data["title"], data["short_description"], f"{data['description_html']}<ul>{bullets}</ul>",
                       request.language)

    def build(current: dict):
        return product_from_fields(current, language=request.language, category=request.category,
                                   sync_json_ld=st.session_state.get("products_sync_ld", True))

    editor.save_button(PREFIX, user, item_id, PRODUCT_FIELDS, build)


if request := request_form():
    editor.start_editing(PREFIX, request, editor.stream_generation(PREFIX, request, user))
elif editor.new_version_wanted(PREFIX):
    editor.start_editing(PREFIX, st.session_state["products_request"],
                         editor.stream_generation(PREFIX, st.session_state["products_request"], user, use_cache=False))
editor.show_cancelled(PREFIX)

if (result := st.session_state.get("products_result")) and editor.show_origin(result):
    editor.new_version_button(PREFIX)
    editor_view(st.session_state["products_request"], result.item_id)
