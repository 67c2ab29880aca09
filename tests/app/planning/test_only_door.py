"""The bridge is the only door between the app and the engine: no other module of app/ imports matching."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app"


def _imports_matching(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "matching" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "matching":
            return True
    return False


def test_only_the_bridge_imports_the_engine():
    importers = sorted(str(p.relative_to(APP.parent)) for p in APP.rglob("*.py") if _imports_matching(p))
    assert importers == ["app/planning/bridge.py"]


def test_the_interview_form_asks_the_engine_which_types_fit_her_people(app):
    from app.planning import bridge

    assert bridge.stay_type_fits("individual", defenders=1, companions=0)
    assert not bridge.stay_type_fits("individual", defenders=1, companions=1)
    assert bridge.stay_type_fits("family", defenders=1, companions=2)
    assert not bridge.stay_type_fits("family", defenders=2, companions=0)
    assert bridge.stay_type_fits("collective", defenders=3, companions=0)
    assert not bridge.stay_type_fits("collective", defenders=1, companions=1)
