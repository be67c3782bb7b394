"""The schema of the first release: items, sightings, topics, scan state, FTS5 search.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the first release's SQLite full-text index (contentless FTS5,
# fed the body's plain text by triggers); later revisions must not change them.
_PLAIN_BODY = "(SELECT group_concat(json_extract(value, '$[1]'), ' ') FROM json_each({}.body))"
_INDEX_NEW = (
    "INSERT INTO items_fts(rowid, title, body)"
    f" VALUES (new.id, new.title, {_PLAIN_BODY.format('new')});"
)
_UNINDEX_OLD = (
    "INSERT INTO items_fts(items_fts, rowid, title, body)"
    f" VALUES ('delete', old.id, old.title, {_PLAIN_BODY.format('old')});"
)
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='')",
    f"CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN {_INDEX_NEW} END",
    f"CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN {_UNINDEX_OLD} END",
    "CREATE TRIGGER items_fts_update AFTER UPDATE OF title, body ON items"
    f" BEGIN {_UNINDEX_OLD} {_INDEX_NEW} END",
)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.Text()),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("published", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("date_source", sa.String(16), nullable=False),
        sa.Column("day", sa.Date()),
        sa.Column("link", sa.Text()),
        sa.Column("categories", sa.Text(), nullable=False),
    )
    op.create_index("ix_items_newest", "items", [sa.text("published DESC"), "key"])
    op.create_table(
        "meta",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "source_files",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "source_status",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("last_scan", sa.DateTime()),
        sa.Column("last_success", sa.DateTime()),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("next_run", sa.DateTime()),
    )
    op.create_table(
        "web_state",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("sha256", sa.String(64)),
        sa.Column("retry_after", sa.DateTime()),
    )
    op.create_table(
        "item_topics",
        sa.Column("topic", sa.String(100), primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("published", sa.DateTime(), nullable=False),
        sa.Column("item_key", sa.String(64), nullable=False),
    )
    op.create_index("ix_item_topics_item", "item_topics", ["item_id"])
    op.create_index(
        "ix_item_topics_newest", "item_topics", ["topic", sa.text("published DESC"), "item_key"]
    )
    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("item_id", "source", "path"),
    )
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("feeder's schema only moves forward; restore a backup instead")
