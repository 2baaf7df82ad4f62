"""Schema migrations of a document file, with a backup first.

A file's schema version is its ``PRAGMA user_version``; the steps are the Alembic
revisions in ``migrations/versions`` (ids ``0001``, ``0002``..., batch mode for SQLite).
:func:`migrate_file` is the harness (STYLE item 7, reliability cases 63-65, E21):

1. back the file up with ``VACUUM INTO`` the backup folder as
   ``<stem>-<YYYYMMDD-HHMMSS>-schema<old>.cypdesk`` and ``integrity_check`` the copy;
   if that fails, nothing else happens;
2. turn foreign keys OFF (a batch "recreate" of a parent table with them on silently
   cascade-deletes every child row) and count each table's rows;
3. run every revision in ONE transaction (SQLite DDL is transactional);
4. require ``PRAGMA foreign_key_check`` to be empty and every table's row count to be
   unchanged (unless a revision names the table in ``row_count_changes``), then set
   ``user_version`` and commit. Otherwise roll back: the file is byte for byte as it was.

Alembic is configured in code (no alembic.ini), with the scripts found beside this
module, so it works installed and frozen. Its ``alembic_version`` table lives only
inside the migration's transaction: ``user_version`` is the one record of the version.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cypdesk import paths
from cypdesk.common.errors import MigrationFailed
from cypdesk.model import dbfile, saving
from cypdesk.model.identity import APPLICATION_ID
from cypdesk.model.migrations import CURRENT_SCHEMA_VERSION

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().with_name("migrations")
VERSION_TABLE = "alembic_version"


def revision_id(version: int) -> str:
    return f"{version:04d}"


def alembic_config(connection: Any = None, target_metadata: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    if target_metadata is not None:
        cfg.attributes["target_metadata"] = target_metadata
    return cfg


def script_directory() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_version() -> int:
    """The number of the head revision (tests check it equals CURRENT_SCHEMA_VERSION)."""
    return int(script_directory().get_current_head())


@dataclass(frozen=True)
class MigrationResult:
    path: Path
    from_version: int
    to_version: int
    backup: Path | None = None
    revisions: tuple[str, ...] = ()
    row_counts_before: dict[str, int] = field(default_factory=dict)
    row_counts_after: dict[str, int] = field(default_factory=dict)

    @property
    def migrated(self) -> bool:
        return self.to_version != self.from_version


class _CheckFailed(Exception):
    pass


# --- backup --------------------------------------------------------------------------

def backup_path(stem: str, version: int, *, now: datetime | None = None, folder: Path | None = None) -> Path:
    folder = folder or paths.backup_dir()
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{stem}-{stamp}-schema{version}.cypdesk"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{stamp}-{n}-schema{version}.cypdesk"
        n += 1
    return candidate


def _write_backup(source: Path, dest: Path) -> None:
    """``VACUUM INTO`` a temporary name beside ``dest``, check it, then rename: a backup
    with its final name is always whole and checked."""
    tmp = dest.with_name(f"{dbfile.TEMP_PREFIX}{os.urandom(8).hex()}{dbfile.TEMP_SUFFIX}")
    try:
        with dbfile.opened(source, read_only=True) as conn:
            saving.vacuum_into(conn, tmp)  # private (0600), like the backup folder
        problem = dbfile.integrity_check(tmp)
        if problem is not None:
            raise _CheckFailed(f"the backup failed its integrity check ({problem})")
        saving.fsync_file(tmp)
        os.replace(tmp, dest)
        saving.fsync_dir(dest.parent)
    except BaseException:
        saving._remove_quietly(tmp)
        raise


def make_backup(path: str | os.PathLike[str], *, version: int, stem: str | None = None) -> Path:
    """Back ``path`` up into the backup folder before a migration; MigrationFailed if
    that cannot be done (and then the migration must not start: case 63)."""
    p = Path(path).absolute()
    try:
        dest = backup_path(stem or p.stem, version)
        _write_backup(p, dest)
    except (OSError, sqlite3.Error, _CheckFailed) as exc:
        reason = dbfile.plain_reason(exc)
        raise MigrationFailed(
            f"Could not make a backup of {p} before updating it ({reason}), so it has not been updated. "
            "The file has not been changed.", path=p, reason=reason, stage="backup",
        ) from exc
    log.info("backed up %s to %s before migrating", p, dest)
    return dest


# --- the harness -----------------------------------------------------------------------

def table_row_counts(conn: Any) -> dict[str, int]:
    """Rows per table (SQLAlchemy connection), leaving out SQLite's own and Alembic's."""
    names = [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name").fetchall()]
    out = {}
    for name in names:
        if name == VERSION_TABLE:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        out[name] = int(conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar_one())
    return out


def _revisions(from_version: int, to_version: int) -> list[Any]:
    script = script_directory()
    revs = []
    for v in range(from_version + 1, to_version + 1):
        rev = script.get_revision(revision_id(v))
        if rev is None:
            raise _CheckFailed(f"revision {revision_id(v)} is missing")
        revs.append(rev)
    return revs


def upgrade_in_transaction(path: str | os.PathLike[str], from_version: int, to_version: int) -> MigrationResult:
    """Steps 2-4 of the harness (no backup): raises on any failure, after rolling back."""
    from alembic import command
    from sqlalchemy.pool import NullPool

    p = Path(path).absolute()
    revisions = _revisions(from_version, to_version)
    allowed: dict[str, str] = {}
    for rev in revisions:
        allowed.update(getattr(rev.module, "row_count_changes", {}) or {})

    engine = dbfile.make_engine(p, foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            # PRAGMA foreign_keys is a no-op inside a transaction: it must be off before BEGIN.
            if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
                raise _CheckFailed("foreign keys could not be turned off for the migration")
            conn.execution_options(**{dbfile.BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                before = table_row_counts(conn)
                if from_version == 0:
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
                conn.exec_driver_sql(
                    f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
                    f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))")
                if from_version > 0:
                    conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE} VALUES (?)", (revision_id(from_version),))
                command.upgrade(alembic_config(connection=conn), revision_id(to_version))
                reached = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar_one()
                if reached != revision_id(to_version):
                    raise _CheckFailed(f"the migration stopped at revision {reached}")
                conn.exec_driver_sql(f"DROP TABLE {VERSION_TABLE}")

                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    table, rowid, parent, _ = dangling[0]
                    raise _CheckFailed(
                        f"{len(dangling)} row(s) would point at missing records (first: table {table}, "
                        f"row {rowid}, pointing at {parent})")
                after = table_row_counts(conn)
                for table, count in before.items():
                    if table in allowed:
                        continue
                    if table not in after:
                        raise _CheckFailed(f"table {table} would disappear with its {count} row(s)")
                    if after[table] != count:
                        raise _CheckFailed(f"table {table} would go from {count} to {after[table]} rows")
                problem = conn.exec_driver_sql("PRAGMA quick_check").scalar_one()
                if problem != "ok":
                    raise _CheckFailed(f"the result failed SQLite's check ({problem})")
                conn.exec_driver_sql(f"PRAGMA user_version={int(to_version)}")
            raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()
    return MigrationResult(
        path=p, from_version=from_version, to_version=to_version,
        revisions=tuple(r.revision for r in revisions), row_counts_before=before, row_counts_after=after,
    )


def migrate_file(
    path: str | os.PathLike[str], *, backup: bool = True, backup_stem: str | None = None,
    target_version: int = CURRENT_SCHEMA_VERSION,
) -> MigrationResult:
    """Bring ``path`` up to ``target_version`` (default: this app's schema) with a backup
    first. A file already there is left alone. Raises MigrationFailed (file unchanged)
    or what :func:`dbfile.inspect_file` raises for a file that is not ours, damaged or
    newer. ``backup_stem`` names the backup after the original when ``path`` is a
    working copy; ``backup=False`` is for copies that are themselves backups."""
    status = dbfile.inspect_file(path)
    p = status.path
    old = status.schema_version
    if old == target_version:
        return MigrationResult(path=p, from_version=old, to_version=old)
    if old > target_version:
        raise MigrationFailed(f"{p} is at schema {old}, newer than {target_version}; it cannot be downgraded.", path=p)
    saved = make_backup(p, version=old, stem=backup_stem) if backup and old > 0 else None
    try:
        result = upgrade_in_transaction(p, old, target_version)
    except Exception as exc:
        reason = dbfile.plain_reason(exc) if isinstance(exc, (OSError, sqlite3.Error)) else str(exc)
        where = f"; a backup copy is at {saved}" if saved else ""
        raise MigrationFailed(
            f"Could not update {p.name} from schema {old} to schema {target_version}: {reason}. "
            f"The file has not been changed{where}.",
            path=p, reason=reason, from_version=old, to_version=target_version,
            backup=str(saved) if saved else None, stage="upgrade",
        ) from exc
    log.info("migrated %s from schema %d to %d", p, old, target_version)
    return MigrationResult(
        path=p, from_version=old, to_version=target_version, backup=saved, revisions=result.revisions,
        row_counts_before=result.row_counts_before, row_counts_after=result.row_counts_after,
    )


def build_new_file(path: str | os.PathLike[str], *, to_version: int = CURRENT_SCHEMA_VERSION) -> Path:
    """Make a new file at ``path`` (must not exist) at ``to_version`` by running the
    revisions from nothing; stamps ``application_id`` and ``user_version``."""
    p = Path(path).absolute()
    with open(p, "xb"):
        pass
    upgrade_in_transaction(p, 0, to_version)
    return p


# --- for developers --------------------------------------------------------------------

def make_revision(message: str) -> Path:
    """Autogenerate the next revision from ``cypdesk.model``'s metadata against a file
    at head. Review it by hand: it must be frozen code that does not import the models."""
    from alembic import command
    from sqlalchemy.pool import NullPool

    import cypdesk.model as model

    next_id = revision_id(head_version() + 1)
    with tempfile.TemporaryDirectory() as tmpdir:
        db = build_new_file(Path(tmpdir) / "head.cypdesk")
        engine = dbfile.make_engine(db, poolclass=NullPool)
        try:
            with engine.connect() as conn, conn.begin():
                conn.exec_driver_sql(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
                conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE} VALUES (?)", (revision_id(head_version()),))
                cfg = alembic_config(connection=conn, target_metadata=model.Base.metadata)
                script = command.revision(cfg, message=message, autogenerate=True, rev_id=next_id)
        finally:
            engine.dispose()
    return Path(script.path)  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "revision":
        path = make_revision(args[1])
        print(path)
        print(f"Review it by hand, then set CURRENT_SCHEMA_VERSION = {int(path.name[:4])} in "
              f"{SCRIPT_LOCATION / '__init__.py'} and write its golden schema: "
              "python -m cypdesk.model.schemacheck write")
        return 0
    print('usage: python -m cypdesk.model.migrate revision "what the revision does"', file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
