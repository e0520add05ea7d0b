"""submissions without a participant (anonymous form answers)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot alter a column in place; batch mode copies the table.
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM answer WHERE submission_id IN "
               "(SELECT id FROM submission WHERE participant_id IS NULL)")
    op.execute("DELETE FROM submission WHERE participant_id IS NULL")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
