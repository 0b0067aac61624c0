"""Every CSV and XLSX cell the product writes: control characters spaced, then formulas made inert.

Source for the escaping: OWASP "CSV Injection" (a leading `=`, `+`, `-`, `@`, tab or CR, after any
leading spaces, makes Excel/LibreOffice run the cell; a leading apostrophe keeps it text).
"""

import csv
import io
from typing import Iterable, TextIO

from .text import spaced_controls

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
