"""Paper templates: which sections a paper has, what they are called and in what
order. Stored in the document (``paper_templates``), so partners share them; the
usual council layout ships as the default and is written into a document the first
time it is needed (:func:`ensure_default_template`), never by a migration."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.model.base import link_id

DEFAULT_TEMPLATE_NAME = "Council report"

# The usual council layout (seed 003): purpose is a header field of the paper, then
# these sections in this order.
DEFAULT_SECTIONS: tuple[dict[str, str], ...] = (
    {"key": "reasons", "heading": "Reasons for the recommendations"},
    {"key": "background", "heading": "Background"},
    {"key": "considerations", "heading": "Issues and considerations"},
    {"key": "options", "heading": "Options considered"},
    {"key": "risk_management", "heading": "Risk management"},
    {"key": "financial", "heading": "Financial implications"},
    {"key": "legal", "heading": "Legal implications"},
    {"key": "equality", "heading": "Equality implications"},
    {"key": "consultees", "heading": "Consultees"},
    {"key": "background_papers", "heading": "Background papers"},
)

# Every document's default template has the same id, so two partners who both make
# it (each the first time they write a paper) make one record when their files merge.
DEFAULT_TEMPLATE_ID = link_id("paper_templates", "default")

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class TemplateListing:
    id: str
    name: str
    sections: list[dict[str, str]]
    is_default: bool


def parse_sections(text: str | None) -> list[dict[str, str]]:
    """A template's stored sections (JSON) as a list of ``{key, heading}``; entries
    that are not of that shape are left out (a file written by hand or by a newer
    version must not stop a paper being made)."""
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return []
    out = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str) and isinstance(item.get("heading"), str):
            out.append({"key": item["key"], "heading": item["heading"]})
    return out


def check_sections(sections: Any) -> list[dict[str, str]]:
    """Sections given for a template, checked: each a key (lower-case letters, digits,
    ``_`` or ``-``, at most 40) and a heading (at most 200 characters), keys unique.
    Raises ValidationError in plain words."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, item in enumerate(list(sections or []), start=1):
        if isinstance(item, (tuple, list)) and len(item) == 2:
            key, heading = item
        elif isinstance(item, dict):
            key, heading = item.get("key"), item.get("heading")
        else:
            raise ValidationError(f"Section {n} of the template is not a key and a heading.", field="sections")
        key = str(key or "").strip()
        heading = " ".join(str(heading or "").split())
        if not KEY_PATTERN.match(key):
            raise ValidationError(
                f"Section {n} of the template has the key {key!r}: a key is lower-case letters, digits, "
                "'_' or '-', starting with a letter, at most 40 characters.", field="sections")
        if not heading or len(heading) > 200:
            raise ValidationError(f"Section {n} of the template needs a heading of 1 to 200 characters.",
                                  field="sections")
        if key in seen:
            raise ValidationError(f"The template has two sections with the key {key!r}.", field="sections")
        seen.add(key)
        out.append({"key": key, "heading": heading})
    if not out:
        raise ValidationError("A template needs at least one section.", field="sections")
    return out


def list_templates(conn: Any) -> list[TemplateListing]:
    """The document's templates, the default first, then by name."""
    from cypdesk.services.service_map import query_rows

    with query_rows(conn) as run:
        rows = run("SELECT id, name, sections, is_default FROM paper_templates ORDER BY is_default DESC, name, id")
    return [TemplateListing(r[0], r[1], parse_sections(r[2]), bool(r[3])) for r in rows]


def template_sections(conn: Any, template_id: str) -> list[dict[str, str]]:
    """One template's sections; RecordNotFound if there is no such template."""
    from cypdesk.services.service_map import query_rows

    with query_rows(conn) as run:
        rows = run("SELECT sections FROM paper_templates WHERE id = ?", (template_id,))
    if not rows:
        raise RecordNotFound(f"There is no paper template with id {template_id}.", id=template_id)
    return parse_sections(rows[0][0])


def default_template_row(*, owner_org_id: str | None = None) -> dict[str, Any]:
    """The default template's values (the demo writes it with these)."""
    row = {"id": DEFAULT_TEMPLATE_ID, "name": DEFAULT_TEMPLATE_NAME,
           "sections": json.dumps(list(DEFAULT_SECTIONS)), "is_default": True}
    if owner_org_id is not None:
        row["owner_org_id"] = owner_org_id
    return row


def ensure_default_template(ws: Any, session: Any = None) -> str:
    """The id of the document's default template, writing the shipped one first if
    the document has none. Inside an open ``ws.write()`` pass its ``session``; without
    it this makes its own (one recorded insert, only the first time)."""
    from sqlalchemy import select

    from cypdesk.model import PaperTemplate

    def find(s: Any) -> str | None:
        found = s.scalars(select(PaperTemplate.id).where(PaperTemplate.is_default.is_(True))
                          .order_by(PaperTemplate.id).limit(1)).first()
        if found is None and s.get(PaperTemplate, DEFAULT_TEMPLATE_ID) is not None:
            return DEFAULT_TEMPLATE_ID  # unmarked as default by someone: still the shipped one
        return found

    if session is not None:
        found = find(session)
        if found is None:
            values = default_template_row()
            session.add(PaperTemplate(**values))
            session.flush()
            found = DEFAULT_TEMPLATE_ID
        return found
    with ws.read() as s:
        found = find(s)
    if found is not None:
        return found
    with ws.write() as s:
        return ensure_default_template(ws, s)


def save_template(ws: Any, name: str, sections: Any, *, id: str | None = None, is_default: bool | None = None) -> str:
    """Add a template (no ``id``) or change one: its name and its sections in order.
    Papers already made keep their sections (a template chooses a new paper's). With
    ``is_default`` True it becomes the default and no other is. Returns its id."""
    from sqlalchemy import select

    from cypdesk.model import PaperTemplate
    from cypdesk.services.records import _raise_problems, prepare

    clean_sections = check_sections(sections)
    values: dict[str, Any] = {"name": name, "sections": json.dumps(clean_sections)}
    if is_default is not None:
        values["is_default"] = bool(is_default)
    clean, problems = prepare(PaperTemplate, values, partial=id is not None)
    _raise_problems(PaperTemplate, problems)
    with ws.write() as session:
        if id is None:
            record = PaperTemplate(**clean)
            session.add(record)
        else:
            record = session.get(PaperTemplate, id)
            if record is None:
                raise RecordNotFound(f"There is no paper template with id {id}.", id=id)
            for key, value in clean.items():
                if getattr(record, key) != value:
                    setattr(record, key, value)
        session.flush()
        if clean.get("is_default"):
            for other in session.scalars(select(PaperTemplate).where(PaperTemplate.id != record.id,
                                                                     PaperTemplate.is_default.is_(True))):
                other.is_default = False
        return record.id


def remove_template(ws: Any, template_id: str) -> Any:
    """Delete a template (papers made from it keep their sections; their template is
    blanked). The default comes back, as shipped, the next time it is needed."""
    from cypdesk.services import records

    return records.delete(ws, "paper_templates", template_id)
