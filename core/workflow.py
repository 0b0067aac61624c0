"""The editorial workflow: item versions, status transitions with role checks, and the audit trail."""

from contextvars import ContextVar

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from .auth import allowed, require
from .db import session_scope
from .errors import InvalidTransitionError, NotFoundError, PermissionDeniedError
from .images import KEEP_FIELD
from .library import visible_to
from .text import cut_to_units
from .models import AuditEntry, ContentItem, ContentVersion, User, utcnow
from .i18n import _

STATUSES = ("draft", "in_review", "approved", "rejected", "published")
# Who really acted when it was not the dashboard, e.g. "CLI by the OS user alice" (set by core.cli).
ACTING_VIA: ContextVar[str] = ContextVar("acting_via", default="")
# (from, to) → the action that permits it.
TRANSITIONS = {
    ("draft", "in_review"): "submit",
    ("rejected", "in_review"): "submit",
    ("in_review", "approved"): "approve",
    ("in_review", "rejected"): "reject",
    ("approved", "rejected"): "reject",
    ("approved", "published"): "publish",
    ("published", "published"): "publish",
}


def get_item(engine: Engine, item_id: int, *, viewer: User | None = None) -> ContentItem:
    """The item, or NotFoundError (also when a viewer is given who may not see it: library.visible_to)."""
    with session_scope(engine) as session:
        item = session.get(ContentItem, item_id)
        if item is None or (viewer is not None and not visible_to(viewer, item)):
            raise NotFoundError(_("There is no content item #{item_id}.").format(item_id=item_id))
        return item


def _refusal(user: User, item: ContentItem, action: str) -> str | None:
    """Why the workflow's own rules (beyond the role) refuse user this action on item, or None."""
    if action == "submit" and item.author != user.email and not _is_editor(user):
        return _("Writers can only submit their own items for review.")
    if action == "approve" and item.author == user.email and user.role != "admin":
        return _("You wrote this item, so another editor (or an admin) must approve it.")
    return None


def check_can_edit(user: User, item: ContentItem) -> None:
    """Writers edit their own drafts and rejected items; editors and admins edit anything unpublished."""
    if item.author == user.email and item.status in {"draft", "rejected"}:
        require(user, "edit_own")
        return
    require(user, "edit_any")


def can_edit(user: User, item: ContentItem) -> bool:
    """Whether check_can_edit lets user edit item."""
    try:
        check_can_edit(user, item)
    except PermissionDeniedError:
        return False
    return True


def next_statuses(user: User, item: ContentItem) -> list[str]:
    """The statuses user may move item to now (what the Library offers as buttons)."""
    possible = []
    for (source, target), action in TRANSITIONS.items():
        if source != item.status or source == target or not user.is_active or not allowed(user.role, action):
            continue
        if _refusal(user, item, action) is None:
            possible.append(target)
    return possible


def add_version(engine: Engine, item_id: int, data: dict, actor: str, note: str = "") -> ContentVersion:
    """Store data as the item's newest version and make it current."""
    with session_scope(engine) as session:
        item = session.get(ContentItem, item_id)
        if item is None:
            raise NotFoundError(_("There is no content item #{item_id}.").format(item_id=item_id))
        latest = session.exec(select(func.max(ContentVersion.version))
                              .where(ContentVersion.item_id == item_id)).one() or 0
        version = ContentVersion(item_id=item_id, version=latest + 1, data_json=data, note=note, created_by=actor)
        item.data_json, item.title, item.updated_at = data, cut_to_units(str(data.get("title", item.title)), 255), utcnow()
        session.add_all([item, version])
        session.flush()
        session.refresh(version)
        return version


def save_edit(engine: Engine, user: User, item_id: int, data: dict, note: str = "edited") -> ContentVersion:
    """An edit by user, checked against their role, as a new version."""
    check_can_edit(user, get_item(engine, item_id))
    return add_version(engine, item_id, data, user.email, note)


def set_keep_external_images(engine: Engine, user: User, item_id: int, keep: bool) -> bool:
    """Store whether the item keeps images from other hosts (previews and publishing follow it); True if it changed."""
    check_can_edit(user, get_item(engine, item_id))
    with session_scope(engine) as session:
        item = session.get(ContentItem, item_id)
        if bool(item.request_json.get(KEEP_FIELD)) == keep:
            return False
        # Kept with the request, left out when off as the request's own dump does.
        request = {k: v for k, v in item.request_json.items() if k != KEEP_FIELD}
        item.request_json = {**request, KEEP_FIELD: True} if keep else request
        session.add(item)
        return True


def versions(engine: Engine, item_id: int) -> list[ContentVersion]:
    """Every version of an item, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(ContentVersion).where(ContentVersion.item_id == item_id)
                                 .order_by(ContentVersion.version)))


def transition(engine: Engine, user: User, item_id: int, to: str, comment: str = "") -> ContentItem:
    """Move an item to status `to` if the workflow and user's role allow it, and audit it."""
    with session_scope(engine) as session:
        item = session.get(ContentItem, item_id)
        if item is None:
            raise NotFoundError(_("There is no content item #{item_id}.").format(item_id=item_id))
        action = TRANSITIONS.get((item.status, to))
        if action is None:
            raise InvalidTransitionError(_("Item #{item_id} is {status}; it cannot move to {to}.")
                                         .format(item_id=item_id, status=item.status.replace('_', ' '),
                                                 to=to.replace('_', ' ')))
        require(user, action)
        if refusal := _refusal(user, item, action):
            raise PermissionDeniedError(refusal)
        if action == "reject" and not comment.strip():
            raise InvalidTransitionError(_("Say why when you reject an item, so the writer can fix it."))
        via = f"via {ACTING_VIA.get()} as {user.email}" if ACTING_VIA.get() else ""
        session.add(AuditEntry(item_id=item_id, actor=user.email, from_status=item.status, to_status=to,
                               comment=comment.strip(), via=via))
        item.status, item.updated_at = to, utcnow()
        session.add(item)
        return item


def audit_trail(engine: Engine, item_id: int) -> list[AuditEntry]:
    """Every transition of an item, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.item_id == item_id)
                                 .order_by(AuditEntry.id)))


def rejection_reason(engine: Engine, item_id: int) -> AuditEntry | None:
    """The audit entry of the item's last rejection, whose comment says what to fix."""
    with session_scope(engine) as session:
        return session.exec(select(AuditEntry).where(AuditEntry.item_id == item_id, AuditEntry.to_status == "rejected")
                            .order_by(AuditEntry.id.desc())).first()


def _is_editor(user: User) -> bool:
    return allowed(user.role, "review")
