"""Where samples come from: pasted text and uploaded .txt, .md, .html and .csv files."""

import csv
import io
import re
from pathlib import PurePath

from ..errors import ValidationFailedError
from ..text import cut_to_units
from .analysis import html_to_text, markdown_to_text
from .languages import detect_language
from .profiles import MAX_SAMPLE_CHARS, SampleIn
from ..i18n import _

MAX_UPLOAD_BYTES = 2_000_000
MAX_CSV_ROWS = 500
MIN_SAMPLE_CHARS = 40
TEXT_COLUMNS = ("text", "content", "body", "post_content", "description", "copy", "sample")
UPLOAD_TYPES = ("txt", "md", "markdown", "html", "htm", "csv")


def tidy(text: str) -> str:
    """Trim trailing spaces and runs of blank lines, keeping paragraph breaks."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sample(text: str, source: str, language: str | None = None, title: str = "") -> SampleIn:
    """One sample from plain text, its language detected unless given."""
    text = tidy(text)
    if len(text) < MIN_SAMPLE_CHARS:
        raise ValidationFailedError(_("The sample from {source} is too short: give at least {min_sample_chars} "
                                      "characters of real writing.")
                                    .format(source=source, min_sample_chars=MIN_SAMPLE_CHARS))
    return SampleIn(text=cut_to_units(text, MAX_SAMPLE_CHARS), language=language or detect_language(text),
                    source=cut_to_units(source, 255), title=cut_to_units(title, 255))


def from_paste(text: str, language: str | None = None) -> list[SampleIn]:
    """Pasted text; a line of three dashes separates several samples."""
    parts = [part for part in re.split(r"^\s*-{3,}\s*$", text, flags=re.MULTILINE) if part.strip()]
    if not parts:
        raise ValidationFailedError(_("Paste some of your writing first."))
    return [sample(part, "paste", language) for part in parts]


def from_upload(filename: str, data: bytes, language: str | None = None) -> list[SampleIn]:
    """Samples from one uploaded file: a whole .txt/.md/.html file, or one per row of a .csv."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise ValidationFailedError(_("{filename}: upload .txt, .md, .html or .csv files.")
                                    .format(filename=filename))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailedError(_("{filename} is larger than 2 MB; split it or upload fewer posts at once.")
                                    .format(filename=filename))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailedError(_("{filename} is not UTF-8 text; save it as UTF-8 and upload it again.")
                                    .format(filename=filename)) from None
    source = f"file:{PurePath(filename).name}"
    if suffix == "csv":
        return _from_csv(text, source, language)
    if suffix in {"md", "markdown"}:
        text = markdown_to_text(text)
    elif suffix in {"html", "htm"}:
        text = html_to_text(text)
    return [sample(text, source, language, title=PurePath(filename).stem)]


def _from_csv(text: str, source: str, language: str | None) -> list[SampleIn]:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not rows[0]:
        raise ValidationFailedError(_("{source} has no rows under a header line.")
                                    .format(source=source.removeprefix('file:')))
    column = _text_column(rows)
    found = []
    for number, row in enumerate(rows[:MAX_CSV_ROWS], start=2):
        value = (row.get(column) or "").strip()
        if len(value) >= MIN_SAMPLE_CHARS:
            found.append(sample(html_to_text(value) if "<" in value else value, f"{source}:{number}", language,
                                title=(row.get("title") or "").strip()))
    if not found:
        raise ValidationFailedError(_("{source}: no row has {min_sample_chars}+ characters of text in the "
                                      "{column!r} column.")
                                    .format(source=source.removeprefix('file:'), min_sample_chars=MIN_SAMPLE_CHARS,
                                            column=column))
    return found


def _text_column(rows: list[dict]) -> str:
    """The column called text/content/body…, or else the one with the longest values."""
    columns = [c for c in rows[0] if c]
    for name in TEXT_COLUMNS:
        for column in columns:
            if column.strip().lower() == name:
                return column
    return max(columns, key=lambda c: sum(len(row.get(c) or "") for row in rows))
