"""The packaging helpers (issue 12): the Windows version resource names the product and
its maker, the zip keeps programs executable and links as links with a SHA-256 file
``sha256sum -c`` reads, and the WiX source is a per-machine installer with a Start-menu
entry and the .cypdesk file type that wixl compiles (when wixl is installed; CI's
setup installs it, and packaging/smoke.py compiles it over the whole build); the zip's
entries are plain deflate (Zopfli's when installed); what the build leaves out
(packaging/bundle_contents.py) stays out, and what cypdesk needs stays in."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import zipfile
import zlib

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import bundle_contents  # noqa: E402
import make_zip  # noqa: E402
import version_info  # noqa: E402
from smoke import extract  # noqa: E402

WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def _evaluate_version_file(text: str) -> dict:
    """The version file as PyInstaller's Windows code evaluates it, with stand-in
    classes recording their arguments (PyInstaller's own need pefile, Windows only)."""
    def record(kind):
        return lambda *args, **kwargs: {"kind": kind, "args": args, **kwargs}

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    return eval(text, {name: record(name) for name in names})  # noqa: S307 - our own generated text


def test_version_resource_names_the_product_and_its_maker():
    resource = _evaluate_version_file(version_info.version_file_text("0.1.0"))
    assert resource["ffi"]["filevers"] == (0, 1, 0, 0)
    [string_file] = [kid for kid in resource["kids"] if kid["kind"] == "StringFileInfo"]
    [table] = string_file["args"][0]
    strings = dict(entry["args"] for entry in table["args"][1])
    assert strings["ProductName"] == "cypdesk: planning and commissioning for children's trusts"
    assert strings["CompanyName"] == "The cypdesk project"
    assert strings["FileVersion"] == strings["ProductVersion"] == "0.1.0"


def test_version_numbers_keep_four_numbers_and_drop_suffixes():
    assert version_info.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_numbers("2.10.3rc1") == (2, 10, 3, 0)
    assert version_info.version_numbers("1.2.3.4.5") == (1, 2, 3, 4)


def test_zip_keeps_modes_and_links_and_its_sha256_checks(tmp_path):
    """A folder with a program (0755), a data file (0644) and a link to the program is
    zipped as <folder>/...; unpacked again, the program is executable, the link is a
    link, and ``sha256sum -c`` accepts the .sha256 line make_zip writes."""
    folder = tmp_path / "cypdesk"
    (folder / "_internal").mkdir(parents=True)
    program = folder / "cypdesk"
    program.write_bytes(b"#!/bin/sh\necho hi\n")
    program.chmod(0o755)
    (folder / "_internal" / "data.txt").write_text("data", encoding="utf-8")
    (folder / "cypdesk-cli").symlink_to("cypdesk")
    archive = tmp_path / make_zip.zip_name("0.1.0", "linux-x86_64")
    assert archive.name == "cypdesk-0.1.0-linux-x86_64.zip"
    assert make_zip.write_zip(folder, archive) == 3
    (tmp_path / "out").mkdir()
    top = extract(archive, tmp_path / "out")
    assert top.name == "cypdesk"
    assert os.access(top / "cypdesk", os.X_OK)
    assert stat.S_IMODE((top / "_internal" / "data.txt").stat().st_mode) == 0o644
    assert (top / "cypdesk-cli").is_symlink() and os.readlink(top / "cypdesk-cli") == "cypdesk"
    (tmp_path / f"{archive.name}.sha256").write_text(f"{make_zip.sha256_file(archive)}  {archive.name}\n")
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "-c", f"{archive.name}.sha256"], cwd=tmp_path, check=True,
                       capture_output=True)
    report = make_zip.largest_files(folder)
    assert report.startswith("cypdesk: ") and "cypdesk" in report


def test_wix_source_is_a_per_machine_installer_with_start_menu_entry_and_file_type():
    tree = ET.parse(ROOT / "packaging" / "windows" / "cypdesk.wxs")
    package = tree.find(f".//{WIX}Package")
    assert package.get("InstallScope") == "perMachine"
    shortcut = tree.find(f".//{WIX}Shortcut")
    assert shortcut.get("Target") == "[INSTALLDIR]cypdesk.exe"
    keys = {value.get("Key") for value in tree.iter(f"{WIX}RegistryValue")}
    assert "Software\\Classes\\.cypdesk" in keys
    assert "Software\\Classes\\cypdesk.Document\\shell\\open\\command" in keys
    assert all(value.get("Root") == "HKLM" for value in tree.iter(f"{WIX}RegistryValue"))
    assert tree.find(f".//{WIX}ComponentGroupRef").get("Id") == "CypdeskFiles"


