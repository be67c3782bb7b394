"""Items the user removed (`feeder remove`): a tombstone per item key that keeps later
refreshes from storing the item again, holding its row, signature and sightings, so
`feeder restore` brings it back as it was even when no source lists it any more.

Nothing is removed before this revision, so the table starts empty. Downgrading drops
it: the removed items are then lost, and a refresh that reads them stores them again.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "removed_items",
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.Column("heir_key", sa.String(64)),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text()),
        sa.Column("sightings", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("removed_items")
