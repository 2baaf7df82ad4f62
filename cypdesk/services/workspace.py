"""An open document with its author and clock: what every use case takes.

``ws.write()`` is the one way to change a document: it refuses read-only documents,
takes the document's single-writer lock, marks the document as having unsaved changes
(durably, before the first commit after opening or saving: ``doc.unsaved_write()``),
gives a tracked session (every change is stamped, versioned and recorded with its
author) and commits. ``ws.read()`` gives a plain session for queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cypdesk.common.hlc import Clock
from cypdesk.model.changes import Author, ChangeSet

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cypdesk.model.tracking import TrackedSession
    from cypdesk.model.document import Document
    from cypdesk.model.installation import Installation


def author_of(installation: Installation) -> Author:
    return Author(id=installation.id, user=installation.user, host=installation.host)


class Workspace:
    def __init__(self, doc: Document, installation: Installation | None = None, clock: Clock | None = None) -> None:
        if installation is None:
            from cypdesk.model.installation import get_installation

            installation = get_installation()
        self.doc = doc
        self.author = author_of(installation)
        self.clock = clock or Clock(installation.id)
        self._clock_synced = False
        self.last_changes = ChangeSet()

    def _sync_clock(self) -> None:
        """Move the clock past every stamp in the document (once, before the first
        write: opening a document for reading need not import the ORM)."""
        if not self._clock_synced:
            from cypdesk.model.tracking import latest_stamp

            with self.doc.engine.connect() as conn:
                self.clock.observe(latest_stamp(conn))
            self._clock_synced = True

    @property
    def read_only(self) -> bool:
        return bool(self.doc.read_only)

    @contextmanager
    def write(self) -> Iterator[TrackedSession]:
        """One transaction of edits; commits on success, rolls back on any error."""
        self.doc.check_writable()
        self._sync_clock()
        from cypdesk.model.tracking import make_session

        with self.doc.unsaved_write():
            session = make_session(self.doc.write_engine, self.author, self.clock, expire_on_commit=False)
            try:
                yield session
                session.flush()
                changes = session.changes
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        self.last_changes = changes

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlalchemy.orm import Session

        session = Session(bind=self.doc.engine, autoflush=False)
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def bulk(self) -> Iterator[object]:
        """A Core connection in one transaction, for bulk writers (demo, import). They
        stamp rows with :func:`~cypdesk.model.tracking.stamp_rows` themselves."""
        self.doc.check_writable()
        self._sync_clock()
        with self.doc.unsaved_write():
            with self.doc.write_engine.begin() as conn:
                yield conn
