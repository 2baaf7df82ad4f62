"""The Windows version resource of cypdesk.exe and cypdesk-cli.exe: what Explorer's
Properties > Details, SmartScreen and an AppLocker publisher rule show. Built with
PyInstaller's own classes (no extra tool); packaging/cypdesk.spec passes it to EXE,
which writes it on Windows and ignores it elsewhere.
"""

from __future__ import annotations

import re

PRODUCT = "cypdesk: planning and commissioning for children's trusts"
MAKER = "The cypdesk project"
DESCRIPTION = "cypdesk, planning and commissioning for children's trusts"
COPYRIGHT = "The cypdesk project"


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """``"0.1.0"`` -> ``(0, 1, 0, 0)``: the four numbers Windows keeps (pre-release
    suffixes dropped)."""
    numbers = [int(m.group()) for m in (re.match(r"\d+", part) for part in version.split(".")) if m]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def version_strings(version: str, name: str = "cypdesk") -> dict[str, str]:
    """The string table of the resource (StringFileInfo, English UK, Unicode)."""
    return {
        "CompanyName": MAKER,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": name,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }


def version_file_text(version: str) -> str:
    """The resource in the text form PyInstaller reads (``EXE(version=PATH)``, which
    evaluates it with its ``versioninfo`` classes on Windows). Text rather than the
    objects themselves, because those need ``pefile``, which PyInstaller installs on
    Windows only."""
    numbers = version_numbers(version)
    strings = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in version_strings(version).items()
    )
    return f"""# UTF-8
# Windows version resource of cypdesk, written by packaging/version_info.py
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo(
      [
      StringTable(
        '080904B0',
        [
{strings}
        ])
      ]),
    VarFileInfo([VarStruct('Translation', [0x0809, 1200])])
  ]
)
"""


def write_version_file(version: str, path) -> str:  # type: ignore[no-untyped-def]
    """Write :func:`version_file_text` to ``path`` (UTF-8) and return the path as text."""
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(version_file_text(version), encoding="utf-8")
    return str(target)
