"""One way to tell that two names of an organisation are the same name written
differently: "The Children's Society" and "Childrens Society", "Smith & Jones Ltd" and
"SMITH AND JONES LIMITED". The window's "possible duplicates" and the import's
matching of names to organisations both use :func:`normalise_name`, so they agree.

What it ignores: case, accents, spaces, punctuation (an apostrophe joins its word,
"Barnardo's" is "barnardos"; other marks separate words, "Oxford-Health" is "oxford
health"), ``&`` for ``and``, a leading "The", and the legal form ``Ltd`` / ``Limited``
at the end (one company is written with and without it). Nothing else: "Kent County
Council" and "Kent Council" stay different.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_name", "same_name"]

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_LEGAL_FORMS = ("ltd", "limited")


def normalise_name(name: str | None) -> str:
    """The comparable form of a name: ``""`` for no name.

    >>> normalise_name("The Smith & Jones Co. Ltd.")
    'smith and jones co'
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = _APOSTROPHES.sub("", text)
    words = _NOT_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


def same_name(a: str | None, b: str | None) -> bool:
    """Whether two names are the same once normalised (two blank names are not)."""
    key = normalise_name(a)
    return bool(key) and key == normalise_name(b)
