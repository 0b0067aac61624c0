"""Whether an admin confirmed a site's private network address (checked again at every connection)

Revision ID: 0130_site_private_ok
Revises: 0030_wordpress
"""

import ipaddress
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0130_site_private_ok"
down_revision = "0030_wordpress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wp_site") as batch:
        batch.add_column(sa.Column("private_ok", sa.Boolean(), nullable=False, server_default=sa.false()))
    # A site added with a literal private address was confirmed then (or typed as one): keep it working.
    sites = sa.table("wp_site", sa.column("id", sa.Integer), sa.column("base_url", sa.String),
                     sa.column("private_ok", sa.Boolean))
    connection = op.get_bind()
    for site_id, base_url in connection.execute(sa.select(sites.c.id, sites.c.base_url)).all():
        try:
            address = ipaddress.ip_address((urlsplit(base_url).hostname or "").strip("[]"))
        except ValueError:
            continue
        if address.is_private and not address.is_loopback:
            connection.execute(sites.update().where(sites.c.id == site_id).values(private_ok=True))


def downgrade() -> None:
    with op.batch_alter_table("wp_site") as batch:
        batch.drop_column("private_ok")
