"""Library queries: filtered item lists and diffs between versions."""

import difflib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy import or_
from sqlmodel import col, select

from .auth import allowed
from .db import session_scope
from .models import ContentItem, User


# Drafts and rejected items stay between their author and the editors; from review on, the team sees them.
SHARED_STATUSES = ("in_review", "approved", "published")


def visible_to(user: User, item: ContentItem) -> bool:
    """Editors and admins see every item; writers see their own, and everyone's from review on."""
    return allowed(user.role, "review") or item.author == user.email or item.status in SHARED_STATUSES


@dataclass
class ItemFilter:
    """What the Library table shows; empty values match everything."""

    type: str | None = None
    status: str | None = None
    author: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""


def list_items(engine: Engine, item_filter: ItemFilter, limit: int = 500, *, viewer: User | None = None
               ) -> list[ContentItem]:
    """Items matching the filter, newest first; with a viewer, only those they may see (see visible_to)."""
    query = select(ContentItem)
    if viewer is not None and not allowed(viewer.role, "review"):
        query = query.where(or_(ContentItem.author == viewer.email, col(ContentItem.status).in_(SHARED_STATUSES)))
    for column, value in ((ContentItem.type, item_filter.type), (ContentItem.status, item_filter.status),
                          (ContentItem.author, item_filter.author), (ContentItem.language, item_filter.language)):
        if value:
            query = query.where(column == value)
    if item_filter.since:
        query = query.where(ContentItem.created_at >= item_filter.since)
    if item_filter.until:
        query = query.where(ContentItem.created_at < item_filter.until)
    if item_filter.search.strip():
        query = query.where(col(ContentItem.title).ilike(f"%{item_filter.search.strip()}%"))
    with session_scope(engine) as session:
        return list(session.exec(query.order_by(col(ContentItem.id).desc()).limit(limit)))


def authors(engine: Engine) -> list[str]:
    """Everyone who has an item, for the author filter."""
    with session_scope(engine) as session:
        return sorted(session.exec(select(ContentItem.author).distinct()))


def _lines(value) -> list[str]:
    if isinstance(value, str):
        # One line per block element, so a changed paragraph shows as one changed line.
        return [line for line in re.sub(r"(</(?:p|h[1-6]|li|ul|ol)>)", "\\1\n", value).splitlines() if line.strip()]
    return json.dumps(value, indent=2, ensure_ascii=False).splitlines()


def version_diff(old: dict, new: dict) -> dict[str, str]:
    """A unified diff per field that changed between two versions' data."""
    diffs = {}
    for field in sorted(set(old) | set(new)):
        if old.get(field) == new.get(field):
            continue
        diffs[field] = "\n".join(difflib.unified_diff(_lines(old.get(field, "")), _lines(new.get(field, "")),
                                                      "before", "after", lineterm=""))
    return diffs
