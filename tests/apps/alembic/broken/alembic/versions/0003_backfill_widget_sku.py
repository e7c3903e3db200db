"""backfill widget sku

Revision ID: 0003
Revises: 0002
Create Date: 2024-05-21 09:47:02.771305
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("widgets", sa.Column("sku", sa.String(32)))
    op.execute("UPDATE widgets SET sku = 'W-' || widget_code")


def downgrade():
    op.drop_column("widgets", "sku")
