"""WooCommerce's own product CSV (Products → Export / Import): recognised by its header, read and written back.

Column names follow WC_Product_CSV_Exporter::get_default_column_names() and its attribute and meta
columns (woocommerce/includes/export/class-wc-product-csv-exporter.php), in the English, German,
Spanish and French translations WooCommerce exports with. Lists inside a cell are joined with ", "
and commas inside a value are escaped as "\\,"; newlines in descriptions are written as a literal "\\n".
"""

import csv
import io
import re
from dataclasses import dataclass, field

from .. import seo
from ..i18n import N_, _

# role → the header spellings WooCommerce uses (en, de, es, fr), compared after mapping.normalise().
COLUMNS = {
    "id": ("id",),
    "type": ("type", "typ", "tipo"),
    "sku": ("sku", "artikelnummer", "ugs"),
    "name": ("name", "nombre", "nom"),
    "short_description": ("short_description", "kurzbeschreibung", "descripción_corta", "description_courte"),
    "description": ("description", "beschreibung", "descripción"),
    "categories": ("categories", "kategorien", "categorías", "catégories"),
    "tags": ("tags", "schlagwörter", "etiquetas", "étiquettes"),
    "parent": ("parent", "übergeordnetes_produkt", "superior"),
}
LANGUAGE_MARKERS = {"de": ("typ", "kurzbeschreibung"), "es": ("tipo", "descripción_corta"),
                    "fr": ("ugs", "description_courte", "nom")}
_ATTRIBUTE_NAME = re.compile(r"^(?:(?:attribute|attribut|atributo)_(\d+)_(?:name|nom|nombre)|nombre_del_atributo_(\d+))$")
_ATTRIBUTE_VALUE = re.compile(r"^(?:(?:attribute|attribut|atributo)_(\d+)_(?:value_s|wert_e|valor_es|valeur_s)"
                              r"|valor_es_del_atributo_(\d+))$")
# Product types WooCommerce exports; variations belong to their variable parent and are not written alone.
SKIPPED_TYPES = {"variation": N_("a variation of {parent}: its variable product's description covers it")}
# Columns WooCommerce's importer maps by default (wc_importer_default_english_mappings) for the re-import file.
IMPORT_HEADER = ("ID", "SKU", "Short description", "Description", "Meta: _yoast_wpseo_title",
                 "Meta: _yoast_wpseo_metadesc", "Meta: rank_math_title", "Meta: rank_math_description")


@dataclass
class WooLayout:
    """Where a WooCommerce export keeps each column: role → index, attribute (name, value) index pairs."""

    language: str
    columns: dict[str, int]
    attributes: list[tuple[int, int]] = field(default_factory=list)

    def cell(self, cells: list[str], role: str) -> str:
        index = self.columns.get(role)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def skip_reason(self, cells: list[str]) -> str | None:
        """Why this row is not a product to write, or None."""
        types = {part.strip().casefold() for part in self.cell(cells, "type").split(",")}
        for kind, reason in SKIPPED_TYPES.items():
            if kind in types:
                return _(reason).format(parent=self.cell(cells, "parent") or _("its parent"))
        return None

    def attribute_values(self, cells: list[str]) -> dict[str, str]:
        """The row's attribute name → value(s), WooCommerce's "\\," escapes undone."""
        values = {}
        for name_index, value_index in self.attributes:
            name = cells[name_index].strip() if name_index < len(cells) else ""
            value = cells[value_index].strip() if value_index < len(cells) else ""
            if name and value:
                values[name] = value.replace("\\,", ",")
        return values

    @property
    def used(self) -> set[int]:
        """Indexes this layout reads itself (beyond the field mapping)."""
        return {self.columns[role] for role in ("type", "parent") if role in self.columns} | {
            index for pair in self.attributes for index in pair}


def detect(header: list[str]) -> WooLayout | None:
    """The layout if header is a WooCommerce product export (ID, Type and Name in one of its languages)."""
    from .mapping import normalise

    names = [normalise(h) for h in header]
    columns = {}
    for role, spellings in COLUMNS.items():
        index = next((i for i, name in enumerate(names) if name in spellings), None)
        if index is not None:
            columns[role] = index
    if not {"id", "type", "name"} <= set(columns):
        return None
    language = next((code for code, markers in LANGUAGE_MARKERS.items() if any(m in names for m in markers)), "en")
    return WooLayout(language=language, columns=columns, attributes=_attribute_pairs(names))


def _attribute_pairs(names: list[str]) -> list[tuple[int, int]]:
    names_at, values_at = {}, {}
    for index, name in enumerate(names):
        if match := _ATTRIBUTE_NAME.match(name):
            names_at[int(match.group(1) or match.group(2))] = index
        elif match := _ATTRIBUTE_VALUE.match(name):
            values_at[int(match.group(1) or match.group(2))] = index
    return [(names_at[n], values_at[n]) for n in sorted(names_at) if n in values_at]


def description_text(value: str) -> str:
    """An exported description as plain text: "\\n" back to newlines, HTML removed."""
    return seo.plain_text(value.replace("\\\\n", "\0").replace("\\n", "\n").replace("\0", "\\n"))


def categories_text(value: str) -> str:
    """"Clothing > Shoes, Sale" kept as written (hierarchy and all), without the "\\," escapes."""
    return value.replace("\\,", ",").strip()


def _export_description(value: str) -> str:
    # WC_Product_CSV_Exporter::filter_description_field: the importer turns "\n" back into newlines.
    return value.replace("\\n", "\\\\n").replace("\r\n", "\n").replace("\n", "\\n")


def import_csv(rows: list[dict]) -> bytes:
    """A file for Products → Import ("Update existing products"): rows of id, sku and the generated data."""
    from ..spreadsheet import safe_cell as escape_formula

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IMPORT_HEADER)
    for row in rows:
        data, meta = row["data"], row["data"].get("meta") or {}
        writer.writerow([escape_formula(value) for value in (
            row.get("id") or "", row.get("sku") or "", _export_description(data.get("short_description", "")),
            _export_description(data.get("description_html", "")), meta.get("seo_title", ""),
            meta.get("meta_desc", ""), meta.get("seo_title", ""), meta.get("meta_desc", ""))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
