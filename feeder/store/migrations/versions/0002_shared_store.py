"""PostgreSQL as a shared store: its own full-text search, leases on sources so
several workers share the scanning, and a version per feed so every worker can tell
when a feed it serves from the database has changed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# PostgreSQL full-text search: a tsvector of the title (weighted higher) and the
# body's plain text, kept by a trigger so every write path keeps it in step.
# The `simple` configuration neither stems nor drops stop words, like SQLite's FTS5.
POSTGRESQL_SEARCH = (
    "ALTER TABLE items ADD COLUMN search tsvector",
    """
    CREATE FUNCTION items_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search := setweight(to_tsvector('simple', NEW.title), 'A') || to_tsvector(
            'simple',
            coalesce((
                SELECT string_agg(block ->> 1, ' ')
                FROM json_array_elements(NEW.body::json) block
            ), '')
        );
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER items_search BEFORE INSERT OR UPDATE OF title, body ON items"
    " FOR EACH ROW EXECUTE FUNCTION items_search_vector()",
    "UPDATE items SET title = title",  # index what the database already holds
    "CREATE INDEX ix_items_search ON items USING gin (search)",
)


def upgrade() -> None:
    op.create_table(
        "source_leases",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "feed_versions",
        sa.Column("feed", sa.String(100), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        for statement in POSTGRESQL_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("feeder's schema only moves forward; restore a backup instead")
