"""Composing a board paper: its meeting, header, sections, recommendations with the
board's decisions, appendices; finalising it (a snapshot of what it shows) and
reopening a final paper as a new draft version.

Every operation is ONE transaction through ``ws.write()`` (a tracked session: each
record stamped, each field versioned, history written with the author), with values
checked by :mod:`cypdesk.services.records` against their fields' declarations. Edits
of a paper's content refuse a final paper (:class:`PaperIsFinal`); the board's
decisions are recorded after the meeting, so :func:`record_decision` and
:func:`start_action` work on a final paper. Operations that change one record return
a :class:`~cypdesk.services.records.Change` the window's undo can reverse like any
other (``records.update`` with ``before``, ``records.restore`` of a delete).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select

from cypdesk.common.errors import PaperIsFinal, RecordNotFound, ValidationError
from cypdesk.common.richtext import clean
from cypdesk.model import Action, Appendix, Meeting, Paper, PaperSection, PaperSnapshot, Recommendation, link_id
from cypdesk.model.monitoring import APPENDIX_KINDS
from cypdesk.services.records import Change, _delete_tree, _raise_problems, create, prepare, snapshot
from cypdesk.services.workspace import Workspace

# Fields the workflow sets (finalise, reopen), never an edit of the paper.
WORKFLOW_FIELDS = frozenset({"status", "version", "previous_id", "finalised_at", "data_taken_at"})
RICH_TEXT_FIELDS = frozenset({"purpose"})
AGREED = ("agreed", "amended")

__all__ = [
    "add_appendix", "add_recommendation", "add_section", "finalise", "move_section", "new_meeting", "new_paper",
    "record_decision", "remove_appendix", "remove_recommendation", "remove_section", "reopen",
    "restore_recommendation", "set_section",
    "start_action", "update_appendix", "update_paper", "update_recommendation",
]


# --- shared checks -------------------------------------------------------------------------

def _checked(model: Any, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    clean_values, problems = prepare(model, values, partial=partial)
    _raise_problems(model, problems)
    return clean_values


def _paper(session: Any, paper_id: str) -> Paper:
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise RecordNotFound(f"There is no board paper with id {paper_id}.", id=paper_id)
    return paper


def _draft(session: Any, paper_id: str) -> Paper:
    """The paper, if its content may change; PaperIsFinal if it is final."""
    paper = _paper(session, paper_id)
    if paper.status == "final":
        raise PaperIsFinal(f"The paper '{paper.title}' is final; reopen it to make a new draft.",
                           id=paper.id, version=paper.version)
    return paper


def _child(session: Any, model: Any, record_id: str, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None:
        raise RecordNotFound(f"There is no {what} with id {record_id}.", id=record_id)
    return record


def _set(record: Any, values: dict[str, Any]) -> Change:
    """Apply checked values to a record in the open session; the Change names only the
    fields whose value changed."""
    before = {k: getattr(record, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    for k, v in changed.items():
        setattr(record, k, v)
    return Change("update", record.__tablename__, record.id, record.display_title(),
                  before={k: before[k] for k in changed}, after=changed)


def _delete(session: Any, record: Any) -> Change:
    """Delete through the ORM with what depends on it, recorded so undo can restore it."""
    removed: list[tuple[str, dict[str, Any]]] = []
    cleared: list[tuple[str, str, str, Any]] = []
    title = record.display_title()
    kind, record_id = record.__tablename__, record.id
    _delete_tree(session, record, removed, cleared, set())
    session.flush()
    change = Change("delete", kind, record_id, title, before=removed[-1][1])
    change.dependents = removed[:-1]
    change.cleared = cleared
    return change


def _references_exist(session: Any, values: dict[str, Any]) -> None:
    """RecordNotFound, in plain words, for a meeting, person or template a paper's
    values name that the document does not hold (before the database refuses it)."""
    from cypdesk.model import Person, PaperTemplate

    for name, model, what in (("meeting_id", Meeting, "meeting"), ("author_id", Person, "person"),
                              ("contact_id", Person, "person"), ("template_id", PaperTemplate, "paper template")):
        value = values.get(name)
        if value is not None and session.get(model, value) is None:
            raise RecordNotFound(f"There is no {what} with id {value}.", id=value, field=name)


def _rich(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in RICH_TEXT_FIELDS & set(out):
        if out[name] is not None:
            out[name] = clean(str(out[name])) or None
    return out


# --- meetings and papers ---------------------------------------------------------------------

def new_meeting(ws: Workspace, board: str, held_on: Any, place: str | None = None) -> str:
    """A meeting of ``board`` on ``held_on`` (a date, or a date as people write one)."""
    return create(ws, "meetings", {"board": board, "held_on": held_on, "place": place}).id


def new_paper(ws: Workspace, meeting_id: str | None, title: str, *, template_id: str | None = None,
              **fields: Any) -> str:
    """A draft paper for the meeting, with one empty section per section of the
    template (the document's default, written first if it has none). ``fields`` are
    the paper's other fields (agenda_item, author_id, contact_id, marking, purpose,
    key_decision, wards_affected); the purpose is cleaned to the rich-text subset."""
    from cypdesk.services.papers.templates import ensure_default_template, template_sections

    refused = WORKFLOW_FIELDS & set(fields)
    if refused:
        raise ValidationError(f"A new paper is a draft, version 1: {', '.join(sorted(refused))} cannot be given.",
                              field=sorted(refused)[0])
    values = _checked(Paper, _rich({"title": title, "meeting_id": meeting_id, **fields}), partial=False)
    with ws.write() as session:
        _references_exist(session, values)
        template_id = template_id or ensure_default_template(ws, session)
        sections = template_sections(session, template_id)
        paper = Paper(**values, template_id=template_id, status="draft", version=1)
        session.add(paper)
        session.flush()
        for position, section in enumerate(sections):
            session.add(PaperSection(paper_id=paper.id, key=section["key"], heading=section["heading"],
                                     position=position))
        session.flush()
        return paper.id


def update_paper(ws: Workspace, paper_id: str, values: dict[str, Any]) -> Change:
    """Change a draft paper's header fields (title, meeting, agenda item, author,
    contact, marking, purpose, key decision, wards affected, template). Refuses a final
    paper (:class:`PaperIsFinal`) and the fields finalising and reopening set."""
    refused = WORKFLOW_FIELDS & set(values)
    if refused:
        raise ValidationError(f"{', '.join(sorted(refused))} change only by finalising or reopening the paper.",
                              field=sorted(refused)[0])
    checked = _checked(Paper, _rich(values), partial=True)
    with ws.write() as session:
        paper = _draft(session, paper_id)
        _references_exist(session, checked)
        change = _set(paper, checked)
        session.flush()
        return change


# --- sections ---------------------------------------------------------------------------------

def _sections(session: Any, paper_id: str) -> list[PaperSection]:
    return list(session.scalars(select(PaperSection).where(PaperSection.paper_id == paper_id)
                                .order_by(PaperSection.position, PaperSection.id)))


def _section(session: Any, paper_id: str, key: str) -> PaperSection:
    found = session.scalars(select(PaperSection).where(PaperSection.paper_id == paper_id, PaperSection.key == key)
                            .order_by(PaperSection.position, PaperSection.id)).first()
    if found is None:
        raise RecordNotFound(f"The paper has no section {key!r}.", id=paper_id, key=key)
    return found


def set_section(ws: Workspace, paper_id: str, key: str, *, body: str | None = None, heading: str | None = None,
                confidential: bool | None = None) -> Change:
    """Change a section's text (cleaned to the rich-text subset; empty text clears
    it), heading or confidential mark; what is None stays as it is."""
    values: dict[str, Any] = {}
    if body is not None:
        values["body"] = clean(body) or None
    if heading is not None:
        values["heading"] = " ".join(str(heading).split())
    if confidential is not None:
        values["confidential"] = bool(confidential)
    checked = _checked(PaperSection, values, partial=True)
    if "body" in values and values["body"] is None:
        checked["body"] = None
    with ws.write() as session:
        _draft(session, paper_id)
        change = _set(_section(session, paper_id, key), checked)
        session.flush()
        return change


def _renumber(sections: list[PaperSection]) -> None:
    for position, section in enumerate(sections):
        if section.position != position:
            section.position = position


def add_section(ws: Workspace, paper_id: str, heading: str, *, after_key: str | None = None) -> str:
    """A new empty section with ``heading``, after the section ``after_key`` (at the
    end without it). Its key is ``section-<n>``, the next number the paper has not
    used. Returns the key."""
    checked = _checked(PaperSection, {"heading": " ".join(str(heading or "").split())}, partial=True)
    if not checked.get("heading"):
        raise ValidationError("A section needs a heading.", field="heading")
    with ws.write() as session:
        _draft(session, paper_id)
        sections = _sections(session, paper_id)
        used = [int(s.key.split("-", 1)[1]) for s in sections
                if s.key.startswith("section-") and s.key.split("-", 1)[1].isdigit()]
        key = f"section-{max(used, default=0) + 1}"
        index = len(sections)
        if after_key is not None:
            index = sections.index(_section(session, paper_id, after_key)) + 1
        new = PaperSection(paper_id=paper_id, key=key, heading=checked["heading"], position=index)
        session.add(new)
        sections.insert(index, new)
        _renumber(sections)
        session.flush()
        return key


def move_section(ws: Workspace, paper_id: str, key: str, position: int) -> list[str]:
    """Move a section to ``position`` (0 is first; beyond the end is last). Returns the
    keys in their new order (undo moves it back to where it was)."""
    with ws.write() as session:
        _draft(session, paper_id)
        sections = _sections(session, paper_id)
        section = _section(session, paper_id, key)
        sections.remove(section)
        sections.insert(max(0, min(int(position), len(sections))), section)
        _renumber(sections)
        session.flush()
        return [s.key for s in sections]


def remove_section(ws: Workspace, paper_id: str, key: str) -> Change:
    """Delete a section with its text (undo: ``records.restore(ws, change)``)."""
    with ws.write() as session:
        _draft(session, paper_id)
        return _delete(session, _section(session, paper_id, key))


# --- recommendations and decisions -------------------------------------------------------------

def add_recommendation(ws: Workspace, paper_id: str, text: str) -> str:
    """A recommendation numbered after the paper's last."""
    checked = _checked(Recommendation, {"text": text}, partial=True)
    if not checked.get("text"):
        raise ValidationError("A recommendation needs its text.", field="text")
    with ws.write() as session:
        _draft(session, paper_id)
        last = session.scalar(select(func.max(Recommendation.number)).where(Recommendation.paper_id == paper_id))
        record = Recommendation(paper_id=paper_id, number=(last or 0) + 1, text=checked["text"])
        session.add(record)
        session.flush()
        return record.id


