"""A user's own preferences: for now the dashboard language, which only they change."""

from sqlalchemy.engine import Engine

from ..db import session_scope
from ..errors import ValidationFailedError
from ..i18n import UI_LANGUAGES, _, normalise
from ..models import User


def set_language(engine: Engine, user: User, language: str | None) -> str | None:
    """Store user's dashboard language (a code of UI_LANGUAGES; None: follow the browser); returns it."""
    code = normalise(language) if language else None
    if language and code is None:
        raise ValidationFailedError(_("Unknown language {language}: choose one of {choices}.").format(
            language=repr(language), choices=", ".join(UI_LANGUAGES)))
    with session_scope(engine) as session:
        stored = session.get(User, user.id)
        stored.language = code
        session.add(stored)
    user.language = code
    return code
