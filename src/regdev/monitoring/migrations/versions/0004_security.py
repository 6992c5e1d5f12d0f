"""security: login attempts per client, session epoch, unknown raw-material amounts

* ``login_attempts.client`` — the address a login came from: lockout counts failures
  per (username, client), so nobody can lock an account out from elsewhere;
* ``users.session_epoch`` — tokens carry it; logging out increments it (revocation);
* ``factory_operations.raw_local`` / ``raw_imported`` become nullable: a blank field
  is stored as unknown (NULL) rather than 0.  Existing rows keep their values.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index("ix_login_attempts_user_client_time", ["username", "client", "at"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("factory_operations", schema=None) as batch_op:
        batch_op.alter_column("raw_local", existing_type=sa.Float(), nullable=True)
        batch_op.alter_column("raw_imported", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE factory_operations SET raw_local = 0 WHERE raw_local IS NULL")
    op.execute("UPDATE factory_operations SET raw_imported = 0 WHERE raw_imported IS NULL")
    with op.batch_alter_table("factory_operations", schema=None) as batch_op:
        batch_op.alter_column("raw_imported", existing_type=sa.Float(), nullable=False)
        batch_op.alter_column("raw_local", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_user_client_time")
        batch_op.drop_column("client")