def update_recommendation(ws: Workspace, rec_id: str, values: dict[str, Any]) -> Change:
    """Change a recommendation's text (a draft paper's only; decisions through
    :func:`record_decision`, numbers by :func:`remove_recommendation`)."""
    refused = set(values) - {"text"}
    if refused:
        raise ValidationError(f"Only a recommendation's text is changed here, not {', '.join(sorted(refused))}.",
                              field=sorted(refused)[0])
    checked = _checked(Recommendation, values, partial=True)
    if "text" in values and not checked.get("text"):
        raise ValidationError("A recommendation needs its text.", field="text")
    with ws.write() as session:
        rec = _child(session, Recommendation, rec_id, "recommendation")
        _draft(session, rec.paper_id)
        change = _set(rec, checked)
        session.flush()
        return change


def remove_recommendation(ws: Workspace, rec_id: str) -> Change:
    """Delete a recommendation; those after it move up a number (undo:
    :func:`restore_recommendation`)."""
    with ws.write() as session:
        rec = _child(session, Recommendation, rec_id, "recommendation")
        _draft(session, rec.paper_id)
        paper_id, number = rec.paper_id, rec.number
        change = _delete(session, rec)
        later = session.scalars(select(Recommendation).where(Recommendation.paper_id == paper_id,
                                                             Recommendation.number > number)
                                .order_by(Recommendation.number))
        for other in later:
            other.number -= 1
        session.flush()
        return change