@pytest.mark.skipif(not shutil.which("wixl"), reason="wixl is not installed (scripts/setup.sh installs it)")
def test_wixl_compiles_the_wix_source_over_a_small_stand_in_folder(tmp_path):
    """Two stand-in programs and a library file, harvested with wixl-heat and compiled
    with the real cypdesk.wxs: an MSI comes out."""
    stage = tmp_path / "cypdesk"
    (stage / "_internal").mkdir(parents=True)
    for name in ("cypdesk.exe", "cypdesk-cli.exe", "_internal/python311.dll"):
        (stage / name).write_bytes(b"stand-in")
    heat = subprocess.run(["wixl-heat", "-p", "", "--component-group", "CypdeskFiles", "--var", "var.SourceDir",
                           "--directory-ref", "INSTALLDIR"], input="cypdesk.exe\ncypdesk-cli.exe\n_internal/python311.dll\n",
                          capture_output=True, text=True, cwd=stage, check=True)
    (tmp_path / "files.wxs").write_text(heat.stdout, encoding="utf-8")
    shutil.copy(ROOT / "resources" / "icons" / "cypdesk.ico", tmp_path / "cypdesk.ico")
    proc = subprocess.run(["wixl", "-a", "x64", "-D", "SourceDir=cypdesk", "-D", "Version=0.1.0", "-D",
                           "IconFile=cypdesk.ico", "-o", "out.msi", str(ROOT / "packaging" / "windows" / "cypdesk.wxs"),
                           "files.wxs"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.msi").stat().st_size > 10_000


def test_icon_has_every_windows_size():
    from PIL import Image

    with Image.open(ROOT / "resources" / "icons" / "cypdesk.ico") as icon:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(icon.info["sizes"])


def test_zip_entries_are_deflated_and_unpack_to_the_same_bytes(tmp_path):
    """Every file is a deflate entry (what Windows Explorer's "Extract all" reads), with
    Zopfli where it is installed and zlib's level 9 otherwise; both unpack to the same
    bytes, including an empty file and data that does not compress."""
    folder = tmp_path / "cypdesk"
    (folder / "_internal").mkdir(parents=True)
    text = b"".join(b"row %d,Harbour Lights Youth Trust,voluntary\n" % n for n in range(20000))
    (folder / "_internal" / "data.csv").write_bytes(text)
    (folder / "_internal" / "random.bin").write_bytes(os.urandom(200_000))
    (folder / "_internal" / "empty.txt").write_bytes(b"")
    sizes = {}
    for zopfli in (False, True):
        archive = tmp_path / f"zopfli-{zopfli}.zip"
        assert make_zip.write_zip(folder, archive, zopfli=zopfli, workers=2) == 3
        with zipfile.ZipFile(archive) as zipped:
            assert zipped.testzip() is None
            for info in zipped.infolist():
                assert info.compress_type == zipfile.ZIP_DEFLATED
                assert zipped.read(info) == (tmp_path / info.filename).read_bytes()
            sizes[zopfli] = zipped.getinfo("cypdesk/_internal/data.csv").compress_size
        if shutil.which("unzip"):
            subprocess.run(["unzip", "-tq", str(archive)], check=True, capture_output=True)
    report = make_zip.largest_in_zip(archive, top=2)
    assert report.splitlines()[1].endswith("cypdesk/_internal/random.bin")  # does not compress: the largest
    assert sizes[False] == len(zlib.compress(text, 9)) - 6  # zlib's stream without its header and checksum
    if make_zip.zopfli_available():
        assert sizes[True] < sizes[False]


@pytest.mark.parametrize("dest", [
    "libcups.so.2",  # the system's print client (and gnutls, krb5, avahi... with it)
    "libX11.so.6",  # left to the system as a pip-installed PySide6 leaves them
    "libxcb.so.1",
    "libfontconfig.so.1",
    "libglib-2.0.so.0",
    "libdbus-1.so.3",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSans-BoldOblique.ttf",
    "matplotlib/mpl-data/sample_data/goog.npz",
    "babel/locale-data/fr.dat",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
])
def test_the_build_leaves_out_what_cypdesk_never_uses(dest):
    assert not bundle_contents.wanted(dest)


@pytest.mark.parametrize("dest", [
    "resources/fonts/DejaVuSans.ttf",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSansDisplay.ttf",
    "matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf",
    "babel/locale-data/cy_GB.dat",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",  # loads the system's libcups
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/lib/libQt6PrintSupport.so.6",
    "libsqlite3.so.0",
    "libxcb-cursor.so.0",  # Qt's xcb helpers: desktops often lack them
    "libxkbcommon-x11.so.0",
    "libstdc++.so.6",
])
def test_the_build_keeps_what_cypdesk_needs(dest):
    assert bundle_contents.wanted(dest)


def test_matplotlib_faces_left_out_are_the_ones_the_charts_register_from_resources():
    from cypdesk import paths
    from cypdesk.io.charts import style

    for name in style.FONT_FILES:
        assert (paths.resources_dir() / "fonts" / name).is_file()
        assert not bundle_contents.wanted(f"matplotlib/mpl-data/fonts/ttf/{name}")


def test_modules_left_out_stay_out():
    """(PyInstaller does not follow these imports, so their extension modules and the
    libraries those need never reach the bundle.)"""
    for module in ("PIL._webp", "lxml.html", "lxml.sax", "pandas.plotting._matplotlib", "_codecs_jp",
                   "_multibytecodec", "xmlrpc", "PySide6.QtNetwork", "ssl", "numpy.fft", "matplotlib._qhull",
                   "zstandard.backend_cffi", "pandas._libs.sas", "multiprocessing", "PIL._imagingcms"):
        assert module in bundle_contents.EXCLUDES
    for module in ("lxml.etree", "PIL", "pandas", "cryptography", "zstandard", "zstandard.backend_c", "cffi",
                   "_cffi_backend", "PySide6.QtPrintSupport", "PySide6.QtSvg", "numpy.random", "numpy.linalg"):
        assert module not in bundle_contents.EXCLUDES
