"""Reading and validating bulk CSV files: encodings, delimiters, mapping and every bad-input case."""

import codecs

import pytest

from core.bulk import mapping, validation
from core.bulk.csvfile import detect_encoding, open_table, sniff_delimiter
from core.bulk.validation import scan, validate
from core.errors import ValidationFailedError

BLOG = "topic,keywords,tone,length,language\nHow to choose running shoes,\"shoes, running\",friendly,short,en\n"
PERSIAN = "راهنمای انتخاب کفش دویدن"
CHINESE = "如何选择跑步鞋"


def _rows(data: bytes, kind: str = "blog", overrides=None) -> list:
    report, rows = validation.scan(data, kind, overrides)
    return list(rows), report


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
    ("utf-16-be", "utf-16-be"),
])
def test_unicode_encodings_keep_rtl_and_cjk_text(encoding, expected):
    text = f"topic;language\n{PERSIAN};fa\n{CHINESE}指南;zh\n"
    data = text.encode(encoding)
    assert detect_encoding(data) == expected
    rows, report = _rows(data)
    assert [r.request["topic"] for r in rows] == [PERSIAN, CHINESE + "指南"]
    assert [r.request["language"] for r in rows] == ["fa", "zh"]
    assert report.delimiter == "semicolon" and not report.problems


def test_cp1252_file_from_old_excel():
    data = "topic,tone\nCafé crème: the perfect espresso — a guide,friendly\n".encode("cp1252")
    assert detect_encoding(data) == "cp1252"
    rows, _ = _rows(data)
    assert rows[0].request["topic"] == "Café crème: the perfect espresso — a guide"


def test_bom_does_not_leak_into_the_first_header():
    table = open_table(codecs.BOM_UTF8 + BLOG.encode())
    assert table.header[0] == "topic" and table.encoding == "utf-8-sig"


