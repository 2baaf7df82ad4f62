"""The provider-safe version of a paper: the ONE rule of :mod:`cypdesk.services.outward`
applied to a paper's structured content (reliability cases 62 and 72).

For a partner ORG (DESIGN.md section 5):

- a section marked confidential is left out, whole (officers' prose is not redacted word
  by word: a section is in or out);
- a table row or a chart marked confidential is left out unless ORG owns its record
  (``owners``);
- a cell in a column marked confidential (a contract's value) is withheld, printing
  nothing, unless ORG owns the row's record (a provider sees its own contract values);
- the contact (a person's phone and email) is left out;
- ``for_partner`` names ORG, so the paper says whose version it is.

The decisions are :func:`outward.withholds` and :func:`outward.leaves_out`; this module
only walks the paper. Every outward path of a paper calls :func:`redact_doc`:
``content.build_paper_doc(..., partner=)`` for a draft and for a final paper's snapshot,
and ``content.build_meeting_pack(..., partner=)`` for each of its papers.
"""

from __future__ import annotations

import dataclasses

from cypdesk.common.paperdoc import Appendix, Cell, Chart, PaperDoc, Row, Table
from cypdesk.services import outward

__all__ = ["redact_doc"]


def redact_doc(doc: PaperDoc, partner: outward.Partner) -> PaperDoc:
    """A copy of ``doc`` as ``partner`` may see it (the module doc); ``doc`` is unchanged."""
    if partner is None:
        raise ValueError("redact_doc needs the partner the paper is for")
    sections = [s for s in doc.sections if not outward.leaves_out(confidential_record=s.confidential, owned=False)]
    appendices = [_appendix(a, partner) for a in doc.appendices]
    return dataclasses.replace(
        doc, sections=[dataclasses.replace(s, blocks=list(s.blocks)) for s in sections], appendices=appendices,
        contact=None, for_partner=partner.name)


def _appendix(appendix: Appendix, partner: outward.Partner) -> Appendix:
    items = []
    for item in appendix.items:
        if isinstance(item, Table):
            items.append(_table(item, partner))
        elif isinstance(item, Chart):
            if not outward.leaves_out(confidential_record=item.confidential, owned=partner.id in item.owners):
                items.append(dataclasses.replace(item))
        else:
            items.append(dataclasses.replace(item, blocks=list(item.blocks)))
    return dataclasses.replace(appendix, items=items)


def _table(table: Table, partner: outward.Partner) -> Table:
    rows = []
    for row in table.rows:
        owned = partner.id in row.owners
        if outward.leaves_out(confidential_record=row.confidential, owned=owned):
            continue
        cells = [_withheld() if outward.withholds(confidential=col.confidential, owned=owned) else
                 dataclasses.replace(cell) for col, cell in zip(table.columns, row.cells)]
        rows.append(Row(cells, row.owners, row.confidential, row.total))
    return dataclasses.replace(table, columns=list(table.columns), rows=rows)


def _withheld() -> Cell:
    return Cell("", None, withheld=True)
