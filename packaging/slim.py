"""Make the one-folder build smaller after PyInstaller, before it is zipped:

    python packaging/slim.py dist/cypdesk          (packaging/build.sh runs it)

1. ICU's data library (``PySide6/Qt/lib/libicudata.so.NN``, 32 MB: every language's
   locale data, collation, dictionaries, code pages) is rebuilt with only what cypdesk
   formats and sorts for: the root locale, English and Welsh, Unicode's collation
   table, the break rules (without the Thai, Khmer, Lao, Burmese and Chinese
   dictionaries) and the windows-1252 code page. Needs objcopy, icupkg, genccode and gcc
   (Debian: binutils, icu-devtools, gcc); if any is missing or fails, the file is kept
   as it was and the output says so.
2. Shared libraries nothing in the bundle needs are removed: the system libraries
   PyInstaller copied for the plugins the spec leaves out (Wayland, the desktop
   portal...): pango, cairo, gdk_pixbuf, gio..., and what only the libraries left to
   the system needed (libcups' gnutls, krb5, avahi...; packaging/bundle_contents.py).
   Reachability is computed from each library's ELF ``NEEDED`` entries, starting from
   every program, Python extension module and Qt plugin in the bundle; only libraries
   at the top of ``_internal/`` and in ``PySide6/Qt/lib/`` are candidates for removal.
3. ``lxml.objectify`` (3 MB) goes: python-docx and svglib use ``lxml.etree`` only.
4. Symbol tables are stripped (``strip --strip-unneeded``) from the extension modules
   and libraries that still carry them (kiwisolver, uharfbuzz, pdfium, SQLAlchemy's
   Cython modules...), except the libraries auditwheel vendored into ``*.libs``
   folders (numpy.libs' OpenBLAS): strip breaks those ("ELF load command
   address/offset not page-aligned").

Linux only; elsewhere it prints that it has nothing to do.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# ICU items kept: locales (and their parents) cypdesk formats and sorts for.
_KEEP_LOCALE = re.compile(r"^(root|pool|res_index|en|en_.*|cy|cy_.*)$")
# A locale's resource bundle: "fr", "zh_Hant_TW", "en_001"... (not "supplementalData").
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
_LOCALE_TREES = ("curr", "zone", "lang", "region", "unit", "coll", "rbnf", "brkitr")
# windows-1252 (two ICU tables carry it); UTF-8/16 and Latin-1 are Qt's own.
_KEEP_CONVERTERS = {"ibm-5348_P100-1997.cnv", "ibm-1252_P100-2000.cnv"}

ICU_TOOLS = ("objcopy", "icupkg", "genccode", "gcc")


def icu_items_to_drop(items: list[str]) -> list[str]:
    """The ICU data items (as ``icupkg -l`` lists them) that cypdesk never uses."""
    drop = []
    for item in items:
        folder, _, name = item.rpartition("/")
        stem, _, suffix = name.rpartition(".")
        if folder == "translit":
            drop.append(item)
        elif folder == "" and suffix == "cnv":
            if name not in _KEEP_CONVERTERS:
                drop.append(item)
        elif folder == "brkitr" and suffix == "dict":
            drop.append(item)
        elif (folder == "" or folder in _LOCALE_TREES) and suffix == "res":
            if _LOCALE.match(stem) and not _KEEP_LOCALE.match(stem):
                drop.append(item)
    return drop


def trim_icu(library: Path) -> str:
    """Rebuild ``library`` (libicudata.so.NN) with fewer items; return what happened."""
    match = re.match(r"libicudata\.so\.(\d+)", library.name)
    if not match:
        return f"ICU data left as it is: cannot tell the version from {library.name}"
    version = match.group(1)
    missing = [tool for tool in ICU_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"ICU data left as it is ({library.stat().st_size / 1e6:.1f} MB): {', '.join(missing)} not found (Debian: apt-get install icu-devtools binutils gcc)"
    name = f"icudt{version}l"
    before = library.stat().st_size
    with tempfile.TemporaryDirectory(prefix="cypdesk-icu-") as tmp:
        work = Path(tmp)
        try:
            # icupkg takes the package name from the file name: both are icudtNNl.dat
            (work / "in").mkdir()
            full, slim = work / "in" / f"{name}.dat", work / f"{name}.dat"
            _run("objcopy", "-O", "binary", "--only-section=.rodata", library, full)
            items = _run("icupkg", "--ignore-deps", "-l", full).split()
            if not any(item.endswith("ucadata.icu") for item in items):
                return f"ICU data left as it is: {library.name} does not look like ICU data ({len(items)} items)"
            drop = icu_items_to_drop(items)
            (work / "drop.txt").write_text("\n".join(drop) + "\n", encoding="utf-8")
            _run("icupkg", "--ignore-deps", "-r", work / "drop.txt", full, slim)
            _run("genccode", "-a", "gcc", "-e", f"icudt{version}", "-d", work, slim)
            assembly = next(work.glob(f"{name}*.S"))
            _run("gcc", "-c", "-o", work / "data.o", assembly)
            rebuilt = work / library.name
            _run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", rebuilt, work / "data.o")
            check = _run("icupkg", "--ignore-deps", "-l", slim).split()
            if len(check) != len(items) - len(drop):
                return f"ICU data left as it is: the trimmed data lists {len(check)} items, expected {len(items) - len(drop)}"
        except (OSError, subprocess.CalledProcessError, StopIteration) as exc:
            detail = getattr(exc, "stderr", "") or exc
            return f"ICU data left as it is: trimming failed ({str(detail).strip()[:300]})"
        shutil.copyfile(rebuilt, library)
    return f"ICU data trimmed: {len(items) - len(drop)} of {len(items)} items kept, {before / 1e6:.1f} MB -> {library.stat().st_size / 1e6:.1f} MB"


def _run(*args: object) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: Path) -> list[str]:
    """The sonames ``path`` asks the dynamic loader for (its ELF NEEDED entries)."""
    out = _run("readelf", "-d", "-W", path)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _is_extension_module(name: str) -> bool:
    """A Python extension module's file name (``_cffi_backend.cpython-311-x86_64-linux-gnu.so``,
    ``mod.abi3.so``): Python imports it, so no binary lists it as NEEDED."""
    return ".cpython-" in name or name.endswith(".abi3.so") or (name.endswith(".so") and name.count(".") == 1
                                                                and not name.startswith("lib"))


def prune_unreachable(folder: Path) -> list[tuple[Path, int]]:
    """Remove shared libraries no kept binary needs; return (path, bytes) of each."""
    internal = folder / "_internal"
    qt_lib = internal / "PySide6" / "Qt" / "lib"
    candidates: dict[str, list[Path]] = {}  # name -> the file and its links
    roots: list[Path] = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        if (path.parent in (internal, qt_lib) and ".so" in path.name and not path.name.startswith("libpython")
                and not _is_extension_module(path.name)):
            # (the program loads libpython itself, with dlopen: it is no one's NEEDED; a
            # Python extension module at the top, such as cffi's _cffi_backend, is loaded
            # by an import, never NEEDED either)
            candidates.setdefault(path.name, []).append(path)
        elif not path.is_symlink() and _is_elf(path):
            roots.append(path)
    # a link and the file it points to are one library under two names
    real_of = {name: paths[0].resolve() for name, paths in candidates.items()}
    seen: set[Path] = set()
    queue = list(roots)
    reached: set[Path] = set()
    while queue:
        binary = queue.pop()
        if binary in seen:
            continue
        seen.add(binary)
        for soname in needed(binary):
            if soname in real_of:
                target = real_of[soname]
                reached.add(target)
                queue.append(target)
    removed = []
    for name, paths in candidates.items():
        if real_of[name] not in reached:
            for path in paths:
                removed.append((path, 0 if path.is_symlink() else path.stat().st_size))
    for path, _size in removed:
        path.unlink()
    return removed


def has_symbols(path: Path) -> bool:
    return ".symtab" in _run("readelf", "-S", "-W", path)


def strip_symbols(folder: Path) -> tuple[int, int]:
    """Strip the symbol tables left in the bundle's binaries; return (files, bytes saved)."""
    count = saved = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.parts):
            continue
        if not _is_elf(path) or not has_symbols(path):
            continue
        before = path.stat().st_size
        stripped = path.with_name(path.name + ".stripped")
        try:
            _run("strip", "--strip-unneeded", "-o", stripped, path)
        except subprocess.CalledProcessError:
            stripped.unlink(missing_ok=True)
            continue
        shutil.copymode(path, stripped)
        os.replace(stripped, path)
        count += 1
        saved += before - path.stat().st_size
    return count, saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the one-folder build, e.g. dist/cypdesk")
    args = parser.parse_args(argv)
    folder: Path = args.folder.resolve()
    if not sys.platform.startswith("linux"):
        print("slim: nothing to do on this platform")
        return 0
    for library in sorted((folder / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")):
        if not library.is_symlink():
            print(f"slim: {trim_icu(library)}")
    for extra in (folder / "_internal" / "lxml").glob("objectify.*.so"):
        extra.unlink()
        print(f"slim: removed {extra.relative_to(folder)} (unused: lxml.etree is what python-docx and svglib use)")
    if shutil.which("readelf") is None:
        print("slim: unreachable libraries kept: readelf not found (Debian: apt-get install binutils)")
        return 0
    try:  # nothing is removed until every binary has been read
        removed = prune_unreachable(folder)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"slim: unreachable libraries kept: reading the libraries' NEEDED entries failed ({exc})")
        removed = []
    print(f"slim: removed {len(removed)} libraries nothing in the bundle needs"
          f" ({sum(size for _, size in removed) / 1e6:.1f} MB)"
          + (": " + ", ".join(sorted(p.name for p, _ in removed)) if removed else ""))
    if shutil.which("strip") is None:
        print("slim: symbol tables kept: strip not found (Debian: apt-get install binutils)")
        return 0
    count, saved = strip_symbols(folder)
    print(f"slim: stripped the symbol tables of {count} binaries ({saved / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