@pytest.mark.parametrize("delimiter,name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiters_are_sniffed(delimiter, name):
    text = delimiter.join(["topic", "keywords", "language"]) + "\n" + delimiter.join(
        ["How to choose running shoes", '"shoes, running; trail"', "en"]) + "\n"
    rows, report = _rows(text.encode())
    assert report.delimiter == name
    assert rows[0].request["keywords"] == ["shoes", "running; trail"]


def test_delimiter_inside_quoted_header_is_ignored():
    assert sniff_delimiter('"name; with semicolon",topic\n') == ","
    assert sniff_delimiter("topic\n") == ","


def test_empty_file():
    for data in (b"", b"   \r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE):
        with pytest.raises(ValidationFailedError, match="The file is empty"):
            validate(data, "blog")


def test_header_only():
    with pytest.raises(ValidationFailedError, match="header row but no data rows"):
        validate(b"topic,keywords\n", "blog")
    with pytest.raises(ValidationFailedError, match="header row but no data rows"):
        validate(b"topic,keywords\n,\n\n", "blog")


def test_missing_required_column_names_it_and_the_fix():
    with pytest.raises(ValidationFailedError) as caught:
        validate(b"keywords,tone\nshoes,friendly\n", "blog")
    message = str(caught.value)
    assert "no column for topic" in message and "keywords, tone" in message and "--map topic=COLUMN" in message
    with pytest.raises(ValidationFailedError, match="no column for name"):
        validate(b"topic\nsomething long enough\n", "product")


def test_headers_are_mapped_automatically_by_synonym():
    data = b"Subject,Focus Keywords,Lang,Voice\nHow to choose running shoes,shoes,German,Friendly\n"
    rows, report = _rows(data)
    assert report.mapping == {"topic": "Subject", "keywords": "Focus Keywords", "tone": "Voice", "language": "Lang"}
    assert rows[0].request == {**rows[0].request, "topic": "How to choose running shoes", "language": "de",
                               "tone": "friendly", "keywords": ["shoes"]}


def test_store_export_columns_are_not_taken_for_outline_brand_or_tone():
    store = ["Title", "Section", "Brand", "Style", "Tags"]  # a shop's section, the product's brand, its cut
    assert mapping.auto_map("blog", store) == {"topic": "Title", "keywords": "Tags"}
    assert "brand_profile" not in mapping.auto_map("product", store)
    assert mapping.auto_map("blog", ["Topic", "Outline", "Brand voice", "Writing style"]) == {
        "topic": "Topic", "sections": "Outline", "brand_profile": "Brand voice", "tone": "Writing style"}
    assert mapping.auto_map("blog", ["Topic", "Sections"])["sections"] == "Sections"  # the field's own name
    woo = ["ID", "Type", "SKU", "Name", "Section", "Brands", "Description"]
    assert mapping.auto_map("product", woo) == {"name": "Name", "woo_product_id": "ID", "sku": "SKU",
                                                "description": "Description"}


def test_explicit_mapping_wins_and_unmaps():
    data = b"Title,Idea,notes\nA short title,How to choose running shoes,ignored\n"
    rows, report = _rows(data, overrides={"topic": "Idea"})
    assert rows[0].request["topic"] == "How to choose running shoes"
    assert report.ignored_columns == ["Title", "notes"]
    with pytest.raises(ValidationFailedError, match="no column for topic"):
        validate(data, "blog", {"topic": ""})


def test_map_option_parsing_and_mistakes():
    assert mapping.parse_map_option("topic=Subject, keywords = Focus words") == {
        "topic": "Subject", "keywords": "Focus words"}
    assert mapping.parse_map_option('"topic=Subject, with comma"') == {"topic": "Subject, with comma"}
    with pytest.raises(ValidationFailedError, match="not FIELD=COLUMN"):
        mapping.parse_map_option("topic")
    with pytest.raises(ValidationFailedError, match="no column 'Nope'"):
        validate(BLOG.encode(), "blog", {"topic": "Nope"})
    with pytest.raises(ValidationFailedError, match="Unknown field 'title'"):
        validate(BLOG.encode(), "blog", {"title": "topic"})


def test_quoted_newlines_stay_in_the_cell_and_rows_count_like_a_spreadsheet():
    data = ('topic,sections\n"How to choose\nrunning shoes","Intro, Fit"\n'
            'Shoe,Intro\n"Trail running for beginners",""\n').encode()
    report = validate(data, "blog")
    rows, _ = _rows(data)
    assert rows[0].request["topic"] == "How to choose\nrunning shoes" and rows[0].row == 2
    assert rows[1].row == 4
    assert [(p.row, p.column) for p in report.errors] == [(3, "topic")]
    assert "at least 5 characters" in report.errors[0].message


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_kept():
    data = ("topic,keywords,length,language\n"
            "How to choose running shoes,shoes,short,en\n"
            "Shoe,shoes,short,en\n"
            "Marathon training plan,,huge,en\n"
            "Trail running for beginners,,short,klingon\n"
            "Too many keywords here," + '"' + ",".join(f"k{i}" for i in range(11)) + '"' + ",short,en\n"
            ",,,\n"
            "Recovery after a long run,,short,en,extra cell\n").encode()
    report = validate(data, "blog")
    assert (report.total, report.good, report.bad, report.blank) == (6, 1, 5, 1)
    by_row = {p.row: p for p in report.errors}
    assert by_row[3].column == "topic" and "at least 5 characters" in by_row[3].message
    assert by_row[4].column == "length" and "'short', 'medium' or 'long'" in by_row[4].message
    assert by_row[5].column == "language" and "Unknown language 'klingon'" in by_row[5].message
    assert by_row[6].column == "keywords" and "at most 10" in by_row[6].message
    assert by_row[8].column == "(row)" and "5 cells but the header has 4" in by_row[8].message


def test_formula_like_cells_are_kept_as_text_with_a_warning():
    data = ("topic,keywords\n"
            "=HYPERLINK(\"http://evil.example\";\"Click\"),shoes\n"
            "+1 tips for running shoes,@mention\n"
            "-10% off running shoes: worth it?,shoes\n").encode()
    rows, report = _rows(data)
    assert [r.request["topic"] for r in rows] == ['=HYPERLINK("http://evil.example";"Click")',
                                                  "+1 tips for running shoes", "-10% off running shoes: worth it?"]
    assert rows[1].request["keywords"] == ["@mention"]
    assert report.bad == 0 and len(report.warnings) == 4
    assert {(w.row, w.column) for w in report.warnings} == {(2, "topic"), (3, "topic"), (3, "keywords"), (4, "topic")}
    assert "escaped in exports" in report.warnings[0].message


def test_a_row_that_will_not_run_is_not_listed_with_the_notes_of_rows_that_run():
    rows, report = _rows(b"topic,keywords\n=1+1,shoes\n+1 tips for running shoes,shoes\n")
    assert [p.row for p in report.errors] == [2] and len(rows) == 1  # too short to be a topic
    assert [w.row for w in report.warnings] == [3]


def test_a_row_asking_for_what_an_earlier_row_asks_runs_with_a_warning_naming_that_row():
    data = ("topic,keywords,tone\n"
            "How to choose running shoes,shoes,friendly\n"
            "How to choose trail shoes,shoes,friendly\n"
            "  How to choose running shoes ,shoes,friendly\n"  # the same once trimmed
            "How to choose running shoes,shoes,professional\n"  # another tone: another post
            "How to choose running shoes,shoes,friendly\n").encode()
    rows, report = _rows(data)
    assert len(rows) == 5 and report.good == 5 and report.bad == 0, "repeats still run: two versions may be wanted"
    assert [(w.row, w.column) for w in report.warnings] == [(4, "topic"), (6, "topic")]
    assert all("The same as row 2" in w.message and "twice" in w.message for w in report.warnings)


def test_product_rows_attributes_features_and_woo_id():
    data = ("name,features,attributes,woo_product_id,language\n"
            "TrailFlex shoe,light; firm midsole,color=blue; size: 42,123,English\n"
            "JSON shoe,,\"{\"\"color\"\": \"\"red\"\"}\",,en\n"
            "Broken shoe,,color blue,12a,en\n").encode()
    rows, report = _rows(data, "product")
    assert rows[0].request["features"] == ["light", "firm midsole"]
    assert rows[0].request["attributes"] == {"color": "blue", "size": "42"}
    assert rows[0].woo_product_id == 123 and rows[0].request["language"] == "en"
    assert rows[1].request["attributes"] == {"color": "red"} and rows[1].woo_product_id is None
    assert {p.column for p in report.errors} == {"attributes", "woo_product_id"}
    assert report.bad == 1


def test_hundred_thousand_rows_are_validated_streaming():
    lines = ["topic,keywords,language"] + [f"Running shoe guide number {i},shoes,en" for i in range(100_000)]
    report = validate(("\n".join(lines) + "\n").encode(), "blog")
    assert (report.total, report.good, report.bad) == (100_000, 100_000, 0)


def test_more_rows_than_allowed_are_refused(monkeypatch):
    monkeypatch.setattr(validation, "MAX_ROWS", 3)
    data = ("topic\n" + "".join(f"Running shoe guide {i}\n" for i in range(4))).encode()
    with pytest.raises(ValidationFailedError, match="more than 3 rows: split it"):
        validate(data, "blog")


def test_unterminated_quote_does_not_swallow_the_file(monkeypatch):
    from core.bulk import csvfile

    monkeypatch.setattr(csvfile, "MAX_CELL_CHARS", 1000)
    data = ('topic\n"How to choose running shoes\n' + "more text\n" * 200).encode()
    with pytest.raises(ValidationFailedError, match="Row 2 cannot be read.*quotes"):
        validate(data, "blog")


def test_header_row_without_names():
    with pytest.raises(ValidationFailedError, match="no column names"):
        validate(b",,\nHow to choose running shoes,,\n", "blog")


@pytest.mark.parametrize("kind", ["blog", "product"])
def test_templates_validate_cleanly(kind):
    data = mapping.template_csv(kind)
    assert data.startswith(codecs.BOM_UTF8)
    report = validate(data, kind)
    assert report.good == report.total >= 1 and not report.problems
    assert set(report.mapping) == set(mapping.FIELDS[kind]) and not report.ignored_columns


@pytest.mark.parametrize("data,what", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)), "a PNG image"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "an Excel workbook"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    (bytes(range(256)) * 4, "a binary file"),
    (b"topic,keywords\nCaf\xe9 cr\xe8me recipes,caf\xe9\n\xff\xfe\x00bad\x81\x8d,x\n", "a binary file"),  # a NUL byte
])
def test_a_renamed_image_or_workbook_is_not_blamed_on_the_encoding(data, what):
    with pytest.raises(ValidationFailedError, match=f"not a CSV or text file: it looks like {what}") as caught:
        validate(data, "blog")
    assert "encoding" not in str(caught.value)


