"""Who makes a change and what a change touched: plain data, no SQLAlchemy, so code
that only reads (the window's first paint) can name them without importing the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Author:
    """Who makes a change: the installation (a person on a computer), not the file."""

    id: str
    user: str
    host: str

    @property
    def name(self) -> str:
        return f"{self.user} on {self.host}"


@dataclass
class ChangeSet:
    """What a flush (or a whole operation) changed, for views to refresh only that."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (table, id)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (table, id, field)
    deleted: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.deleted)

    def tables(self) -> set[str]:
        return {t for t, *_ in (*self.added, *self.changed, *self.deleted)}
