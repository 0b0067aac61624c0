"""Engine factory, sessions and Alembic migrations."""

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from .config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
POOL_SIZE, POOL_OVERFLOW = 10, 20  # Postgres connections a process keeps open, and may open beyond them
PING_IDLE_SECONDS = 2.0  # a pooled Postgres connection idle this long is checked before it is used


def make_engine(url: str) -> Engine:
    """An engine for url; SQLite gets WAL and a busy timeout so the dashboard and workers share it."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A worker's lanes and their rows each hold a connection for a moment: keep enough open that a burst of them
    # (a job's lanes starting together) does not wait for Postgres to start a backend per connection.
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    event.listen(engine.pool, "checkin", _idle_from_now)
    event.listen(engine.pool, "checkout", lambda dbapi_connection, record, _proxy:
                 _ping_if_idle(engine, dbapi_connection, record))
    return engine


def open_pool(engine: Engine) -> None:
    """Open the connections a Postgres engine keeps (POOL_SIZE), so that a burst of work (a job's lanes
    starting together) does not open them in the middle of it: on a busy worker each took 0.3 s."""
    if engine.dialect.name != "postgresql":
        return
    with ExitStack() as stack:
        for _ in range(POOL_SIZE):
            stack.enter_context(engine.connect())


def _idle_from_now(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection, record) -> None:
    """SQLAlchemy's pessimistic ping (pool_pre_ping) for a connection idle over PING_IDLE_SECONDS; a failed ping
    makes the pool open a new connection. One used a moment ago needs none: that round trip per checkout was a
    fifth of a bulk row's database time."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) > PING_IDLE_SECONDS:
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError() from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per database URL."""
    return make_engine(url)


def get_engine() -> Engine:
    """The engine for the configured database."""
    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    """Alembic configured in code, so no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every migration to the database at url (default: the configured one)."""
    url = url or get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "heads")
