"""packaging/slim.py, which makes the one-folder build smaller before it is zipped
(issue 12, zip size): Qt's ICU data trimmed to English and Welsh (and left as it was,
said so, when a tool is missing), libraries nothing in the bundle needs removed by ELF
NEEDED reachability, symbol tables stripped. The tests that build libraries need gcc
and binutils (scripts/setup.sh installs them) and are skipped without them."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import slim  # noqa: E402

needs_gcc = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("gcc", "readelf", "strip")) or not sys.platform.startswith("linux"),
    reason="needs gcc and binutils on Linux",
)


def test_icu_drop_list_keeps_root_english_welsh_and_shared_data():
    """Other languages' bundles, dictionaries, transliterators and code pages go; the
    root locale, en*, cy*, the pool and index, Unicode's tables and windows-1252 stay."""
    items = [
        "root.res", "en.res", "en_GB.res", "en_001.res", "cy.res", "cy_GB.res", "fr.res", "zh_Hant_TW.res",
        "res_index.res", "pool.res", "supplementalData.res", "zoneinfo64.res", "icuver.res",
        "coll/root.res", "coll/ucadata.icu", "coll/cy.res", "coll/de.res", "coll/res_index.res",
        "curr/en_GB.res", "curr/ja.res", "lang/pool.res", "zone/ar.res",
        "brkitr/word.brk", "brkitr/thaidict.dict", "brkitr/en.res", "brkitr/ja.res",
        "translit/root.res", "translit/el.res",
        "ibm-5348_P100-1997.cnv", "ibm-1252_P100-2000.cnv", "ibm-943_P15A-2003.cnv", "cnvalias.icu",
        "nfkc.nrm", "uts46.nrm", "confusables.cfu", "rfc3491.spp",
    ]
    drop = set(slim.icu_items_to_drop(items))
    assert drop == {
        "fr.res", "zh_Hant_TW.res", "coll/de.res", "curr/ja.res", "zone/ar.res", "brkitr/thaidict.dict",
        "brkitr/ja.res", "translit/root.res", "translit/el.res", "ibm-943_P15A-2003.cnv",
    }


