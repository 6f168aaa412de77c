"""The house's rules that import-linter cannot see (its floors are checked by `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engage", "surveys", "analysis", "worker")
OWN = PACKAGES
MAX_LINES = 450


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def own(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in OWN


def deferred_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Own-module imports anywhere but a module's top level (a ``TYPE_CHECKING`` block is top
    level: it never runs)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and own(inner.module):
                found.append((inner.lineno, f"from {inner.module} import ..."))
            elif isinstance(inner, ast.Import):
                found += [(inner.lineno, f"import {a.name}") for a in inner.names if own(a.name)]
    return found


def test_the_checks_see_the_whole_house():
    paths = {p.relative_to(ROOT).as_posix() for p in modules()}
    assert {"engage/app.py", "engage/web/blueprints.py", "analysis/themes.py"} <= paths


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_over_450_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_no_own_import_hides_inside_a_function():
    hidden = {
        f"{path.relative_to(ROOT)}:{line}": what
        for path in modules()
        for line, what in deferred_imports(ast.parse(path.read_text()))
    }
    assert hidden == {}


def test_the_rule_finds_a_hidden_import():
    tree = ast.parse("def f():\n    from engage.db import get_session\n    import json\n")
    assert deferred_imports(tree) == [(2, "from engage.db import ...")]


def test_area_packages_re_export_nothing():
    """``engage/<area>/__init__.py`` holds its docstring alone, so importing one module of an
    area never loads the rest (the web's area packages hold just their blueprints)."""
    faces = [p for p in (ROOT / "engage").glob("*/__init__.py") if p.parent.name != "web"]
    assert faces
    busy = {}
    for face in faces:
        body = ast.parse(face.read_text()).body
        statements = [n for n in body if not (isinstance(n, ast.Expr) and n is body[0])]
        if statements:
            busy[str(face.relative_to(ROOT))] = len(statements)
    assert busy == {}
