"""Which CSV column feeds which request field: the fields per kind, automatic and explicit mapping."""

import csv
import io
import re

from ..errors import ValidationFailedError
from ..i18n import N_, _
from ..schemas import LANGUAGES
from . import woo_csv

KINDS = ("blog", "product")
FIELDS = {
    "blog": ("topic", "keywords", "tone", "length", "language", "brand_profile", "sections"),
    "product": ("name", "category", "features", "attributes", "audience", "tone", "language",
                "woo_product_id", "sku", "short_description", "description", "brand_profile"),
}
REQUIRED = {"blog": ("topic",), "product": ("name",)}
# Header spellings seen in the wild (Shopify/WooCommerce exports, hand-made sheets), normalised. Only names
# that cannot mean anything else: a store export's "Section", "Brand" or "Style" column is a shop section, the
# product's brand or its cut, not an outline, a brand voice profile or a tone (map those by hand if meant).
SYNONYMS = {
    "topic": ("subject", "title", "headline", "post_topic", "blog_topic", "thema", "tema", "sujet"),
    "keywords": ("keyword", "focus_keywords", "focus_keyword", "tags", "seo_keywords", "keyphrase"),
    "tone": ("voice", "tone_of_voice", "writing_style"),
    "length": ("size", "post_length", "word_count"),
    "language": ("lang", "locale", "language_code", "sprache", "idioma", "langue"),
    "brand_profile": ("brand_voice", "brand_voice_profile"),
    "sections": ("outline", "section_headings", "sections_outline"),
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


class UnmappedColumnError(ValidationFailedError):
    """A required field has no column. The message says how to map it in the dashboard and the CLI;
    `for_api()` says it for API callers, who have neither a mapping step nor --map."""

    def __init__(self, kind: str, field: str, headers: list[str], woo_export: bool = False):
        self.kind, self.field, self.headers, self.woo_export = kind, field, headers, woo_export
        super().__init__(self._say(
            _("choose “Product descriptions” (--kind product)"),
            _("in the mapping step, or --map {field}=COLUMN on the command line").format(field=field)))

    def for_api(self) -> str:
        """The same problem, with the API's own ways to fix it (?kind=, ?mapping= or the JSON "mapping")."""
        return self._say(_("send it with ?kind=product"),
                         _("add ?mapping={field}=COLUMN to the URL, or \"mapping\": {{\"{field}\": \"COLUMN\"}} to "
                           "a JSON body").format(field=self.field))

    def for_dashboard(self) -> str:
        """The same problem, with the Bulk page's own ways to fix it (its kind choice and mapping step)."""
        return self._say(_("choose “Product descriptions” above"),
                         _("choose its column under “Columns” above"))

    def _say(self, product_hint: str, map_hint: str) -> str:
        if self.woo_export:
            return _("This file is a WooCommerce product export: {hint} to write its products.").format(
                hint=product_hint)
        return _("The file has no column for {field} (required for {kind} rows). Its columns are: {columns}. "
                 "Rename one, or map it: {how}.").format(field=self.field, kind=self.kind,
                                                         columns=", ".join(self.headers), how=map_hint)


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
    """`topic=Subject,keywords=Tags` (the CLI's --map, the API's ?mapping=) → {"topic": "Subject", "keywords": "Tags"}."""
    mapping = {}
    for pair in next(csv.reader(io.StringIO(text or "")), []):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise ValidationFailedError(_("The mapping entry {pair!r} is not FIELD=COLUMN, e.g. topic=Subject.").format(
                pair=pair))
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
    if missing:
        raise UnmappedColumnError(kind, missing[0], headers, woo_export=kind == "blog" and bool(woo_csv.detect(headers)))
    return {field: headers.index(header) for field, header in mapping.items()}


def template_csv(kind: str) -> bytes:
    """A ready-to-fill CSV (UTF-8 with BOM so spreadsheet apps keep non-Latin text) for kind."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS[check_kind(kind)], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(EXAMPLES[kind])
    return out.getvalue().encode("utf-8-sig")
