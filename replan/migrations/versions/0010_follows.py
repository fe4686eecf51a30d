"""follows: saved case searches and the criteria of a procurer's specs, each sent as a daily or
weekly digest, with the token of its one-click unsubscribe

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replan_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_replan_follow_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_follow")),
        sa.UniqueConstraint("token", name=op.f("uq_replan_follow_token")),
    )
    with op.batch_alter_table("replan_follow") as batch_op:
        batch_op.create_index(batch_op.f("ix_replan_follow_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("replan_follow")
