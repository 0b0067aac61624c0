"""Edited fields to validated content and back."""

import json

import pytest

from core import editing
from core.assemble import build_content, build_product
from core.errors import ValidationFailedError
from core.schemas import BlogDraft, ContentRequest, ProductDraft, ProductRequest
from tests.samples import META, blog_draft, product_draft

REQUEST = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes", "flat feet"], language="en")


def _content():
    return build_content(BlogDraft(**blog_draft()), REQUEST).model_dump(mode="json")


def test_round_trip_keeps_every_field():
    data = _content()
    data["internal_links"] = [{"title": "Sizing guide", "url": "https://shop.example/sizing", "anchor": "sizing"}]
    fields = editing.to_fields(data)
    assert fields["outline"] == "Why flat feet need support\nWhat to look for\nTesting a pair"
    assert fields["internal_links"] == "Sizing guide | https://shop.example/sizing | sizing"
    again = editing.content_from_fields(fields, language="en", keywords=REQUEST.keywords)
    assert again.model_dump(mode="json") == data


def test_edits_are_sanitised_and_normalised():
    fields = editing.to_fields(_content())
    fields.update(title="New title", slug="My New Slug!", body_html="<h1>Top</h1><p onclick='x()'>Hi</p><script>1</script>")
    data = editing.content_from_fields(fields, language="en", keywords=[])
    assert data.body_html == "<h2>Top</h2><p>Hi</p>" and data.meta.slug == "my-new-slug"


def test_json_ld_follows_the_fields_unless_told_not_to():
    fields = editing.to_fields(_content())
    ld = json.loads(fields["schema_ld_json"])
    ld["author"] = {"@type": "Person", "name": "Ana"}
    fields.update(title="A better headline", schema_ld_json=json.dumps(ld))
    synced = editing.content_from_fields(fields, language="en", keywords=["x"]).schema_ld_json
    assert synced["headline"] == "A better headline" and synced["author"]["name"] == "Ana"
    assert synced["keywords"] == "x"
    kept = editing.content_from_fields(fields, language="en", keywords=["x"], sync_json_ld=False).schema_ld_json
    assert kept["headline"] == "Running Shoes for Flat Feet: A Practical Buying Guide"
    # Empty JSON-LD (structured data switched off) stays empty.
    fields["schema_ld_json"] = ""
    assert editing.content_from_fields(fields, language="en", keywords=[]).schema_ld_json == {}


def test_friendly_messages_for_bad_edits():
    fields = editing.to_fields(_content())
    with pytest.raises(ValidationFailedError, match="Please fix before saving: The meta description needs at least 140 characters"):
        editing.content_from_fields({**fields, "meta_desc": "Too short"}, language="en", keywords=[])
    with pytest.raises(ValidationFailedError, match="JSON-LD is not valid JSON .* line 1"):
        editing.content_from_fields({**fields, "schema_ld_json": "{oops"}, language="en", keywords=[])
    with pytest.raises(ValidationFailedError, match="Internal links, line 2"):
        editing.content_from_fields({**fields, "internal_links": "A | /a\nno url here"}, language="en", keywords=[])
    with pytest.raises(ValidationFailedError, match="The title is required"):
        editing.content_from_fields({**fields, "title": "  "}, language="en", keywords=[])


def test_product_fields_round_trip():
    request = ProductRequest(name="TrailFlex", category="Shoes")
    data = build_product(ProductDraft(**product_draft()), request).model_dump(mode="json")
    fields = editing.to_fields(data)
    assert fields["bullet_features"] == "Firm midsole\nBreathable mesh"
    assert editing.product_from_fields(fields, language="en", category="Shoes").model_dump(mode="json") == data
    with pytest.raises(ValidationFailedError, match="The image alt text can have at most 125 characters"):
        editing.product_from_fields({**fields, "image_alt_text": "x" * 126}, language="en")


def test_attributes_and_draft_data():
    assert editing.parse_attributes("Colour: blue\nweight=250 g\n\n") == {"Colour": "blue", "weight": "250 g"}
    with pytest.raises(ValidationFailedError, match="line 2"):
        editing.parse_attributes("Colour: blue\njust words")
    draft = editing.draft_data({"title": "T", "outline": "a\n\nb", "seo_title": "S", "meta_desc": META, "slug": "t"})
    assert draft == {"title": "T", "outline": ["a", "b"], "meta": {"seo_title": "S", "meta_desc": META, "slug": "t"}}


def test_changes_and_version_note():
    before = _content()
    after = {**before, "title": "Other", "meta": {**before["meta"], "slug": "other"}}
    changed = editing.changed_fields(before, after)
    assert changed == ["Title", "Slug"]
    assert editing.version_note(changed, ["title", "title"]) == "regenerated title; edited Title, Slug"
    assert editing.version_note([], []) == "saved"
