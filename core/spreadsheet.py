"""Every CSV and XLSX cell the product writes: control characters spaced, then formulas made inert.

Source for the escaping: OWASP "CSV Injection" (a leading `=`, `+`, `-`, `@`, tab or CR, after any
leading spaces, makes Excel/LibreOffice run the cell; a leading apostrophe keeps it text).
"""

import csv
import io
from typing import Iterable, TextIO

from .i18n import N_, _
from .text import spaced_controls

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The header of a column in an exported report (bulk results, analytics tables), by its machine name; English
# keeps the machine names. The analytics log export keeps the log's own column names: scripts read it.
# TRANSLATORS: column headers of exported spreadsheets (bulk results, analytics tables); keep them short.
REPORT_COLUMNS = frozenset({
    N_("row"), N_("status"), N_("error"), N_("attempts"), N_("content_item_id"), N_("brand_score"), N_("topic"), N_("keywords"),
    N_("language"), N_("name"), N_("woo_product_id"), N_("sku"), N_("title"), N_("excerpt"), N_("seo_title"),
    N_("meta_desc"), N_("slug"), N_("body_html"), N_("short_description"), N_("description_html"),
    N_("bullet_features"), N_("image_alt_text"), N_("period"), N_("bucket"), N_("type"), N_("generations"),
    N_("failed"), N_("cache_hits"), N_("tokens"), N_("cost_usd"), N_("error_rate"), N_("cache_hit_rate"),
    N_("success_rate"), N_("p50_ms"), N_("p95_ms"), N_("mean_ms"), N_("provider"), N_("model"), N_("user"),
    N_("prompt_tokens"), N_("completion_tokens"), N_("count"), N_("last_seen"), N_("tone"), N_("needs_review"),
    N_("succeeded"), N_("wrong_language"),
})


def report_headers(columns: Iterable[str]) -> list[str]:
    """The column names of a report in the current language (an unknown name stays as it is)."""
    return [_(name) if name in REPORT_COLUMNS else name for name in map(str, columns)]


def safe_cell(value):
    """A cell value safe to open in a spreadsheet: text has control runs spaced, and a would-be formula
    (even after leading spaces, as `\\x01=` becomes ` =`) gets a leading apostrophe; other types pass."""
    if not isinstance(value, str):
        return value
    value = spaced_controls(value)
    if value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(out: TextIO, header: Iterable, rows: Iterable[Iterable], **fmt) -> int:
    """Write the header and rows as CSV with every cell made safe; returns the number of rows."""
    writer = csv.writer(out, **fmt)
    writer.writerow([safe_cell(v) for v in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def csv_bytes(header: Iterable, rows: Iterable[Iterable], *, bom: bool = False, **fmt) -> bytes:
    """The CSV as UTF-8 bytes (with a BOM when Excel must read non-Latin text)."""
    out = io.StringIO()
    write_csv(out, header, rows, **fmt)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")
