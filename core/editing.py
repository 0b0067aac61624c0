"""Edited form fields to validated content and back: the Studio and Product Writer editors' contract."""

import json

from pydantic import ValidationError

from . import seo
from .errors import ValidationFailedError, explain_validation_error
from .images import NO_EXTERNAL_IMAGES, ImagePolicy
from .schemas import ContentData, InternalLink, ProductData
from .i18n import _

LIST_FIELDS = {"outline", "headings", "bullet_features"}
META_FIELDS = ("seo_title", "meta_desc", "slug")
CONTENT_FIELDS = ("title", "excerpt", "outline", "body_html", *META_FIELDS, "headings", "internal_links",
                  "schema_ld_json")
PRODUCT_FIELDS = ("title", "short_description", "description_html", "bullet_features", *META_FIELDS,
                  "image_alt_text", "schema_ld_json")
LABELS = {"title": "Title", "excerpt": "Excerpt", "outline": "Outline", "body_html": "Body", "seo_title": "SEO title",
          "meta_desc": "Meta description", "slug": "Slug", "headings": "Headings", "internal_links": "Internal links",
          "schema_ld_json": "JSON-LD", "short_description": "Short description",
          "description_html": "Long description", "bullet_features": "Feature bullets",
          "image_alt_text": "Image alt text"}
# JSON-LD keys rebuilt from the fields on save when the user keeps the JSON-LD in step.
DERIVED_LD = {"content": ("headline", "description", "inLanguage", "keywords", "wordCount"),
              "product": ("name", "description", "inLanguage", "category")}


def lines(text: str) -> list[str]:
    """Non-empty, stripped lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def links_text(links: list[dict]) -> str:
    """Internal links as editable lines: title | url | anchor."""
    return "\n".join(" | ".join(part for part in (link.get("title", ""), link.get("url", ""), link.get("anchor", ""))
                                if part) for link in links)


def parse_links(text: str) -> list[InternalLink]:
    """Lines of `title | url | anchor` (anchor optional) as internal links."""
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1].startswith(("http://", "https://", "/")):
            raise ValidationFailedError(_("Internal links, line {number}: write it as `Title | https://… | anchor "
                                          "text` (the anchor is optional; the URL starts with https:// or /).")
                                        .format(number=number))
        links.append(InternalLink(title=parts[0], url=parts[1], anchor=parts[2] if len(parts) == 3 else ""))
    return links


def parse_json_ld(text: str) -> dict:
    """The JSON-LD text as an object, or ValidationFailedError saying where it breaks."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ValidationFailedError(_("JSON-LD is not valid JSON ({msg}, line {lineno} column {colno}). Fix it, or "
                                      "empty the field to publish without structured data.")
                                    .format(msg=exc.msg, lineno=exc.lineno, colno=exc.colno))
    if not isinstance(value, dict):
        raise ValidationFailedError(_("JSON-LD must be a JSON object: {\"@context\": …, \"@type\": …}."))
    return value


def parse_attributes(text: str) -> dict[str, str]:
    """Product attributes from lines of `name: value` (or `name=value`)."""
    attributes = {}
    for number, line in enumerate(lines(text), start=1):
        separator = ":" if ":" in line else "=" if "=" in line else None
        name, value = (part.strip() for part in line.split(separator, 1)) if separator else ("", "")
        if not name or not value:
            raise ValidationFailedError(_("Attributes, line {number}: write it as `name: value`, e.g. `Colour: "
                                          "blue`.").format(number=number))
        attributes[name] = value
    return attributes


def to_fields(data: dict) -> dict[str, str]:
    """Editable text for each field present in data (a ContentData/ProductData dump or part of one)."""
    fields = {}
    for key, value in data.items():
        if key == "meta":
            fields.update({name: str(value[name]) for name in META_FIELDS if name in value})
        elif key in LIST_FIELDS:
            fields[key] = "\n".join(value)
        elif key == "internal_links":
            fields[key] = links_text(value)
        elif key == "schema_ld_json":
            fields[key] = json.dumps(value, indent=2, ensure_ascii=False)
        elif key in LABELS:
            fields[key] = str(value)
    return fields


def draft_data(fields: dict[str, str]) -> dict:
    """The fields as data without validation, for prompts and the SEO panel while the user is typing."""
    data = {key: lines(value) if key in LIST_FIELDS else value for key, value in fields.items()
            if key not in META_FIELDS and key not in ("internal_links", "schema_ld_json")}
    data["meta"] = {name: fields.get(name, "") for name in META_FIELDS}
    return data


def _validated(model, values: dict):
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailedError(_("Please fix before saving: {problems}").format(problems=explain_validation_error(exc))) from None


