"""Legacy code-page CSVs: the encoding is chosen with the rows' languages as evidence, and a row whose text
is not in its language's script is refused with the reason and the encoding used."""

from pathlib import Path

import pytest

from core.bulk import validation
from core.bulk.csvfile import encoding_candidates, open_table
from core.bulk.encodings import open_with_evidence
from core.cli import main
from core.errors import ValidationFailedError

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = next((p for p in (ROOT.parent / "shared" / "realworld", Path("/work/shared/realworld")) if p.is_dir()),
                 None)
PERSIAN_1256 = "قهوه ترك با شير"  # letters Windows-1256 has; its bytes also decode as Windows-1252 (mojibake)
JAPANESE = "東京でおいしいコーヒーを淹れる方法"


def _scan(data: bytes, kind: str = "blog", overrides=None):
    report, rows = validation.scan(data, kind, overrides)
    return list(rows), report


def test_persian_from_windows_1256_is_not_read_as_windows_1252():
    data = f"topic,keywords,language\n{PERSIAN_1256},قهوه,fa\nراهنماي خريد چاي سبز,چاي,fa\n".encode("cp1256")
    assert PERSIAN_1256.encode("cp1256").decode("cp1252") == "Þåæå ÊÑß ÈÇ ÔíÑ"  # valid Windows-1252 too
    rows, report = _scan(data)
    assert report.encoding == "cp1256" and not report.problems
    assert [r.request["topic"] for r in rows] == [PERSIAN_1256, "راهنماي خريد چاي سبز"]


def test_the_single_row_from_the_report_decodes():
    rows, report = _scan(f"topic,language\n{PERSIAN_1256},fa\n".encode("cp1256"))
    assert report.encoding == "cp1256" and rows[0].request["topic"] == PERSIAN_1256


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932"])
def test_japanese_from_shift_jis_decodes(encoding):
    data = f"topic;language\n{JAPANESE};ja\nハンドドリップの基本と道具;Japanese\n".encode(encoding)
    rows, report = _scan(data)
    assert report.encoding == "cp932" and not report.problems
    assert [r.request["topic"] for r in rows] == [JAPANESE, "ハンドドリップの基本と道具"]


def test_mixed_languages_in_one_legacy_file():
    data = f"topic,language\n{PERSIAN_1256},fa\nCoffee with milk at home,en\n".encode("cp1256")
    rows, report = _scan(data)
    assert report.encoding == "cp1256" and [r.request["language"] for r in rows] == ["fa", "en"]


def test_western_files_stay_windows_1252():
    data = "topic,language\nEspaña y sus mejores cafés,es\nCafé crème: the perfect espresso — a guide,en\n"
    rows, report = _scan(data.encode("cp1252"))
    assert report.encoding == "cp1252"
    assert rows[1].request["topic"] == "Café crème: the perfect espresso — a guide"


@pytest.mark.parametrize("text,language,script", [
    ("Þåæå ÊÑß ÈÇ ÔíÑ", "fa", "Arabic script"),  # the mojibake itself, as a UTF-8 file holds it
    ("Coffee with milk at home", "ar", "Arabic script"),
    ("Hand drip coffee basics", "ja", "Japanese script"),
    ("Hand drip coffee basics", "ko", "Hangul"),
    ("手冲咖啡的基本方法", "de", "Latin script"),
])
def test_text_not_in_the_languages_script_is_refused_with_the_reason(text, language, script):
    rows, report = _scan(f"topic,language\n{text},{language}\nPour over coffee at home,en\n".encode())
    assert len(rows) == 1 and report.bad == 1
    [problem] = report.errors
    assert problem.column == "topic" and problem.row == 2
    assert script in problem.message and "read as utf-8" in problem.message and "CSV UTF-8" in problem.message


def test_without_a_language_column_nothing_is_checked():
    rows, report = _scan("topic\nراهنمای انتخاب کفش دویدن\n".encode())
    assert len(rows) == 1 and not report.problems


def test_product_names_may_mix_latin_into_cjk():
    rows, report = _scan("name,language\niPhone 15 Pro ケース,ja\nGalaxy S24 케이스,ko\n".encode(), "product")
    assert len(rows) == 2 and not report.problems


def test_a_byte_windows_1252_lacks_is_read_with_the_detectors_code_page():
    rows, report = _scan(b"topic\nBad byte \x81 in the middle of a topic\n")
    assert report.encoding not in {"cp1252", "utf-8"} and len(rows) == 1
    assert rows[0].request["topic"].startswith("Bad byte ")


def test_cli_report_names_the_encoding(tmp_path, settings, engine, capsys):
    source = tmp_path / "fa.csv"
    source.write_bytes(f"topic,language\n{PERSIAN_1256},fa\nCoffee with milk,fa\n".encode("cp1256"))
    assert main(["bulk", "run", str(source), "--kind", "blog", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "Read as cp1256" in err and "2 rows: 1 valid, 1 with errors" in err
    assert "row 3, topic: error: Not written in Arabic script, as Persian needs (the file was read as cp1256)" in err


@pytest.mark.skipif(REALWORLD is None, reason="the shared real-world files are not next to the repository")
@pytest.mark.parametrize("name,column", [("excel_semicolon_cp1252_montpellier_budget2015.csv", "Libellé fonction")])
def test_real_excel_exports_stay_windows_1252(name, column):
    data = (REALWORLD / name).read_bytes()
    assert encoding_candidates(data)[0] == "cp1252"
    table, columns = open_with_evidence(data, "blog", {"topic": column})
    assert table.encoding == "cp1252" and column in table.header


@pytest.mark.skipif(REALWORLD is None, reason="the shared real-world files are not next to the repository")
def test_title_rows_above_the_header_of_a_real_export_are_skipped():
    data = (REALWORLD / "excel_cp1252_gla_payments_dec2009.csv").read_bytes()
    report, rows = validation.scan(data, "blog", {"topic": "Expense Code Description"})
    rows = list(rows)
    assert report.header_row == 6 and report.encoding == "cp1252"
    assert rows[0].row == 7 and rows[0].request["topic"] == "Equipment Purchase/Hire"
    assert "Supplier Name" in report.ignored_columns and report.good > 100


def test_a_plain_header_stays_row_one_and_an_empty_first_row_is_still_refused():
    table = open_table(b"topic,keywords\nTrail running for beginners,trail\n")
    assert table.header_row == 1 and [row for row, _cells in table.rows()] == [2]
    with pytest.raises(ValidationFailedError, match="first row has no column names"):
        open_table(b",,\nTrail running for beginners,trail,x\n")
