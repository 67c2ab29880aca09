"""Item 14 (deny by default in the query layer), tested (issue 14, item 7).

Every module that defines routes is read (its syntax tree): every read of a
scoped model (`select(Model)`, `db.session.get(Model, ...)`) inside a function
that a defender or a house team can reach must go through the scoped helpers
of app/security/access.py instead. A raw read is allowed only in views that
the route matrix (test_route_matrix.MATRIX) opens to coordinators and admins
alone (they see every house), or when listed in REVIEWED below with the
reason it cannot leak. A new raw read in a view that a defender or a team
reaches fails this test until it goes through a helper or is reviewed here.
"""
from __future__ import annotations

import ast
from pathlib import Path

from app import ROOT

from .test_route_matrix import MATRIX

SCOPED_MODELS = {"Defender", "DiagnosticInterview", "StayRequest", "Stay", "Therapist", "House", "Session",
                 "Closure", "Availability", "DimensionAnswer", "AuditEvent", "ProposedStay", "PlanningRun"}
SCOPED_ROLES = {"defender", "team", "anonymous"}

# (module, function, model): why this raw read cannot show one person another's records.
REVIEWED = {
    ("app/houses/views.py", "show", "Stay"): "filtered on a house returned by access.get_house",
    ("app/houses/views.py", "programmes", "Stay"): "filtered on a house returned by access.get_house",
    ("app/houses/views.py", "programme", "Stay"): "filtered on a house returned by access.get_house",
    ("app/houses/views.py", "_closure", "Closure"): "refused (404) unless it belongs to the house from access.get_house",
    ("app/network/views.py", "_range", "Availability"): "refused (404) unless it belongs to the therapist from "
                                                        "access.get_therapist",
    ("app/main/views.py", "admin_home", "House"): "the admin's home: home() dispatches on the role",
    ("app/main/views.py", "coordinator_home", "PlanningRun"): "the coordinator's home: home() dispatches on the role",
    ("app/admin/views.py", "_invite_form", "House"): "the admin's invitation form (admins see every house)",
    ("app/schedule/views.py", "describe", "House"): "names the ids in the change records of a stay that "
                                                    "access.get_stay gave (its own history)",
    ("app/schedule/views.py", "describe", "StayRequest"): "the aliases of the people in that stay's own history",
    ("app/schedule/views.py", "describe", "Therapist"): "the therapists of that stay's own sessions",
    ("app/schedule/views.py", "_forms", "House"): "read for coordinators only (a team's page returns before it)",
    ("app/schedule/views.py", "_forms", "StayRequest"): "read for coordinators only (a team's page returns before "
                                                        "it)",
    ("app/schedule/views.py", "_therapist_choices", "Therapist"): "called from _forms after its coordinators-only "
                                                                  "return",
}


def _route_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "app").rglob("*.py")
                  if "@bp.route" in p.read_text(encoding="utf-8") or "add_url_rule" in p.read_text(encoding="utf-8"))


def _blueprint(path: Path) -> str:
    return path.relative_to(ROOT / "app").parts[0]


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _raw_reads(function: ast.FunctionDef) -> set[str]:
    """Scoped models this function reads without a helper: select(M, ...) and session.get(M, ...)."""
    found = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        callee = _name(node.func)
        first = _name(node.args[0])
        if callee == "select" and first in SCOPED_MODELS:
            found.add(first)
        if callee == "get" and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "session" \
                and first in SCOPED_MODELS:
            found.add(first)
    return found


def _roles(blueprint: str, tree: ast.Module) -> dict[str, set[str]]:
    """Who can reach each function of a module: a view's roles from the matrix; a helper, the roles of
    the functions of the module that name it (calls, or references such as a role dispatch table);
    a helper no view names counts as reachable by anyone."""
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    roles: dict[str, set[str]] = {}
    for name in functions:
        expect = MATRIX.get(f"{blueprint}.{name}")
        if expect is not None:
            roles[name] = expect.roles()
    named_by = {name: {caller for caller, node in functions.items() if caller != name and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))} for name in functions}
    changed = True
    while changed:
        changed = False
        for name in functions:
            if MATRIX.get(f"{blueprint}.{name}") is not None:
                continue
            reached = set().union(*(roles.get(caller, set()) for caller in named_by[name]))
            if reached - roles.get(name, set()):
                roles[name] = roles.get(name, set()) | reached
                changed = True
    return {name: roles.get(name) or set(SCOPED_ROLES) for name in functions}


def findings(modules=None) -> list[str]:
    """Raw reads of scoped models that a defender or a team can reach; `modules`: (source, name, blueprint)."""
    if modules is None:
        modules = [(p.read_text(encoding="utf-8"), str(p.relative_to(ROOT)), _blueprint(p)) for p in _route_modules()]
    problems = []
    for source, rel, blueprint in modules:
        tree = ast.parse(source)
        roles = _roles(blueprint, tree)
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for model in sorted(_raw_reads(function)):
                if (rel, function.name, model) in REVIEWED:
                    continue
                if roles[function.name] & SCOPED_ROLES:
                    problems.append(f"{rel}:{function.lineno} {function.name}() reads {model} raw")
    return problems


def test_item_14_views_a_defender_or_a_team_reaches_read_scoped_models_only_through_the_helpers(app):
    assert findings() == []


def test_item_14_the_check_sees_a_raw_read_in_a_view_a_team_reaches(app):
    """The scan itself is tested: views opened to a house team (network.index) that read raw are found,
    directly or through a helper; the same read in a coordinators-only view (planning.queue) is not."""
    probe = ('@bp.route("/")\ndef index():\n    return _all()\n\n\n'
             'def _all():\n    return db.session.scalars(select(Defender)).all()\n\n\n'
             'def show(therapist_id):\n    return db.session.get(Therapist, therapist_id)\n')
    found = findings([(probe, "probe.py", "network")])
    assert len(found) == 2 and "_all() reads Defender" in found[0] and "show() reads Therapist" in found[1]
    coordinators_only = 'def queue():\n    return db.session.scalars(select(Defender)).all()\n'
    assert findings([(coordinators_only, "probe.py", "planning")]) == []


def test_item_14_every_reviewed_read_still_exists(app):
    """A REVIEWED entry whose read went away must go too (the list stays honest)."""
    present = set()
    for path in _route_modules():
        rel = str(path.relative_to(ROOT))
        for function in (n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                         if isinstance(n, ast.FunctionDef)):
            present |= {(rel, function.name, model) for model in _raw_reads(function)}
    assert set(REVIEWED) - present == set()