def _json_ld(kind: str, fields: dict, fresh: dict, sync: bool) -> dict:
    edited = parse_json_ld(fields.get("schema_ld_json", ""))
    if not sync or not edited:  # empty means no structured data (an admin may have switched it off)
        return edited
    return {**fresh, **edited, **{key: fresh[key] for key in DERIVED_LD[kind] if key in fresh}}


def _meta(fields: dict, slug_source: str) -> dict:
    return {"seo_title": seo.plain_text(fields.get("seo_title", "")),
            "meta_desc": seo.plain_text(fields.get("meta_desc", "")),
            "slug": seo.make_slug(fields.get("slug", "").strip() or slug_source)}


def content_from_fields(fields: dict[str, str], *, language: str, keywords: list[str],
                        sync_json_ld: bool = True, images: ImagePolicy = NO_EXTERNAL_IMAGES) -> ContentData:
    """Validated, sanitised ContentData from the Studio's edited fields; images only those `images` allows."""
    # Titles and excerpts are plain text (never saved "as typed" with markup); bodies are sanitised HTML.
    title, body = seo.plain_text(fields.get("title", "")), seo.sanitize_html(fields.get("body_html", ""), images)
    meta = _meta(fields, title)
    fresh = seo.blog_json_ld(title=title, description=meta["meta_desc"], language=language, keywords=keywords,
                             body_text=seo.plain_text(body))
    return _validated(ContentData, {
        "title": title, "excerpt": seo.plain_text(fields.get("excerpt", "")), "outline": lines(fields.get("outline", "")),
        "body_html": body, "meta": meta, "headings": lines(fields.get("headings", "")),
        "internal_links": parse_links(fields.get("internal_links", "")),
        "schema_ld_json": _json_ld("content", fields, fresh, sync_json_ld)})


def product_from_fields(fields: dict[str, str], *, language: str, category: str = "",
                        sync_json_ld: bool = True, images: ImagePolicy = NO_EXTERNAL_IMAGES) -> ProductData:
    """Validated, sanitised ProductData from the Product Writer's edited fields; images as `images` allows."""
    title, short = seo.plain_text(fields.get("title", "")), fields.get("short_description", "").strip()
    fresh = seo.product_json_ld(name=title, description=seo.plain_text(short), category=category, language=language)
    return _validated(ProductData, {
        "title": title, "short_description": short,
        "description_html": seo.sanitize_html(fields.get("description_html", ""), images),
        "bullet_features": lines(fields.get("bullet_features", "")), "meta": _meta(fields, title),
        "image_alt_text": seo.plain_text(fields.get("image_alt_text", "")),
        "schema_ld_json": _json_ld("product", fields, fresh, sync_json_ld)})


def dropped_images(fields: dict[str, str], images: ImagePolicy) -> list[str]:
    """The src of each image in the edited HTML fields that saving under `images` removes."""
    return [src for name in ("body_html", "description_html") if name in fields
            for src in seo.clean_body(fields[name], images)[1]]


def follow_title(fields: dict[str, str], old_title: str, hand: set[str]) -> dict[str, str]:
    """New SEO title and slug after the title changed, for each one still in step (not set by hand).

    The slug is in step while it is the one the old title makes (a product's slug comes from its name,
    so it stays); the SEO title while nobody has edited it.
    """
    title, updates = fields.get("title", "").strip(), {}
    if not title:
        return updates
    if "seo_title" not in hand:
        updates["seo_title"] = seo.seo_title(title)
    if "slug" not in hand and fields.get("slug", "").strip() in ("", seo.make_slug(old_title)):
        updates["slug"] = seo.make_slug(title)
    return {name: value for name, value in updates.items() if value != fields.get(name)}


def set_by_hand(data: dict, notes: list[str]) -> set[str]:
    """The meta fields of a saved item a person chose: a saved edit of the SEO title, a slug not from the title."""
    edited = {label for note in notes for part in note.split("; ") if part.startswith("edited ")
              for label in part.removeprefix("edited ").split(", ")}
    hand = {"seo_title"} if LABELS["seo_title"] in edited else set()
    meta = data.get("meta") or {}
    if meta.get("slug") and meta["slug"] != seo.make_slug(str(data.get("title", ""))):
        hand.add("slug")
    return hand


def changed_fields(before: dict, after: dict) -> list[str]:
    """Labels of the fields that differ between two data dumps, meta split into its parts."""
    flat_before, flat_after = to_fields(before), to_fields(after)
    return [LABELS[key] for key in flat_after if flat_before.get(key) != flat_after[key]]


def version_note(changed: list[str], regenerated: list[str]) -> str:
    """The Library's note for a saved version: what was regenerated and what was edited."""
    parts = []
    if regenerated:
        parts.append("regenerated " + ", ".join(dict.fromkeys(regenerated)))
    if changed:
        parts.append("edited " + ", ".join(changed))
    return ("; ".join(parts) or "saved")[:255]
