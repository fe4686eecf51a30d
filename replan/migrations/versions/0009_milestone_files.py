"""milestone evidence files: the delivery notes, test reports and photos of a contract's
milestones, checked as the case studies' attachments are

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gpp_milestone_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_milestone_file_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["auth_user.id"],
            name=op.f("fk_gpp_milestone_file_uploaded_by_auth_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpp_milestone_file")),
    )
    with op.batch_alter_table("gpp_milestone_file") as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_milestone_file_spec_id"), ["spec_id"])


def downgrade() -> None:
    op.drop_table("gpp_milestone_file")
