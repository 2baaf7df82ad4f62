"""canon: "same content" is every live record's merged fields and the settings, and
nothing of the bookkeeping (history, versions, tombstones, record stamps)."""

import shutil
import sqlite3

from cypdesk.services.exchange.canon import content_digest, content_rows


def test_copy_has_same_digest_and_rows_cover_every_record(demo_path, tmp_path):
    """A plain copy of a file has the same digest; content_rows yields one row per live
    record of every kind plus the settings row, in table then id order."""
    copy = tmp_path / "copy.cypdesk"
    shutil.copy(demo_path, copy)
    assert content_digest(demo_path) == content_digest(copy)
    with sqlite3.connect(demo_path) as conn:
        rows = list(content_rows(conn))
        services = conn.execute("SELECT count(*) FROM services").fetchone()[0]
    assert rows[-1][:2] == ("document", "settings")
    assert sum(1 for r in rows if r[0] == "services") == services > 0
    keys = [(r[0], r[1]) for r in rows[:-1]]
    assert keys == sorted(keys)
    fields = dict(next(r for r in rows if r[0] == "services")[2])
    assert "name" in fields and "owner_org_id" in fields and "hlc" not in fields and "id" not in fields


def test_digest_ignores_bookkeeping_but_sees_values_and_settings(demo_path):
    """Changing history, field versions, tombstones or a record's stamps leaves the
    digest alone; changing a value, deleting a record or a setting changes it."""
    before = content_digest(demo_path)
    conn = sqlite3.connect(demo_path)
    try:
        conn.execute("DELETE FROM history")
        conn.execute("DELETE FROM field_versions")
        conn.execute("UPDATE services SET hlc = 'x', updated_at = '2001-01-01 00:00:00'")
        conn.commit()
        assert content_digest(conn) == before
        sid = conn.execute("SELECT id FROM services ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE services SET name = name || '!' WHERE id = ?", (sid,))
        conn.commit()
        edited = content_digest(conn)
        assert edited != before
        conn.execute("UPDATE document SET small_number_threshold = small_number_threshold + 1")
        conn.commit()
        assert content_digest(conn) != edited
    finally:
        conn.close()


def test_values_of_different_types_differ():
    """1, 1.0 and "1" are different content (the encoding tells types apart)."""
    from cypdesk.services.exchange.canon import digest_rows

    digests = {digest_rows(iter([("t", "a", (("f", v),))])) for v in (1, 1.0, "1", b"1", None)}
    assert len(digests) == 5
