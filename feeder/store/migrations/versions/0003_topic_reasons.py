"""Why an item is in a topic: the relevance judgement's one-line reason, kept with the
tag so item pages and `feeder items` can show it without judging again.

Tags stored before this revision have no reason (NULL); the first refresh after the
upgrade re-tags every item, since the judging itself changed with it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_topics", sa.Column("why", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("item_topics", "why")
