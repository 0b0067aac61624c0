"""How many results the quality gate held back: needs review, written in the wrong language, failed."""

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from .filters import LOG, Filters


def quality_counts(engine: Engine, filters: Filters) -> dict[str, int]:
    """{"generations", "needs_review", "wrong_language", "failed"} over the filtered log rows."""
    wrong = (LOG.c.detected_language != "") & (LOG.c.detected_language != LOG.c.language)
    query = select(func.count(), func.sum(case((LOG.c.status == "needs_review", 1), else_=0)),
                   func.sum(case((wrong, 1), else_=0)), func.sum(case((LOG.c.status == "failed", 1), else_=0))
                   ).where(filters.conditions())
    with engine.connect() as conn:
        total, review, wrong_language, failed = conn.execute(query).one()
    return {"generations": int(total or 0), "needs_review": int(review or 0),
            "wrong_language": int(wrong_language or 0), "failed": int(failed or 0)}
