"""Choosing a legacy-code-page file's encoding with the rows' declared languages as evidence.

Excel's plain "CSV" is saved in the Windows code page of the machine's locale, which the bytes alone
often cannot tell apart: Persian letters from Windows-1256 also decode as Windows-1252 (as mojibake).
Each candidate is tried on the first rows; the one whose text is written in the scripts its rows'
languages need wins, then the one that is those languages' own code page, then the more likely one
(Windows-1252 first: rows without a declared language give no evidence).
"""

from ..errors import ValidationFailedError
from ..text import script_share
from .csvfile import Table, encoding_candidates, open_table
from .mapping import language_code, resolve

# The Windows ("ANSI") code page Excel uses for each language's locale; the rest use Windows-1252.
CODE_PAGES = {"fa": "cp1256", "ar": "cp1256", "ja": "cp932", "zh": "gb18030", "ko": "cp949"}
SAMPLE_ROWS = 200
TEXT_FIELDS = ("topic", "name", "keywords", "features", "category")


def open_with_evidence(data: bytes, kind: str, overrides: dict[str, str] | None) -> tuple[Table, dict[str, int]]:
    """The file opened in its most likely encoding, and its column mapping."""
    candidates = encoding_candidates(data, extra=tuple(dict.fromkeys(CODE_PAGES.values())))
    if len(candidates) == 1:
        table = open_table(data, candidates[0])
        return table, resolve(kind, table.header, overrides)
    best, first_error = None, None
    for position, encoding in enumerate(candidates):
        try:
            table = open_table(data, encoding)
            columns = resolve(kind, table.header, overrides)
            key = (*_evidence(table, columns, encoding), -position)
        except ValidationFailedError as exc:  # this decoding garbles the header or quotes: not the encoding
            first_error = first_error or exc
            continue
        if best is None or key > best[0]:
            best = (key, table, columns)
    if best is None:
        raise first_error
    return best[1], best[2]


def _evidence(table: Table, columns: dict[str, int], encoding: str) -> tuple[float, int]:
    """(how well the sampled rows' text fits their languages' scripts, rows whose code page this is)."""
    fit, native = 0.0, 0
    for count, (_, cells) in enumerate(table.rows()):
        if count >= SAMPLE_ROWS:
            break
        cell = cells[columns["language"]] if "language" in columns and columns["language"] < len(cells) else ""
        language = language_code(cell) if cell.strip() else None
        if language is None:  # no declared language, no evidence: the candidates' order decides
            continue
        text = " ".join(cells[i] for name, i in columns.items() if name in TEXT_FIELDS and i < len(cells))
        share = script_share(text, language)
        fit += share if share is not None else 0.0
        native += CODE_PAGES.get(language, "cp1252") == encoding
    return round(fit, 6), native
