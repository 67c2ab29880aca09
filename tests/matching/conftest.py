"""Factories for tiny hand-built instances, and access to the shared checker and samples."""
from __future__ import annotations

import datetime as dt
import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from matching.model import DIMENSIONS, House, Instance, Request, Session, Solution, Stay, Therapist

# Beside the repository, or where RESPIRO_SHARED says (a git worktree lives elsewhere).
SHARED = Path(os.environ.get("RESPIRO_SHARED") or Path(__file__).parents[2] / ".." / "shared")
CHECKER_PATH = SHARED / "tools" / "check_solution.py"
START = dt.date(2027, 1, 4)  # a Monday


def _day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@pytest.fixture
def day() -> Callable[[int], dt.date]:
    """The date `offset` days after the start of the tiny instances' horizon (a Monday)."""
    return _day


@pytest.fixture
def make_house() -> Callable[..., House]:
    """A house in Mexico: 4 beds, 2 stays at once, every type, 5-day stays (family 4)."""
    def make(id: str = "casa", **kw: Any) -> House:
        values = dict(
            name=f"Casa {id.title()}", country="MX", beds=4, max_concurrent_stays=2,
            stay_types=("individual", "collective", "family"),
            stay_length={"individual": 5, "collective": 5, "family": 4},
            family_units=1, collective_min=2, collective_max=4, accessible=False,
            turnover_days=0, arrival_weekdays=frozenset(range(7)), closures=())
        values.update(kw)
        return House(id=id, **values)
    return make


@pytest.fixture
def make_request() -> Callable[..., Request]:
    """A Mexican defender asking for an individual stay starting day 7..16, urgency 1."""
    def make(id: str = "r1", **kw: Any) -> Request:
        needs = {d: 0 for d in DIMENSIONS} | {"physical": 2, "emotional": 1} | kw.pop("needs", {})
        values = dict(
            defenders=(f"d-{id}",), stay_types=("individual",), earliest_start=_day(7),
            latest_start=_day(16), country="MX", languages=("es",), urgency=1, needs=needs,
            companions=0, barred_countries=(), accessible=False, submitted=_day(-30))
        values.update(kw)
        return Request(id=id, **values)
    return make


@pytest.fixture
def make_therapist() -> Callable[..., Therapist]:
    """A Spanish-speaking therapist at `casa` for physical and emotional care, always available."""
    from matching.model import DateRange

    def make(id: str = "t1", **kw: Any) -> Therapist:
        values = dict(
            name=f"Therapist {id}", kind="therapist", houses=("casa",),
            dimensions=("physical", "emotional"), languages=("es",),
            available=(DateRange(_day(0), _day(59)),), max_sessions_per_day=2)
        values.update(kw)
        return Therapist(id=id, **values)
    return make


@pytest.fixture
def make_instance(make_house, make_request, make_therapist) -> Callable[..., Instance]:
    """A 60-day instance with one house, one therapist and one request unless told otherwise."""
    def make(houses=None, therapists=None, requests=None, **kw: Any) -> Instance:
        return Instance(
            horizon_start=kw.pop("horizon_start", START), horizon_days=kw.pop("horizon_days", 60),
            houses=tuple(houses if houses is not None else [make_house()]),
            therapists=tuple(therapists if therapists is not None else [make_therapist()]),
            requests=tuple(requests if requests is not None else [make_request()]), **kw)
    return make


@pytest.fixture
def make_stay() -> Callable[..., Stay]:
    """An individual stay of r1 at casa starting day 7, without sessions."""
    def make(id: str = "s1", **kw: Any) -> Stay:
        values = dict(house="casa", start=_day(7), type="individual", requests=("r1",), sessions=())
        values.update(kw)
        if "sessions" in kw:
            values["sessions"] = tuple(Session(*s) if isinstance(s, tuple) else s for s in kw["sessions"])
        return Stay(id=id, **values)
    return make


@pytest.fixture
def rules_broken() -> Callable[[Instance, list[Stay]], set[int]]:
    """The numbers of the hard rules a list of stays breaks."""
    from matching.validate import validate

    def broken(instance: Instance, stays: list[Stay]) -> set[int]:
        return {v.rule for v in validate(instance, Solution(stays=list(stays)))}
    return broken





def _load_checker() -> ModuleType | None:
    """Import the shared checker from beside the repository, or None when absent."""
    if not CHECKER_PATH.is_file():
        return None
    spec = importlib.util.spec_from_file_location("shared_check_solution", CHECKER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def checker() -> ModuleType:
    """The shared checker module; skips the test when ../shared is absent."""
    module = _load_checker()
    if module is None:
        pytest.skip("the shared checker (../shared/tools/check_solution.py) is not beside the repository")
    return module


@pytest.fixture
def sample_path() -> Callable[[str], Path]:
    """The path of a shared sample instance; skips the test when it is absent."""
    def path(name: str) -> Path:
        found = SHARED / "instances" / f"{name}.json"
        if not found.is_file():
            pytest.skip(f"sample {name} is not beside the repository")
        return found
    return path


def checker_verdict(instance: Instance, solution: Solution) -> list[tuple[int, str]] | None:
    """The shared checker's violations of a solution with `--require-slots`, or None when it is absent."""
    import json

    from matching.io import instance_to_dict, solution_to_dict

    module = _load_checker()
    if module is None:
        return None
    check = module.Checker(module.load_instance(json.loads(json.dumps(instance_to_dict(instance)))),
                           require_slots=True)
    objective, _, _ = check.check(json.loads(json.dumps(solution_to_dict(solution))))
    if solution.objective is not None and objective != solution.objective:
        check.violations.append((0, f"objective {solution.objective} claimed, the checker finds {objective}"))
    return check.violations
