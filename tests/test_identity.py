"""Identity hardening: one-time setup, DB-backed sign-in throttling, server-side sessions, account lifecycle."""

import io
import threading
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous import Signer

from core import auth
from core.db import make_engine
from core.errors import AuthenticationError, NotFoundError, PermissionDeniedError, ValidationFailedError
from core.identity import accounts, sessions, setup, throttle

PASSWORD = "correct horse"


def _parallel(count: int, work) -> list:
    results, barrier = [None] * count, threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


# --- first-run setup ---------------------------------------------------------------------------

def test_setup_token_is_printed_once_while_nobody_exists(engine):
    log = io.StringIO()
    token = setup.announce(engine, "http://127.0.0.1:9999", stream=log)
    line = log.getvalue().strip()
    assert len(line.splitlines()) == 1 and "setup" in line and f"http://127.0.0.1:9999/?setup={token}" in line
    assert setup.announce(engine, stream=log) == token and log.getvalue().count("\n") == 1  # once per process
    auth.create_first_admin(engine, email="boss@example.com", password=PASSWORD, token=token)
    setup._announced.clear()
    assert setup.announce(engine, stream=log) is None and log.getvalue().count("\n") == 1


def test_setup_needs_the_token(engine):
    with pytest.raises(PermissionDeniedError, match="setup token is not valid"):
        auth.create_first_admin(engine, email="boss@example.com", password=PASSWORD, token="")
    assert not auth.has_users(engine)


def test_concurrent_setup_claims_make_exactly_one_admin(engine):
    token = setup.issue_token(engine)
    results = _parallel(8, lambda i: auth.create_first_admin(
        make_engine(str(engine.url)), email=f"boss{i}@example.com", password=PASSWORD, token=token))
    admins = [user for user in auth.list_users(engine) if user.role == "admin"]
    assert len(admins) == 1 and sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, PermissionDeniedError) for r in results if isinstance(r, Exception)), results


def test_env_admin_and_setup_share_one_claim(engine):
    token = setup.issue_token(engine)
    assert auth.ensure_admin_from_settings(engine, "ops@example.com", PASSWORD).role == "admin"
    with pytest.raises(PermissionDeniedError, match="already done"):
        auth.create_first_admin(engine, email="boss@example.com", password=PASSWORD, token=token)


# --- sign-in throttling -----------------------------------------------------------------------

@pytest.fixture
def verify_calls(monkeypatch):
    calls = []

    class CountingHasher(PasswordHasher):
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return super().verify(password_hash, password)

    monkeypatch.setattr(auth, "_hasher", CountingHasher())
    return calls


def test_parallel_guesses_are_counted_before_the_slow_hash(engine, make_user, verify_calls):
    make_user("writer")
    results = _parallel(12, lambda i: auth.authenticate(make_engine(str(engine.url)), email="writer@example.com",
                                                        password=f"guess {i}", client="203.0.113.9"))
    assert len(verify_calls) == throttle.LIMITS["account_client"]
    assert sum("Too many failed sign-ins" in str(r) for r in results) == 12 - throttle.LIMITS["account_client"]


def test_unknown_email_costs_a_hash_too(engine, make_user, verify_calls):
    make_user("writer")
    with pytest.raises(AuthenticationError, match="Wrong email or password"):
        auth.authenticate(engine, email="nobody@example.com", password=PASSWORD)
    with pytest.raises(AuthenticationError, match="Wrong email or password"):
        auth.authenticate(engine, email="writer@example.com", password="wrong")
    assert len(verify_calls) == 2 and verify_calls[0].startswith("$argon2id$")


def test_an_attacker_cannot_lock_the_real_user_out(engine, make_user):
    make_user("writer")
    for _ in range(throttle.LIMITS["account_client"]):
        with pytest.raises(AuthenticationError, match="Wrong"):
            auth.authenticate(engine, email="writer@example.com", password="guess", client="203.0.113.9")
    with pytest.raises(AuthenticationError, match="Too many failed sign-ins"):
        auth.authenticate(engine, email="writer@example.com", password=PASSWORD, client="203.0.113.9")
    assert auth.authenticate(engine, email="writer@example.com", password=PASSWORD, client="198.51.100.7")


def test_the_client_limit_spans_accounts_and_processes(engine, make_user):
    other_process = make_engine(str(engine.url))  # a second engine sees the same counts: they live in the DB
    for i in range(throttle.LIMITS["client"]):
        with pytest.raises(AuthenticationError, match="Wrong"):
            auth.authenticate(engine, email=f"user{i}@example.com", password="guess", client="203.0.113.9")
    with pytest.raises(AuthenticationError, match="Too many failed sign-ins"):
        auth.authenticate(other_process, email="new@example.com", password="guess", client="203.0.113.9")
    assert throttle.failures(engine, "client:203.0.113.9") == throttle.LIMITS["client"]


