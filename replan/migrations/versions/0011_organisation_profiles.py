"""organisation profiles: contact, regions served, materials and products offered, a pending
edit waiting for a moderator, and certificates as their own table (the free-text list of
certifications becomes certificates with a name only)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-08 01:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_organisation") as batch_op:
        batch_op.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("postal_address", sa.Text(), nullable=True))
        for name in ("regions_served", "rtm_offered", "products"):
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
            )
        batch_op.add_column(sa.Column("pending_profile", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("pending_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pending_by", sa.Integer(), nullable=True))
    op.create_table(
        "kb_organisation_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("registry_url", sa.String(length=2000), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=60), nullable=True),
        sa.Column("stored_name", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["kb_organisation.id"],
            name=op.f("fk_kb_organisation_certificate_organisation_id_kb_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_organisation_certificate")),
    )
    with op.batch_alter_table("kb_organisation_certificate") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_organisation_certificate_organisation_id"), ["organisation_id"]
        )
    _move_certifications()
    with op.batch_alter_table("kb_organisation") as batch_op:
        batch_op.drop_column("certifications")


def _move_certifications() -> None:
    """Each line of the old list becomes an approved certificate with that name."""
    bind = op.get_bind()
    org = sa.table("kb_organisation", sa.column("id"), sa.column("certifications", sa.JSON()))
    cert = sa.table(
        "kb_organisation_certificate",
        sa.column("organisation_id"),
        sa.column("state"),
        sa.column("name"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = sa.func.now()
    for org_id, listed in bind.execute(sa.select(org.c.id, org.c.certifications)).all():
        names = json.loads(listed) if isinstance(listed, str) else listed
        for name in names or []:
            if str(name).strip():
                bind.execute(
                    cert.insert().values(
                        organisation_id=org_id,
                        state="approved",
                        name=str(name).strip()[:200],
                        created_at=now,
                    )
                )


def downgrade() -> None:
    with op.batch_alter_table("kb_organisation") as batch_op:
        batch_op.add_column(
            sa.Column("certifications", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.drop_table("kb_organisation_certificate")
    with op.batch_alter_table("kb_organisation") as batch_op:
        for name in (
            "pending_by",
            "pending_at",
            "pending_profile",
            "products",
            "rtm_offered",
            "regions_served",
            "postal_address",
            "contact_email",
        ):
            batch_op.drop_column(name)
