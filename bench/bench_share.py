"""A shared copy of a document holding 50,000 indicator values (issue 11, Benchmarks):
its size (target under 10 MB, an email attachment) and how long it takes, with and
without a passphrase, against a floor measured in the same run.

    .venv/bin/python bench/bench_share.py [--rounds 3] [--values 50000]

The document is the small demo plus Fingertips-shaped rows (bench_import's generator)
imported through ``cypdesk import`` until it holds ``--values`` indicator values; it is
made once into ``bench/out/``. Printed:

- the share's size, plain and encrypted, and its ratio to the document;
- ``cypdesk share`` (whole process: checks, the fresh redacted build, VACUUM INTO,
  compression, the atomic write) and ``write_share_copy`` in-process, plain and with a
  passphrase, each as seconds and as a ratio to the floor: ``VACUUM INTO`` of the same
  document plus a bare ``zstandard`` compression of its bytes at the level the share
  uses, in-process, alternated with them round by round;
- the codecs the container can name, on the same document (the choice in
  ``cypdesk/io/sharefile.py``'s doc): size, packing and unpacking time; zstd at other
  levels beside them (library only).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT

OUT = ROOT / "bench" / "out"
PY = sys.executable
PASS = "correct horse battery staple, in a bench"
TARGET_MB = 10.0


def make_document(values: int) -> Path:
    """The demo plus imported Fingertips rows: ``values`` indicator values in all."""
    import sqlite3

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_import import HEADINGS, fingertips_rows

    OUT.mkdir(parents=True, exist_ok=True)
    doc = OUT / f"share-{values}.cypdesk"
    if doc.exists():
        return doc
    tmp = OUT / f"share-{values}.tmp.cypdesk"
    tmp.unlink(missing_ok=True)
    subprocess.run([PY, "-m", "cypdesk", "demo", str(tmp)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    with sqlite3.connect(tmp) as conn:
        have = conn.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    source = OUT / f"share-{values}.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADINGS)
        for r in fingertips_rows(values - have):
            w.writerow(["" if v is None else v for v in r])
    subprocess.run([PY, "-m", "cypdesk", "import", str(tmp), str(source), "--kind", "indicator_values"], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    with sqlite3.connect(tmp) as conn:
        assert conn.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == values
    tmp.replace(doc)
    return doc


def floor(doc: Path, folder: Path) -> float:
    """VACUUM INTO a fresh file plus a bare zstd compression of it, in-process."""
    import sqlite3

    import zstandard

    from cypdesk.io.sharefile import ZSTD_LEVEL

    out = folder / "floor.cypdesk"
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    with sqlite3.connect(doc) as conn:
        conn.execute("VACUUM INTO ?", (str(out),))
    zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(out.read_bytes())
    return time.perf_counter() - start


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def describe(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s [{min(xs):.3f}-{max(xs):.3f}]"


def ratio(xs: list[float], ys: list[float]) -> str:
    rs = [x / y for x, y in zip(xs, ys)]
    return f"{statistics.median(rs):.2f}x [{min(rs):.2f}-{max(rs):.2f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--values", type=int, default=50_000, help="indicator values in the document (50,000)")
    parser_args = parser.parse_args()
    if parser_args.rounds < 1:
        parser.error("--rounds must be at least 1")
    from cypdesk.services.exchange.share import write_share_copy

    doc = make_document(parser_args.values)
    print(f"document: {doc.name}, {doc.stat().st_size / 1e6:.1f} MB, {parser_args.values:,} indicator values")
    with tempfile.TemporaryDirectory(prefix="bench-share-") as tmp:
        folder = Path(tmp)
        passfile = folder / "pass.txt"
        passfile.write_text(PASS, encoding="utf-8")
        runs: dict[str, list[float]] = {k: [] for k in ("floor", "plain", "encrypted", "cli plain", "cli encrypted")}
        sizes: dict[str, int] = {}
        write_share_copy(doc, folder / "warm.cypshare")  # warm-up: imports, the template
        for _ in range(parser_args.rounds):
            runs["floor"].append(floor(doc, folder))
            t, r = timed(lambda: write_share_copy(doc, folder / "plain.cypshare"))
            runs["plain"].append(t)
            sizes["plain"] = r.size
            t, r = timed(lambda: write_share_copy(doc, folder / "enc.cypshare", passphrase=PASS))
            runs["encrypted"].append(t)
            sizes["encrypted"] = r.size
            for name, extra in (("cli plain", []), ("cli encrypted", ["--passphrase-file", str(passfile)])):
                out = folder / f"{name.replace(' ', '-')}.cypshare"
                out.unlink(missing_ok=True)
                t, _ = timed(lambda: subprocess.run([PY, "-m", "cypdesk", "share", str(doc), "--out", str(out), *extra],
                                                     check=True, cwd=ROOT, stdout=subprocess.DEVNULL))
                runs[name].append(t)
        plain_size = doc.stat().st_size
        print(f"\nshare size (target under {TARGET_MB:.0f} MB):")
        for name, size in sizes.items():
            verdict = "met" if size / 1e6 < TARGET_MB else "NOT MET"
            print(f"  {name:10s} {size / 1e6:6.2f} MB  ({size / plain_size:.1%} of the document)  target {verdict}")
        print("\ntime (in-process unless 'cli'; ratio to the floor of the same round):")
        print(f"  {'floor':14s} {describe(runs['floor'])}  (VACUUM INTO + bare zstd)")
        for name in ("plain", "encrypted", "cli plain", "cli encrypted"):
            print(f"  {name:14s} {describe(runs[name])}  {ratio(runs[name], runs['floor'])}")
        codecs(doc, folder)
    return 0


def codecs(doc: Path, folder: Path) -> None:
    """Each codec the container names, and zstd at other levels (library only)."""
    import sqlite3

    import zstandard

    from cypdesk.io.sharefile import CODECS, ShareHeader, unpack_share, write_share

    packed = folder / "vacuumed.cypdesk"
    packed.unlink(missing_ok=True)
    with sqlite3.connect(doc) as conn:
        conn.execute("VACUUM INTO ?", (str(packed),))
    data = packed.read_bytes()
    print(f"\ncodecs on the same document ({len(data) / 1e6:.1f} MB after VACUUM INTO):")
    for codec in CODECS:
        out = folder / f"codec-{codec}.cypshare"
        t, _ = timed(lambda: write_share(packed, out, ShareHeader(document_id="bench", title="bench",
                                                                   schema_version=0), compression=codec))
        u, _ = timed(lambda: unpack_share(out, folder / "unpacked.bin"))
        print(f"  {codec:8s} {out.stat().st_size / 1e6:6.2f} MB  pack {t:6.2f} s  unpack {u:5.2f} s")
    for level in (3, 19):
        t, blob = timed(lambda: zstandard.ZstdCompressor(level=level).compress(data))
        print(f"  zstd-{level:<3d} {len(blob) / 1e6:6.2f} MB  pack {t:6.2f} s  (library only)")


if __name__ == "__main__":
    sys.exit(main())