def restore_recommendation(ws: Workspace, change: Change) -> Change:
    """Undo :func:`remove_recommendation`: those numbered from it on move down a number
    again and it comes back with its id, number, text and decision (one transaction)."""
    values = dict(change.before)
    with ws.write() as session:
        _draft(session, values["paper_id"])
        later = session.scalars(select(Recommendation).where(Recommendation.paper_id == values["paper_id"],
                                                             Recommendation.number >= values["number"])
                                .order_by(Recommendation.number.desc()))
        for other in later:
            other.number += 1
        session.flush()
        session.add(Recommendation(**{k: v for k, v in values.items()
                                      if k not in ("hlc", "updated_at", "updated_by")}))
        for table, record_id, column, value in change.cleared:  # actions it had started
            if table == "actions":
                action = session.get(Action, record_id)
                if action is not None and action.recommendation_id is None:
                    action.recommendation_id = value
        session.flush()
    return Change("create", change.kind, change.id, change.title, after=change.before)


def record_decision(ws: Workspace, rec_id: str, decision: str | None, note: str | None = None) -> Change:
    """The board's decision on a recommendation (agreed, amended, deferred, rejected;
    None clears it) with its note. Allowed on a final paper: decisions come after the
    meeting, and a final paper's snapshot keeps what the paper showed."""
    checked = _checked(Recommendation, {"decision": decision, "decision_note": note}, partial=True)
    checked.setdefault("decision", None)
    checked.setdefault("decision_note", None)
    with ws.write() as session:
        rec = _child(session, Recommendation, rec_id, "recommendation")
        change = _set(rec, checked)
        session.flush()
        return change


