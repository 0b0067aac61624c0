"""Formula injection (issue 12 item 7): every CSV/XLSX the product writes goes through core.spreadsheet."""

import csv
import io
from datetime import datetime, timezone

import openpyxl
import pandas as pd

from core.analytics.export import rows_csv
from core.analytics.filters import Filters
from core.bulk.export import to_csv, to_xlsx
from core.spreadsheet import safe_cell
from tests.test_analytics import add_rows

HOSTILE = ["\x01=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "  @SUM(A1)", "\x00\x1f+1", "-2+3"]


def test_safe_cell_spaces_controls_before_escaping():
    assert safe_cell("\x01=1+1") == "' =1+1"  # spaced first, so the "=" is seen and escaped
    assert safe_cell("ok\x07go") == "ok go" and safe_cell("'=x") == "'=x" and safe_cell(5) == 5
    assert all(safe_cell(v).startswith("'") for v in HOSTILE)


def test_bulk_xlsx_and_csv_have_no_live_formula():
    frame = pd.DataFrame({"title": HOSTILE, "n": range(len(HOSTILE))})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame))).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert [sheet.cell(r, 1).value for r in range(2, 2 + len(HOSTILE))] == [safe_cell(v) for v in HOSTILE]
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"))))[1:]
    assert all(row[0].startswith("'") and "\x01" not in row[0] for row in rows)


def test_analytics_log_rows_csv_escapes_formulas(engine):
    now = datetime.now(timezone.utc)
    add_rows(engine, *[dict(created_at=now, error=value, target=value, status="failed") for value in HOSTILE])
    rows = list(csv.DictReader(io.StringIO(rows_csv(engine, Filters()).decode())))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert row["error"].startswith("'") and row["target"].startswith("'"), row
        assert not any(ch < " " and ch not in "\t\r\n" for ch in row["error"])


def test_huge_csv_header_is_refused_before_parsing():
    """Issue 12 item 8: 5 MB of commas is refused on the raw bytes, with a clear message."""
    import time
    import pytest
    from core.bulk.csvfile import MAX_COLUMNS, open_table
    from core.errors import ValidationFailedError
    started = time.process_time()
    with pytest.raises(ValidationFailedError, match="header row is longer than 64 KB"):
        open_table(b"topic" + b"," * (5 << 20) + b"\nshoes\n")
    with pytest.raises(ValidationFailedError, match=f"at most {MAX_COLUMNS} are allowed"):
        open_table(b"topic" + b";" * 1000 + b"\nshoes\n")
    assert time.process_time() - started < 2  # generous: parsing the header took 11 s before
    assert open_table(b"topic" + b",x" * 50 + b"\nshoes\n").header[0] == "topic"
