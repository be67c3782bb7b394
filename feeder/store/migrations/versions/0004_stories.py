"""Stories: reports of one event grouped under the first-stored one (its feed entry),
the specific terms that find earlier reports, each item's signature and own topics,
and the user's overrides of grouping and dates.

Items stored before this revision are each a story of their own; the first refresh
after the upgrade groups them, as it re-tags them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("story_id", sa.Integer(), nullable=True))
    op.add_column("items", sa.Column("tags", sa.Text(), nullable=True))
    op.drop_index("ix_items_newest", "items")
    op.create_index(
        "ix_items_newest",
        "items",
        [sa.text("published DESC"), "key"],
        sqlite_where=sa.text("story_id IS NULL"),
        postgresql_where=sa.text("story_id IS NULL"),
    )
    op.create_index(
        "ix_items_story",
        "items",
        ["story_id"],
        sqlite_where=sa.text("story_id IS NOT NULL"),
        postgresql_where=sa.text("story_id IS NOT NULL"),
    )
    op.create_table(
        "story_terms",
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_story_terms_item", "story_terms", ["item_id"])
    op.create_table(
        "story_signatures",
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("signature", sa.Text(), nullable=False),
    )
    op.create_table(
        "story_overrides",
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("story_key", sa.String(64)),
        sa.Column("alone", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date()),
    )


def downgrade() -> None:
    op.drop_table("story_overrides")
    op.drop_table("story_signatures")
    op.drop_index("ix_story_terms_item", "story_terms")
    op.drop_table("story_terms")
    op.drop_index("ix_items_story", "items")
    op.drop_index("ix_items_newest", "items")
    op.create_index("ix_items_newest", "items", [sa.text("published DESC"), "key"])
    op.drop_column("items", "tags")
    op.drop_column("items", "story_id")
