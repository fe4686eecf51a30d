"""auth_user.organisation_id keeps kb's id without a foreign key: replan refers to no domain table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FK = "fk_auth_user_organisation_id_kb_organisation"
KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    # SQLite rebuilds the table: keep AUTOINCREMENT, so that ids are still never reused.
    with op.batch_alter_table("auth_user", table_kwargs=KEEP) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE auth_user SET organisation_id = NULL WHERE organisation_id IS NOT NULL "
            "AND organisation_id NOT IN (SELECT id FROM kb_organisation)"
        )
    )
    with op.batch_alter_table("auth_user", table_kwargs=KEEP) as batch_op:
        batch_op.create_foreign_key(
            FK, "kb_organisation", ["organisation_id"], ["id"], ondelete="SET NULL"
        )
