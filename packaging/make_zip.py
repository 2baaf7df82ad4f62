"""Pack the one-folder build into the zip IT receives, with its SHA-256 and a list of
what takes the space.

    python packaging/make_zip.py dist/cypdesk      (packaging/build.sh runs it)

Writes, beside the folder: ``cypdesk-<version>-<platform>.zip`` (the folder as
``cypdesk/`` inside; symbolic links kept as links, modes kept, so ``unzip`` restores a
working program), ``cypdesk-<version>-<platform>.zip.sha256`` (``sha256sum -c`` reads
it; on Windows compare with ``Get-FileHash``) and ``largest-files.txt``.

Every file is deflated (the only method Windows Explorer's "Extract all" reads), with
Zopfli when the ``zopfli`` package is installed (``pip install -e ".[packaging]"``):
the same deflate format, about 3.5% smaller than zlib's level 9, at about 0.5 MB/s per
core (the files are compressed on every core at once). Without it, zlib's level 9.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import os
import platform
import stat
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def platform_tag() -> str:
    """``linux-x86_64``, ``windows-x86_64``, ``macos-arm64``..."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def zip_name(version: str, tag: str | None = None) -> str:
    return f"cypdesk-{version}-{tag or platform_tag()}.zip"


def _entries(folder: Path):  # type: ignore[no-untyped-def]
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames) + [d for d in dirnames if (base / d).is_symlink()]:
            yield base / name


def zopfli_available() -> bool:
    try:
        return importlib.util.find_spec("zopfli.zopfli") is not None
    except ImportError:  # no zopfli package at all
        return False


def deflate(path: Path, zopfli: bool = True) -> bytes:
    """The file's bytes as a raw deflate stream (what a zip entry holds): Zopfli's if
    ``zopfli`` and it is installed, else zlib's level 9. Data that zlib cannot shrink
    (already compressed) is not given to Zopfli, which would spend long on it."""
    data = path.read_bytes()
    best = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = best.compress(data) + best.flush()
    if zopfli and len(stream) < 0.98 * len(data) and zopfli_available():
        import zopfli.zopfli

        wrapped = zopfli.zopfli.compress(data, numiterations=1, gzip_mode=0)  # zlib format:
        if len(wrapped) - 6 < len(stream):  # a 2-byte header and a 4-byte checksum around it
            stream = wrapped[2:-4]
    return stream


class _Deflated:
    """Stands in for zipfile's compressor of one entry: the entry's data was deflated
    beforehand (in another process), so the stream is handed over whole at the end;
    zipfile still counts the size and CRC-32 from the data written to it."""

    def __init__(self, stream: bytes) -> None:
        self._stream = stream

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self._stream


@contextlib.contextmanager
def _compressor_for_next_entry(stream: bytes) -> Iterator[None]:
    real = zipfile._get_compressor  # type: ignore[attr-defined]
    zipfile._get_compressor = lambda compress_type, compresslevel=None: _Deflated(stream)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        zipfile._get_compressor = real  # type: ignore[attr-defined]


def write_zip(folder: Path, target: Path, zopfli: bool = True, workers: int | None = None) -> int:
    """Zip ``folder`` as ``<folder name>/...`` into ``target``; return the file count.
    Each file is deflated by :func:`deflate` on ``workers`` processes (every core)."""
    count = 0
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or time.time())[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    tmp = target.with_name(target.name + ".part")
    paths = list(_entries(folder))
    files = [path for path in paths if not path.is_symlink()]
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool, \
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        # largest first, so no core is left with a big file at the end
        pending = {path: pool.submit(deflate, path, zopfli)
                   for path in sorted(files, key=lambda p: -p.stat().st_size)}
        for path in paths:
            arcname = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            info.create_system = 3  # Unix: unzip reads the modes and links below
            if path.is_symlink():
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, os.readlink(path))
            else:
                mode = path.stat().st_mode
                info.external_attr = (stat.S_IFREG | (0o755 if mode & 0o111 else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                stream = pending.pop(path).result()
                with path.open("rb") as source, _compressor_for_next_entry(stream), \
                        archive.open(info, "w") as sink:
                    while chunk := source.read(1 << 20):
                        sink.write(chunk)
            count += 1
    os.replace(tmp, target)
    return count


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def largest_files(folder: Path, top: int = 40) -> str:
    """The ``top`` largest files and the size of each top-level part of the bundle."""
    sizes = {p: p.stat().st_size for p in _entries(folder) if not p.is_symlink()}
    total = sum(sizes.values())
    groups: Counter[str] = Counter()
    for path, size in sizes.items():
        rel = path.relative_to(folder).parts
        key = "/".join(rel[:2]) if rel[0] == "_internal" and len(rel) > 2 else "/".join(rel[:1 + (rel[0] == "_internal")])
        if rel[:2] == ("_internal", "PySide6") and len(rel) > 4:
            key = "/".join(rel[:5])  # _internal/PySide6/Qt/lib, .../plugins
        groups[key] += size
    lines = [f"{folder.name}: {total / 1e6:.1f} MB in {len(sizes):,} files", "", f"Largest {top} files (MB):"]
    for path, size in sorted(sizes.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {size / 1e6:7.2f}  {path.relative_to(folder).as_posix()}")
    lines += ["", "By part (MB):"]
    for key, size in groups.most_common(30):
        lines.append(f"  {size / 1e6:7.2f}  {key}")
    return "\n".join(lines) + "\n"


def largest_in_zip(archive: Path, top: int = 15) -> str:
    """The ``top`` entries taking the most space in the zip itself (compressed)."""
    with zipfile.ZipFile(archive) as zipped:
        infos = sorted(zipped.infolist(), key=lambda info: -info.compress_size)
    lines = [f"Largest {top} in the zip (MB compressed, MB unpacked):"]
    for info in infos[:top]:
        lines.append(f"  {info.compress_size / 1e6:7.2f}  {info.file_size / 1e6:7.2f}  {info.filename}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the one-folder build, e.g. dist/cypdesk")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from cypdesk import __version__

    folder = args.folder.resolve()
    target = folder.parent / zip_name(__version__)
    if not zopfli_available():
        print("make_zip: zopfli not installed: compressing with zlib's level 9 (the zip about 3% larger)")
    started = time.monotonic()
    count = write_zip(folder, target)
    digest = sha256_file(target)
    (target.parent / f"{target.name}.sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    report = largest_files(folder)
    (folder.parent / "largest-files.txt").write_text(
        report + "\n" + largest_in_zip(target) + f"\n{target.name}: {target.stat().st_size / 1e6:.1f} MB\n",
        encoding="utf-8",
    )
    print(f"{target} ({target.stat().st_size / 1e6:.1f} MB, {count:,} entries, {time.monotonic() - started:.0f} s)")
    print(f"{target}.sha256: {digest}")
    print(f"{folder.parent / 'largest-files.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
