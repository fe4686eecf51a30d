"""contract follow-up: a spec's status and award, its milestones, the log of its moves, the
life-cycle cost figures of its bids

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gpp_contract",
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("bidder_id", sa.Integer(), nullable=True),
        sa.Column("awarded_to", sa.String(length=200), nullable=True),
        sa.Column("award_verdict", sa.String(length=20), nullable=True),
        sa.Column("award_reason", sa.Text(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bidder_id"],
            ["gpp_bidder.id"],
            name=op.f("fk_gpp_contract_bidder_id_gpp_bidder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_contract_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("spec_id", name=op.f("pk_gpp_contract")),
    )
    with op.batch_alter_table("gpp_contract") as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_contract_bidder_id"), ["bidder_id"])

    op.create_table(
        "gpp_milestone",
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=120), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=True),
        sa.Column("limit_kind", sa.String(length=3), nullable=False),
        sa.Column("penalty_rate", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_soon_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_milestone_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("spec_id", "n", name=op.f("pk_gpp_milestone")),
    )

    op.create_table(
        "gpp_contract_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_contract_event_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_gpp_contract_event_user_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpp_contract_event")),
    )
    with op.batch_alter_table("gpp_contract_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_gpp_contract_event_spec_id"), ["spec_id"])
        batch_op.create_index(batch_op.f("ix_gpp_contract_event_user_id"), ["user_id"])

    op.create_table(
        "gpp_bid_lcc",
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("period_years", sa.Integer(), nullable=False),
        sa.Column("discount_rate", sa.Float(), nullable=False),
        sa.Column("bids", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["gpp_spec.id"],
            name=op.f("fk_gpp_bid_lcc_spec_id_gpp_spec"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("spec_id", name=op.f("pk_gpp_bid_lcc")),
    )


def downgrade() -> None:
    op.drop_table("gpp_bid_lcc")
    op.drop_table("gpp_contract_event")
    op.drop_table("gpp_milestone")
    op.drop_table("gpp_contract")
