"""The rich text of a paper's purpose and sections: a small Markdown subset.

Stored as Markdown so the window's editor (a QTextEdit, ``toMarkdown()`` and
``setMarkdown()``), the renderers and partners' files all read the same text:

- ``#``, ``##``, ``###`` headings (level 1-3);
- ``- `` or ``* `` bullets and ``1. `` numbered items (levels 1-3): an item indented at
  least two spaces more than the one above is inside it (people type two; Qt writes
  three under ``1. ``, and so does :func:`to_markdown`);
- ``**bold**``, ``*italic*`` and ``_italic_`` (``_`` not inside a word, as in
  ``risk_management``), nested either way;
- a backslash before ``\\ * _ # - + . ) [ ] ` < > !`` keeps that character literal.

Everything else is literal text: no HTML, links or images (``<img src=...>`` is the
words ``<img src=...>``), so nothing a person or a partner's file writes is ever
interpreted beyond these. A paragraph's lines join with a space (Markdown's soft
break: Qt wraps long lines when it writes Markdown); a blank line, a heading or a list
item starts a new block, and so does a line that starts with a paragraph number such
as ``3.2`` (council papers number their paragraphs). ``clean(text) == to_markdown(parse(text))`` is what the
services store, and ``parse(clean(text)) == parse(text)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cypdesk.common.paperdoc import Block, Run

__all__ = ["clean", "parse", "to_markdown"]

MAX_LEVEL = 3
ESCAPABLE = frozenset("\\*_#-+.)[]`<>!&")
_HEADING = re.compile(r"^(#{1,3})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)[-*][ \t]+(.*)$")
_NUMBERED = re.compile(r"^([ \t]*)\d{1,9}[.)][ \t]+(.*)$")
# A council paper numbers its paragraphs (1.1, 3.2): such a line starts a paragraph.
_PARAGRAPH_NUMBER = re.compile(r"^\d{1,3}(\.\d{1,3})+[ \t]")
# At the start of a paragraph's text, these would read as a heading or list item.
_LOOKS_LIKE_MARKER = re.compile(r"^(#|[-*+][ \t]|\d{1,9}[.)][ \t])")


# --- parsing -----------------------------------------------------------------------------

def parse(text: str | None) -> list[Block]:
    """The blocks of ``text`` (see the module's notes for what is read)."""
    blocks: list[tuple[str, int, list[str]]] = []  # kind, level, lines of inline text
    open_block = False  # the last block takes continuation lines
    items: list[int] = []  # indents of the open list items, outermost first

    def list_level(indent: str) -> int:
        """An item is inside the one before it when indented at least two spaces more
        (Qt writes three under ``1. ``, people type two)."""
        width = len(indent.replace("\t", "  "))
        while items and width < items[-1] + 2:
            items.pop()
        items.append(width)
        return min(MAX_LEVEL, len(items))

    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            open_block = False
            continue
        heading = _HEADING.match(line.lstrip()) if len(line) - len(line.lstrip()) < 4 else None
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading is not None:
            blocks.append(("heading", len(heading.group(1)), [heading.group(2)]))
            open_block = False
            items.clear()
        elif bullet is not None and bullet.group(2).strip() and not _is_thematic(line):
            blocks.append(("bullet", list_level(bullet.group(1)), [bullet.group(2)]))
            open_block = True
        elif numbered is not None and numbered.group(2).strip():
            blocks.append(("numbered", list_level(numbered.group(1)), [numbered.group(2)]))
            open_block = True
        elif open_block and blocks and not _PARAGRAPH_NUMBER.match(line.lstrip()):
            blocks[-1][2].append(line.strip())
        else:
            blocks.append(("paragraph", 1, [line.strip()]))
            open_block = True
            items.clear()
    out = []
    for kind, level, lines in blocks:
        runs = parse_inline(" ".join(part.strip() for part in lines))
        if runs:
            out.append(Block(kind, runs, level))
    return out


def _is_thematic(line: str) -> bool:
    """``* * *`` or ``- - -``: literal text here, not a bullet whose text is a rule."""
    return bool(re.fullmatch(r"[ \t]*([-*])([ \t]*\1){2,}[ \t]*", line))


@dataclass
class _Delim:
    char: str
    n: int
    opener: bool
    matched: bool = False


def parse_inline(text: str) -> list[Run]:
    """The styled runs of one block's text: ``**bold**``, ``*italic*``, ``_italic_``
    and backslash escapes; an unmatched delimiter is literal."""
    tokens: list[str | _Delim] = []
    stack: list[_Delim] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            tokens.append("".join(buf))
            buf.clear()

    i, size = 0, len(text)
    while i < size:
        c = text[i]
        if c == "\\" and i + 1 < size and text[i + 1] in ESCAPABLE:
            buf.append(text[i + 1])
            i += 2
            continue
        if c not in "*_":
            buf.append(c)
            i += 1
            continue
        j = i
        while j < size and text[j] == c:
            j += 1
        n = j - i
        prev = text[i - 1] if i > 0 else " "
        nxt = text[j] if j < size else " "
        can_open, can_close = not nxt.isspace(), not prev.isspace()
        if c == "_":
            can_open = can_open and not prev.isalnum()
            can_close = can_close and not nxt.isalnum()
            if n > 1:
                can_open = can_close = False  # "__" is not bold here: literal
        flush()
        remaining = n
        if can_close:
            while remaining and stack and stack[-1].char == c and stack[-1].n <= remaining:
                top = stack.pop()
                top.matched = True
                tokens.append(_Delim(c, top.n, opener=False, matched=True))
                remaining -= top.n
        if remaining and can_open:
            sizes = {1: [1], 2: [2], 3: [2, 1]}.get(remaining, [2, 1])
            extra = remaining - sum(sizes)
            if extra:
                tokens.append(c * extra)
            for k in sizes:
                delim = _Delim(c, k, opener=True)
                tokens.append(delim)
                stack.append(delim)
            remaining = 0
        if remaining:
            tokens.append(c * remaining)
        i = j
    flush()

    runs: list[Run] = []
    bold = italic = 0
    for token in tokens:
        if isinstance(token, _Delim):
            if not token.matched:
                _append(runs, token.char * token.n, bold > 0, italic > 0)
                continue
            step = 1 if token.opener else -1
            if token.n == 2:
                bold += step
            else:
                italic += step
        else:
            _append(runs, token, bold > 0, italic > 0)
    return runs


def _append(runs: list[Run], text: str, bold: bool, italic: bool) -> None:
    if not text:
        return
    if runs and runs[-1].bold == bold and runs[-1].italic == italic:
        runs[-1] = Run(runs[-1].text + text, bold, italic)
    else:
        runs.append(Run(text, bold, italic))


# --- writing -----------------------------------------------------------------------------

def _escape(text: str) -> str:
    """Text with what Markdown readers would interpret escaped: our delimiters, and
    what Qt's reader (GitHub dialect) would take as HTML, an entity, a link or code."""
    return re.sub(r"([\\*_<&\[\]`])", r"\\\1", text)


def inline_markdown(runs: list[Run]) -> str:
    """Runs as inline Markdown that :func:`parse_inline` reads back as the same runs
    (for runs it produced; others come back with spaces at a style's edge moved outside
    it, as a delimiter beside a space would not be read as one)."""
    runs = [Run(" ".join(r.text.split("\n")), r.bold, r.italic) for r in runs if r.text]
    out: list[str] = []
    stack: list[str] = []  # "b" or "i", innermost last

    def styles(run: Run) -> set[str]:
        return {s for s, on in (("b", run.bold), ("i", run.italic)) if on}

    def lasts(style: str, start: int) -> int:
        n = 0
        for run in runs[start:]:
            if style not in styles(run):
                break
            n += 1
        return n

    def close(keep: set[str]) -> None:
        """Close styles not in ``keep`` (and any above them, reopened by the caller)."""
        if not any(s not in keep for s in stack):
            return
        moved = ""
        if out and out[-1] != out[-1].rstrip():
            moved = out[-1][len(out[-1].rstrip()):]
            out[-1] = out[-1].rstrip()
        while any(s not in keep for s in stack):
            out.append("**" if stack.pop() == "b" else "*")
        if moved:
            out.append(moved)

    for index, run in enumerate(runs):
        want = styles(run)
        text = run.text
        close(want)
        to_open = sorted(want - set(stack), key=lambda s: -lasts(s, index))
        if to_open:
            lead = text[:len(text) - len(text.lstrip())]
            if lead:
                out.append(lead)
                text = text[len(lead):]
            for s in to_open:
                out.append("**" if s == "b" else "*")
                stack.append(s)
        out.append(_escape(text))
    close(set())
    return "".join(out)


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as the stored Markdown subset: blocks apart by a blank line, list
    items of one list on consecutive lines, numbered items numbered from 1 per level."""
    lines: list[str] = []
    counters: dict[int, int] = {}
    widths: dict[int, int] = {}  # level -> the column its items' text starts at
    previous_list = False
    for block in blocks:
        body = inline_markdown(block.runs)
        if not body.strip():
            continue
        level = max(1, min(MAX_LEVEL, int(block.level or 1)))
        is_list = block.kind in ("bullet", "numbered")
        if lines and not (is_list and previous_list):
            lines.append("")
        if block.kind == "heading":
            lines.append("#" * level + " " + body.strip())
        elif is_list:
            level = min(level, len(widths) + 1)  # a level-3 item needs a level-2 one above it
            for deeper in [k for k in counters if k > level]:
                del counters[deeper]
            for deeper in [k for k in widths if k >= level]:
                del widths[deeper]
            if block.kind == "numbered":
                counters[level] = counters.get(level, 0) + 1
                marker = f"{counters[level]}. "
            else:
                counters.pop(level, None)
                marker = "- "
            indent = widths.get(level - 1, 0)
            widths[level] = indent + len(marker)
            lines.append(" " * indent + marker + body.strip())
        else:
            text = body.strip()
            if _LOOKS_LIKE_MARKER.match(text):
                text = "\\" + text if text[0] in "#-+" else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
            lines.append(text)
        if not is_list:
            counters.clear()
            widths.clear()
        previous_list = is_list
    return "\n".join(lines)


def clean(text: str | None) -> str:
    """``text`` as the services store it: parsed and written back (``to_markdown(parse(text))``)."""
    return to_markdown(parse(text))
