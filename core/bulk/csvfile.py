"""Reading uploaded CSV files: encoding detection, delimiter sniffing and streaming rows."""

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import charset_normalizer

from ..errors import ValidationFailedError
from ..i18n import N_, _

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab")}
_CHUNK = 1 << 20
# File signatures of what people upload by mistake (image, PDF, workbook, archive).
BINARY_SIGNATURES = {b"\x89PNG\r\n\x1a\n": N_("a PNG image"), b"\xff\xd8\xff": N_("a JPEG image"),
                     b"GIF8": N_("a GIF image"), b"%PDF-": N_("a PDF document"),
                     b"PK\x03\x04": N_("an Excel workbook or another ZIP archive"),
                     b"\xd0\xcf\x11\xe0": N_("an old Excel (.xls) or Office file"), b"RIFF": N_("a media file"),
                     b"\x1f\x8b": N_("a gzip archive")}
# Big enough for a long brand profile, small enough that a broken quote cannot swallow the file.
MAX_CELL_CHARS = 100_000
DETECT_BYTES = 1 << 20
# Checked on the raw bytes before any parsing: a header of megabytes of commas must cost nothing.
MAX_HEADER_BYTES = 64 * 1024
MAX_COLUMNS = 500
DETECTOR_GUESSES = 6
UNREADABLE = "\ufffd"  # what a byte that is not text in the file's encoding reads as
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
HEADER_SEARCH_ROWS = 10  # title rows Excel exports put above the header (report name, date, blank lines)


