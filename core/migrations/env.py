"""Alembic environment: runs migrations against the URL set in code."""

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from core import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from core.analytics import models as analytics_models  # noqa: F401
from core.wordpress import models as wordpress_models  # noqa: F401
from core.bulk import models as bulk_models  # noqa: F401
from core.brand import models as brand_models  # noqa: F401
from core.identity import models as identity_models  # noqa: F401

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_offline() -> None:
    context.configure(url=url, target_metadata=SQLModel.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