def start_action(ws: Workspace, rec_id: str, values: dict[str, Any]) -> str:
    """An action in the action plan carrying out an agreed (or agreed as amended)
    recommendation, linked back to it; its text defaults to the recommendation's."""
    with ws.read() as session:
        rec = _child(session, Recommendation, rec_id, "recommendation")
        decision, text = rec.decision, rec.text
    if decision not in AGREED:
        raise ValidationError("An action can only be started from a recommendation the board agreed "
                              f"(this one is {decision or 'not yet decided'}).", field="decision")
    given = dict(values)
    given.pop("recommendation_id", None)
    given.setdefault("action", text)
    checked = _checked(Action, given, partial=False)
    with ws.write() as session:
        rec = _child(session, Recommendation, rec_id, "recommendation")
        if rec.decision not in AGREED:
            raise ValidationError("The recommendation is no longer agreed; no action was started.", field="decision")
        action = Action(**checked, recommendation_id=rec_id)
        session.add(action)
        session.flush()
        return action.id


# --- appendices ---------------------------------------------------------------------------------

def _letters() -> Any:
    """A, B, ... Z, AA, AB, ..."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    yield from alphabet
    for first in alphabet:
        for second in alphabet:
            yield first + second


def _options_json(options: Any) -> str | None:
    if options is None:
        return None
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError:
            raise ValidationError("The appendix's options are not readable (they must be JSON).",
                                  field="options") from None
    if not isinstance(options, dict):
        raise ValidationError("The appendix's options must be names and values.", field="options")
    try:
        return json.dumps(options, sort_keys=True)
    except TypeError:
        raise ValidationError("The appendix's options hold a value that cannot be stored.", field="options") from None


def add_appendix(ws: Workspace, paper_id: str, kind: str, *, title: str | None = None,
                 options: dict[str, Any] | None = None) -> str:
    """An appendix built from the data (``kind``, one of APPENDIX_KINDS, with its
    options), lettered with the first letter the paper does not use."""
    checked = _checked(Appendix, {"kind": kind, "title": title}, partial=True)
    if not checked.get("kind"):
        raise ValidationError("An appendix needs a kind.", field="kind")
    checked["title"] = checked.get("title") or APPENDIX_KINDS.label(checked["kind"])
    options_json = _options_json(options)
    with ws.write() as session:
        _draft(session, paper_id)
        used = set(session.scalars(select(Appendix.letter).where(Appendix.paper_id == paper_id)))
        letter = next(x for x in _letters() if x not in used)
        record = Appendix(paper_id=paper_id, letter=letter, options=options_json, **checked)
        session.add(record)
        session.flush()
        return record.id


def update_appendix(ws: Workspace, appendix_id: str, values: dict[str, Any]) -> Change:
    """Change an appendix's kind, title, options (a dict) or letter (not one another
    appendix of the paper has)."""
    values = dict(values)
    options_given = "options" in values
    options_json = _options_json(values.pop("options", None))
    checked = _checked(Appendix, values, partial=True)
    if options_given:
        checked["options"] = options_json
    with ws.write() as session:
        record = _child(session, Appendix, appendix_id, "appendix")
        _draft(session, record.paper_id)
        letter = checked.get("letter")
        if letter is not None:
            letter = checked["letter"] = letter.upper()
            taken = session.scalar(select(Appendix.id).where(Appendix.paper_id == record.paper_id,
                                                             Appendix.letter == letter, Appendix.id != record.id))
            if taken is not None:
                raise ValidationError(f"The paper already has an appendix {letter}.", field="letter")
        change = _set(record, checked)
        session.flush()
        return change


def remove_appendix(ws: Workspace, appendix_id: str) -> Change:
    """Delete an appendix (the others keep their letters: the paper's text names them)."""
    with ws.write() as session:
        record = _child(session, Appendix, appendix_id, "appendix")
        _draft(session, record.paper_id)
        return _delete(session, record)


# --- finalising and reopening -------------------------------------------------------------------

def _utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def finalise(ws: Workspace, paper_id: str, *, now: datetime | None = None) -> str:
    """Make a draft final: its content built from the data now
    (:func:`cypdesk.services.papers.content.build_paper_doc`) is stored as JSON in its
    snapshot, and the paper says when it was finalised and when its data was taken.
    One transaction. Returns the snapshot's id (one per paper: ``link_id`` of it)."""
    from cypdesk.services.papers import content

    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    with ws.write() as session:
        paper = _draft(session, paper_id)
        session.flush()
        doc = content.build_paper_doc(session, paper_id, now=moment)
        doc = replace(doc, status="final")
        taken = _utc_naive(doc.data_taken_at or moment)
        snapshot_id = link_id("paper_snapshots", paper_id)
        existing = session.get(PaperSnapshot, snapshot_id)
        if existing is None:
            session.add(PaperSnapshot(id=snapshot_id, paper_id=paper_id, taken_at=taken, content=doc.to_json(),
                                      content_version=_content_version()))
        else:  # left by a partner's finalise of this paper that merged in before its status did
            existing.taken_at, existing.content, existing.content_version = taken, doc.to_json(), _content_version()
        paper.status = "final"
        paper.finalised_at = _utc_naive(moment)
        paper.data_taken_at = taken
        session.flush()
        return snapshot_id


def _content_version() -> int:
    from cypdesk.common.paperdoc import CONTENT_VERSION

    return CONTENT_VERSION


def reopen(ws: Workspace, paper_id: str) -> str:
    """A new draft of a final paper: version + 1, ``previous_id`` the final one, with
    copies of its sections, recommendations (without the board's decisions) and
    appendices. The final paper and its snapshot stay as they were. Refuses a draft
    and a final paper already reopened (names the draft to carry on with)."""
    with ws.write() as session:
        paper = _paper(session, paper_id)
        if paper.status != "final":
            raise ValidationError(f"The paper '{paper.title}' is a draft: edit it, there is nothing to reopen.",
                                  field="status", id=paper_id)
        already = session.scalars(select(Paper).where(Paper.previous_id == paper_id)
                                  .order_by(Paper.version.desc())).first()
        if already is not None:
            raise ValidationError(f"The paper '{paper.title}' was already reopened as version {already.version}; "
                                  "carry on with that one.", field="previous_id", id=already.id)
        values = {k: v for k, v in snapshot(paper).items()
                  if k not in {"id", "created_at", "updated_at", "created_by", "updated_by", "created_hlc", "hlc"}
                  and k not in WORKFLOW_FIELDS}
        draft = Paper(**values, status="draft", version=(paper.version or 1) + 1, previous_id=paper.id)
        session.add(draft)
        session.flush()
        for section in _sections(session, paper_id):
            session.add(PaperSection(paper_id=draft.id, key=section.key, heading=section.heading,
                                     position=section.position, body=section.body, confidential=section.confidential))
        recs = session.scalars(select(Recommendation).where(Recommendation.paper_id == paper_id)
                               .order_by(Recommendation.number, Recommendation.id))
        for rec in recs:
            session.add(Recommendation(paper_id=draft.id, number=rec.number, text=rec.text))
        apps = session.scalars(select(Appendix).where(Appendix.paper_id == paper_id).order_by(Appendix.letter))
        for app in apps:
            session.add(Appendix(paper_id=draft.id, letter=app.letter, kind=app.kind, title=app.title,
                                 options=app.options))
        session.flush()
        return draft.id
