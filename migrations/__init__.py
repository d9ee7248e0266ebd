"""Alembic migrations (run as the owner role) and the app role's privileges."""
