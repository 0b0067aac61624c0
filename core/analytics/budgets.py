"""Monthly budgets per user: spend from the log's cost column, warnings near the limit, optional refusal.

Registered as a plugin: its before_generate hook refuses generations once a user's month is spent
and the admin has switched hard limits on. Months are calendar months in UTC.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ..db import session_scope
from ..errors import ContentCraftError, ValidationFailedError
from ..hookspecs import hookimpl
from ..auth import require
from ..models import User, utcnow
from ..reuse import recent
from .filters import Filters
from .models import EVERYONE, Budget, BudgetPolicy
from .rollups import BY_NAME
from .sources import source
from ..i18n import _

log = logging.getLogger("contentcraft.budgets")


class BudgetExceededError(ContentCraftError):
    """The user's monthly budget is spent and hard limits are on."""

    kind = "budget_exceeded"


@dataclass(frozen=True)
class BudgetStatus:
    """Where one user stands against their monthly budget."""

    user: str
    limit_usd: float
    spent_usd: float
    warn_at: float
    hard_limits: bool

    @property
    def ratio(self) -> float:
        return self.spent_usd / self.limit_usd if self.limit_usd else (1.0 if self.spent_usd else 0.0)

    @property
    def level(self) -> str:
        """"ok", "warning" (at or past warn_at) or "exceeded" (at or past 100%)."""
        return "exceeded" if self.ratio >= 1 else "warning" if self.ratio >= self.warn_at else "ok"

    def message(self) -> str | None:
        """What to tell the user, or None while they are comfortably inside their budget."""
        used = (_("{user} has used ${spent_usd:,.2f} of a ${limit_usd:,.2f} monthly budget ({ratio:.0%})")
                .format(user=self.user, spent_usd=self.spent_usd, limit_usd=self.limit_usd, ratio=self.ratio))
        if self.level == "ok":
            return None
        if self.level == "warning":
            return f"{used}. Generations past 100% {'will be refused' if self.hard_limits else 'are still allowed'}."
        if self.hard_limits:
            return (_("{used}, so new generations are paused until {next_month:%d %b %Y} (UTC). Ask an admin to "
                      "raise the budget or switch hard limits off.")
                    .format(used=used, next_month=next_month(utcnow())))
        return _("{used}: over budget (hard limits are off, so generation continues).").format(used=used)


def month_start(now: datetime) -> datetime:
    """Midnight UTC on the first day of now's month."""
    return now.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(now: datetime) -> datetime:
    """Midnight UTC on the first day of the month after now's."""
    start = month_start(now)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def get_policy(engine: Engine) -> BudgetPolicy:
    """The admin's policy (warn at 80%, hard limits off until set)."""
    with session_scope(engine) as session:
        return session.get(BudgetPolicy, 1) or BudgetPolicy()


def set_policy(engine: Engine, actor: User | None, *, hard_limits: bool | None = None,
               warn_at: float | None = None) -> BudgetPolicy:
    """Change the policy; actor None is the trusted command line."""
    who = _require_admin(actor)
    if warn_at is not None and not 0 < warn_at <= 1:
        raise ValidationFailedError(_("The warning threshold is a fraction between 0 and 1, e.g. 0.8 for 80%."))
    with session_scope(engine) as session:
        policy = session.get(BudgetPolicy, 1) or BudgetPolicy()
        policy.hard_limits = policy.hard_limits if hard_limits is None else hard_limits
        policy.warn_at = policy.warn_at if warn_at is None else warn_at
        policy.updated_by, policy.updated_at = who, utcnow()
        session.add(policy)
        return policy


