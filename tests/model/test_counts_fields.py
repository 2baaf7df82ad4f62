"""Fields that count people carry the ``counts`` mark (small numbers are suppressed in
papers), in the models and in the generated catalog."""

from sqlalchemy import Integer

from cypdesk.model.catalog import CATALOG
from cypdesk.model.fields import counts_fields, field, meta_of


def test_field_counts_sets_the_mark():
    column = field(Integer, "Children seen", counts=True)
    assert meta_of(column.column).counts is True
    assert meta_of(field(Integer, "Places").column).counts is False


def test_the_fields_that_count_people_are_marked_in_the_models_and_the_catalog():
    from cypdesk.model import KINDS

    marked = {kind: counts_fields(model) for kind, model in KINDS.items() if counts_fields(model)}
    assert marked == {"indicator_values": ["numerator", "denominator"], "evidence": ["participants"]}
    in_catalog = {kind: [f["name"] for f in spec["fields"] if f.get("counts")] for kind, spec in CATALOG.items()}
    assert {k: v for k, v in in_catalog.items() if v} == marked
