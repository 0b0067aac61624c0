"""Row-by-row validation with the pydantic request schemas, and the report shown before a job runs."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..brand.profiles import profile_key
from ..errors import ValidationFailedError
from ..schemas import LANGUAGES, ContentRequest, ProductRequest
from ..spreadsheet import FORMULA_PREFIXES
from ..text import in_script, script_name
from . import woo_csv
from .csvfile import UNREADABLE, Table
from .encodings import open_with_evidence
from .mapping import FIELDS, check_kind, language_code
from ..i18n import _, language_name

MAX_ROWS = 100_000
_REQUEST = {"blog": ContentRequest, "product": ProductRequest}


@dataclass
class Problem:
    """Something wrong (level error: the row is skipped) or worth knowing (warning) about one cell."""

    row: int
    column: str
    message: str
    level: str = "error"


@dataclass
class GoodRow:
    """A row that passed validation: its request as JSON, and the WooCommerce id if it had one."""

    row: int
    request: dict
    woo_product_id: int | None = None


@dataclass
class Report:
    """What validation found: counts, every problem by row and column, and how the file was read."""

    kind: str
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    ignored_columns: list[str]
    total: int = 0
    good: int = 0
    blank: int = 0
    problems: list[Problem] = field(default_factory=list)
    woocommerce: str | None = None  # the language of a recognised WooCommerce export
    attribute_columns: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # rows that are not products of their own
    header_row: int = 1  # the row the column names were read from (title rows above it are skipped)

    @property
    def bad(self) -> int:
        return len({p.row for p in self.problems if p.level == "error"})

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Notes on rows that run: a row with an error does not, so its notes wait until it is fixed."""
        refused = {p.row for p in self.problems if p.level == "error"}
        return [p for p in self.problems if p.level == "warning" and p.row not in refused]


def validate(data: bytes, kind: str, overrides: dict[str, str] | None = None,
             profiles: frozenset[str] | None = None) -> Report:
    """Validate every row of an uploaded file without keeping the good rows in memory; `profiles`: the brand
    profiles there are (brand.profile_keys()), to refuse rows naming another (None: not checked)."""
    report, rows = scan(data, kind, overrides, profiles)
    for _row in rows:
        pass
    return report


def scan(data: bytes, kind: str, overrides: dict[str, str] | None = None,
         profiles: frozenset[str] | None = None) -> tuple[Report, Iterator[GoodRow]]:
    """The report (filled in as the iterator runs) and an iterator over the good rows (`profiles`: validate())."""
    table, columns = open_with_evidence(data, check_kind(kind), overrides)
    layout = woo_csv.detect(table.header) if kind == "product" else None
    mapping = {name: table.header[index] for name, index in columns.items()}
    used = set(columns.values()) | (layout.used if layout else set())
    report = Report(kind=kind, encoding=table.encoding, delimiter=table.delimiter_name, mapping=mapping,
                    ignored_columns=[h for i, h in enumerate(table.header) if i not in used],
                    woocommerce=layout.language if layout else None, header_row=table.header_row,
                    attribute_columns=[table.header[i] for pair in (layout.attributes if layout else [])
                                       for i in pair])
    return report, _good_rows(table, kind, columns, report, layout, profiles)


def _good_rows(table: Table, kind: str, columns: dict[str, int], report: Report,
               layout: woo_csv.WooLayout | None = None, profiles: frozenset[str] | None = None) -> Iterator[GoodRow]:
    seen: dict[int, int] = {}  # hash of a good row's request → its row: 100k rows cost a few MB, not their text
    for row_number, cells in table.rows():
        if not any(cell.strip() for cell in cells):
            report.blank += 1
            continue
        if layout and (reason := layout.skip_reason(cells)):
            name = layout.cell(cells, "name") or layout.cell(cells, "sku") or f"row {row_number}"
            report.skipped.append(Problem(row_number, table.header[layout.columns["type"]],
                                          _("{name}: skipped, {reason}.").format(name=name, reason=reason), "skipped"))
            continue
        report.total += 1
        if report.total > MAX_ROWS:
            raise ValidationFailedError(_("The file has more than {max_rows:,} rows: split it into several files "
                                          "and start one job for each.").format(max_rows=MAX_ROWS))
        good, problems = check_row(kind, row_number, cells, columns, table.header, table.encoding, layout, profiles)
        report.problems.extend(problems)
        if good is not None:
            if (first := seen.setdefault(_fingerprint(good), row_number)) != row_number:
                report.problems.append(_repeat(kind, row_number, first, table.header, columns))
            report.good += 1
            yield good
    if report.total == 0 and report.skipped:
        raise ValidationFailedError(_("All {skipped_count} rows are variations: export their variable products too "
                                      "(WooCommerce → Products → Export, all product types).")
                                    .format(skipped_count=len(report.skipped)))
    if report.total == 0:
        raise ValidationFailedError(_("The file has a header row but no data rows: add one row per post below the header.") if kind == "blog"
                                    else _("The file has a header row but no data rows: add one row per product below "
                                           "the header."))


