"""ImportOptions.links (issue 9, item 6): the officer says a new organisation a file
names is "the same as" one the document already has; the import takes that record and
never creates the new one."""

from __future__ import annotations

import pytest

from cypdesk.services.importing import ImportOptions, open_source, plan_import

REGISTER = ("Contract reference,Title,Supplier name,Start date,Contract value\n"
            "LK-1,Family support hubs,Brightpath Family Services Ltd,01/04/2025,1000\n"
            "LK-2,Mentoring,BRIGHTPATH FAMILY SERVICES LIMITED,01/04/2025,2000\n"
            "LK-3,Short breaks,Riverside Short Breaks,01/06/2025,500\n")


@pytest.fixture
def existing(db):
    """An organisation of the demo document: (id, name)."""
    return db.rows("SELECT id, name FROM organisations ORDER BY name LIMIT 1")[0]


def test_a_linked_name_takes_the_existing_organisation_and_is_never_created(importer, db, existing):
    """Linking 'Brightpath Family Services Ltd' to an existing organisation: both rows
    that name it (written two ways, the same name once normalised) get that
    organisation as supplier; only Riverside is created and listed; the result says
    which link it used."""
    org_id, _name = existing
    orgs = db.count("organisations")
    result = importer("register.csv", REGISTER, "contracts",
                      links={("organisations", "Brightpath Family Services Ltd"): org_id})
    assert result.added == 3 and result.rejected == 0
    assert result.created["organisations"] == ["Riverside Short Breaks"]
    assert result.linked == {"organisations": {"Brightpath Family Services Ltd": org_id}}
    assert db.count("organisations") == orgs + 1
    assert db.one("SELECT count(*) FROM organisations WHERE name LIKE 'Brightpath%'") == 0
    assert db.rows("SELECT reference, supplier_id FROM contracts WHERE reference LIKE 'LK-%' ORDER BY reference") == [
        ("LK-1", org_id), ("LK-2", org_id), ("LK-3", db.one("SELECT id FROM organisations WHERE name = ?",
                                                            "Riverside Short Breaks"))]
    # the services made for the contracts have the linked organisation as provider
    assert db.one("SELECT provider_id FROM services WHERE name = 'Mentoring'") == org_id


def test_a_link_applies_even_when_new_records_are_not_to_be_created(importer, db, existing):
    """With create_missing off (the wizard before the officer confirms), the linked
    supplier's rows are fine; the unlinked one is a problem ('there is no organisation')."""
    org_id, _name = existing
    result = plan_import_csv(importer, db, create_missing=False,
                             links={("organisations", "Brightpath Family Services Ltd"): org_id,
                                    ("services", "Family support hubs"): _service(db),
                                    ("services", "Mentoring"): _service(db)})
    rows_with_problems = sorted({p.row for p in result.problems})
    assert rows_with_problems == [4]  # LK-3 (Riverside), the file's row 4
    assert "no organisation" in result.problems[0].reason
    assert "organisations" not in result.created


def test_a_link_to_a_record_no_longer_in_the_document_is_a_problem_not_a_new_record(importer, db):
    """A link to an id the document does not hold (deleted since the preview) is
    reported on each row that names it, and nothing is created for it."""
    result = plan_import_csv(importer, db, links={("organisations", "Brightpath Family Services Ltd"): "gone-id"})
    assert sorted(p.row for p in result.problems) == [2, 3]
    assert "not in the document any more" in result.problems[0].reason
    assert result.created["organisations"] == ["Riverside Short Breaks"]


def test_without_links_both_new_organisations_are_listed(importer, db):
    """The same file with no links: both suppliers are listed as to be created (what the
    wizard offers to link)."""
    result = plan_import_csv(importer, db)
    assert result.created["organisations"] == ["Brightpath Family Services Ltd", "Riverside Short Breaks"]
    assert result.linked == {}


def _service(db) -> str:
    return db.one("SELECT id FROM services ORDER BY name LIMIT 1")


def plan_import_csv(importer, db, **options):
    path = importer.path("register.csv")
    path.write_text(REGISTER, encoding="utf-8")
    return plan_import(db.ws, open_source(path, kind="contracts"), ImportOptions(kind="contracts", **options))


def test_the_closest_names_come_first_by_the_name_normaliser():
    """'Brightpath Family Services Ltd' ranks 'BRIGHTPATH FAMILY SERVICES' (the same name
    normalised) first and 'Brightpath' (inside it) before the unrelated names, which
    follow by name."""
    from cypdesk.services.importing.linking import closest_first

    choices = [("1", "Anyshire Council"), ("2", "Bright Lights Ltd"), ("3", "Brightpath"),
               ("4", "BRIGHTPATH FAMILY SERVICES"), ("5", "Zebra Care")]
    ranked = [name for _id, name in closest_first("Brightpath Family Services Ltd", choices)]
    assert ranked[:2] == ["BRIGHTPATH FAMILY SERVICES", "Brightpath"]
    assert ranked.index("Bright Lights Ltd") < ranked.index("Zebra Care")