def set_budget(engine: Engine, actor: User | None, user: str, monthly_usd: float) -> Budget:
    """Set user's monthly budget in USD ("*" for everyone without their own)."""
    who = _require_admin(actor)
    user = user.strip()
    if not user:
        raise ValidationFailedError(_("Name the user the budget is for, or * for everyone."))
    if monthly_usd < 0:
        raise ValidationFailedError(_("A budget cannot be negative; use 0 to stop all paid generations."))
    with session_scope(engine) as session:
        budget = session.get(Budget, user) or Budget(user=user, monthly_usd=monthly_usd)
        budget.monthly_usd, budget.updated_by, budget.updated_at = float(monthly_usd), who, utcnow()
        session.add(budget)
        return budget


def remove_budget(engine: Engine, actor: User | None, user: str) -> bool:
    """Delete user's budget; True if there was one."""
    _require_admin(actor)
    with session_scope(engine) as session:
        budget = session.get(Budget, user.strip())
        if budget is not None:
            session.delete(budget)
        return budget is not None


def list_budgets(engine: Engine) -> list[Budget]:
    """Every budget, the "*" default first."""
    with session_scope(engine) as session:
        return sorted(session.execute(select(Budget)).scalars(), key=lambda b: (b.user != EVERYONE, b.user))


def month_spend(engine: Engine, now: datetime | None = None, user: str | None = None) -> dict[str, float]:
    """USD spent this month per user (one user when given), from the daily usage summaries."""
    chosen = Filters(start=month_start(now or utcnow()), user=(user,) if user is not None else ())
    with engine.connect() as conn:
        rows = source(BY_NAME["analytics_usage"], chosen, conn.dialect).subquery()
        query = select(rows.c.user, func.sum(rows.c.cost_usd)).group_by(rows.c.user)
        return {name: float(total or 0) for name, total in conn.execute(query)}


def budget_status(engine: Engine, user: str, now: datetime | None = None) -> BudgetStatus | None:
    """user's standing this month, or None if neither they nor "*" have a budget."""
    # Core, not the ORM: this runs before every generation.
    query = select(Budget.user, Budget.monthly_usd).where(Budget.user.in_([user, EVERYONE]))
    with engine.connect() as connection:
        budgets = dict(connection.execute(query).all())
    monthly = budgets.get(user, budgets.get(EVERYONE))
    if monthly is None:
        return None
    policy = get_policy(engine)
    spent = month_spend(engine, now, user).get(user, 0.0)
    return BudgetStatus(user, monthly, spent, policy.warn_at, policy.hard_limits)


def budget_overview(engine: Engine, now: datetime | None = None) -> list[BudgetStatus]:
    """Every user with a budget (or spending under the "*" default) this month, most used first."""
    budgets = {b.user: b.monthly_usd for b in list_budgets(engine)}
    if not budgets:
        return []
    policy, spend = get_policy(engine), month_spend(engine, now)
    users = set(budgets) - {EVERYONE} | (set(spend) if EVERYONE in budgets else set())
    statuses = [BudgetStatus(u, budgets.get(u, budgets.get(EVERYONE, 0.0)), spend.get(u, 0.0), policy.warn_at,
                             policy.hard_limits) for u in users]
    return sorted(statuses, key=lambda s: (-s.ratio, s.user))


def check_budget(engine: Engine, user: str) -> BudgetStatus | None:
    """Raise BudgetExceededError when user is at or past 100% with hard limits on; log a warning near it.
    A bulk row may use the standing read a moment ago (core.reuse): a budget spent mid-job stops it within that."""
    status = recent(("budget", str(engine.url), user), lambda: budget_status(engine, user))
    if status is None or status.level == "ok":
        return status
    if status.level == "exceeded" and status.hard_limits:
        raise BudgetExceededError(status.message())
    log.warning(status.message())
    return status


@hookimpl
def before_generate(request, user, engine):
    """Dogfood the hook: refuse generations past a hard budget limit."""
    check_budget(engine, user)


def _require_admin(actor: User | None) -> str:
    """Only admins change budgets (actor None is the trusted command line); returns who to record."""
    if actor is None:
        return "cli"
    require(actor, "settings")
    return actor.email
