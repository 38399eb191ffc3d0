"""Data flows one way — records → figures → proposed scores → self and final scores → totals, grades,
rankings → pages, exports, API — and no app imports from one downstream of it (docs/architecture.md).

Two kinds of module are left out, and why: management commands, which set up or measure whole
installations across apps (`kaohe demo`, `kaohe setup`, `kaohe bench`); and `kaohe.operations`, which is
nothing but such commands. The tree and the people who belong to it are one layer: a unit and its accounts
are created together (`kaohe setup`, a district's first administrator)."""

from __future__ import annotations

import ast
from pathlib import Path

import kaohe

LAYERS = [
    {"history"},
    {"organisations", "accounts"},
    {"standard"},
    {"records"},
    {"figures"},
    {"assessments"},
    {"results"},
    {"api"},
]
LAYER_OF = {app: depth for depth, apps in enumerate(LAYERS) for app in apps}
ROOT = Path(kaohe.__file__).parent


def imported_apps(source: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        apps |= {name.split(".")[1] for name in names if name.startswith("kaohe.") and name.count(".") >= 1}
    return apps & set(LAYER_OF)


def product_modules(app: str) -> list[Path]:
    left_out = {"tests", "migrations", "management"}
    return [path for path in (ROOT / app).rglob("*.py") if not left_out & set(path.relative_to(ROOT).parts)]


def test_no_app_imports_from_one_downstream_of_it():
    upstream_imports_downstream = [
        f"{path.relative_to(ROOT)} imports kaohe.{other}"
        for app, depth in LAYER_OF.items()
        for path in product_modules(app)
        for other in imported_apps(path)
        if LAYER_OF[other] > depth
    ]
    assert upstream_imports_downstream == []


def test_the_check_sees_an_import_against_the_flow(tmp_path):
    against = tmp_path / "figures_view.py"
    against.write_text("from kaohe.results.rankings import ranking\nimport kaohe.api.views_me\n", encoding="utf-8")
    assert imported_apps(against) == {"results", "api"}
    assert all(LAYER_OF[app] > LAYER_OF["figures"] for app in imported_apps(against))


def test_every_app_of_the_project_has_its_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps - set(LAYER_OF) == {"operations"}
