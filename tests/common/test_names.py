"""The one name normaliser that possible duplicates and the import's name matching use."""

import pytest

from cypdesk.common.names import normalise_name, same_name


@pytest.mark.parametrize("a, b", [
    ("Brightside Family Support", "BRIGHTSIDE   family support"),  # case and spaces
    ("Smith & Jones Ltd", "Smith and Jones Limited"),  # & / and, Ltd / Limited
    ("Acorn Short Breaks Ltd.", "Acorn Short Breaks"),  # the legal form at the end, with its full stop
    ("The Children's Society", "Childrens Society"),  # leading The, apostrophe
    ("The Children’s Society", "Children's Society"),  # a typographic apostrophe is an apostrophe
    ("Oxford-Health NHS Trust", "Oxford Health, NHS Trust"),  # other punctuation separates words
    ("Café Ltd", "CAFE LIMITED"),  # accents
])
def test_names_written_differently_are_the_same_name(a, b):
    """Case, spacing, punctuation, &/and, Ltd/Limited, a leading "The" and accents are
    ignored: each pair normalises to one key."""
    assert normalise_name(a) == normalise_name(b)
    assert same_name(a, b)


@pytest.mark.parametrize("a, b", [
    ("Kent County Council", "Kent Council"),  # a word that is not a legal form counts
    ("Theatre Company", "Atre Company"),  # "The" only as a whole leading word
    ("Limited Edition Nurseries", "Edition Nurseries"),  # Limited only at the end
    ("Ltd", "Limited"),  # a name that is only the legal form keeps it
])
def test_different_names_stay_different(a, b):
    """Only the listed differences are ignored: other words keep names apart."""
    assert normalise_name(a) != normalise_name(b)


def test_the_normal_form_is_lower_case_words_with_single_spaces():
    """The key is readable: lower-case words, ``and`` for ``&``, no legal form, no The."""
    assert normalise_name("  The Smith &  Jones Co. Ltd. ") == "smith and jones co"
    assert normalise_name("The") == "the"


def test_blank_names_are_never_the_same_name():
    """No name is not a duplicate of another missing name."""
    assert normalise_name(None) == normalise_name("") == ""
    assert not same_name("", None)
    assert not same_name("  ", "")
