"""A board paper's content as plain values: what the paper shows, not how it is drawn.

Builders in ``services.papers`` make a :class:`PaperDoc` from the document; the
renderers in ``io.papers`` draw it as PDF or Word; a final paper stores it as JSON in its
snapshot, so it prints the same figures years later. Everything here is plain data
(dataclasses, no Qt, no SQLAlchemy), compared by value.

The JSON round trip is exact: ``PaperDoc.from_json(doc.to_json()) == doc``. Dates and
times are ISO strings, the logo is base64. A cell's ``value`` and a chart's ``data`` may
hold dates, datetimes and nested lists/dicts: dates are written as ``{"$date": iso}``
(``{"$datetime": iso}``) and read back as dates; tuples inside them become lists (when
the value is made, so the round trip still compares equal), and a float that is not a
number (NaN, infinity) becomes ``None`` (a figure that cannot be worked out).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import math
from dataclasses import dataclass
from typing import Any, Union

from cypdesk.common.errors import ValidationError

__all__ = [
    "BLOCK_KINDS",
    "CONTENT_VERSION",
    "Appendix",
    "Block",
    "Cell",
    "Chart",
    "Column",
    "Contact",
    "MeetingPack",
    "PackItem",
    "PaperDoc",
    "PaperDocError",
    "Recommendation",
    "Row",
    "Run",
    "Section",
    "Table",
    "Text",
    "plain_text",
]

CONTENT_VERSION = 1  # paper_snapshots.content_version of what to_json writes
BLOCK_KINDS = ("heading", "paragraph", "bullet", "numbered")


class PaperDocError(ValidationError):
    """Stored paper content that cannot be read (damaged or from a newer cypdesk)."""

    code = "paper_content"


# --- JSON-able values (cell values, chart data) -------------------------------------

def _plain(value: Any) -> Any:
    """``value`` with tuples as lists and non-numbers as None, recursively: the form it
    has after a JSON round trip, so that comparing before and after is exact."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


_TAGS = ("$date", "$datetime", "$dict")  # a one-key dict with such a key is wrapped in "$dict"


