"""The declarative base, the columns every record shares, and the file's identity.

Every record a partner can hold has a text UUID primary key (integer ids collide
between partners), created/updated time and author, the owning partner, and two clock
stamps: ``created_hlc`` (the version of every field not edited since) and ``hlc`` (the
latest change to the record). Field-level versions of later edits are in
``field_versions``; deletions leave a row in ``tombstones``. Merging reads those.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr

from cypdesk.model.fields import field
from cypdesk.model.ids import new_id, utcnow  # noqa: F401  (re-exported; the merge imports them from ids)

from cypdesk.model.identity import APPLICATION_ID  # noqa: E402,F401  (re-exported)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Link rows (a service's outcome, a team's member...) take an id derived from what
# they link, so two partners who make the same link make the same row.
_LINK_NAMESPACE = uuid.UUID("6f1c1d7e-4b1a-4c55-9a38-0c6f3c1e2a51")


def link_id(table: str, *parts: str) -> str:
    return str(uuid.uuid5(_LINK_NAMESPACE, "|".join((table, *parts))))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record(Base):
    """A record partners exchange and merge. Subclasses set ``__tablename__`` to the
    plural KIND the command line uses (``services``, ``indicator_values``...) and
    ``__title__`` to the attribute that names a record to a person."""

    __abstract__ = True
    __title__ = "name"
    __label__ = ""  # singular, for messages: "service"

    id: Mapped[str] = field(String(36), "Id", primary_key=True, default=new_id, system=True, kind="identifier", sort_order=-100)
    created_at: Mapped[datetime] = field(DateTime, "Created", default=utcnow, system=True, required=True, sort_order=101)
    updated_at: Mapped[datetime] = field(DateTime, "Updated", default=utcnow, system=True, required=True, sort_order=102)
    created_by: Mapped[str | None] = field(String(36), "Created by", system=True, kind="identifier", sort_order=103)
    updated_by: Mapped[str | None] = field(String(36), "Updated by", system=True, kind="identifier", sort_order=104)
    created_hlc: Mapped[str] = field(String(48), "Created (clock)", system=True, required=True, kind="stamp", default="", sort_order=105)
    hlc: Mapped[str] = field(String(48), "Changed (clock)", system=True, required=True, kind="stamp", default="", sort_order=106)

    @declared_attr
    def owner_org_id(cls) -> Mapped[str | None]:  # noqa: N805
        return field(String(36), "Owning partner", system=True, kind="reference", references="organisations", sort_order=107)

    def display_title(self) -> str:
        """What names the record to a person (its ``__title__`` field, else its id).
        Not ``title``: several kinds have a field of that name."""
        value = getattr(self, self.__title__, None)
        return str(value) if value not in (None, "") else self.id


def period_key_and_start(value: object) -> tuple[str, date]:
    """A period written any way people write one, as its stored key and start date."""
    from cypdesk.common.periods import Period, parse_period

    if isinstance(value, Period):
        period = value
    else:
        text = str(value).strip()
        try:
            period = Period.from_key(text)
        except ValueError:
            period = parse_period(text)
    return period.key(), period.start_date()
