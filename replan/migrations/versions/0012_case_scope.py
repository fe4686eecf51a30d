"""case scope: whether a case study's figures are one work's ("project") or a scheme's, region's
or country's total over many works ("programme"); every existing case is a project, except the
shipped seed cases that are programme totals

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The seed cases that report a scheme's, region's or country's figures (their records now say
# `"scope": "programme"`): a database loaded from the seeds before this revision gets the same.
SEED_PROGRAMMES = (
    "be-recytyre-2022-2023-granulats",
    "es-comunidad-de-madrid-carreteras-2009",
    "es-signus-2016-suelos-seguridad-parques-infantiles",
    "es-signus-2023-carreteras-polvo-neumatico",
    "fr-aliapur-valorisation-pneus-usages",
    "gr-ecoelastika-programma-dapeda-asfaleias-scholeia",
    "gr-kaisariani-2022-anakyklosi-elastikon",
    "it-campi-calcio-sintetici-gomma-pfu-2015",
    "it-ecopneus-km-asfalti-modificati-gomma",
    "pl-orlik-2012-granulat-z-opon-modernizacja",
    "pl-pzpo-apel-gumowy-asfalt-2021",
    "pt-recipav-bmb-network",
    "si-izrabljene-gume-snovna-predelava-statistika",
)


def upgrade() -> None:
    with op.batch_alter_table("kb_case") as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=20), nullable=False, server_default="project")
        )
    kb_case = sa.table("kb_case", sa.column("id", sa.String), sa.column("scope", sa.String))
    op.execute(kb_case.update().where(kb_case.c.id.in_(SEED_PROGRAMMES)).values(scope="programme"))


def downgrade() -> None:
    with op.batch_alter_table("kb_case") as batch_op:
        batch_op.drop_column("scope")
