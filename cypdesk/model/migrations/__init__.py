"""Alembic revisions of the document schema (batch mode for SQLite).

Run them only through :mod:`cypdesk.model.migrate`, which backs the file up first,
turns foreign keys off, runs every step in one transaction and checks row counts.
Revision ids are ``0001``, ``0002``...; a file's ``PRAGMA user_version`` is the number
of the last revision applied. ``CURRENT_SCHEMA_VERSION`` must equal the head revision
(a test checks it); it is here, not in ``migrate``, so that reading a file's header
does not import Alembic.
"""

CURRENT_SCHEMA_VERSION = 10
