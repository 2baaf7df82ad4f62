"""Smoke test of the built app, as an officer gets it (issue 12, item 5; reliability
cases 67 and 68):

    .venv/bin/python packaging/smoke.py [--no-build] [--keep]

1. builds it (packaging/build.sh; ``--no-build`` uses dist/ as it is);
2. unpacks the zip into an empty folder (modes and symbolic links as ``unzip`` keeps
   them) and checks it against its .sha256;
3. from there, headless (QT_QPA_PLATFORM=offscreen), with a fresh user (HOME and the
   XDG folders in a temporary folder, no CYPDESK_HOME), runs: ``--self-test``,
   ``demo``, ``check``, ``info --json``, ``FILE --exit-when-shown``, an import of a
   real published file (tests/fixtures/real), ``export``, the example of every other
   command the command line declares (cypdesk.cli.command_examples: paper, share,
   merge... as they land; those not in this build are named as skipped), and
   ``FILE --visit-all`` (every tab and view);
4. checks that nothing under the unpacked program folder was written, changed or
   removed (every file's size, modification time and mode compared with before), and
   that the user's data folder was used instead;
5. compiles the Windows installer source (packaging/windows/cypdesk.wxs) with wixl,
   over a file list of this Linux build standing in for the Windows one (the two
   programs renamed .exe), and checks the MSI's Start-menu entry and file type.

Ends with ``smoke: N passed, M failed`` and exits 0 only if none failed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from make_zip import zip_name  # noqa: E402

REAL_FILE = ROOT / "tests" / "fixtures" / "real" / "fingertips" / "ohid_fingertips_indicators-CountyUA.data.csv"
SOURCE_CSV = "Name,Kind,Charity number\nHarbour Lights Youth Trust,voluntary,1190001\nNorthgate Care Ltd,private,\n"
TIMEOUT = 300
# Commands run by the steps above, with arguments of their own.
OWN_STEPS = {"demo", "check", "info", "import", "export"}


class Smoke:
    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.skipped: list[str] = []

    def step(self, name: str, fn: Callable[[], str | None]) -> None:
        started = time.perf_counter()
        try:
            detail = fn() or ""
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the run goes on
            self.failed.append(name)
            print(f"FAIL  {name} ({time.perf_counter() - started:.1f} s): {exc}", flush=True)
        else:
            self.passed.append(name)
            print(f"ok    {name} ({time.perf_counter() - started:.1f} s){': ' + detail if detail else ''}", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.skipped.append(name)
        print(f"skip  {name}: {why}", flush=True)


def extract(archive: Path, target: Path) -> Path:
    """Unpack like ``unzip``: modes kept, symbolic links made as links. Returns the
    top folder."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            dest = target / info.filename
            if not dest.resolve().is_relative_to(target.resolve()):
                raise RuntimeError(f"{info.filename} would unpack outside {target}")
            mode = info.external_attr >> 16
            dest.parent.mkdir(parents=True, exist_ok=True)
            if info.is_dir():
                dest.mkdir(exist_ok=True)
            elif stat.S_ISLNK(mode):
                os.symlink(zf.read(info).decode("utf-8"), dest)
            else:
                with zf.open(info) as source, dest.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
                os.chmod(dest, stat.S_IMODE(mode) or 0o644)
    [top] = [p for p in target.iterdir()]
    return top


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry below ``folder``: (size, modification time, mode), links not followed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            out[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    st = folder.lstat()
    out["."] = (0, st.st_mtime_ns, st.st_mode)
    return out


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - one scripted run, step by step
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use the zip already in dist/")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    smoke = Smoke()

    from cypdesk import __version__

    if not args.no_build:
        print("smoke: building (packaging/build.sh)", flush=True)
        subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], check=True)
    archive = ROOT / "dist" / zip_name(__version__)
    if not archive.is_file():
        print(f"smoke: {archive} is missing: build first (bash packaging/build.sh)", file=sys.stderr)
        return 1

    tmp = Path(tempfile.mkdtemp(prefix="cypdesk-smoke-"))
    try:
        unpacked = tmp / "unpacked"
        unpacked.mkdir()
        work = tmp / "documents"
        work.mkdir()
        user = tmp / "user"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CYPDESK_", "XDG_", "MPLCONFIGDIR"))}
        env.update(QT_QPA_PLATFORM="offscreen", HOME=str(user), XDG_DATA_HOME=str(user / "data"),
                   XDG_CONFIG_HOME=str(user / "config"), XDG_CACHE_HOME=str(user / "cache"),
                   XDG_RUNTIME_DIR=str(user / "runtime"))
        (user / "runtime").mkdir(parents=True, mode=0o700)
        state: dict[str, object] = {}

        def unpack() -> str:
            digest = hashlib.sha256(archive.read_bytes()).hexdigest()
            expected = (archive.parent / f"{archive.name}.sha256").read_text(encoding="utf-8").split()[0]
            if digest != expected:
                raise RuntimeError(f"SHA-256 {digest} differs from {expected} in the .sha256 file")
            top = extract(archive, unpacked)
            state["top"] = top
            state["before"] = snapshot(top)
            return f"{archive.name} ({archive.stat().st_size / 1e6:.1f} MB) into {top}, SHA-256 matches"

        smoke.step("unpack the zip", unpack)
        if "top" not in state:
            print(f"smoke: {len(smoke.passed)} passed, {len(smoke.failed)} failed")
            return 1
        top = state["top"]
        assert isinstance(top, Path)
        cli, window = top / "cypdesk-cli", top / "cypdesk"
        doc = work / "trust.cypdesk"

        def run(program: Path, *arguments: object, expect: int = 0) -> subprocess.CompletedProcess[str]:
            proc = subprocess.run([str(program), *map(str, arguments)], capture_output=True, text=True, env=env,
                                  cwd=work, timeout=TIMEOUT)
            if proc.returncode != expect:
                tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-12:]
                raise RuntimeError(f"exit {proc.returncode}, expected {expect}: " + " | ".join(tail))
            return proc

        def last_line(proc: subprocess.CompletedProcess[str]) -> str:
            lines = proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines() or [""]
            return lines[-1]

        smoke.step("--self-test", lambda: last_line(run(cli, "--self-test")))
        smoke.step("demo", lambda: last_line(run(cli, "demo", doc)))

        def check() -> str:
            result = json.loads(run(cli, "check", doc, "--json").stdout)
            if result.get("ok") is not True:
                raise RuntimeError(f"check says {result}")
            return "ok"

        smoke.step("check --json", check)

        def info() -> str:
            result = json.loads(run(cli, "info", doc, "--json").stdout)
            counts = result.get("counts") or result.get("records") or {}
            return f"schema {result.get('schema_version', result.get('schema'))}, {len(counts)} kinds of record"

        smoke.step("info --json", info)
        smoke.step("FILE --exit-when-shown", lambda: last_line(run(window, doc, "--exit-when-shown")))

        def import_real() -> str:
            result = json.loads(run(cli, "import", doc, REAL_FILE, "--kind", "indicator_values", "--json").stdout)
            if result.get("added", 0) <= 0:
                raise RuntimeError(f"nothing imported: {result}")
            return f"{REAL_FILE.name}: {result['added']} values added, {result.get('rejected', 0)} rejected"

        smoke.step("import a real file", import_real)

        def export() -> str:
            out = work / "services.csv"
            run(cli, "export", doc, "--table", "services", "--out", out)
            with out.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
            if len(rows) < 2:
                raise RuntimeError(f"{out.name} has no rows")
            return f"{out.name}: {len(rows) - 1} services"

        smoke.step("export", export)

        # Every other command, through the example it declares (as tests/cli/test_faults.py).
        from cypdesk.cli import command_examples

        with closing(sqlite3.connect(f"file:{doc}?mode=ro", uri=True)) as conn:
            service_id = conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
            paper_id = conn.execute("SELECT id FROM papers WHERE status = 'final' ORDER BY title LIMIT 1").fetchone()[0]

        def paper() -> str:
            """A board paper to PDF and to Word: reportlab, the bundled fonts, svglib's
            charts, uharfbuzz and python-docx's templates as the build carries them."""
            pdf, docx = work / "paper.pdf", work / "paper.docx"
            proc = run(cli, "paper", doc, "--paper", paper_id, "--out", pdf, "--json")
            result = json.loads(proc.stdout)
            run(cli, "paper", doc, "--paper", paper_id, "--out", docx)
            if "Warning" in proc.stderr:  # a library missing from the build says so on stderr
                raise RuntimeError(f"the paper's command warned: {proc.stderr.strip()[-400:]}")
            if result.get("pages", 0) < 1 or not pdf.read_bytes().startswith(b"%PDF") or docx.stat().st_size < 1000:
                raise RuntimeError(f"the paper was not written whole: {result}")
            return f"{pdf.name}: {result['pages']} pages; {docx.name}: {docx.stat().st_size:,} bytes"

        smoke.step("a board paper to PDF and Word", paper)

        def share_and_merge() -> str:
            """A partner's plain copy, edited, shared encrypted (zstandard, cryptography's
            scrypt and AES-GCM as the build carries them) and merged back."""
            partner = work / "partner.cypdesk"
            shutil.copy2(doc, partner)
            run(cli, "set", partner, "services", service_id, "capacity=77")
            secret = work / "passphrase.txt"
            secret.write_text("correct horse battery staple\n", encoding="utf-8")
            packed = work / "partner.cypshare"
            shared = json.loads(run(cli, "share", partner, "--out", packed, "--passphrase-file", secret,
                                    "--json").stdout)
            merged = json.loads(run(cli, "merge", doc, packed, "--passphrase-file", secret, "--json").stdout)
            with closing(sqlite3.connect(f"file:{doc}?mode=ro", uri=True)) as conn:
                capacity = conn.execute("SELECT capacity FROM services WHERE id = ?", (service_id,)).fetchone()[0]
            if merged.get("changed", 0) < 1 or capacity != 77:
                raise RuntimeError(f"the partner's edit did not arrive: {merged}, capacity {capacity}")
            return (f"{packed.name}: {packed.stat().st_size:,} bytes, encrypted; merged back: "
                    f"{merged['changed']} changed, {merged.get('conflicts', 0)} conflicts ({shared.get('withheld', '?')} withheld)")

        smoke.step("share with a passphrase and merge it back", share_and_merge)
        examples = command_examples()
        for command in sorted(set(examples) - OWN_STEPS):
            copy = work / f"for-{command}.cypdesk"
            shutil.copy2(doc, copy)
            source = work / "source.csv"
            source.write_text(SOURCE_CSV, encoding="utf-8")
            values = {"document": str(copy), "new_file": str(work / f"new-{command}"), "service_id": service_id,
                      "source": str(source), "paper_id": paper_id, "new_pdf": str(work / f"new-{command}.pdf")}
            argv = [part.format(**values) for part in examples[command]]
            smoke.step(f"{command} (its declared example)", lambda argv=argv: last_line(run(cli, *argv)) or "exit 0")
        for wanted in ("paper", "share", "merge"):
            if wanted not in examples:
                smoke.skip(wanted, "not a command of this build yet")

        def visit() -> str:
            proc = run(window, doc, "--visit-all")
            return last_line(proc).removeprefix("cypdesk: ")

        smoke.step("FILE --visit-all", visit)

        def nothing_written() -> str:
            after = snapshot(top)
            before = state["before"]
            assert isinstance(before, dict)
            added = sorted(set(after) - set(before))
            removed = sorted(set(before) - set(after))
            changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
            if added or removed or changed:
                raise RuntimeError(f"the program folder changed: added {added[:5]}, removed {removed[:5]}, "
                                   f"changed {changed[:5]}")
            data = user / "data" / "cypdesk"
            if not (data / "cache" / "matplotlib").is_dir():
                raise RuntimeError(f"{data}/cache/matplotlib was not used: where did matplotlib's cache go?")
            return f"{len(before):,} entries unchanged; the user's data folder {data} was used"

        smoke.step("nothing written under the program folder", nothing_written)

        def msi() -> str:
            if not shutil.which("wixl") or not shutil.which("wixl-heat"):
                raise RuntimeError("wixl is not installed (apt-get install wixl msitools; scripts/setup.sh does)")
            stage = tmp / "msi-stage" / "cypdesk"
            for dirpath, _dirnames, filenames in os.walk(top):
                for name in filenames:
                    path = Path(dirpath) / name
                    rel = path.relative_to(top)
                    if rel.as_posix() in ("cypdesk", "cypdesk-cli"):
                        rel = rel.with_name(f"{rel.name}.exe")
                    dest = stage / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path.resolve(), dest)
            listing = "\n".join(sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()))
            heat = subprocess.run(["wixl-heat", "-p", "", "--component-group", "CypdeskFiles", "--var",
                                   "var.SourceDir", "--directory-ref", "INSTALLDIR"], input=listing + "\n",
                                  capture_output=True, text=True, cwd=stage, check=True, timeout=TIMEOUT)
            files_wxs = tmp / "msi-stage" / "files.wxs"
            files_wxs.write_text(heat.stdout, encoding="utf-8")
            shutil.copy(ROOT / "resources" / "icons" / "cypdesk.ico", tmp / "msi-stage" / "cypdesk.ico")
            out = tmp / "msi-stage" / f"cypdesk-{__version__}-windows-x86_64.msi"
            proc = subprocess.run(["wixl", "-a", "x64", "-D", "SourceDir=cypdesk", "-D", f"Version={__version__}",
                                   "-D", "IconFile=cypdesk.ico", "-o", str(out),
                                   str(ROOT / "packaging" / "windows" / "cypdesk.wxs"), str(files_wxs)],
                                  capture_output=True, text=True, cwd=tmp / "msi-stage", timeout=TIMEOUT)
            if proc.returncode != 0 or not out.is_file():
                raise RuntimeError(f"wixl failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
            found = []
            if shutil.which("msiinfo"):
                def table(name: str) -> str:
                    return subprocess.run(["msiinfo", "export", str(out), name], capture_output=True, text=True,
                                          check=True).stdout

                if "[INSTALLDIR]cypdesk.exe" not in table("Shortcut"):
                    raise RuntimeError("the MSI has no Start-menu shortcut to cypdesk.exe")
                registry = table("Registry")
                if "Software\\Classes\\.cypdesk" not in registry or '"[INSTALLDIR]cypdesk.exe" "%1"' not in registry:
                    raise RuntimeError("the MSI does not register the .cypdesk file type")
                if "ALLUSERS\t1" not in table("Property"):
                    raise RuntimeError("the MSI is not per-machine (ALLUSERS is not 1)")
                files = table("File").count("\n") - 3
                found.append(f"{files:,} files, Start-menu entry, .cypdesk file type, per-machine")
            return f"{out.name} ({out.stat().st_size / 1e6:.1f} MB, Linux build as stand-in payload) " + ", ".join(found)

        smoke.step("Windows installer source compiles (wixl)", msi)
    finally:
        if args.keep:
            print(f"smoke: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"smoke: took {time.perf_counter() - started:.0f} s"
          + (f"; skipped: {', '.join(smoke.skipped)}" if smoke.skipped else ""))
    print(f"smoke: {len(smoke.passed)} passed, {len(smoke.failed)} failed")
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(main())