def _encode(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        encoded = {k: _encode(v) for k, v in value.items()}
        return {"$dict": encoded} if len(value) == 1 and next(iter(value)) in _TAGS else encoded
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a paper's content cannot hold {type(value).__name__} values ({value!r})")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$dict" in value:
            return {k: _decode(v) for k, v in value["$dict"].items()}
        if len(value) == 1 and "$date" in value:
            return _dt.date.fromisoformat(value["$date"])
        if len(value) == 1 and "$datetime" in value:
            return _dt.datetime.fromisoformat(value["$datetime"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _date_out(d: _dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date_in(s: str | None) -> _dt.date | None:
    return None if s is None else _dt.date.fromisoformat(s)


def _datetime_in(s: str | None) -> _dt.datetime | None:
    return None if s is None else _dt.datetime.fromisoformat(s)


# --- text -----------------------------------------------------------------------------

@dataclass
class Run:
    """A stretch of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False

    def to_dict(self) -> dict:
        return {"text": self.text, "bold": self.bold, "italic": self.italic}

    @classmethod
    def from_dict(cls, d: dict) -> Run:
        return cls(d["text"], bool(d.get("bold", False)), bool(d.get("italic", False)))


@dataclass
class Block:
    """A heading (level 1-3), paragraph, bullet or numbered item (level = nesting 1-3)."""

    kind: str
    runs: list[Run]
    level: int = 1

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"a block is one of {', '.join(BLOCK_KINDS)}, not {self.kind!r}")
        self.runs = list(self.runs)

    @property
    def text(self) -> str:
        """The block's words without their styles."""
        return "".join(r.text for r in self.runs)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "runs": [r.to_dict() for r in self.runs], "level": self.level}

    @classmethod
    def from_dict(cls, d: dict) -> Block:
        return cls(d["kind"], [Run.from_dict(r) for r in d["runs"]], int(d.get("level", 1)))


def plain_text(blocks: list[Block]) -> str:
    """The blocks' words, one block a line (for search, previews and tests)."""
    return "\n".join(b.text for b in blocks)


def _blocks_out(blocks: list[Block]) -> list[dict]:
    return [b.to_dict() for b in blocks]


def _blocks_in(items: list[dict]) -> list[Block]:
    return [Block.from_dict(b) for b in items]


# --- tables ---------------------------------------------------------------------------

@dataclass
class Column:
    """A table column: ``kind`` is a FieldMeta kind or "rating"; ``counts`` when it counts
    people (small numbers suppressed); ``confidential`` when only the row's owners (and
    the trust) may see it."""

    key: str
    label: str
    kind: str = "text"
    counts: bool = False
    confidential: bool = False
    align: str = "left"

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "kind": self.kind, "counts": self.counts,
                "confidential": self.confidential, "align": self.align}

    @classmethod
    def from_dict(cls, d: dict) -> Column:
        return cls(d["key"], d["label"], d.get("kind", "text"), bool(d.get("counts", False)),
                   bool(d.get("confidential", False)), d.get("align", "left"))


@dataclass
class Cell:
    """One cell: ``text`` is exactly what prints; ``value`` the figure behind it;
    ``rating`` a key of io/charts RATING_WORDS; ``suppressed`` a small number printed
    "c"; ``withheld`` a confidential value left out of a partner's copy."""

    text: str
    value: Any = None
    rating: str | None = None
    suppressed: bool = False
    withheld: bool = False

    def __post_init__(self) -> None:
        self.value = _plain(self.value)

    def to_dict(self) -> dict:
        return {"text": self.text, "value": _encode(self.value), "rating": self.rating,
                "suppressed": self.suppressed, "withheld": self.withheld}

    @classmethod
    def from_dict(cls, d: dict) -> Cell:
        return cls(d["text"], _decode(d.get("value")), d.get("rating"),
                   bool(d.get("suppressed", False)), bool(d.get("withheld", False)))


@dataclass
class Row:
    """A table row; ``owners`` are the organisation ids owning its record (redaction);
    ``total`` marks a totals row."""

    cells: list[Cell]
    owners: tuple[str, ...] = ()
    confidential: bool = False
    total: bool = False

    def __post_init__(self) -> None:
        self.cells = list(self.cells)
        self.owners = tuple(self.owners)

    def to_dict(self) -> dict:
        return {"cells": [c.to_dict() for c in self.cells], "owners": list(self.owners),
                "confidential": self.confidential, "total": self.total}

    @classmethod
    def from_dict(cls, d: dict) -> Row:
        return cls([Cell.from_dict(c) for c in d["cells"]], tuple(d.get("owners", ())),
                   bool(d.get("confidential", False)), bool(d.get("total", False)))


@dataclass
class Table:
    """A table with a title; ``wide`` prints it on a landscape page."""

    title: str
    columns: list[Column]
    rows: list[Row]
    note: str = ""
    wide: bool = False

    def __post_init__(self) -> None:
        self.columns = list(self.columns)
        self.rows = list(self.rows)
        for i, row in enumerate(self.rows):
            if len(row.cells) != len(self.columns):
                raise ValueError(f"row {i + 1} of the table {self.title!r} has {len(row.cells)} "
                                 f"cells for {len(self.columns)} columns")

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(key)

    def to_dict(self) -> dict:
        return {"type": "table", "title": self.title, "columns": [c.to_dict() for c in self.columns],
                "rows": [r.to_dict() for r in self.rows], "note": self.note, "wide": self.wide}

    @classmethod
    def from_dict(cls, d: dict) -> Table:
        return cls(d["title"], [Column.from_dict(c) for c in d["columns"]],
                   [Row.from_dict(r) for r in d["rows"]], d.get("note", ""), bool(d.get("wide", False)))


@dataclass
class Chart:
    """A chart as data: ``kind`` names how io/charts/spec.py redraws it from ``data``
    (JSON-able); ``description`` is its alt text, in words."""

    kind: str
    title: str
    description: str
    data: dict
    owners: tuple[str, ...] = ()
    confidential: bool = False

    def __post_init__(self) -> None:
        self.data = _plain(dict(self.data))
        self.owners = tuple(self.owners)

    def to_dict(self) -> dict:
        return {"type": "chart", "kind": self.kind, "title": self.title, "description": self.description,
                "data": _encode(self.data), "owners": list(self.owners), "confidential": self.confidential}

    @classmethod
    def from_dict(cls, d: dict) -> Chart:
        return cls(d["kind"], d["title"], d["description"], _decode(d["data"]),
                   tuple(d.get("owners", ())), bool(d.get("confidential", False)))


@dataclass
class Text:
    """Prose inside an appendix."""

    blocks: list[Block]

    def __post_init__(self) -> None:
        self.blocks = list(self.blocks)

    def to_dict(self) -> dict:
        return {"type": "text", "blocks": _blocks_out(self.blocks)}

    @classmethod
    def from_dict(cls, d: dict) -> Text:
        return cls(_blocks_in(d["blocks"]))


Item = Union[Table, Chart, Text]
_ITEM_TYPES = {"table": Table, "chart": Chart, "text": Text}


def _item_in(d: dict) -> Item:
    try:
        kind = _ITEM_TYPES[d["type"]]
    except KeyError:
        raise PaperDocError(f"an appendix item of an unknown type ({d.get('type')!r})") from None
    return kind.from_dict(d)


# --- the paper --------------------------------------------------------------------------

@dataclass
class Section:
    """A section of the report; a confidential one is left out of partners' copies, whole."""

    key: str
    heading: str
    blocks: list[Block]
    confidential: bool = False

    def __post_init__(self) -> None:
        self.blocks = list(self.blocks)

    def to_dict(self) -> dict:
        return {"key": self.key, "heading": self.heading, "blocks": _blocks_out(self.blocks),
                "confidential": self.confidential}

    @classmethod
    def from_dict(cls, d: dict) -> Section:
        return cls(d["key"], d["heading"], _blocks_in(d["blocks"]), bool(d.get("confidential", False)))


@dataclass
class Appendix:
    """An appendix (letter A, B...) built from the document's data."""

    letter: str
    title: str
    kind: str
    options: dict
    items: list[Item]
    wide: bool = False

    def __post_init__(self) -> None:
        self.options = _plain(dict(self.options))
        self.items = list(self.items)

    def to_dict(self) -> dict:
        return {"letter": self.letter, "title": self.title, "kind": self.kind,
                "options": _encode(self.options), "items": [i.to_dict() for i in self.items],
                "wide": self.wide}

    @classmethod
    def from_dict(cls, d: dict) -> Appendix:
        return cls(d["letter"], d["title"], d["kind"], _decode(d.get("options", {})),
                   [_item_in(i) for i in d["items"]], bool(d.get("wide", False)))


@dataclass
class Recommendation:
    number: int
    text: str
    decision: str | None = None
    decision_note: str | None = None

    def to_dict(self) -> dict:
        return {"number": self.number, "text": self.text, "decision": self.decision,
                "decision_note": self.decision_note}

    @classmethod
    def from_dict(cls, d: dict) -> Recommendation:
        return cls(int(d["number"]), d["text"], d.get("decision"), d.get("decision_note"))


@dataclass
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "phone": self.phone, "email": self.email}

    @classmethod
    def from_dict(cls, d: dict) -> Contact:
        return cls(d["name"], d.get("phone"), d.get("email"))


def _bytes_out(b: bytes | None) -> str | None:
    return None if b is None else base64.b64encode(b).decode("ascii")


def _bytes_in(s: str | None) -> bytes | None:
    return None if s is None else base64.b64decode(s.encode("ascii"), validate=True)


def _loads(text: str | bytes, what: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise PaperDocError(f"The stored {what} is not readable ({exc}).") from None
    if not isinstance(data, dict):
        raise PaperDocError(f"The stored {what} is not readable (not a JSON object).")
    version = data.get("content_version", 1)
    if not isinstance(version, int) or version > CONTENT_VERSION:
        raise PaperDocError(f"The stored {what} was written by a newer cypdesk "
                            f"(content version {version}); update cypdesk to read it.")
    return data


def _guard(what: str, build):  # noqa: ANN001, ANN202 - a small wrapper for from_json
    try:
        return build()
    except PaperDocError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
        raise PaperDocError(f"The stored {what} is damaged ({type(exc).__name__}: {exc}).") from None


def _dumps(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, allow_nan=False, sort_keys=False, separators=(",", ":"))


@dataclass
class PaperDoc:
    """Everything a board paper prints. ``marking`` is the label ("OFFICIAL");
    ``for_partner`` names the organisation a provider-safe copy was made for."""

    paper_id: str
    version: int
    status: str
    title: str
    board: str
    meeting_date: _dt.date | None
    agenda_item: str | None
    author: str | None
    contact: Contact | None
    marking: str
    purpose: list[Block]
    key_decision: bool
    wards_affected: str | None
    recommendations: list[Recommendation]
    sections: list[Section]
    appendices: list[Appendix]
    trust_name: str | None
    logo: bytes | None
    data_taken_at: _dt.datetime | None
    for_partner: str | None = None
    language: str = "en-GB"

    def to_dict(self) -> dict:
        return {
            "content_version": CONTENT_VERSION,
            "paper_id": self.paper_id, "version": self.version, "status": self.status,
            "title": self.title, "board": self.board, "meeting_date": _date_out(self.meeting_date),
            "agenda_item": self.agenda_item, "author": self.author,
            "contact": None if self.contact is None else self.contact.to_dict(),
            "marking": self.marking, "purpose": _blocks_out(self.purpose),
            "key_decision": self.key_decision, "wards_affected": self.wards_affected,
            "recommendations": [r.to_dict() for r in self.recommendations],
            "sections": [s.to_dict() for s in self.sections],
            "appendices": [a.to_dict() for a in self.appendices],
            "trust_name": self.trust_name, "logo": _bytes_out(self.logo),
            "data_taken_at": None if self.data_taken_at is None else self.data_taken_at.isoformat(),
            "for_partner": self.for_partner, "language": self.language,
        }

    @classmethod
    def from_dict(cls, d: dict) -> PaperDoc:
        return cls(
            paper_id=d["paper_id"], version=int(d["version"]), status=d["status"], title=d["title"],
            board=d["board"], meeting_date=_date_in(d.get("meeting_date")),
            agenda_item=d.get("agenda_item"), author=d.get("author"),
            contact=None if d.get("contact") is None else Contact.from_dict(d["contact"]),
            marking=d["marking"], purpose=_blocks_in(d.get("purpose", [])),
            key_decision=bool(d.get("key_decision", False)), wards_affected=d.get("wards_affected"),
            recommendations=[Recommendation.from_dict(r) for r in d.get("recommendations", [])],
            sections=[Section.from_dict(s) for s in d.get("sections", [])],
            appendices=[Appendix.from_dict(a) for a in d.get("appendices", [])],
            trust_name=d.get("trust_name"), logo=_bytes_in(d.get("logo")),
            data_taken_at=_datetime_in(d.get("data_taken_at")),
            for_partner=d.get("for_partner"), language=d.get("language", "en-GB"),
        )

    def to_json(self) -> str:
        """The paper as JSON text (what a final paper's snapshot stores)."""
        return _dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str | bytes) -> PaperDoc:
        """The paper stored by :meth:`to_json`; :class:`PaperDocError` when damaged or newer."""
        data = _loads(text, "paper")
        return _guard("paper", lambda: cls.from_dict(data))


@dataclass
class PackItem:
    """An agenda item of a meeting pack; ``doc`` is None for an item without a paper."""

    agenda_item: str
    title: str
    doc: PaperDoc | None

    def to_dict(self) -> dict:
        return {"agenda_item": self.agenda_item, "title": self.title,
                "doc": None if self.doc is None else self.doc.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> PackItem:
        return cls(d["agenda_item"], d["title"], None if d.get("doc") is None else PaperDoc.from_dict(d["doc"]))


@dataclass
class MeetingPack:
    """A meeting's papers in agenda order, with the board's heading."""

    board: str
    meeting_date: _dt.date
    place: str | None
    trust_name: str | None
    logo: bytes | None
    items: list[PackItem]
    for_partner: str | None = None
    supplement: int = 0  # 0: the meeting's pack; n: supplement n (papers to follow, after the pack went out)

    def to_dict(self) -> dict:
        return {"content_version": CONTENT_VERSION, "board": self.board,
                "meeting_date": _date_out(self.meeting_date), "place": self.place,
                "trust_name": self.trust_name, "logo": _bytes_out(self.logo),
                "items": [i.to_dict() for i in self.items], "for_partner": self.for_partner,
                "supplement": self.supplement}

    @classmethod
    def from_dict(cls, d: dict) -> MeetingPack:
        return cls(d["board"], _date_in(d["meeting_date"]), d.get("place"), d.get("trust_name"),
                   _bytes_in(d.get("logo")), [PackItem.from_dict(i) for i in d["items"]],
                   d.get("for_partner"), int(d.get("supplement") or 0))

    def to_json(self) -> str:
        return _dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str | bytes) -> MeetingPack:
        data = _loads(text, "meeting pack")
        return _guard("meeting pack", lambda: cls.from_dict(data))
