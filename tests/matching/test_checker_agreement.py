"""validate() and score() agree with the shared checker, on good plans and on broken ones."""
from __future__ import annotations

import copy
import datetime as dt
import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.baseline import baseline
from matching.generate import generate
from matching.io import instance_to_dict, load_solution, read_instance, solution_to_dict
from matching.model import DIMENSIONS, Instance
from matching.validate import score, validate

SAMPLES = ("small", "realistic", "regional")


def verdicts(checker, instance: Instance, raw_instance: dict, raw_solution: dict):
    """(rules broken, objective) by the checker with --require-slots and by us, for one solution."""
    check = checker.Checker(checker.load_instance(copy.deepcopy(raw_instance)), require_slots=True)
    objective, _, _ = check.check(copy.deepcopy(raw_solution))
    theirs = ({rule for rule, _ in check.violations}, objective)
    solution = load_solution(raw_solution, instance)
    ours = ({v.rule for v in validate(instance, solution, require_slots=True)}, score(instance, solution).total)
    return theirs, ours


@functools.lru_cache(maxsize=None)
def generated(seed: int, locked: int = 0) -> tuple[Instance, dict, dict]:
    """A small generated instance, its JSON and its baseline plan's JSON."""
    instance = generate(requests=40, therapists=12, days=120, seed=seed, locked=locked)
    raw = json.loads(json.dumps(instance_to_dict(instance)))
    return instance, raw, json.loads(json.dumps(solution_to_dict(baseline(instance))))


@pytest.mark.parametrize("name", SAMPLES)
def test_the_checker_accepts_the_baseline_of_each_sample(checker, name, sample_path):
    path = sample_path(name)
    instance = read_instance(path)
    raw = json.loads(path.read_text())
    plan = solution_to_dict(baseline(instance))
    theirs, ours = verdicts(checker, instance, raw, plan)
    assert theirs == ours == (set(), plan["objective"])


@pytest.mark.parametrize("seed, locked", [(0, 0), (1, 3), (2, 0), (3, 5)])
def test_the_checker_accepts_the_baseline_of_generated_instances(checker, seed, locked):
    instance, raw, plan = generated(seed, locked)
    theirs, ours = verdicts(checker, instance, raw, plan)
    assert theirs == ours == (set(), plan["objective"])


# -- mutations -----------------------------------------------------------------

def _shift(value: str, days: int) -> str:
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


@st.composite
def mutation(draw, instance: Instance, plan: dict):
    """Apply one random edit a coordinator might make (or get wrong) to the plan, in place."""
    stays = plan["stays"]
    kind = draw(st.sampled_from(["move", "therapist", "drop", "add_request", "add_session", "house",
                                 "type", "session_day", "remove_stay", "duplicate", "dimension",
                                 "slot", "no_slot", "same_time"]))
    if not stays:
        return
    stay = draw(st.sampled_from(stays))
    if kind == "move":
        stay["start"] = _shift(stay["start"], draw(st.integers(-12, 12)))
    elif kind == "therapist" and stay["sessions"]:
        draw(st.sampled_from(stay["sessions"]))["therapist"] = draw(st.sampled_from([t.id for t in instance.therapists]))
    elif kind == "drop" and stay["requests"]:
        stay["requests"].pop(draw(st.integers(0, len(stay["requests"]) - 1)))
    elif kind == "add_request":
        stay["requests"].append(draw(st.sampled_from([r.id for r in instance.requests])))
    elif kind == "add_session":
        stay["sessions"].append({"dimension": draw(st.sampled_from(DIMENSIONS)),
                                 "day": _shift(stay["start"], draw(st.integers(-1, 15))),
                                 "therapist": draw(st.sampled_from([t.id for t in instance.therapists])),
                                 "slot": draw(st.integers(0, instance.day_slots - 1))})
    elif kind == "slot" and stay["sessions"]:
        draw(st.sampled_from(stay["sessions"]))["slot"] = draw(st.integers(-1, instance.day_slots))
    elif kind == "no_slot" and stay["sessions"]:
        draw(st.sampled_from(stay["sessions"])).pop("slot", None)
    elif kind == "same_time":  # a session moved to the time of another one: same stay, or same therapist
        everyone = [x for s in stays for x in s["sessions"]]
        if len(everyone) >= 2:
            one, other = draw(st.sampled_from(everyone)), draw(st.sampled_from(everyone))
            other["day"], other["slot"] = one["day"], one.get("slot", 0)
            if draw(st.booleans()):
                other["therapist"] = one["therapist"]
    elif kind == "house":
        stay["house"] = draw(st.sampled_from([h.id for h in instance.houses]))
    elif kind == "type":
        stay["type"] = draw(st.sampled_from(["individual", "collective", "family"]))
    elif kind == "session_day" and stay["sessions"]:
        ses = draw(st.sampled_from(stay["sessions"]))
        ses["day"] = _shift(ses["day"], draw(st.integers(-3, 3)))
    elif kind == "remove_stay":
        stays.remove(stay)
    elif kind == "duplicate":
        stays.append(copy.deepcopy(stay))
    elif kind == "dimension" and stay["sessions"]:
        draw(st.sampled_from(stay["sessions"]))["dimension"] = draw(st.sampled_from(DIMENSIONS))


@st.composite
def mutated(draw):
    seed, locked = draw(st.sampled_from([(0, 0), (1, 3), (2, 0), (3, 5)]))
    instance, raw, plan = generated(seed, locked)
    plan = copy.deepcopy(plan)
    for _ in range(draw(st.integers(1, 4))):
        draw(mutation(instance, plan))
    return instance, raw, plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_validate_and_score_agree_with_the_checker_on_edited_plans(checker, case):
    instance, raw, plan = case
    theirs, ours = verdicts(checker, instance, raw, plan)
    assert ours == theirs