def _fingerprint(good: GoodRow) -> int:
    return hash((json.dumps(good.request, sort_keys=True, ensure_ascii=False), good.woo_product_id))


def _repeat(kind: str, row_number: int, first: int, header: list[str], columns: dict[str, int]) -> Problem:
    """A warning: the row asks for exactly what an earlier row does, so it would be written (and paid) twice."""
    subject = "topic" if kind == "blog" else "name"
    column = header[columns[subject]] if subject in columns else "(row)"
    return Problem(row_number, column, _("The same as row {first}: it will be written (and paid for) twice. "
                                         "Remove one of them unless you want two versions.").format(first=first),
                   "warning")


def check_row(kind: str, row_number: int, cells: list[str], columns: dict[str, int], header: list[str],
              encoding: str = "utf-8", layout: woo_csv.WooLayout | None = None,
              profiles: frozenset[str] | None = None) -> tuple[GoodRow | None, list[Problem]]:
    """Validate one row: a GoodRow (None if it has errors) and its problems and warnings."""
    problems = []
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
        problems.append(Problem(row_number, "(row)", _("The row has {cells_count} cells but the header has "
                                                       "{header_count}: check for an unquoted delimiter in a cell.")
                                                     .format(cells_count=len(cells), header_count=len(header))))
    values = {name: cells[index].strip() for name, index in columns.items()
              if index < len(cells) and cells[index].strip()}
    for name, value in values.items():
        if UNREADABLE in value:
            problems.append(Problem(row_number, header[columns[name]], _(
                "Has bytes that are not {encoding} text (shown as {mark}): retype this cell, or save the file "
                "again as 'CSV UTF-8' and upload it again.").format(encoding=encoding, mark=UNREADABLE)))
        if value.startswith(FORMULA_PREFIXES):
            problems.append(Problem(row_number, header[columns[name]], _("Starts with {value!r}: used as plain text "
                                                                         "and escaped in exports so spreadsheets do "
                                                                         "not run it.").format(value=value[0]),
                                    "warning"))
    woo_id, fields = _pop_woo_id(values, row_number, header, columns, problems)
    request = _request(kind, fields, cells, layout, problems, (row_number, header, columns))
    if request is None:
        return None, problems
    subject = "topic" if kind == "blog" else "name"
    if "language" in fields and not in_script(getattr(request, subject), request.language):
        problems.append(Problem(row_number, header[columns[subject]], _wrong_script(request.language, encoding)))
    named = request.brand_profile
    if named and profiles is not None and profile_key(named) not in profiles:
        problems.append(Problem(row_number, header[columns["brand_profile"]], _(
            "There is no brand profile named {name!r}: pick one on the Brand voice page, or leave the field empty.")
            .format(name=named)))
    if any(p.level == "error" for p in problems):
        return None, problems
    return GoodRow(row_number, request.model_dump(mode="json"), woo_id), problems


def _request(kind: str, fields: dict, cells: list[str], layout, problems: list[Problem], where: tuple):
    """The row's request, or None with every cell's problem added (a bad cell does not hide the others' problems);
    where: (row number, header, columns)."""
    row_number, header, columns = where
    cell_errors = 0
    while True:
        try:
            coerced = _coerce(kind, fields)
            if layout and (pairs := layout.attribute_values(cells)):
                coerced["attributes"] = {**pairs, **coerced.get("attributes", {})}
            request = _REQUEST[kind].model_validate(coerced)
            return None if cell_errors else request
        except _CellError as exc:
            problems.append(Problem(row_number, header[columns[exc.field]], str(exc)))
            fields, cell_errors = {k: v for k, v in fields.items() if k != exc.field}, cell_errors + 1
        except ValidationError as exc:
            problems.extend(_problems_from(exc, row_number, header, columns))
            return None


def _wrong_script(language: str, encoding: str) -> str:
    return (_("Not written in {script}, as {language} needs (the file was read as {encoding}): if the text looks "
              "garbled, save the file as 'CSV UTF-8' and upload it again; otherwise fix the language column.")
            .format(script=script_name(language), language=language_name(language), encoding=encoding))


