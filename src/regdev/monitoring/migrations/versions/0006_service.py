"""grain status: warmest sensor of each temperature cable

``grain_status.cable_max_temp_c`` (JSON, nullable): cable name → warmest valid sensor
(°C), as the grain controller's reporter sends it (``regdev.grain.report``).  Earlier
reports keep NULL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grain_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cable_max_temp_c", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grain_status", schema=None) as batch_op:
        batch_op.drop_column("cable_max_temp_c")
