"""add price to widgets

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-09 16:03:11.540212
"""
from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("widgets", sa.Column("price_cents", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_widgets_name", "widgets", ["name"])


def downgrade():
    op.drop_index("ix_widgets_name", table_name="widgets")
    op.drop_column("widgets", "price_cents")