class _CellError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _pop_woo_id(values: dict, row_number: int, header: list[str], columns: dict[str, int],
                problems: list[Problem]) -> tuple[int | None, dict]:
    raw = values.pop("woo_product_id", None)
    if raw is None:
        return None, values
    if raw.isdigit() and 0 < int(raw) < 2**31:
        return int(raw), values
    problems.append(Problem(row_number, header[columns["woo_product_id"]],
                            _("{raw!r} is not a WooCommerce product id: use a whole number such as 123, or leave "
                              "the cell empty.").format(raw=raw)))
    return None, values


def _coerce(kind: str, values: dict[str, str]) -> dict:
    """Spreadsheet-friendly spellings turned into what the schemas expect."""
    values = dict(values)
    if "language" in values:
        values["language"] = _language_code(values["language"])
    if "length" in values:
        values["length"] = values["length"].casefold()
    if "tone" in values:
        values["tone"] = values["tone"].casefold()
    if kind == "product" and "attributes" in values:
        values["attributes"] = parse_attributes(values["attributes"])
    if kind == "product":
        values.update(_product_context(values))
    return values


def _product_context(values: dict) -> dict:
    """A store's present descriptions become the copy to rewrite from; categories keep their "A > B" path."""
    parts = [woo_csv.description_text(values.pop(name)) for name in ("short_description", "description")
             if name in values]
    out = {"current_copy": " ".join(p for p in parts if p)[:8000]} if any(parts) else {}
    if "category" in values:
        out["category"] = _fit_categories(values["category"])
    return out


def _fit_categories(text: str, limit: int = 100) -> str:
    """Whole category paths, as many as fit the request's 100 characters."""
    kept = []
    for path in (woo_csv.categories_text(part) for part in re.split(r"(?<!\\),", text) if part.strip()):
        if len(", ".join([*kept, path])) > limit:
            break
        kept.append(path)
    return ", ".join(kept) or text[:limit]


def _language_code(value: str) -> str:
    code = language_code(value)
    if code is None:
        raise _CellError("language", _("Unknown language {value!r}: use one of {languages} (or the English name, "
                                       "e.g. Persian).").format(value=value, languages=', '.join(LANGUAGES)))
    return code


def parse_attributes(text: str) -> dict[str, str]:
    """`color=blue; size=42` (or `color: blue`, or a JSON object) → {"color": "blue", "size": "42"}."""
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise _CellError("attributes", _("Looks like JSON but is not valid JSON: write key=value pairs "
                                             "separated by semicolons instead.")) from None
        if not isinstance(value, dict):
            raise _CellError("attributes", _("Write attributes as key=value pairs separated by semicolons."))
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    attributes = {}
    for pair in filter(None, (part.strip() for part in text.split(";"))):
        separator = "=" if "=" in pair else ":" if ":" in pair else None
        if separator is None:
            raise _CellError("attributes", _("{pair!r} is not key=value: write e.g. color=blue; size=42.")
                                           .format(pair=pair))
        key, value = (part.strip() for part in pair.split(separator, 1))
        if not key:
            raise _CellError("attributes", _("{pair!r} has no name before {separator!r}.")
                                           .format(pair=pair, separator=separator))
        attributes[key] = value
    return attributes


def _problems_from(exc: ValidationError, row_number: int, header: list[str],
                   columns: dict[str, int]) -> list[Problem]:
    problems = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        column = header[columns[name]] if name in columns else name or "(row)"
        problems.append(Problem(row_number, column, _plain(name, error)))
    return problems


def _plain(name: str, error: dict) -> str:
    """A pydantic error said the way a spreadsheet user would: what is wrong and what to write instead."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "missing":
        return _("Required but empty: fill it in.")
    if kind == "string_too_short":
        return _("Too short: write at least {min_length} characters.").format(min_length=context.get("min_length"))
    if kind == "string_too_long":
        return _("Too long: at most {max_length} characters.").format(max_length=context.get("max_length"))
    if kind == "too_long":
        return _("Too many items: at most {max_length}.").format(max_length=context.get("max_length"))
    if kind == "literal_error":
        return _("Not allowed here: use {expected}.").format(expected=context.get("expected"))
    if kind == "extra_forbidden":
        return _("{name!r} is not a field of {fields} rows.").format(name=name, fields='/'.join(FIELDS))
    message = error["msg"].removeprefix("Value error, ")  # our validators' own words, as a sentence
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
