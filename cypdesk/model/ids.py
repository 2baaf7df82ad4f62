"""Record ids and times, without SQLAlchemy: :mod:`cypdesk.model.base` re-exports them,
and the merge (which never imports the mapped classes) takes them from here."""

from __future__ import annotations

import os
from datetime import datetime, timezone

_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}  # the RFC 4122 variant bits, 10xx


def new_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` gives it, built from
    16 random bytes directly: an import of 200,000 rows makes 200,000 of them."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


__all__ = ["new_id", "utcnow"]
