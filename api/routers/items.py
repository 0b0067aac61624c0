"""Library items: list, read, and move through the review workflow (submit, approve, reject, publish)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from core import workflow
from core.auth import require
from core.library import ItemFilter, list_items
from core.wordpress.publish import PublishOptions, publish

from ..deps import Caller, IdempotencyKey, RowId, Svc, idempotent, json_response
from ..problems import responses

router = APIRouter(tags=["items"])
Status = Literal["draft", "in_review", "approved", "rejected", "published"]
READ_PROBLEMS = responses("unauthorized", "forbidden", "not-found", "rate-limited")
MOVE_PROBLEMS = responses("unauthorized", "forbidden", "not-found", "conflict", "validation-failed", "rate-limited")


class ItemSummary(BaseModel):
    """A Library row."""

    id: int
    type: str
    status: str
    title: str
    language: str
    author: str
    provider: str
    model: str
    created_at: datetime
    updated_at: datetime


class Item(ItemSummary):
    """A Library item with its current content and request."""

    data: dict = Field(description="ContentData for a blog post, ProductData for a product.")
    request: dict
    version: int
    audit: list[dict] = Field(description="Workflow transitions, oldest first: actor, from, to, comment, at.")


class Comment(BaseModel):
    """An optional note for the audit trail (required when rejecting)."""

    comment: str = Field("", max_length=2000)


class Reason(BaseModel):
    """Why an item is rejected, so the writer can fix it."""

    comment: str = Field(min_length=1, max_length=2000)


class Publish(BaseModel):
    """Where and how to publish an approved blog post."""

    site: str = Field(min_length=1, max_length=80, description="A connected WordPress site's name.")
    status: Literal["draft", "publish", "pending", "private", "future"] = "draft"
    date: datetime | None = None
    categories: list[str | int] = Field(default_factory=list, max_length=20)
    tags: list[str | int] = Field(default_factory=list, max_length=40)
    author: int | None = None


class Published(BaseModel):
    """The remote post."""

    item_id: int
    site: str
    remote_id: int
    url: str
    remote_status: str
    created: bool
    warnings: list[str]


def _summary(item) -> dict:
    return {name: getattr(item, name) for name in ItemSummary.model_fields}


@router.get("/items", response_model=list[ItemSummary], summary="List Library items",
            responses=READ_PROBLEMS)
def list_(svc: Svc, user: Caller, status: Status | None = None,
          type: Literal["content", "product"] | None = None, author: str | None = Query(None, max_length=255),
          language: str | None = Query(None, max_length=8), search: str = Query("", max_length=200),
          limit: int = Query(100, ge=1, le=500)):
    """Newest first, filtered like the Library page."""
    require(user, "generate")
    found = list_items(svc.engine, ItemFilter(type=type, status=status, author=author, language=language,
                                              search=search), limit=limit)
    return [_summary(item) for item in found]


@router.get("/items/{item_id}", response_model=Item, summary="One Library item", responses=READ_PROBLEMS)
def read(item_id: RowId, svc: Svc, user: Caller):
    """The item's current data, request, version number and audit trail."""
    require(user, "generate")
    item = workflow.get_item(svc.engine, item_id)
    history = workflow.versions(svc.engine, item_id)
    audit = [{"actor": a.actor, "from": a.from_status, "to": a.to_status, "comment": a.comment,
              "at": a.created_at.isoformat()} for a in workflow.audit_trail(svc.engine, item_id)]
    return Item(**_summary(item), data=item.data_json, request=item.request_json,
                version=history[-1].version if history else 1, audit=audit)


def _move(svc, user, item_id: int, to: str, body: Comment | Reason | None) -> ItemSummary:
    item = workflow.transition(svc.engine, user, item_id, to, (body or Comment()).comment)
    return ItemSummary(**_summary(item))


@router.post("/items/{item_id}/submit", response_model=ItemSummary, summary="Submit for review",
             responses=MOVE_PROBLEMS)
def submit(item_id: RowId, svc: Svc, user: Caller, body: Annotated[Comment | None, Body()] = None):
    """Draft or rejected → in review (writers: their own items)."""
    return _move(svc, user, item_id, "in_review", body)


@router.post("/items/{item_id}/approve", response_model=ItemSummary, summary="Approve", responses=MOVE_PROBLEMS)
def approve(item_id: RowId, svc: Svc, user: Caller, body: Annotated[Comment | None, Body()] = None):
    """In review → approved (editors and admins)."""
    return _move(svc, user, item_id, "approved", body)


@router.post("/items/{item_id}/reject", response_model=ItemSummary, summary="Reject", responses=MOVE_PROBLEMS)
def reject(item_id: RowId, svc: Svc, user: Caller, body: Reason):
    """In review or approved → rejected (editors and admins); say why in `comment`."""
    return _move(svc, user, item_id, "rejected", body)


@router.post("/items/{item_id}/publish", response_model=Published, summary="Publish to WordPress",
             responses={**MOVE_PROBLEMS, **responses("publish-failed", "request-in-progress",
                                                     "idempotency-key-reused")})
def publish_item(item_id: RowId, body: Publish, request: Request, svc: Svc, user: Caller, key: IdempotencyKey = None):
    """Send an approved blog post to a connected site (creating or updating its one post); marks it published."""
    options = PublishOptions(status=body.status, date=body.date, categories=body.categories, tags=body.tags,
                             author=body.author)

    def produce():
        result = publish(svc.engine, user, item_id, body.site, options)
        return json_response(Published(**result.__dict__))

    return idempotent(svc, request, user, key, body.model_dump_json(), produce)