def _qt_icu_data() -> Path:
    pyside6 = pytest.importorskip("PySide6")
    found = [p for p in (Path(pyside6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*") if not p.is_symlink()]
    if not found:
        pytest.skip("this PySide6 has no libicudata.so (not the Linux wheel)")
    return found[0]


@needs_gcc
def test_icu_trim_rebuilds_a_smaller_library_with_english_and_welsh(tmp_path):
    """PySide6's own libicudata.so.NN, trimmed: under a quarter of the size, the same
    soname, and its data still lists the English and Welsh collation."""
    if any(shutil.which(tool) is None for tool in slim.ICU_TOOLS):
        pytest.skip("needs icu-devtools (icupkg, genccode)")
    library = tmp_path / _qt_icu_data().name
    shutil.copyfile(_qt_icu_data(), library)
    before = library.stat().st_size
    message = slim.trim_icu(library)
    assert message.startswith("ICU data trimmed"), message
    assert library.stat().st_size < before / 4
    assert f"Library soname: [{library.name}]" in slim._run("readelf", "-d", library)
    blob = tmp_path / "check" / f"icudt{library.name.rsplit('.', 1)[1]}l.dat"
    blob.parent.mkdir()
    slim._run("objcopy", "-O", "binary", "--only-section=.rodata", library, blob)
    items = set(slim._run("icupkg", "--ignore-deps", "-l", blob).split())
    assert {"coll/cy.res", "coll/en.res", "coll/ucadata.icu", "cy_GB.res", "en_GB.res"} <= items
    assert "coll/de.res" not in items and "fr.res" not in items


def test_icu_trim_leaves_the_file_as_it_was_when_a_tool_is_missing(tmp_path, monkeypatch):
    """Without icupkg (icu-devtools not installed) the library is kept byte for byte and
    the message names the missing tool and the package to install."""
    library = tmp_path / "libicudata.so.74"
    library.write_bytes(b"\x7fELF not really ICU" * 100)
    digest = hashlib.sha256(library.read_bytes()).hexdigest()
    real_which = shutil.which
    monkeypatch.setattr(slim.shutil, "which", lambda tool: None if tool == "icupkg" else real_which(tool))
    message = slim.trim_icu(library)
    assert "left as it is" in message and "icupkg not found" in message and "icu-devtools" in message
    assert hashlib.sha256(library.read_bytes()).hexdigest() == digest


def test_icu_trim_leaves_a_file_that_is_not_icu_data_as_it_was(tmp_path):
    """A library whose data icupkg cannot read is kept as it was, and the message says so."""
    if any(shutil.which(tool) is None for tool in slim.ICU_TOOLS):
        pytest.skip("needs icu-devtools, binutils and gcc")
    library = tmp_path / "libicudata.so.74"
    library.write_bytes(b"not an ELF file at all")
    message = slim.trim_icu(library)
    assert "left as it is" in message
    assert library.read_bytes() == b"not an ELF file at all"


def _library(path: Path, needs: list[Path] = (), symbol: str = "f") -> Path:
    source = path.with_suffix(".c")
    source.write_text(f"int {symbol}(void) {{ return 1; }}\n")
    args = ["gcc", "-shared", "-fPIC", "-g", "-o", str(path), str(source), f"-Wl,-soname,{path.name}"]
    args += ["-Wl,--no-as-needed"] + [f"-L{n.parent}" for n in needs] + [f"-l:{n.name}" for n in needs]
    subprocess.run(args, check=True, capture_output=True)
    source.unlink()
    return path


@needs_gcc
def test_prune_removes_only_libraries_nothing_in_the_bundle_needs(tmp_path):
    """A stand-in bundle: an extension module needs libneeded, which needs libdeep;
    libunused (and its link) is needed by nothing and goes; libpython, which the program
    loads with dlopen and nobody NEEDs, stays; so does a library in a package folder, and
    so does an extension module at the top (cffi's ``_cffi_backend``, which Python
    imports and nothing NEEDs: pruning it broke encrypted shares in the frozen build)."""
    internal = tmp_path / "cypdesk" / "_internal"
    (internal / "pkg").mkdir(parents=True)
    deep = _library(internal / "libdeep.so.1", symbol="deep")
    needed = _library(internal / "libneeded.so.2", [deep], symbol="needed")
    _library(internal / "pkg" / "ext.cpython-311-x86_64-linux-gnu.so", [needed], symbol="ext")
    _library(internal / "libunused.so.3", symbol="unused")
    (internal / "libunused.so").symlink_to("libunused.so.3")
    _library(internal / "libpython3.11.so.1.0", symbol="py")
    _library(internal / "pkg" / "libown.so", symbol="own")
    _library(internal / "_cffi_backend.cpython-311-x86_64-linux-gnu.so", symbol="cffi")

    removed = slim.prune_unreachable(tmp_path / "cypdesk")

    assert sorted(p.name for p, _ in removed) == ["libunused.so", "libunused.so.3"]
    left = sorted(p.name for p in internal.rglob("*.so*"))
    assert left == ["_cffi_backend.cpython-311-x86_64-linux-gnu.so", "ext.cpython-311-x86_64-linux-gnu.so",
                    "libdeep.so.1", "libneeded.so.2", "libown.so",
                    "libpython3.11.so.1.0"]


@needs_gcc
def test_strip_removes_symbol_tables_but_not_from_auditwheel_libs(tmp_path):
    """Symbol tables go from binaries (smaller, same exports); a library in a ``*.libs``
    folder (auditwheel's, which strip breaks) is left byte for byte."""
    folder = tmp_path / "cypdesk"
    (folder / "numpy.libs").mkdir(parents=True)
    module = _library(folder / "mod.so", symbol="exported")
    vendored = _library(folder / "numpy.libs" / "libopenblas.so", symbol="blas")
    vendored_bytes = vendored.read_bytes()
    before = module.stat().st_size

    count, saved = slim.strip_symbols(folder)

    assert count == 1 and saved == before - module.stat().st_size > 0
    assert not slim.has_symbols(module)
    assert "exported" in slim._run("nm", "-D", module)
    assert vendored.read_bytes() == vendored_bytes
