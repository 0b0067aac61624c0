"""Setup claims and sign-in throttling stay exact under concurrency on a real PostgreSQL server too.

Uses the throwaway cluster of tests/test_analytics_postgres.py (Debian's postgresql, 127.0.0.1).
"""

import pytest
from sqlalchemy import delete

from core import auth
from core.db import make_engine
from core.identity import setup, throttle
from core.identity.models import SetupClaim, SigninAttempt, UserSession
from core.models import User
from tests.test_analytics_postgres import pg_engine  # noqa: F401  (the module-scoped cluster fixture)
from tests.test_identity import PASSWORD, _parallel, verify_calls  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture
def pg(pg_engine):  # noqa: F811
    with pg_engine.begin() as conn:
        for table in (UserSession, SigninAttempt, SetupClaim, User):
            conn.execute(delete(table))
    return pg_engine


def test_concurrent_setup_claims_make_exactly_one_admin(pg):
    token = setup.issue_token(pg)
    results = _parallel(8, lambda i: auth.create_first_admin(
        make_engine(str(pg.url.render_as_string(hide_password=False))), email=f"boss{i}@example.com",
        password=PASSWORD, token=token))
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert [u.role for u in auth.list_users(pg)] == ["admin"]


def test_parallel_guesses_are_counted_before_the_slow_hash(pg, verify_calls):  # noqa: F811
    auth.create_user(pg, email="writer@example.com", password=PASSWORD)
    verify_calls.clear()
    url = pg.url.render_as_string(hide_password=False)
    results = _parallel(12, lambda i: auth.authenticate(make_engine(url), email="writer@example.com",
                                                        password=f"guess {i}", client="203.0.113.9"))
    assert len(verify_calls) == throttle.LIMITS["account_client"]
    assert sum("Too many failed sign-ins" in str(r) for r in results) == 12 - throttle.LIMITS["account_client"]
