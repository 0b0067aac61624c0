"""Product Writer: a WooCommerce product description from a few facts, then an editor for every field."""

import streamlit as st
from pydantic import ValidationError

from core.errors import explain_validation_error
from core.editing import lines, parse_attributes
from core.errors import ContentCraftError
from core.i18n import _
from core.schemas import TONES, ProductRequest
from ui import editor, item_editor, labels
from ui.common import current_user

PREFIX = "products"
user = current_user()
st.title(_("Product Writer"))
st.caption(_("Give the product's facts; ContentCraft writes the descriptions, bullets, SEO meta and alt text."))


def request_form() -> ProductRequest | None:
    """The product form; the request once it is submitted and valid."""
    editor.form_direction(PREFIX, ["products_name", "products_category", "products_audience", "products_features",
                                   "products_attributes"])
    with st.form("products_form"):
        name = st.text_input(_("Product name"), placeholder=_("e.g. TrailFlex stability running shoe"),
                             key="products_name", persist_state="session")
        col1, col2 = st.columns(2)
        category = col1.text_input(_("Category"), key="products_category", persist_state="session")
        audience = col2.text_input(_("Audience"), placeholder=_("e.g. runners with flat feet"), key="products_audience",
                                   persist_state="session")
        features = col1.text_area(_("Features (one per line)"), key="products_features", persist_state="session")
        attributes = col2.text_area(_("Attributes (name: value, one per line)"), placeholder=_("Colour: blue"),
                                    key="products_attributes", persist_state="session")
        col3, col4 = st.columns(2)
        tone = col3.selectbox(_("Tone"), TONES, index=TONES.index("persuasive"), key="products_tone",
                              persist_state="session", format_func=labels.tone)
        language = editor.language_picker(col4, PREFIX)
        brand_profile = editor.brand_profile_select(PREFIX)
        keep_images = editor.keep_images_choice(PREFIX)
        if not st.form_submit_button(_("Write product copy"), type="primary"):
            return None
    try:
        return ProductRequest(name=name, category=category, features=lines(features),
                              attributes=parse_attributes(attributes), audience=audience, tone=tone,
                              language=language, brand_profile=brand_profile, keep_external_images=keep_images)
    except ValidationError as exc:
        st.error(_("Please fix the form: {problems}").format(problems=explain_validation_error(exc)))
    except ContentCraftError as error:
        st.error(_("Please fix the form: {problems}").format(problems=error))
    return None


if request := request_form():
    editor.start_editing(PREFIX, request, editor.stream_generation(PREFIX, request, user))
elif editor.new_version_wanted(PREFIX):
    editor.start_editing(PREFIX, st.session_state["products_request"],
                         editor.stream_generation(PREFIX, st.session_state["products_request"], user, use_cache=False))
editor.show_cancelled(PREFIX)

if (result := st.session_state.get("products_result")) and editor.show_origin(result):
    editor.new_version_button(PREFIX)
    item_editor.edit(PREFIX, st.session_state["products_request"], result.item_id, user)
