"""moderation: case versions, pending revisions, audit log, attachments; case organisation

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["auth_user.id"], name=op.f(f"fk_{table}_{column}_auth_user"), ondelete="SET NULL"
    )


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["kb_case.id"], name=op.f(f"fk_{table}_case_id_kb_case"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("kb_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_kb_case_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_kb_case_organisation_id_kb_organisation"),
            "kb_organisation",
            ["organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "kb_case_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _case_fk("kb_case_version"),
        _user_fk("kb_case_version", "published_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_case_version")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_kb_case_version_case_id")),
    )
    with op.batch_alter_table("kb_case_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_case_version_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kb_case_version_published_by"), ["published_by"], unique=False
        )

    op.create_table(
        "kb_case_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("kb_case_revision"),
        _user_fk("kb_case_revision", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_case_revision")),
        sa.UniqueConstraint("case_id", name=op.f("uq_kb_case_revision_case_id")),
    )
    with op.batch_alter_table("kb_case_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_case_revision_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_kb_case_revision_status"), ["status"], unique=False)

    op.create_table(
        "kb_case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _case_fk("kb_case_event"),
        _user_fk("kb_case_event", "actor_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_case_event")),
    )
    with op.batch_alter_table("kb_case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_case_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_case_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "kb_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("caption", sa.String(length=300), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("kb_attachment"),
        _user_fk("kb_attachment", "uploaded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_kb_attachment_stored_name")),
    )
    with op.batch_alter_table("kb_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_attachment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kb_attachment_uploaded_by"), ["uploaded_by"], unique=False
        )


def downgrade() -> None:
    op.drop_table("kb_attachment")
    op.drop_table("kb_case_event")
    op.drop_table("kb_case_revision")
    op.drop_table("kb_case_version")
    with op.batch_alter_table("kb_case", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_kb_case_organisation_id_kb_organisation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_kb_case_organisation_id"))
        batch_op.drop_column("organisation_id")
