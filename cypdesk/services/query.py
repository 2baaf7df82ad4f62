"""Reading a document with plain SQL over whatever reaches it (:func:`query_rows`).

Kept apart from :mod:`cypdesk.services.service_map`, which re-exports it, so that
modules read at start-up (the document's settings for the Needs tab) do not import the
service map's rules to reach it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Run = Callable[..., list[tuple[Any, ...]]]


@contextmanager
def query_rows(source: Any) -> Iterator[Run]:
    """A function ``run(sql, params=())`` returning rows as tuples, over any way of
    reaching a document: a ``sqlite3`` connection, a SQLAlchemy engine, connection or
    session, or a workspace (its document's engine). An engine is read through one
    connection, so all the queries of one computation see the same state."""
    if isinstance(source, sqlite3.Connection):
        yield lambda sql, params=(): source.execute(sql, tuple(params)).fetchall()
        return
    if hasattr(source, "exec_driver_sql"):  # a SQLAlchemy Connection
        yield lambda sql, params=(): [tuple(r) for r in source.exec_driver_sql(sql, tuple(params))]
        return
    if hasattr(source, "get_bind") and hasattr(source, "connection"):  # a Session
        conn = source.connection()
        yield lambda sql, params=(): [tuple(r) for r in conn.exec_driver_sql(sql, tuple(params))]
        return
    doc = getattr(source, "doc", None)
    engine = doc.engine if doc is not None else source  # a Workspace, or an Engine
    if not hasattr(engine, "connect"):
        raise TypeError(f"cannot read a document through {type(source).__name__}")
    with engine.connect() as conn:
        yield lambda sql, params=(): [tuple(r) for r in conn.exec_driver_sql(sql, tuple(params))]
