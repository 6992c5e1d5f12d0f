"""grain status: warmest layer, CO2, fan state, controller note

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grain_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_temp_c", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("co2_ppm", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("fan_on", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("controller_note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grain_status", schema=None) as batch_op:
        batch_op.drop_column("controller_note")
        batch_op.drop_column("fan_on")
        batch_op.drop_column("co2_ppm")
        batch_op.drop_column("max_temp_c")
