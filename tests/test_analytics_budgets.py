"""Monthly budgets through the real pipeline (fake provider): warnings near the limit, refusal past it."""

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from core.analytics import budgets
from core.errors import PermissionDeniedError, ValidationFailedError
from core.models import GenerationLog
from core.schemas import ContentRequest
from tests.samples import blog_draft
from tests.test_analytics import add_rows

REQUEST = ContentRequest(topic="Running shoes for flat feet", keywords=["running shoes"])
ANA = "ana@example.com"


def spend(engine, usd: float, user: str = ANA, when: datetime | None = None) -> None:
    add_rows(engine, dict(user=user, created_at=when or datetime.now(timezone.utc), cost_usd=usd))


def test_no_budget_means_no_check(generator, fake, engine):
    spend(engine, 1000)
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, ANA).status == "succeeded"
    assert budgets.budget_status(engine, ANA) is None


def test_warning_near_the_limit(generator, fake, engine, caplog):
    budgets.set_budget(engine, None, ANA, 10)
    spend(engine, 8.5)
    status = budgets.budget_status(engine, ANA)
    assert (status.spent_usd, status.level) == (8.5, "warning")
    assert "$8.50 of a $10.00 monthly budget (85%)" in status.message()
    fake.enqueue([blog_draft()])
    with caplog.at_level(logging.WARNING, logger="contentcraft.budgets"):
        assert generator.generate(REQUEST, ANA).status == "succeeded"
    assert any("85%" in record.getMessage() for record in caplog.records)


def test_hard_limit_refuses_past_100_percent(generator, fake, engine):
    budgets.set_budget(engine, None, ANA, 10)
    budgets.set_policy(engine, None, hard_limits=True)
    spend(engine, 6)
    spend(engine, 4.5)
    response = generator.generate(REQUEST, ANA)
    assert response.status == "failed" and fake.history == []
    assert "$10.50 of a $10.00 monthly budget (105%)" in response.error
    assert "Ask an admin to raise the budget" in response.error
    with Session(engine) as session:
        logged = session.exec(select(GenerationLog).where(GenerationLog.status == "failed")).one()
    assert logged.user == ANA and "budget" in logged.error
    # Someone else is not affected by ana's budget.
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, "ben@example.com").status == "succeeded"


def test_soft_limit_lets_generation_continue(generator, fake, engine):
    budgets.set_budget(engine, None, ANA, 10)
    spend(engine, 12)
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, ANA).status == "succeeded"
    assert "hard limits are off" in budgets.budget_status(engine, ANA).message()


def test_default_budget_and_own_budget(generator, fake, engine):
    budgets.set_budget(engine, None, "*", 5)
    budgets.set_budget(engine, None, ANA, 50)
    budgets.set_policy(engine, None, hard_limits=True)
    spend(engine, 6, user="ben@example.com")
    spend(engine, 6)
    assert generator.generate(REQUEST, "ben@example.com").status == "failed"
    fake.enqueue([blog_draft()])
    assert generator.generate(REQUEST, ANA).status == "succeeded"
    overview = {s.user: (s.limit_usd, s.level) for s in budgets.budget_overview(engine)}
    assert overview == {"ben@example.com": (5, "exceeded"), ANA: (50, "ok")}


def test_only_this_months_spend_counts(engine):
    budgets.set_budget(engine, None, ANA, 10)
    now = datetime.now(timezone.utc)
    spend(engine, 50, when=budgets.month_start(now) - timedelta(seconds=1))
    spend(engine, 2, when=budgets.month_start(now))
    assert budgets.budget_status(engine, ANA).spent_usd == 2


def test_month_helpers():
    moment = datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc)
    assert budgets.month_start(moment) == datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert budgets.next_month(moment) == datetime(2027, 1, 1, tzinfo=timezone.utc)


def test_only_admins_change_budgets(engine, make_user):
    editor, admin = make_user("editor"), make_user("admin")
    with pytest.raises(PermissionDeniedError):
        budgets.set_budget(engine, editor, ANA, 10)
    with pytest.raises(PermissionDeniedError):
        budgets.set_policy(engine, editor, hard_limits=True)
    assert budgets.set_budget(engine, admin, ANA, 10).updated_by == "admin@example.com"
    assert budgets.set_policy(engine, admin, warn_at=0.9).warn_at == 0.9
    with pytest.raises(ValidationFailedError):
        budgets.set_budget(engine, admin, ANA, -1)
    with pytest.raises(ValidationFailedError):
        budgets.set_policy(engine, admin, warn_at=1.5)
    assert budgets.remove_budget(engine, admin, ANA) and not budgets.remove_budget(engine, admin, ANA)
