"""Which CSV column feeds which request field: the fields per kind, automatic and explicit mapping."""

import csv
import io
import re

from ..errors import ValidationFailedError
from ..schemas import LANGUAGES
from . import woo_csv
from ..i18n import N_, _

KINDS = ("blog", "product")
FIELDS = {
    "blog": ("topic", "keywords", "tone", "length", "language", "brand_profile", "sections"),
    "product": ("name", "category", "features", "attributes", "audience", "tone", "language",
                "woo_product_id", "sku", "short_description", "description", "brand_profile"),
}
REQUIRED = {"blog": ("topic",), "product": ("name",)}
# Header spellings seen in the wild (Shopify/WooCommerce exports, hand-made sheets), normalised.
SYNONYMS = {
    "topic": ("subject", "title", "headline", "post_topic", "blog_topic", "thema", "tema", "sujet"),
    "keywords": ("keyword", "focus_keywords", "focus_keyword", "tags", "seo_keywords", "keyphrase"),
    "tone": ("voice", "tone_of_voice", "style"),
    "length": ("size", "post_length", "word_count"),
    "language": ("lang", "locale", "language_code", "sprache", "idioma", "langue"),
    "brand_profile": ("brand", "brand_voice", "brand_guidelines"),
    "sections": ("section", "outline", "headings", "section_headings"),
    "name": ("product", "product_name", "title", "product_title", "item", "item_name", "nombre", "nom"),
    "category": ("categories", "product_category", "kategorien", "categorías", "catégories", "type",
                 "product_type", "collection"),
    "features": ("feature", "key_features", "highlights", "benefits", "bullets"),
    "attributes": ("attribute", "specs", "specifications", "properties", "options"),
    "audience": ("target_audience", "customer", "persona", "for"),
    "woo_product_id": ("product_id", "woo_id", "woocommerce_id", "wc_id", "id", "post_id"),
    "sku": ("artikelnummer", "ugs", "product_sku", "article_number"),
    "short_description": ("kurzbeschreibung", "descripción_corta", "description_courte", "excerpt", "summary"),
    "description": ("beschreibung", "descripción", "long_description", "product_description", "body"),
}
# Shown next to each field in the mapping step; translate with _() where shown.
HELP = {
    "topic": N_("what the post is about (5–200 characters)"), "keywords": N_("comma-separated, at most 10"),
    "tone": N_("e.g. professional, friendly"), "length": N_("short, medium or long"),
    "language": N_("code or name: en, fa, ar, de, es, fr, it, ja, ko, zh"),
    "brand_profile": N_("optional brand voice notes"), "sections": N_("comma-separated section headings"),
    "name": N_("the product name"), "category": N_("the product category"), "features": N_("semicolon-separated"),
    "attributes": N_("key=value pairs separated by semicolons"), "audience": N_("who buys it"),
    "woo_product_id": N_("optional WooCommerce product id (a whole number)"),
    "sku": N_("optional SKU: publishing finds the product by it when there is no id"),
    "short_description": N_("the present short description: the model rewrites from it"),
    "description": N_("the present long description (HTML is fine): the model rewrites from it"),
}
EXAMPLES = {
    "blog": [
        {"topic": "How to choose running shoes for flat feet", "keywords": "running shoes, flat feet",
         "tone": "friendly", "length": "short", "language": "en", "brand_profile": "",
         "sections": "Why support matters, What to look for, Testing a pair"},
        {"topic": "راهنمای انتخاب کفش دویدن", "keywords": "کفش دویدن", "tone": "professional",
         "length": "medium", "language": "fa", "brand_profile": "", "sections": ""},
    ],
    "product": [
        {"name": "TrailFlex Stability Running Shoe", "category": "Running shoes",
         "features": "Firm midsole; Breathable mesh; Reflective heel", "attributes": "color=blue; size=38-46",
         "audience": "Runners with flat feet", "tone": "persuasive", "language": "en", "woo_product_id": "123",
         "brand_profile": ""},
    ],
}


