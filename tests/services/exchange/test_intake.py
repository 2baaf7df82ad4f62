"""A partner's file is taken in as untrusted (issue 11 item 2; reliability cases 10-16;
contract section 3): checked in a private copy, refused in plain words naming the file,
with our document and the partner's file byte for byte as they were, and the private
copy deleted afterwards.

``ours`` is a workspace on a copy of the small demo; ``partner`` is another copy of the
demo in a folder of its own (a plain copy, as partners start from), tampered with the
way a partner's sqlite3 could."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk import paths
from cypdesk.common import errors
from cypdesk.model import dbfile
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION
from cypdesk.services.exchange import intake
from cypdesk.services.exchange.intake import open_partner, partner_connection, partners_dir
from tests.services.exchange.intake_helpers import Unchanged, copy_alone, refused
from tests.tampering import TRIGGER, folder_state, sha, tamper

REPO = Path(__file__).resolve().parents[3]
V1 = REPO / "tests" / "fixtures" / "schema_v1.cypdesk"


@pytest.fixture
def partner(demo_master, tmp_path) -> Path:
    """A plain copy of the demo, alone in the partner's folder."""
    return copy_alone(demo_master, tmp_path / "from-partner")


# --- a sound file -------------------------------------------------------------------------------

def test_a_sound_partner_file_is_read_from_a_private_copy_deleted_on_leaving(ws, partner):
    """The PartnerFile names the partner's document; its ``path`` is a private copy
    (mode 0600, in the user's data folder, not beside the partner's file) with the same
    bytes; the copy's folder is gone after the block; nothing else changed."""
    before = Unchanged(ws, partner)
    with open_partner(partner, ours=ws) as theirs:
        assert theirs.kind == "document" and not theirs.is_share and theirs.header is None
        assert theirs.source == partner and theirs.path != partner
        assert theirs.path.parent.parent == partners_dir()
        assert theirs.path.read_bytes() == partner.read_bytes() and theirs.sha256 == sha(partner)
        assert (theirs.path.stat().st_mode & 0o777) == paths.PRIVATE_FILE_MODE
        assert theirs.schema_version == CURRENT_SCHEMA_VERSION and not theirs.migrated
        with closing(sqlite3.connect(partner)) as conn:
            doc_id, title, trust, owner = conn.execute(
                "SELECT id, title, trust_name, owner_org_id FROM document").fetchone()
        info = theirs.info()
        assert (info.document_id, info.title, info.trust_name, info.owner_org_id) == (doc_id, title, trust, owner)
        assert info.source_name == "partner.cypdesk" and not info.is_share
        folder = theirs.path.parent
    assert not folder.exists()
    before.check()


def test_case13_partner_connection_is_read_only_and_hardened(partner):
    """Case 13 on a partner file: trusted_schema 0, cell_size_check 1, mmap_size 0,
    nothing can be attached, extension loading off, and no statement can write."""
    with closing(partner_connection(partner)) as conn:
        report = dbfile.hardening_report(conn)
        assert (report["trusted_schema"], report["cell_size_check"], report["mmap_size"]) == (0, 1, 0)
        assert conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) == 0
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("ATTACH ':memory:' AS other")
        if hasattr(conn, "load_extension"):
            with pytest.raises(sqlite3.OperationalError, match="not authorized"):
                conn.load_extension("nothing_here")
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("UPDATE services SET name = 'x'")
        assert conn.execute("PRAGMA query_only").fetchone()[0] == 1


# --- refusals ---------------------------------------------------------------------------------------

def test_a_missing_partner_file_is_refused(ws, tmp_path):
    with pytest.raises(errors.DocumentMissing) as err:
        with open_partner(tmp_path / "nowhere.cypdesk", ours=ws):
            pass
    assert "nowhere.cypdesk does not exist" in err.value.message and err.value.exit_code == 2


@pytest.mark.parametrize("content, words", [
    (b"", "is empty (0 bytes)"),
    (b"PK\x03\x04" + b"\0" * 200, "looks like a zip file"),
    (b"Name,Kind\nAcme,private\n", "is not an SQLite file"),
], ids=["empty", "a workbook", "a CSV"])
def test_not_a_document_is_refused(ws, partner, content, words):
    partner.write_bytes(content)
    refused(ws, partner, "not_a_document", 2, words)


def test_another_applications_database_is_refused(ws, partner):
    partner.unlink()
    with closing(sqlite3.connect(partner)) as conn:
        conn.execute("CREATE TABLE t (x)")
    refused(ws, partner, "not_a_document", 2, "not a cypdesk document", "application id")