@dataclass
class Table:
    """An uploaded file opened for reading: how it was decoded, its header, and its rows on demand."""

    data: bytes
    encoding: str
    delimiter: str
    header: list[str]
    header_row: int = 1  # the spreadsheet row the column names were taken from

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(spreadsheet row number, cells) for each data row, after the header row."""
        reader = _reader(self.data, self.encoding, self.delimiter)
        for _skipped in range(self.header_row):
            next(reader, None)
        row_number = self.header_row
        try:
            for row_number, cells in enumerate(reader, start=self.header_row + 1):
                yield row_number, cells
        except csv.Error as exc:
            raise ValidationFailedError(_("Row {row} cannot be read ({exc}); check its quotes and save the file "
                                          "again as CSV.").format(row=row_number + 1, exc=exc)) from None

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.delimiter]


def open_table(data: bytes, encoding: str | None = None) -> Table:
    """Detect (or take) the encoding, sniff the delimiter and read the header; ValidationFailedError if none."""
    if len(data) <= 65536 and not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ValidationFailedError(_("The file is empty: add a header row and at least one data row."))
    refuse_binary(data)
    refuse_huge_header(data)
    encoding = encoding or detect_encoding(data)
    refuse_binary(data, encoding)
    delimiter = sniff_delimiter(_head_text(data, encoding))
    head = _head_rows(data, encoding, delimiter)
    first = head[0] if head else []
    named = sum(1 for cell in first if cell.strip())
    header_row = 1 if named and (named * 2 > len(first) or len(first) < 3) else (
        find_header_row(head) or (1 if named else None))
    if header_row is None:
        raise ValidationFailedError(_("The first row has no column names: the first row must be the header."))
    header = [cell.strip() or f"column {index}" for index, cell in enumerate(head[header_row - 1], start=1)]
    return Table(data=data, encoding=encoding, delimiter=delimiter, header=header, header_row=header_row)


def _head_rows(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    """The first rows, where the header is looked for; a row past the first that cannot be read ends them (the
    data rows report it with its row number)."""
    reader, head = _reader(data, encoding, delimiter), []
    try:
        for cells in itertools.islice(reader, HEADER_SEARCH_ROWS + 1):
            head.append(cells)
    except csv.Error as exc:
        if not head:
            raise ValidationFailedError(_("The header row cannot be read ({exc}); save the file again as CSV.")
                                        .format(exc=exc)) from None
    return head


def find_header_row(head: list[list[str]]) -> int | None:
    """The 1-based row of the column names below title rows: the first row with most cells filled that is
    followed straight away by another such row (its first data row); None if there is none."""
    def filled(cells: list[str]) -> bool:
        count = sum(1 for cell in cells if cell.strip())
        return count >= 2 and count * 2 > len(cells)
    return next((index + 1 for index in range(len(head) - 1) if filled(head[index]) and filled(head[index + 1])),
                None)


def refuse_huge_header(data: bytes) -> None:
    """ValidationFailedError if the first line is over MAX_HEADER_BYTES or has over MAX_COLUMNS columns."""
    end = data.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0 and len(data) > MAX_HEADER_BYTES:
        raise ValidationFailedError(_("The header row is longer than {size} KB: the first row must hold only the "
                                      "column names. Check that the file is a CSV with one row per line.")
                                    .format(size=MAX_HEADER_BYTES // 1024))
    first = data[:end if end >= 0 else len(data)]
    columns = 1 + max(first.count(delimiter.encode()) for delimiter in DELIMITERS)
    if columns > MAX_COLUMNS:
        raise ValidationFailedError(_("The header row has {columns:,} columns; at most {max_columns} are allowed. "
                                      "Remove the empty or unused columns and save the file again.")
                                    .format(columns=columns, max_columns=MAX_COLUMNS))


def refuse_binary(data: bytes, encoding: str | None = None) -> None:
    """ValidationFailedError if data is an image, PDF, workbook or other non-text file, saying what it is.

    Without an encoding only known file signatures are checked; with one, the decoded start of the file
    must be text: at most 1 in 20 characters may be control characters or undecodable.
    """
    what = next((name for magic, name in BINARY_SIGNATURES.items() if data.startswith(magic)), None)
    if what is None and encoding:
        head = data[:4096].decode(encoding, errors="replace")
        odd = sum(1 for char in head if char == "\ufffd" or (ord(char) < 32 and char not in "\t\r\n\f"))
        what = N_("a binary file") if odd * 20 > len(head) else None
    if what:
        _refuse(what)


def _refuse(what: str) -> None:
    hint = " " + (_("In Excel, use File → Save As → “CSV UTF-8”.") if "Excel" in what else
                  _("Upload the spreadsheet saved as CSV (File → Save As → CSV)."))
    raise ValidationFailedError(_("This is not a CSV or text file: it looks like {what}, whatever its name "
                                  "says.{hint}").format(what=_(what), hint=hint))


def detect_encoding(data: bytes) -> str:
    """The most likely encoding: the first of encoding_candidates()."""
    return encoding_candidates(data)[0]


def encoding_candidates(data: bytes, extra: tuple[str, ...] = ()) -> list[str]:
    """Encodings the file may be in, most likely first; more than one only for legacy code pages.

    UTF-8 (with or without BOM) and UTF-16 (BOM or zero-byte pattern) are certain. Otherwise the file
    is in a legacy code page: Windows-1252 (Excel's Western default), the `extra` code pages, then
    charset-normalizer's guesses, keeping those that decode the whole file. Choosing between them
    needs the rows' languages: core.bulk.encodings does that.
    """
    if data.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]
    head = data[:4096]
    zeros_even, zeros_odd = head[0::2].count(0), head[1::2].count(0)
    if max(zeros_even, zeros_odd) >= 2 and min(zeros_even, zeros_odd) * 10 <= max(zeros_even, zeros_odd):
        # UTF-16 without a BOM: text files never hold NUL bytes, but ASCII in UTF-16 puts one on one side.
        guess = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        if _decodes(data, guess):
            return [guess]
    if b"\x00" in head:  # no 8-bit text encoding leaves NUL bytes in a text file
        refuse_binary(data)  # ... but say so by name for an image or a workbook
        _refuse("a binary file")
    if _decodes(data, "utf-8") or _mostly_utf8(data):
        return ["utf-8"]
    sample = data[:DETECT_BYTES].rsplit(b"\n", 1)[0] if len(data) > DETECT_BYTES else data
    guesses = [match.encoding for match in charset_normalizer.from_bytes(sample)][:DETECTOR_GUESSES]
    names = dict.fromkeys(codecs.lookup(name).name for name in ("cp1252", *extra, *guesses))
    found = [name for name in names if _decodes(data, name)]
    if not found:
        raise ValidationFailedError(_("The file's text encoding could not be recognised: save it again as 'CSV "
                                      "UTF-8' and upload it again."))
    return found


def sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that occurs most often in the header line, outside quotes."""
    counts, quoted = dict.fromkeys(DELIMITERS, 0), False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start:start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 text with a few damaged bytes (files pasted together, an editor's slip): at least twice as many valid
    non-ASCII characters as undecodable bytes. Read as UTF-8, its damaged cells show U+FFFD and their rows are
    refused (core.bulk.validation), rather than every accented letter of the file garbled as Windows-1252."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count(UNREADABLE)
    return 0 < damaged and 2 * damaged <= len(_NON_ASCII.findall(text)) - damaged


def _head_text(data: bytes, encoding: str) -> str:
    return data[:65536].decode(encoding, errors="ignore").lstrip("\ufeff")


def _reader(data: bytes, encoding: str, delimiter: str):
    csv.field_size_limit(MAX_CELL_CHARS)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    return csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


def rows_to_csv(rows: list[dict]) -> bytes:
    """JSON rows (field → value; lists joined, dicts as key=value pairs) as a UTF-8 CSV the validator reads."""
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise ValidationFailedError(_("Send rows as a non-empty list of objects, e.g. [{\"topic\": \"...\"}]."))
    header = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(key, row.get(key)) for key in header] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ("; " if key == "features" else ", ").join(map(str, value))
    return str(value)
