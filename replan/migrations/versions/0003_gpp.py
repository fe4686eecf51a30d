"""green public procurement: specs, bidders, checks and wizard drafts

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 13:06:07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gpp_spec",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("application", sa.String(length=40), nullable=False),
        sa.Column("ambition", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=True),
        sa.Column("procurement_type", sa.String(length=20), nullable=False),
        sa.Column("library_version", sa.String(length=40), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["auth_user.id"],
            name=op.f("fk_gpp_spec_owner_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_spec_previous_id_gpp_spec"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpp_spec")),
    )
    with op.batch_alter_table("gpp_spec", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_spec_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gpp_spec_previous_id"), ["previous_id"], unique=False)

    op.create_table(
        "gpp_bidder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_bidder_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpp_bidder")),
    )
    with op.batch_alter_table("gpp_bidder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_bidder_spec_id"), ["spec_id"], unique=False)

    op.create_table(
        "gpp_draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("source_spec_id", sa.String(length=64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["auth_user.id"],
            name=op.f("fk_gpp_draft_owner_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_draft_source_spec_id_gpp_spec"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpp_draft")),
    )
    with op.batch_alter_table("gpp_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_draft_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "gpp_check",
        sa.Column("bidder_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["bidder_id"],
            ["gpp_bidder.id"],
            name=op.f("fk_gpp_check_bidder_id_gpp_bidder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bidder_id", "n", name=op.f("pk_gpp_check")),
    )


def downgrade() -> None:
    op.drop_table("gpp_check")
    with op.batch_alter_table("gpp_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gpp_draft_owner_id"))
    op.drop_table("gpp_draft")
    with op.batch_alter_table("gpp_bidder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gpp_bidder_spec_id"))
    op.drop_table("gpp_bidder")
    with op.batch_alter_table("gpp_spec", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gpp_spec_previous_id"))
        batch_op.drop_index(batch_op.f("ix_gpp_spec_owner_id"))
    op.drop_table("gpp_spec")
