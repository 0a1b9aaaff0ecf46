"""Alembic's environment for the store's migrations: always run programmatically, on the connection
the caller passes in ``config.attributes["connection"]`` and inside the caller's transaction (so a
store's creation or upgrade commits whole or not at all). See ``runner``."""

from __future__ import annotations

from alembic import context

from canton_console.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("canton-console runs its store migrations on an open connection (canton_console.store.migrations.runner)")
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
