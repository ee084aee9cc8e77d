"""The import rules of DESIGN §2 hold: import-linter's contracts pass, and no non-UI package loads Qt."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NON_UI_PACKAGES = ("core", "storage", "media", "backends", "jobs", "services", "cli")

# The window package arrives in a later issue; until then import-linter 2.x refuses a layer whose module is missing
# unless the layer is marked optional with parentheses. The workaround below applies only while pyproject.toml still
# names it without them and the package is still absent, so it never hides a real broken contract.
_REQUIRED_UI_LAYER = '"shotline.ui | shotline.cli"'
_OPTIONAL_UI_LAYER = '"(shotline.ui) | shotline.cli"'


def _lint_imports_config(tmp_path: Path) -> list[str]:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    if (REPO / "desktop" / "shotline" / "ui").is_dir() or _REQUIRED_UI_LAYER not in pyproject:
        return []
    patched = tmp_path / "pyproject.toml"
    patched.write_text(pyproject.replace(_REQUIRED_UI_LAYER, _OPTIONAL_UI_LAYER), encoding="utf-8")
    return ["--config", str(patched)]


def test_import_linter_contracts_are_kept(tmp_path: Path) -> None:
    exe = shutil.which("lint-imports")
    assert exe is not None, "lint-imports is not installed: pip install -e '.[test]'"
    done = subprocess.run(
        [exe, "--no-cache", *_lint_imports_config(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    kept = re.search(r"Contracts: (\d+) kept, (\d+) broken", report)
    assert kept is not None, report
    # every contract pyproject.toml declares must have been checked, not skipped
    declared = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert (int(kept.group(1)), int(kept.group(2))) == (len(declared), 0), report


_IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import shotline

    imported, failed = [], {}
    for package in sys.argv[1:]:
        name = "shotline." + package
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue  # a package that does not exist yet
            raise
        imported.append(name)
        for info in pkgutil.walk_packages(module.__path__, prefix=name + "."):
            importlib.import_module(info.name)
            imported.append(info.name)
    qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
    print(json.dumps({"imported": imported, "qt": qt}))
    """
)


def test_no_package_outside_the_window_loads_qt() -> None:
    # A fresh interpreter, so nothing another test imported can hide or cause a Qt import.
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING, *NON_UI_PACKAGES],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "shotline.core.model" in result["imported"]
    assert len(result["imported"]) >= len(list((REPO / "desktop" / "shotline" / "core").glob("*.py")))
    assert result["qt"] == [], f"Qt was loaded by importing {result['imported']}"


@pytest.mark.parametrize("package", NON_UI_PACKAGES)
def test_every_non_ui_module_is_importable_on_its_own(package: str) -> None:
    source = REPO / "desktop" / "shotline" / package
    if not source.is_dir():
        pytest.skip(f"shotline.{package} does not exist yet")
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING, package],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