def test_case15_a_newer_partner_file_is_refused(ws, partner):
    """Case 15 as it applies here: a file of a newer schema is refused (never migrated
    down, never read), exit 2."""
    tamper(partner, f"PRAGMA user_version={CURRENT_SCHEMA_VERSION + 1}")
    refused(ws, partner, "newer", 2, "newer version of cypdesk", f"schema {CURRENT_SCHEMA_VERSION + 1}")


def _btree_page_of(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT rootpage FROM sqlite_schema WHERE name=?", (table,)).fetchone()[0]


def test_damaged_pages_are_refused(ws, partner):
    """A page of the services table overwritten with garbage (a bad sector, a broken
    transfer): quick_check fails on the copy and the file is refused as damaged."""
    page = _btree_page_of(partner, "services")
    size = dbfile.read_header(partner)[16:18]
    page_size = int.from_bytes(size, "big")
    data = bytearray(partner.read_bytes())
    start = (page - 1) * page_size
    data[start + 8:start + 200] = b"\xff" * 192
    partner.write_bytes(bytes(data))
    refused(ws, partner, "damaged", 1, "is damaged")


def test_a_truncated_partner_file_is_refused_as_damaged(ws, partner):
    data = partner.read_bytes()
    partner.write_bytes(data[:len(data) // 2 + 100])
    refused(ws, partner, "damaged", 1, "cut short")


def test_case11_a_trigger_in_the_partner_file_is_refused_and_never_fires(ws, partner):
    tamper(partner, TRIGGER)
    refused(ws, partner, "foreign_schema", 1, "a trigger 'evil' on services")


def test_case10_a_view_added_to_the_partner_file_is_refused(ws, partner):
    tamper(partner, "CREATE VIEW big_contracts AS SELECT * FROM contracts WHERE annual_value > 1000")
    refused(ws, partner, "foreign_schema", 1, "a view 'big_contracts'")


def test_case10_a_table_added_to_the_partner_file_is_refused(ws, partner):
    tamper(partner, "CREATE TABLE notes (n TEXT)", "INSERT INTO notes VALUES ('hello')")
    refused(ws, partner, "foreign_schema", 1, "an extra table 'notes'")


# Case 10's structures (tests/model/test_schemacheck.py), run again on a partner file.
CASE10 = {
    "a view in place of a table": (
        ["ALTER TABLE contracts RENAME TO real_contracts",
         "CREATE VIEW contracts AS SELECT id, service_id, annual_value * 1000 AS annual_value FROM real_contracts"],
        False, "'contracts' is a view, not a table"),
    "an extra column": (["ALTER TABLE services ADD COLUMN x TEXT"], False, "an extra column 'x' in services"),
    "a changed column type": (
        ["UPDATE sqlite_schema SET sql = replace(sql, 'annual_cost FLOAT', 'annual_cost TEXT') WHERE name='services'"],
        True, "the column 'annual_cost' of services has type TEXT"),
    "a virtual table": (["CREATE VIRTUAL TABLE search USING fts4(body)"], False, "'search' is a virtual table"),
    "a missing index": (["DROP INDEX ix_services_team_id"], False, "the index 'ix_services_team_id' on services"),
}


@pytest.mark.parametrize("case", list(CASE10))
def test_case10_a_changed_structure_in_the_partner_file_is_refused(ws, partner, case):
    statements, writable, words = CASE10[case]
    tamper(partner, *statements, writable_schema=writable)
    refused(ws, partner, "foreign_schema", 1, words)


CASE12 = {  # tests/model/test_schemacheck.py's, on a partner file
    "CHECK": ["UPDATE sqlite_schema SET sql = substr(sql, 1, length(sql) - 2) || ', CHECK (spy(name) > 0)\n)' "
              "WHERE name='services'"],
    "DEFAULT": ["UPDATE sqlite_schema SET sql = replace(sql, 'annual_cost FLOAT,', 'annual_cost FLOAT DEFAULT (spy()),') "
                "WHERE name='services'"],
    "index": ["CREATE INDEX ix_evil ON services (spy(name))"],
    "generated column": ["ALTER TABLE services ADD COLUMN evil TEXT AS (spy(name)) VIRTUAL"],
}


@pytest.mark.parametrize("kind", list(CASE12))
def test_case12_a_partner_object_calling_an_app_function_is_refused_and_the_spy_never_called(
        ws, partner, kind, monkeypatch):
    """Case 12 on a partner file, with sqlite3.connect patched so that every connection
    opened during the intake has a spy function registered: refused, spy never called."""
    tamper(partner, *CASE12[kind], writable_schema=kind in ("CHECK", "DEFAULT"))
    calls = []
    real_connect = sqlite3.connect

    def connect_with_spy(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.create_function("spy", -1, lambda *a: calls.append(a) or 1, deterministic=True)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_with_spy)
    refused(ws, partner, "foreign_schema", 1)
    assert calls == []


def _first_ids(path: Path) -> tuple[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        service = conn.execute("SELECT id FROM services ORDER BY id LIMIT 1").fetchone()[0]
        org = conn.execute("SELECT id FROM organisations ORDER BY id LIMIT 1").fetchone()[0]
    return service, org


def test_an_id_under_two_kinds_in_the_partner_file_is_refused(ws, partner):
    """An organisation given a service's id (possible only outside cypdesk): the merge,
    which matches records by id, would mix them up, so the file is refused and the id
    named with both kinds."""
    service, org = _first_ids(partner)
    tamper(partner, f"UPDATE organisations SET id = '{service}' WHERE id = '{org}'")
    exc = refused(ws, partner, "id_collision", 1, service, "a service", "an organisation", "in the partner file too")
    assert exc.facts["collisions"] == [{"id": service, "partner_table": "organisations", "other_table": "services"}]


def test_an_id_of_one_kind_here_and_another_kind_in_the_partner_file_is_refused(ws, partner):
    """A service added here, and an organisation in the partner's file holding that
    service's id: each file alone is sound, but the two together collide."""
    from cypdesk.services import records

    new = records.create(ws, "services", {"name": "Sleep clinic"})
    _service, org = _first_ids(partner)
    tamper(partner, f"UPDATE organisations SET id = '{new.id}' WHERE id = '{org}'")
    exc = refused(ws, partner, "id_collision", 1, new.id, "an organisation in the partner file", "a service in yours")
    assert exc.facts["between_documents"] is True


def _ids_file(path: Path, rnd, pool: list[str], tables: list[str], big: str, n_big: int, n_small: int) -> dict:
    """A file with a table of ids for each kind (only the ids matter to the check):
    ``big`` holds ``n_big`` of ``pool``, the others up to ``n_small`` each."""
    held: dict[str, set[str]] = {}
    with closing(sqlite3.connect(path)) as conn:
        for t in tables:
            held[t] = set(rnd.sample(pool, min(len(pool), n_big if t == big else rnd.randint(0, n_small))))
            conn.execute(f'CREATE TABLE "{t}" (id TEXT PRIMARY KEY)')
            conn.executemany(f'INSERT INTO "{t}" VALUES (?)', [(i,) for i in held[t]])
        conn.commit()
    return held


def test_colliding_ids_finds_every_id_under_two_kinds_as_counting_each_id_would(tmp_path):
    """The check looks the largest kind's ids up rather than sorting them all; what it
    finds, within a file and between two, is what counting each id's kinds finds, for
    collisions with the largest kind, between the others, and none."""
    import random

    from cypdesk.model.catalog import CATALOG

    tables = list(CATALOG)
    rnd = random.Random(11)
    for trial in range(60):
        pool = [f"id{i:05d}" for i in range(rnd.choice([40, 400, 4000]))]
        ours = _ids_file(tmp_path / f"o{trial}.db", rnd, pool, tables, rnd.choice(tables), rnd.choice([0, 30, 3000]),
                         rnd.choice([0, 3, 20]))
        theirs = _ids_file(tmp_path / f"t{trial}.db", rnd, pool, tables, rnd.choice(tables),
                           rnd.choice([0, 30, 3000]), rnd.choice([0, 3, 20]))
        kinds: dict[str, set[str]] = {}
        for t, ids in ours.items():
            for i in ids:
                kinds.setdefault(i, set()).add(t)
        within = [(i, min(k), max(k)) for i, k in sorted(kinds.items()) if len(k) > 1]
        between = sorted((i, t, min(kinds[i] - {t})) for t, ids in theirs.items() for i in ids
                         if kinds.get(i, set()) - {t})
        with closing(sqlite3.connect(tmp_path / f"o{trial}.db")) as conn:
            assert intake.colliding_ids(conn) == within
            conn.execute("ATTACH DATABASE ? AS partner", (str(tmp_path / f"t{trial}.db"),))
            assert intake.colliding_ids(conn, other="partner") == between


def test_case16_a_file_above_the_size_limit_is_refused_before_it_is_copied(ws, partner, monkeypatch):
    """Case 16, with MAX_PARTNER_BYTES patched down to 100 KB (the demo is larger): the
    refusal states the limit, and no copy was made (copy_private is never called)."""
    monkeypatch.setattr(intake, "MAX_PARTNER_BYTES", 100 * 1024)
    monkeypatch.setattr(intake, "copy_private", lambda *a, **k: pytest.fail("copied"))
    exc = refused(ws, partner, "too_large", 1, "too large to merge", "limit of 100 KB (102,400 bytes)")
    assert exc.facts["limit"] == 100 * 1024 and exc.facts["size"] == partner.stat().st_size


def test_the_size_limit_is_stated_in_words():
    assert intake.limit_words() == "1 GB (1,073,741,824 bytes)"
    assert intake.MAX_PARTNER_BYTES == 1 << 30


class CancelAt:
    """A progress that records the reports and cancels from the ``at``-th one on."""

    def __init__(self, at: int) -> None:
        self.at, self.reports = at, []

    def report(self, done, total, text):
        self.reports.append((done, total, text))

    def cancelled(self):
        return len(self.reports) >= self.at


def test_case16_cancel_while_copying_stops_and_leaves_nothing(ws, partner, monkeypatch):
    """Case 16's Cancel, with the copy's chunk patched down to 16 KB (so the small demo
    takes many chunks): progress is reported chunk by chunk, cancelling at the third
    report raises Cancelled, and the private copy is deleted."""
    import cypdesk.model.filecopy as filecopy

    monkeypatch.setattr(filecopy, "CHUNK", 16 * 1024)
    progress = CancelAt(3)
    before = Unchanged(ws, partner)
    with pytest.raises(errors.Cancelled) as err:
        with open_partner(partner, ours=ws, progress=progress):
            pytest.fail("not cancelled")
    assert err.value.exit_code == 1 and err.value.code == "cancelled"
    assert [r[0] for r in progress.reports] == [16 * 1024 * i for i in (1, 2, 3)]
    assert all(r[1] == partner.stat().st_size for r in progress.reports)
    before.check()


def test_progress_reaches_the_whole_size_when_not_cancelled(ws, partner):
    progress = CancelAt(10 ** 9)
    with open_partner(partner, ours=ws, progress=progress):
        pass
    size = partner.stat().st_size
    assert progress.reports[-1][:2] == (size, size)


# --- case 14: an older partner file ----------------------------------------------------------------

def test_case14_an_older_partner_file_is_migrated_in_a_private_copy_only(ws, tmp_path):
    """Case 14: a schema-1 partner file is read through a migrated private copy; the
    file itself is byte for byte unchanged, nothing is written beside it, no backup is
    made of it, and the copy is deleted on leaving."""
    folder = tmp_path / "old-partner"
    folder.mkdir()
    old = folder / "old.cypdesk"
    shutil.copy(V1, old)
    before = Unchanged(ws, old)
    with open_partner(old, ours=ws) as theirs:
        assert theirs.migrated and theirs.schema_version == 1
        with closing(partner_connection(theirs.path)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_SCHEMA_VERSION
            assert conn.execute("SELECT count(*) FROM services").fetchone()[0] > 0
        copy_folder = theirs.path.parent
    assert not copy_folder.exists()
    before.check()
    assert not paths.backup_dir().exists() or not list(paths.backup_dir().iterdir())


def test_case14_an_older_partner_file_with_a_trigger_is_refused_before_migration(ws, tmp_path):
    folder = tmp_path / "old-partner"
    folder.mkdir()
    old = folder / "old.cypdesk"
    shutil.copy(V1, old)
    tamper(old, TRIGGER)
    refused(ws, old, "foreign_schema", 1, "a trigger 'evil' on services", "schema 1")


# --- the private folder -----------------------------------------------------------------------------

def test_a_hot_journal_beside_the_partner_file_is_rolled_back_in_the_copy_only(ws, partner):
    """A partner file on a shared drive whose writer stopped mid-change (a hot
    -journal beside it): the copy is rolled back and read; the file and its journal
    are left as they are."""
    conn = sqlite3.connect(partner, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size=5")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE services SET name = 'half-written'")
        conn.execute("DELETE FROM indicator_values")
        hot = partner.with_name("hot.cypdesk")
        shutil.copyfile(partner, hot)
        shutil.copyfile(f"{partner}-journal", f"{hot}-journal")
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    before = folder_state(partner.parent)
    with open_partner(hot, ours=ws) as theirs:
        with closing(partner_connection(theirs.path)) as c:
            assert c.execute("SELECT count(*) FROM services WHERE name = 'half-written'").fetchone()[0] == 0
            assert c.execute("SELECT count(*) FROM indicator_values").fetchone()[0] > 0
    assert folder_state(partner.parent) == before


def test_a_folder_left_by_a_killed_process_is_deleted_by_the_next_intake(ws, partner):
    """A merge killed mid-way leaves its private copy of a partner's data: the next
    intake deletes folders whose process is gone, and keeps those of live processes."""
    base = partners_dir()
    dead = base / "left-by-a-killed-merge"
    dead.mkdir()
    (dead / "pid").write_text("999999999")
    (dead / "partner.cypdesk").write_bytes(b"secret")
    alive = base / "another-merge-running"
    alive.mkdir()
    (alive / "pid").write_text(str(os.getppid()))  # pytest's parent: alive
    with open_partner(partner, ours=ws):
        assert not dead.exists() and alive.exists()
    shutil.rmtree(alive)


def test_without_ours_only_the_file_itself_is_checked(partner):
    with open_partner(partner) as theirs:
        assert theirs.document_id
    assert not list(partners_dir().iterdir())


def test_the_withheld_fields_of_a_partner_file_are_counted(partner):
    """A document made from a share keeps its withheld_fields: the PartnerFile counts
    them, so the merge knows what the partner never saw."""
    service, _org = _first_ids(partner)
    tamper(partner, "INSERT INTO withheld_fields (table_name, record_id, field, hlc, reason) "
                    f"VALUES ('services', '{service}', 'annual_cost', '0', 'confidential')")
    with open_partner(partner) as theirs:
        assert theirs.withheld == 1


def test_a_partner_file_with_changes_left_in_a_wal_beside_it_is_refused(ws, partner):
    """Another program left the partner's latest changes in a -wal file: a copy of the
    file alone would miss them, so it is refused until that program closes it."""
    tamper(partner, "PRAGMA journal_mode=WAL")
    wal = Path(f"{partner}-wal")
    wal.write_bytes(b"\0" * 4096)
    refused(ws, partner, "damaged", 1, "partner.cypdesk-wal")


class ChangeOnce:
    """A progress that, at the first report of the first copy, changes the partner's
    file (as a sync client still writing it would)."""

    def __init__(self, path: Path) -> None:
        self.path, self.reports, self.changed = path, [], False

    def report(self, done, total, text):
        self.reports.append((done, total, text))
        if not self.changed:
            self.changed = True
            with closing(sqlite3.connect(self.path)) as conn, conn:
                conn.execute("UPDATE services SET name = name || ' (renamed while copying)'")

    def cancelled(self):
        return False


def test_a_partner_file_that_changes_while_it_is_copied_is_copied_again(ws, partner):
    """The file changed during the copy (progress patched to change it once): the copy
    is made again, and what is read is the file as it is now, never a mixture."""
    progress = ChangeOnce(partner)
    with open_partner(partner, ours=ws, progress=progress) as theirs:
        assert theirs.sha256 == sha(partner)
        with closing(partner_connection(theirs.path)) as conn:
            assert conn.execute("SELECT count(*) FROM services WHERE name NOT LIKE '%(renamed while copying)'"
                                ).fetchone()[0] == 0
    assert progress.changed


@pytest.mark.parametrize("stamp, where", [
    ("z" * 48, "services"), ("FFFF", "services"), ("a" * 47 + "G", "services"), ("0" * 47 + " ", "created"),
    ("2026-12-05", "field_versions")],
    ids=["not hex", "upper case and short", "one upper-case digit", "a creation stamp ending in a space",
         "a date in a field version"])
def test_a_stamp_that_is_not_a_clock_stamp_is_refused(ws, partner, stamp, where):
    """A forged or damaged change stamp (the merge compares stamps as text, so 'zzz...'
    would win every field it touches) is refused as damaged, naming where it is: a
    record's latest change or its creation stamp, or a field version."""
    service, _org = _first_ids(partner)
    if where == "services":
        tamper(partner, f"UPDATE services SET hlc = '{stamp}' WHERE id = '{service}'")
    elif where == "created":
        tamper(partner, f"UPDATE services SET created_hlc = '{stamp}' WHERE id = '{service}'")
        where = "services"
    else:
        tamper(partner, f"UPDATE field_versions SET hlc = '{stamp}' WHERE rowid = (SELECT min(rowid) FROM field_versions)")
    exc = refused(ws, partner, "damaged", 1, "change stamps that cypdesk never writes", repr(stamp))
    assert exc.facts["stamps"][0]["table"] == where


def test_empty_stamps_of_a_file_from_before_stamps_are_accepted():
    """Schema-1 files carry empty stamps on their records: not malformed."""
    with closing(sqlite3.connect(V1)) as conn:
        assert conn.execute("SELECT count(*) FROM organisations WHERE hlc = ''").fetchone()[0] > 0
    with open_partner(V1) as theirs:
        with closing(partner_connection(theirs.path)) as conn:
            assert intake.malformed_stamps(conn) == []