def test_a_utf8_file_with_a_damaged_byte_stays_utf8_and_only_that_row_is_refused():
    data = "topic,keywords\nCafé crème recipes for winter,café\nStray byte here: X,x\n".encode().replace(b"X", b"\xe9")
    report, rows = scan(data, "blog")
    good = list(rows)
    assert report.encoding == "utf-8" and [row.request["topic"] for row in good] == ["Café crème recipes for winter"]
    assert [(p.row, p.column, p.level) for p in report.problems] == [(3, "topic", "error")]
    assert "not utf-8 text (shown as \ufffd)" in report.problems[0].message


def test_every_bad_cell_of_a_row_is_reported_at_once():
    report = validate(b"topic,length,language\nTrail running for beginners,huge,xx\n", "blog")
    assert report.good == 0 and {p.column for p in report.errors} == {"language", "length"}


def test_a_subject_of_invisible_characters_only_is_refused_in_words():
    report = validate("topic\n\u200b\u200b\u200b\u200b\u200b\u200b\nگزارش\u200cهای سئو برای فروشگاه\n".encode(), "blog")
    assert report.good == 1, "a zero-width non-joiner inside Persian words is part of them"
    assert [(p.row, p.message) for p in report.errors] == [(2, "The topic has no letters or digits.")]
    products = validate("name\n\u200b\u200b\u200b\nTrailFlex shoe\n".encode(), "product")
    assert [(p.row, p.message) for p in products.errors] == [(2, "The name has no letters or digits.")]


def test_a_row_naming_a_brand_profile_there_is_not_is_refused_before_it_runs():
    data = b"topic,brand_profile\nTrail running for beginners, house  STYLE\nRoad running for beginners,Nope\n"
    report = validate(data, "blog", profiles=frozenset({"house style"}))
    assert report.good == 1 and [(p.row, p.column) for p in report.errors] == [(3, "brand_profile")]
    assert "There is no brand profile named 'Nope'" in report.errors[0].message
    assert validate(data, "blog").good == 2, "unchecked when the caller has no database to ask"


def test_a_few_invisible_characters_are_no_subject_not_a_short_one():
    report = validate("topic\n\u200b\u200b\u200b\nTrail running for beginners\n".encode(), "blog")
    assert [(p.row, p.message) for p in report.errors] == [(2, "The topic has no letters or digits.")]
