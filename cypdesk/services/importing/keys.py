"""What identifies a record in a source, per kind (issue 9, item 7), and the form of the
identifiers the field uses (ONS GSS codes, NHS ODS codes, charity and company numbers).

The schema holds no unique indexes (partners' rows would collide in a merge), so the
import enforces these keys: a row whose key matches a record updates it, else it adds
one. Each kind lists alternatives in order of preference; an alternative applies to a
row when its FIRST field has a value (the others may be blank, and blank matches blank:
an indicator value without a breakdown matches the one without a breakdown).
"""

from __future__ import annotations

import re
from typing import Any

from cypdesk.common.names import normalise_name

NATURAL_KEYS: dict[str, list[tuple[str, ...]]] = {
    "organisations": [("company_number",), ("charity_number",), ("ods_code",), ("gss_code",), ("name",)],
    "people": [("email",), ("name", "organisation_id")],
    "areas": [("gss_code",), ("la_code",), ("name", "kind")],
    "groups": [("name",)],
    "outcomes": [("name",)],
    "teams": [("name",)],
    "services": [("name", "provider_id")],
    "contracts": [("reference",), ("title", "supplier_id", "start_date")],
    "agreements": [("title",)],
    "payments": [("transaction_ref", "paid_on", "amount", "supplier"), ("paid_on", "supplier", "amount", "description")],
    "indicators": [("code",), ("name",)],
    "indicator_values": [("indicator_id", "area_id", "period", "group_id", "sex", "age", "category")],
    "evidence": [("title", "held_on")],
    "priorities": [("statement",)],
    "contributions": [("agreement_id", "organisation_id", "financial_year")],
    "returns": [("agreement_id", "financial_year", "quarter")],
    "measures": [("name", "service_id")],
    "measurements": [("measure_id", "period")],
    "actions": [("number", "plan_reference"), ("action",)],
    "risks": [("description",)],
    "meetings": [("board", "held_on")],
}

# Keys that rows may repeat within one file and still be different records (two equal
# payments on one day; two transport contracts of one supplier, both titled "NR3 to Silver
# Rooms", starting the same day, in a register without references): the n-th such row
# matches the n-th record with that key, so a re-import still changes nothing.
REPEATABLE = frozenset({
    ("payments", ("transaction_ref", "paid_on", "amount", "supplier")),
    ("payments", ("paid_on", "supplier", "amount", "description")),
    ("contracts", ("title", "supplier_id", "start_date")),
})

# Kinds an import may create because a row names one that does not exist yet.
CREATABLE = ("organisations", "areas", "indicators", "services", "groups", "outcomes")


def natural_keys(kind: str) -> list[tuple[str, ...]]:
    from cypdesk.model.registry import kind_of

    model = kind_of(kind)
    return NATURAL_KEYS.get(model.__tablename__, [(model.__title__,)])


def key_value(kind: str, field: str, value: Any) -> Any:
    """A value as compared in a key: text without case or extra spaces; an
    organisation's name through the one name normaliser (cypdesk.common.names)."""
    if value is None:
        return None
    if isinstance(value, str):
        if kind == "organisations" and field == "name":
            return normalise_name(value) or None
        text = " ".join(value.split()).casefold()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- identifiers ----------------------------------------------------------------------

_GSS = re.compile(r"^[EWSNKL]\d{8}$")
_ODS = re.compile(r"^[A-Z0-9]{3,6}$")
_CHARITY = re.compile(r"^(\d{6,8}(-\d{1,2})?|SC\d{6}|(NIC)?\d{5,6})$")
_COMPANY = re.compile(r"^([A-Z]{2}\d{6}|\d{8})$")


def check_identifier(field: str, value: str) -> tuple[str, str | None]:
    """(the value to keep, the problem with its form or None) for the identifiers whose
    form is known: ``gss_code``, ``ods_code``, ``charity_number``, ``company_number``.
    A company number Excel stored as a number lost its leading zeros: it is padded back
    to Companies House's eight characters. Anything else comes back as it was."""
    text = value.strip()
    if field == "gss_code":
        if not _GSS.match(text.upper()):
            return text, (f"{text!r} is not an ONS GSS code (a letter, E for England, then 8 digits, "
                          "like E06000023)")
        return text.upper(), None
    if field == "ods_code":
        if not _ODS.match(text.upper()):
            return text, f"{text!r} is not an NHS ODS code (3 to 6 letters and digits, like RXX or A81001)"
        return text.upper(), None
    if field == "charity_number":
        if not _CHARITY.match(text.upper()):
            return text, (f"{text!r} is not a charity number (6 to 8 digits in England and Wales, SC and 6 digits "
                          "in Scotland, NIC and 6 digits in Northern Ireland)")
        return text.upper(), None
    if field == "company_number":
        upper = text.upper().replace(" ", "")
        if upper.isdigit() and len(upper) < 8:
            upper = upper.zfill(8)
        if not _COMPANY.match(upper):
            return text, (f"{text!r} is not a Companies House number (8 digits, or 2 letters and 6 digits, "
                          "like 01234567 or SC123456)")
        return upper, None
    return value, None


__all__ = ["CREATABLE", "NATURAL_KEYS", "REPEATABLE", "check_identifier", "key_value", "natural_keys"]