def language_code(value: str) -> str | None:
    """The language code for a cell such as `fa`, `Persian` or `fa-IR`; None if it is none of ours."""
    folded = value.strip().casefold()
    names = {name.casefold(): code for code, name in LANGUAGES.items()}
    code = folded if folded in LANGUAGES else names.get(folded)
    if code is None:
        base = folded.replace("_", "-").split("-")[0]
        code = base if base in LANGUAGES else None
    return code


def normalise(header: str) -> str:
    """A header reduced to lowercase words joined by underscores."""
    return re.sub(r"[^\w]+", "_", header.strip().lstrip("\ufeff").casefold()).strip("_")


def check_kind(kind: str) -> str:
    """The kind, or ValidationFailedError naming the allowed ones."""
    if kind not in KINDS:
        raise ValidationFailedError(_("Unknown kind {kind!r}: choose blog or product.").format(kind=kind))
    return kind


def auto_map(kind: str, headers: list[str]) -> dict[str, str]:
    """field → header for every field whose name or a known synonym matches a header."""
    layout = woo_csv.detect(headers)
    by_name: dict[str, str] = {}
    for index, header in enumerate(headers):
        if layout is None or index not in layout.used:  # a WooCommerce "Type" is not a category
            by_name.setdefault(normalise(header), header)
    mapping = {}
    for field in FIELDS[check_kind(kind)]:
        for candidate in (field, *SYNONYMS.get(field, ())):
            if candidate in by_name and by_name[candidate] not in mapping.values():
                mapping[field] = by_name[candidate]
                break
    return mapping


def parse_map_option(text: str | None) -> dict[str, str]:
    """`topic=Subject,keywords=Tags` (as given to --map) → {"topic": "Subject", "keywords": "Tags"}."""
    mapping = {}
    for pair in next(csv.reader(io.StringIO(text or "")), []):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise ValidationFailedError(_("--map entry {pair!r} is not FIELD=COLUMN, e.g. topic=Subject.")
                                        .format(pair=pair))
        field, header = (part.strip() for part in pair.split("=", 1))
        mapping[field] = header
    return mapping


def resolve(kind: str, headers: list[str], overrides: dict[str, str] | None = None) -> dict[str, int]:
    """field → column index: automatic matches, replaced by overrides (a blank override unmaps)."""
    mapping = auto_map(kind, headers)
    for field, header in (overrides or {}).items():
        if field not in FIELDS[kind]:
            raise ValidationFailedError(_("Unknown field {field!r} for {kind} rows: use one of {fields}.")
                                        .format(field=field, kind=kind, fields=', '.join(FIELDS[kind])))
        if not header:
            mapping.pop(field, None)
        elif header not in headers:
            raise ValidationFailedError(_("The file has no column {header!r} to use for {field}; its columns are: "
                                          "{headers}.")
                                        .format(header=header, field=field, headers=', '.join(headers)))
        else:
            mapping[field] = header
    missing = [field for field in REQUIRED[kind] if field not in mapping]
    if missing and kind == "blog" and woo_csv.detect(headers):
        raise ValidationFailedError(_("This file is a WooCommerce product export: choose “Product descriptions” "
                                      "(--kind product) to write its products."))
    if missing:
        raise ValidationFailedError(
            _("The file has no column for {missing} (required for {kind} rows). Its columns are: {headers}. Rename "
              "one, or map it: in the mapping step, or --map {field}=COLUMN on the command line.")
            .format(missing=', '.join(missing), kind=kind, headers=', '.join(headers), field=missing[0]))
    return {field: headers.index(header) for field, header in mapping.items()}


def template_csv(kind: str) -> bytes:
    """A ready-to-fill CSV (UTF-8 with BOM so spreadsheet apps keep non-Latin text) for kind."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS[check_kind(kind)], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(EXAMPLES[kind])
    return out.getvalue().encode("utf-8-sig")
