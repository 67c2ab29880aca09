"""`matching.recommend`: the best few places for one urgent request in an existing plan."""
from __future__ import annotations

import copy
import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching import explain, recommend, score, solve, validate
from matching.io import read_instance, solution_to_dict
from matching.model import Session, Solution
from matching.engine.recommend import RecommendError, recommendation_to_dict

ROOT = Path(__file__).parents[2]
# Beside the repository, or where RESPIRO_SHARED says (a worktree lives elsewhere).
SHARED = Path(os.environ.get("RESPIRO_SHARED", ROOT / ".." / "shared"))
SLOTS = "slot" in getattr(Session, "__dataclass_fields__", {})  # rule 11 once the engine emits slots


@pytest.fixture(scope="module")
def checker():
    """The shared checker module; skips the test when it is absent."""
    path = SHARED / "tools" / "check_solution.py"
    if not path.is_file():
        pytest.skip(f"the shared checker ({path}) is absent")
    spec = importlib.util.spec_from_file_location("shared_check_solution_recommend", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checked(checker, instance_path_or_raw, solution: Solution):
    """(violations, objective) of the shared checker, with --require-slots once sessions carry slots."""
    raw = instance_path_or_raw
    if isinstance(raw, Path):
        raw = json.loads(raw.read_text())
    c = checker.Checker(checker.load_instance(copy.deepcopy(raw)), require_slots=SLOTS)
    objective, _, missing = c.check(json.loads(json.dumps(solution_to_dict(solution))))
    return c.violations, objective, missing


@pytest.fixture
def crowded(make_instance, make_house, make_request, make_therapist, make_stay, day):
    """One house with room for two stays at once; r1 (locked) and r2 hold days 7-11; u1 is urgent for day 7-8."""
    house = make_house(beds=4, max_concurrent_stays=2)
    requests = [make_request("r1"), make_request("r2", latest_start=day(20)),
                make_request("u1", earliest_start=day(7), latest_start=day(8), urgency=3)]
    s1 = make_stay("s1", requests=("r1",), start=day(7))
    s2 = make_stay("s2", requests=("r2",), start=day(7))
    instance = make_instance(houses=[house], requests=requests,
                             therapists=[make_therapist("t1"), make_therapist("t2")], locked=(s1,))
    plan = Solution(stays=[s1, s2], status="FEASIBLE")
    plan.objective = score(instance, plan).total
    return instance, plan


def test_urgent_case_moves_an_unlocked_stay_and_never_a_locked_one(crowded, day):
    instance, plan = crowded
    rec = recommend(instance, plan, "u1", top=3, time_limit=2)
    assert rec.options, rec.reasons
    best = rec.options[0]
    assert (best.house, best.type, best.start) == ("casa", "individual", day(7))
    assert [m.stay for m in best.moves] == ["s2"]
    assert best.moves[0].to_start > day(7)  # r2 waits a few days for her
    for option in rec.options:
        assert validate(instance, option.solution) == []
        s1 = next(s for s in option.solution.stays if s.id == "s1")
        assert s1 == plan.stays[0]  # the locked stay, sessions and all
        assert "s1" not in {m.stay for m in option.moves}
        assert option.objective_delta == score(instance, option.solution).total - score(instance, plan).total


def test_urgent_options_are_best_first_and_distinct(crowded):
    instance, plan = crowded
    rec = recommend(instance, plan, "u1", top=3, time_limit=2)
    deltas = [o.objective_delta for o in rec.options]
    assert deltas == sorted(deltas, reverse=True)
    assert len({(o.house, o.type, o.start) for o in rec.options}) == len(rec.options)
    assert 1 <= len(rec.options) <= 3


def test_urgent_case_fits_without_moves_when_there_is_room(make_instance, make_request, make_stay, day):
    instance = make_instance(requests=[make_request("r1"), make_request("u1", urgency=3)])
    plan = Solution(stays=[make_stay("s1")], status="FEASIBLE")
    rec = recommend(instance, plan, "u1", top=1, time_limit=2)
    assert len(rec.options) == 1
    best = rec.options[0]
    assert best.moves == [] and best.start == day(7)
    assert best.programme  # she gets sessions, around those of the others
    assert best.objective_delta > 0


def test_urgent_case_joins_an_unlocked_collective(make_instance, make_house, make_request, make_stay, day):
    house = make_house(max_concurrent_stays=1, beds=4)
    members = [make_request(f"c{k}", stay_types=("collective",)) for k in range(2)]
    her = make_request("u1", stay_types=("collective",), urgency=3)
    instance = make_instance(houses=[house], requests=[*members, her])
    plan = Solution(stays=[make_stay("s1", type="collective", requests=("c0", "c1"))], status="FEASIBLE")
    rec = recommend(instance, plan, "u1", top=3, time_limit=2)
    best = rec.options[0]
    assert best.joins == ("c0", "c1") and best.stay == "s1"
    stay = next(s for s in best.solution.stays if s.id == "s1")
    assert set(stay.requests) == {"c0", "c1", "u1"}
    assert validate(instance, best.solution) == []


def test_no_option_gives_the_same_reason_as_explain(crowded, make_request, day):
    instance, plan = crowded
    barred = make_request("b1", barred_countries=("MX",))
    instance = dataclasses.replace(instance, requests=(*instance.requests, barred))
    rec = recommend(instance, plan, "b1", top=3, time_limit=1)
    assert rec.options == []
    expected = [u for u in explain(instance, plan) if u.request == "b1"]
    assert rec.reasons == expected and rec.reasons[0].code == "barred"
    assert recommendation_to_dict(rec)["reasons"][0]["code"] == "barred"


def test_locked_place_left_no_option_says_why(make_instance, make_house, make_request, make_stay, day):
    house = make_house(max_concurrent_stays=1)
    requests = [make_request("r1"), make_request("u1", earliest_start=day(7), latest_start=day(9), urgency=3)]
    lock = make_stay("s1")
    instance = make_instance(houses=[house], requests=requests, locked=(lock,))
    rec = recommend(instance, Solution(stays=[lock]), "u1", top=3, time_limit=1)
    assert rec.options == []
    assert [u.code for u in rec.reasons] == ["no_free_place"]
    assert "s1" in rec.reasons[0].reason


@pytest.mark.parametrize("request_id, code", [("nobody", "unknown_request"), ("r2", "already_placed")])
def test_unknown_or_already_placed_request_is_a_clear_error(crowded, request_id, code):
    instance, plan = crowded
    with pytest.raises(RecommendError) as caught:
        recommend(instance, plan, request_id)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == code and caught.value.request == request_id


@pytest.fixture(scope="module")
def small_plan():
    """The shared small sample solved for 3 s, with every other stay locked."""
    path = SHARED / "instances" / "small.json"
    if not path.is_file():
        pytest.skip("sample small is not beside the repository")
    instance = read_instance(path)
    plan = solve(instance, time_limit=3)
    locked = tuple(plan.stays[::2])
    raw = json.loads(path.read_text())
    raw["locked"] = solution_to_dict(Solution(stays=list(locked)))["stays"]
    return dataclasses.replace(instance, locked=locked), plan, raw


def test_urgent_options_pass_the_shared_checker_with_exact_delta(small_plan, checker):
    instance, plan, raw = small_plan
    _, plan_objective, _ = checked(checker, raw, plan)
    locked_ids = {s.id for s in instance.locked}
    tried = 0
    for u in plan.unassigned:
        rec = recommend(instance, plan, u.request, top=3, time_limit=2)
        for option in rec.options:
            tried += 1
            violations, objective, missing = checked(checker, raw, option.solution)
            assert violations == [] and missing == []
            assert option.objective_delta == objective - plan_objective
            assert locked_ids.isdisjoint(m.stay for m in option.moves)
    assert tried


def test_cli_writes_options_best_first_and_errors_in_one_line(small_plan, tmp_path, checker):
    instance, plan, raw = small_plan
    (tmp_path / "i.json").write_text(json.dumps(raw))
    (tmp_path / "p.json").write_text(json.dumps(solution_to_dict(plan)))
    request = plan.unassigned[0].request
    run = subprocess.run([sys.executable, "-m", "matching", "recommend", str(tmp_path / "i.json"),
                          str(tmp_path / "p.json"), request, "--top", "2", "--time-limit", "2",
                          "-o", str(tmp_path / "out.json")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["request"] == request
    assert out["options"] or out["reasons"]
    deltas = [o["objective_delta"] for o in out["options"]]
    assert deltas == sorted(deltas, reverse=True) and len(deltas) <= 2
    for o in out["options"]:
        assert {"house", "type", "start", "moves", "objective_delta", "solution"} <= set(o)
        c = checker.Checker(checker.load_instance(copy.deepcopy(raw)), require_slots=SLOTS)
        objective, _, _ = c.check(o["solution"])
        assert c.violations == []
        assert o["objective_delta"] == objective - score(instance, plan).total

    placed = plan.stays[0].requests[0]
    run = subprocess.run([sys.executable, "-m", "matching", "recommend", str(tmp_path / "i.json"),
                          str(tmp_path / "p.json"), placed, "-o", str(tmp_path / "x.json")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith("error: already_placed") and "Traceback" not in run.stderr
    assert not (tmp_path / "x.json").exists()


def test_urgent_option_says_what_it_costs_the_others_and_can_be_made_again(crowded, day):
    instance, plan = crowded
    best = recommend(instance, plan, "u1", top=3, time_limit=2).options[0]
    without_her = Solution(stays=[s for s in best.solution.stays if "u1" not in s.requests])
    assert best.others_delta == score(instance, without_her).total - score(instance, plan).total
    assert best.objective_delta - best.others_delta > 10000  # her own stay is worth far more
    again = recommend(instance, plan, "u1", top=1, time_limit=2, place=(best.house, best.type, best.start))
    assert [(o.house, o.type, o.start) for o in again.options] == [(best.house, best.type, best.start)]
    assert again.options[0].objective_delta == best.objective_delta


def test_a_plan_that_breaks_a_rule_is_a_clear_error(crowded, make_stay, day):
    instance, plan = crowded
    crowded_more = Solution(stays=[*plan.stays, make_stay("s3", requests=("r2",), start=day(9))])  # r2 twice
    with pytest.raises(RecommendError) as caught:
        recommend(instance, crowded_more, "u1", time_limit=1)
    assert caught.value.code == "invalid_plan" and "rule 1" in str(caught.value)
