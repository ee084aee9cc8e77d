"""shotline.core imports only the standard library and itself (DESIGN §2): no disk, network, subprocess or Qt.

Checked on the source text with `ast`, so an import hidden in a function body or behind `if TYPE_CHECKING:` counts
too, and nothing is imported to find out.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "desktop" / "shotline" / "core"

# Standard-library modules that would let the domain touch the disk, the network or other processes.
FORBIDDEN_STDLIB = {
    "subprocess", "sqlite3", "socket", "ssl", "http", "urllib", "multiprocessing", "shutil", "tempfile", "ctypes",
}  # fmt: skip


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every absolute module name an import statement in `tree` names, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module is not None:
                found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
        ):
            found.append((node.lineno, "<dynamic import>"))
    return found


def why_not_allowed(module: str) -> str | None:
    top = module.split(".")[0]
    if module == "shotline.core" or module.startswith("shotline.core."):
        return None
    if module.startswith(".") or module == "<dynamic import>":
        return "relative and dynamic imports hide what core depends on"
    if top == "shotline":
        return "core is the bottom layer and may not import the rest of Shotline"
    if top in FORBIDDEN_STDLIB:
        return "core touches no disk, network or process"
    if top not in sys.stdlib_module_names:
        return "core uses the standard library only"
    return None


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_core_has_source_files() -> None:
    names = {path.name for path in core_files()}
    assert {"model.py", "errors.py", "ports.py"} <= names


@pytest.mark.parametrize("path", core_files(), ids=lambda path: path.name)
def test_core_module_imports_only_the_standard_library(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = [
        f"{path.name}:{line}: imports {module}: {reason}"
        for line, module in imported_modules(tree)
        if (reason := why_not_allowed(module)) is not None
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("source", "allowed"),
    [
        ("from __future__ import annotations\nimport dataclasses\nfrom fractions import Fraction", True),
        ("from shotline.core.model import Project", True),
        ("import httpx", False),
        ("def f():\n    import subprocess", False),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from PySide6.QtCore import QObject", False),
        ("import sqlite3", False),
        ("from shotline.storage import atomic", False),
        ("from . import model", False),
        ("import importlib\nimportlib.import_module('keyring')", False),
    ],
)
def test_the_checker_tells_pure_from_impure(source: str, allowed: bool) -> None:
    # The rule above is only worth something if it can fail: feed it known good and bad sources.
    verdicts = [why_not_allowed(module) for _, module in imported_modules(ast.parse(source))]
    assert all(v is None for v in verdicts) is allowed
