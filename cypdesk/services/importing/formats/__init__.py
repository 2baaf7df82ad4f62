"""The layouts officers download, read without a mapping step (issue 9, item 3).

Each family has its module; :func:`detect` recognises a file by its content (headings,
JSON keys) from its first rows only, and :meth:`Format.tables` gives its table(s) in
long form with the mapping onto the kind already made (``SourceTable.preset``, in the
``--mapping`` JSON form). Targets may be references' subfields ("indicator_id.code",
"area_id.gss_code", "supplier_id.name", "service_id.name"): the import finds or creates
the record they name.

==================  ======================================================  =====================
format              what                                                    kind
==================  ======================================================  =====================
``fingertips``      Fingertips (OHID) data exports                          indicator_values
``dfe_ees``         DfE explore-education-statistics tidy CSVs               indicator_values
``dfe_la_tables``   DfE local authority tables (sfr xlsx/xls, LAs in rows)  indicator_values
``s52``             DfE section 52 outturn (children's services spend)      indicator_values
``lgtc_contracts``  Transparency Code contract registers                    contracts
``360giving``       360Giving grant files (xlsx, csv)                       contracts (grants)
``ocds``            OCDS release packages (Contracts Finder JSON)           contracts
``ons_lookup``      ONS area lookups (ward, district, county, region...)    areas
``spend``           Spend-over-£500 files                                   payments
==================  ======================================================  =====================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cypdesk.services.importing.formats.common import FormatError, Head, read_head, wrong_kind
from cypdesk.services.importing.source import SourceTable


@dataclass
class Format:
    name: str                   # "fingertips", "dfe_ees", ...
    label: str                  # "Fingertips export (OHID)"
    kinds: tuple[str, ...]      # the kinds it can feed, first is the usual one
    sniff: Callable[[Head], bool] = field(repr=False, default=lambda head: False)
    build: Callable[[Path, str], list[SourceTable]] = field(repr=False, default=lambda path, kind: [])

    def tables(self, path: Path, kind: str) -> list[SourceTable]:
        """The file's table(s) in long form with their preset mappings; refuses a kind
        the format cannot feed."""
        path = Path(path)
        if kind not in self.kinds:
            raise wrong_kind(path, self.label_with_article, kind, self.kinds)
        return self.build(path, kind)

    @property
    def label_with_article(self) -> str:
        return ("an " if self.label[:1].lower() in "aeiou" else "a ") + self.label


def _formats() -> list[Format]:
    from cypdesk.services.importing.formats import contracts, dfe_ees, dfe_tables, fingertips, geography, ocds, spend

    return [
        fingertips.FORMAT, dfe_ees.FORMAT, spend.S52, contracts.LGTC, contracts.GIVING, spend.SPEND,
        geography.FORMAT, ocds.FORMAT, dfe_tables.FORMAT,
    ]


def formats() -> list[Format]:
    """Every format, in the order :func:`detect` tries them."""
    return _formats()


def detect(path: Path) -> Format | None:
    """The format of the field a file is in, judged from its first rows (or JSON keys),
    or None for a plain table."""
    head = read_head(Path(path))
    if head is None:
        return None
    for fmt in _formats():
        if fmt.sniff(head):
            return fmt
    return None


def by_name(name: str) -> Format | None:
    return next((f for f in _formats() if f.name == name), None)


__all__ = ["Format", "FormatError", "by_name", "detect", "formats"]
