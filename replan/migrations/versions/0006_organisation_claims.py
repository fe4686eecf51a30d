"""organisations: public only when approved or named by a published case; claims of names

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    # Profiles that members made under the old rule stay public; names that only a case record
    # brought in wait for a published case or a moderator.
    op.execute(
        "UPDATE kb_organisation SET approved_at = created_at WHERE id IN "
        "(SELECT organisation_id FROM auth_user WHERE organisation_id IS NOT NULL)"
    )
    op.create_table(
        "kb_organisation_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["kb_organisation.id"],
            name=op.f("fk_kb_organisation_claim_organisation_id_kb_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_kb_organisation_claim_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_organisation_claim")),
        sa.UniqueConstraint(
            "organisation_id", "user_id", name=op.f("uq_kb_organisation_claim_organisation_id")
        ),
    )
    op.create_index(
        op.f("ix_kb_organisation_claim_organisation_id"),
        "kb_organisation_claim",
        ["organisation_id"],
    )
    op.create_index(op.f("ix_kb_organisation_claim_user_id"), "kb_organisation_claim", ["user_id"])


def downgrade() -> None:
    op.drop_table("kb_organisation_claim")
    with op.batch_alter_table("kb_organisation", schema=None) as batch_op:
        batch_op.drop_column("approved_at")