# --- server-side sessions ---------------------------------------------------------------------

@pytest.fixture
def signer():
    return Signer(b"test signing key", salt="contentcraft.session")


def test_session_cookie_is_handed_over_once_and_signed(engine, make_user, signer):
    user = make_user("writer")
    session_id, code = sessions.start(engine, user, client="127.0.0.1")
    assert sessions.user_for(engine, session_id).email == user.email
    cookie, max_age = sessions.exchange(engine, code, signer)
    assert sessions.exchange(engine, code, signer) is None  # one-time
    assert 0 < max_age <= sessions.SESSION_TTL_SECONDS
    assert sessions.from_cookie(engine, cookie, signer) == session_id
    token = cookie.rsplit(".", 1)[0]
    assert sessions.from_cookie(engine, token + ".forged", signer) is None
    assert sessions.from_cookie(engine, cookie, Signer(b"another key", salt="contentcraft.session")) is None


def test_sessions_expire_and_are_revoked(engine, make_user, signer):
    user = make_user("writer")
    first, code = sessions.start(engine, user)
    cookie, _ = sessions.exchange(engine, code, signer)
    second, _ = sessions.start(engine, user)
    expired, _ = sessions.start(engine, user, ttl=-1)
    assert sessions.user_for(engine, expired) is None
    sessions.end(engine, cookie=cookie, signer=signer)
    assert sessions.user_for(engine, first) is None and sessions.user_for(engine, second) is not None
    assert sessions.revoke_all(engine, user.id) == 1 and sessions.user_for(engine, second) is None


# --- account lifecycle ------------------------------------------------------------------------

def test_the_last_admin_cannot_remove_themselves(engine, make_user):
    admin = make_user("admin")
    for change in (lambda: accounts.set_role(engine, admin, email=admin.email, role="editor"),
                   lambda: accounts.set_active(engine, admin, email=admin.email, active=False),
                   lambda: accounts.delete_user(engine, admin, email=admin.email)):
        with pytest.raises(PermissionDeniedError, match="last active admin"):
            change()
    second = make_user("admin", "second@example.com")
    assert accounts.set_role(engine, admin, email=admin.email, role="editor").role == "editor"
    with pytest.raises(PermissionDeniedError, match="last active admin"):
        accounts.set_active(engine, second, email=second.email, active=False)


def test_deactivate_reactivate_and_delete(engine, make_user):
    admin, writer = make_user("admin"), make_user("writer")
    session_id, _ = sessions.start(engine, writer)
    accounts.set_active(engine, admin, email=writer.email, active=False)
    assert sessions.user_for(engine, session_id) is None
    with pytest.raises(AuthenticationError, match="Wrong email or password"):
        auth.authenticate(engine, email=writer.email, password=PASSWORD)
    accounts.set_active(engine, admin, email=writer.email, active=True)
    assert auth.authenticate(engine, email=writer.email, password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        accounts.delete_user(engine, writer, email=admin.email)
    accounts.delete_user(engine, admin, email=writer.email)
    assert auth.get_user(engine, writer.email) is None
    with pytest.raises(NotFoundError):
        accounts.delete_user(engine, admin, email=writer.email)


def test_password_reset_and_change_end_sessions(engine, make_user):
    admin, writer = make_user("admin"), make_user("writer")
    old_session, _ = sessions.start(engine, writer)
    with pytest.raises(ValidationFailedError, match="12 characters"):
        accounts.reset_password(engine, admin, email=writer.email, new_password="short")
    accounts.reset_password(engine, admin, email=writer.email, new_password="temporary pass 1")
    assert sessions.user_for(engine, old_session) is None
    writer = auth.authenticate(engine, email=writer.email, password="temporary pass 1")
    current, _ = sessions.start(engine, writer)
    other, _ = sessions.start(engine, writer)
    with pytest.raises(AuthenticationError, match="current password is wrong"):
        accounts.change_password(engine, writer, current="nope", new="my own passphrase")
    accounts.change_password(engine, writer, current="temporary pass 1", new="my own passphrase", keep_session=current)
    assert sessions.user_for(engine, current) is not None and sessions.user_for(engine, other) is None
    assert auth.authenticate(engine, email=writer.email, password="my own passphrase")


def test_deleting_a_user_removes_their_sessions_and_api_tokens(engine, make_user):
    from core.access.tokens import authenticate_token, create_token

    admin, writer = make_user("admin"), make_user("writer")
    token, _ = create_token(engine, writer, name="blog plugin")
    session_id, _ = sessions.start(engine, writer)
    accounts.delete_user(engine, admin, email=writer.email)
    assert auth.get_user(engine, writer.email) is None and sessions.user_for(engine, session_id) is None
    with pytest.raises(Exception):
        authenticate_token(engine, token)
