"""The shape of the package: import contracts (DESIGN.md section 8) and the start-up
rule that heavy libraries load only inside the features that need them
(performance-anchors "What the anchors imply", 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cypdesk"

# Each costs 0.05 to 0.46 s of start-up when imported eagerly.
HEAVY = ("pandas", "numpy", "openpyxl", "reportlab", "matplotlib", "xlsxwriter", "python_calamine")
QT = ("PySide6", "shiboken6")


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_import_contracts_are_kept():
    # In a child process: grimp must read the files as they are on disk, from the root.
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_every_package_is_under_the_contracts():
    """A new sub-package must be placed in the layers and, unless it is the ui, barred
    from Qt; a layer marked optional "(name)" must not exist yet."""
    layers_contract = next(c for c in _contracts() if c["type"] == "layers")
    assert layers_contract["containers"] == ["cypdesk"]
    layer_names: dict[str, bool] = {}  # name -> optional
    for layer in layers_contract["layers"]:
        for part in layer.replace(":", "|").split("|"):
            name = part.strip()
            optional = name.startswith("(")
            layer_names[name.strip("()")] = optional
    barred_from_qt = {
        module
        for contract in _contracts()
        if contract["type"] == "forbidden" and set(QT) <= set(contract["forbidden_modules"])
        for module in contract["source_modules"]
    }
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    problems = []
    for name in packages:
        if name not in layer_names:
            problems.append(f"cypdesk.{name} is in no layer")
        elif layer_names[name]:
            problems.append(f"cypdesk.{name} exists: drop the parentheses around it in the layers")
        if name != "ui" and f"cypdesk.{name}" not in barred_from_qt:
            problems.append(f"cypdesk.{name} is not in a forbidden-Qt contract")
    for name, optional in layer_names.items():
        exists = (PACKAGE / name / "__init__.py").exists() or (PACKAGE / f"{name}.py").exists()
        if not optional and not exists:
            problems.append(f"layer cypdesk.{name} does not exist")
    assert not problems, "pyproject.toml [tool.importlinter]: " + "; ".join(problems)


def _imported_by(module: str) -> list[str]:
    code = (
        "import importlib, json, sys; "
        f"importlib.import_module({module!r}); "
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _needs_file(module: str) -> None:
    relative = Path(*module.split(".")).with_suffix(".py")
    if not (ROOT / relative).exists():
        pytest.skip(f"{relative} is not written yet")


@pytest.mark.parametrize("module", ["cypdesk.cli", "cypdesk.app", "cypdesk.selftest"])
def test_start_up_modules_import_no_heavy_library(module):
    _needs_file(module)
    loaded = set(_imported_by(module))
    assert not loaded & set(HEAVY), (
        f"importing {module} loads {sorted(loaded & set(HEAVY))}: import them inside the "
        "feature that needs them"
    )


@pytest.mark.parametrize("module", ["cypdesk.cli", "cypdesk.selftest"])
def test_command_line_modules_import_no_qt(module):
    _needs_file(module)
    loaded = set(_imported_by(module))
    assert not loaded & set(QT), f"importing {module} loads {sorted(loaded & set(QT))}"
