"""Job results as CSV and XLSX (safe to open in a spreadsheet), and sending them to review."""

import io
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from ..brand.models import BrandScore
from ..db import session_scope
from ..errors import ContentCraftError
from ..models import ContentItem, User
from ..spreadsheet import report_headers, safe_cell
from ..text import cut_to_units, spaced_controls
from . import woo_csv
from .jobs import get_job
from .models import BulkItem

XLSX_CELL_LIMIT = 32_767
ITEM_COLUMNS = ["row", "status", "error", "attempts", "content_item_id", "brand_score"]
INPUT_COLUMNS = {"blog": ["topic", "keywords", "language"],
                 "product": ["name", "woo_product_id", "sku", "language"]}
RESULT_COLUMNS = {
    "blog": ["title", "excerpt", "seo_title", "meta_desc", "slug", "body_html"],
    "product": ["title", "short_description", "description_html", "bullet_features", "seo_title", "meta_desc",
                "slug", "image_alt_text"],
}


escape_formula = safe_cell  # kept for callers; one helper for every exported cell (core.spreadsheet)


def results_frame(engine: Engine, job_id: int) -> pd.DataFrame:
    """One row per item in row order: its outcome, key inputs and the generated fields (escaped)."""
    kind = get_job(engine, job_id).kind
    columns = ITEM_COLUMNS + INPUT_COLUMNS[kind] + RESULT_COLUMNS[kind]
    score = (select(BrandScore.score).where(BrandScore.item_id == BulkItem.content_item_id)
             .order_by(BrandScore.id.desc()).limit(1).scalar_subquery())  # the latest, as the library shows
    with session_scope(engine) as session:
        query = (select(BulkItem, ContentItem.data_json, score)
                 .join(ContentItem, BulkItem.content_item_id == ContentItem.id, isouter=True)
                 .where(BulkItem.job_id == job_id).order_by(BulkItem.row_number))
        records = [_record(kind, item, data or {}, brand) for item, data, brand in session.execute(query)]
    frame = pd.DataFrame.from_records(records, columns=columns).map(escape_formula)
    for name in ("content_item_id", "brand_score", "woo_product_id"):
        if name in frame:
            frame[name] = frame[name].astype("Int64")
    return frame


def _record(kind: str, item: BulkItem, data: dict, brand_score: int | None) -> dict:
    request = item.input_json
    record = {"row": item.row_number, "status": item.status, "error": item.error or "", "attempts": item.attempts,
              "content_item_id": item.content_item_id, "brand_score": brand_score,
              "woo_product_id": item.woo_product_id}
    for name in INPUT_COLUMNS[kind]:
        record.setdefault(name, _flat(request.get(name)))
    meta = data.get("meta") or {}
    for name in RESULT_COLUMNS[kind]:
        record[name] = _flat(data.get(name, meta.get(name, "")))
    return record


def _flat(value) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else value


def to_woocommerce_csv(engine: Engine, job_id: int) -> bytes:
    """The succeeded products as a file for WooCommerce's Products → Import, matched by their ID or SKU."""
    with session_scope(engine) as session:
        query = (select(BulkItem.woo_product_id, BulkItem.input_json, ContentItem.data_json)
                 .join(ContentItem, BulkItem.content_item_id == ContentItem.id)
                 .where(BulkItem.job_id == job_id, BulkItem.status == "succeeded").order_by(BulkItem.row_number))
        rows = [{"id": woo_id, "sku": (request or {}).get("sku", ""), "data": data}
                for woo_id, request, data in session.execute(query)]
    return woo_csv.import_csv(rows)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel shows Persian, Arabic and CJK text correctly."""
    return frame.map(safe_cell).to_csv(index=False, header=report_headers(frame.columns)).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame) -> bytes:
    """An XLSX workbook: numbers as numbers, empty cells empty, text cleaned of control characters and kept
    within Excel's cell size (written with openpyxl directly: pandas writes a missing value as empty text)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("results")
    sheet.append(report_headers(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([_xlsx_safe(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_safe(value):
    if not isinstance(value, str):
        return None if pd.isna(value) else value.item() if hasattr(value, "item") else value
    if not value:
        return None  # an empty cell, not an empty text cell
    return cut_to_units(safe_cell(spaced_controls(value)), XLSX_CELL_LIMIT)


@dataclass
class ReviewOutcome:
    """What "send all succeeded to review" did."""

    sent: list[int] = field(default_factory=list)
    skipped: int = 0
    refused: dict[int, str] = field(default_factory=dict)


def send_to_review(engine: Engine, job_id: int, actor: User) -> ReviewOutcome:
    """Move every succeeded item's draft to in_review, with the same role checks as the Library."""
    from ..workflow import transition

    outcome = ReviewOutcome()
    with session_scope(engine) as session:
        rows = session.execute(
            select(ContentItem.id, ContentItem.status).join(BulkItem, BulkItem.content_item_id == ContentItem.id)
            .where(BulkItem.job_id == job_id, BulkItem.status == "succeeded")
            .order_by(BulkItem.row_number)).all()
    for item_id, status in rows:
        if status not in {"draft", "rejected"}:
            outcome.skipped += 1
            continue
        try:
            transition(engine, actor, item_id, "in_review", comment=f"from bulk job #{job_id}")
            outcome.sent.append(item_id)
        except ContentCraftError as error:
            outcome.refused[item_id] = str(error)
    return outcome
