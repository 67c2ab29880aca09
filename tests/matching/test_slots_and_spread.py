"""Rule 11 (a person is in one place at a time), the weekly cap, and programmes spread over the stay."""
from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.baseline import baseline
from matching.engine import solve
from matching.generate import generate
from matching.io import instance_to_dict, load_instance, load_solution, solution_to_dict
from matching.model import DIMENSIONS, Session, Solution, Stay
from matching.engine.programme import Programmes, programme
from matching.slots import assign_slots
from matching.spread import edge_runs, spread_of
from matching.validate import CODES, validate

from .conftest import checker_verdict


def broken(instance, stays, require_slots=True) -> dict[int, set[str]]:
    """Rules broken (with their codes) by validate, and the same rules by the shared checker when beside us."""
    found: dict[int, set[str]] = {}
    for v in validate(instance, Solution(stays=list(stays)), require_slots=require_slots):
        assert CODES[v.code] == v.rule
        found.setdefault(v.rule, set()).add(v.code)
    if require_slots:
        theirs = checker_verdict(instance, Solution(stays=list(stays)))
        if theirs is not None:
            assert {rule for rule, _ in theirs} == set(found)
    return found


def ses(dim, day, therapist="t1", slot=0):
    return Session(dim, day, therapist, slot)


# -- rule 11 in pairs: a stay ----------------------------------------------------

def test_a_stay_with_two_sessions_on_a_day_at_two_times_is_allowed(make_instance, make_stay, day):
    stay = make_stay(sessions=[ses("physical", day(8), slot=0), ses("emotional", day(8), slot=1)])
    assert broken(make_instance(), [stay]) == {}


def test_a_stay_with_two_sessions_at_the_same_time_breaks_rule_11(make_instance, make_therapist, make_stay, day):
    instance = make_instance(therapists=[make_therapist("t1"), make_therapist("t2")])
    stay = make_stay(sessions=[ses("physical", day(8), "t1", 1), ses("emotional", day(8), "t2", 1)])
    assert broken(instance, [stay]) == {11: {"stay_slot_taken"}}


# -- rule 11 in pairs: a therapist -----------------------------------------------

@pytest.fixture
def two_stays_one_therapist(make_instance, make_request):
    return make_instance(requests=[make_request("r1"), make_request("r2")])


def test_a_therapist_in_two_stays_at_two_times_is_allowed(two_stays_one_therapist, make_stay, day):
    stays = [make_stay("s1", sessions=[ses("physical", day(8), slot=0)]),
             make_stay("s2", requests=("r2",), sessions=[ses("physical", day(8), slot=1)])]
    assert broken(two_stays_one_therapist, stays) == {}


def test_a_therapist_in_two_stays_at_the_same_time_breaks_rule_11(two_stays_one_therapist, make_stay, day):
    stays = [make_stay("s1", sessions=[ses("physical", day(8), slot=1)]),
             make_stay("s2", requests=("r2",), sessions=[ses("physical", day(8), slot=1)])]
    found = validate(two_stays_one_therapist, Solution(stays=stays), require_slots=True)
    assert [(v.rule, v.code, v.params["therapist"], v.params["stays"]) for v in found] == [
        (11, "therapist_slot_taken", "t1", ["s1", "s2"])]
    assert broken(two_stays_one_therapist, stays) == {11: {"therapist_slot_taken"}}


# -- rule 11 in pairs: the slot itself --------------------------------------------

def test_the_last_slot_of_the_day_is_allowed_and_one_past_it_breaks_rule_11(make_instance, make_stay, day):
    instance = make_instance()  # default slots_per_day: max(2 per stay-day, her 2 a day) = 2
    assert instance.day_slots == 2
    assert broken(instance, [make_stay(sessions=[ses("physical", day(8), slot=1)])]) == {}
    assert broken(instance, [make_stay(sessions=[ses("physical", day(8), slot=2)])]) == {11: {"slot_out_of_range"}}
    assert broken(instance, [make_stay(sessions=[ses("physical", day(8), slot=-1)])]) == {11: {"slot_out_of_range"}}


def test_a_session_without_a_slot_breaks_rule_11_only_when_slots_are_required(make_instance, make_stay, day):
    stay = make_stay(sessions=[Session("physical", day(8), "t1")])
    assert broken(make_instance(), [stay], require_slots=False) == {}
    assert broken(make_instance(), [stay]) == {11: {"session_without_slot"}}


def test_slots_per_day_given_widens_the_day(make_instance, make_stay, day):
    instance = make_instance(slots_per_day=4)
    assert broken(instance, [make_stay(sessions=[ses("physical", day(8), slot=3)])]) == {}
    again = load_instance(instance_to_dict(instance))
    assert again.slots_per_day == 4 and again == instance


# -- rule 11 in pairs: a locked slot ---------------------------------------------

def test_a_locked_session_kept_at_its_time_is_allowed(make_instance, make_stay, day):
    lock = make_stay("L1", sessions=[ses("physical", day(8), slot=1)])
    kept = make_stay("s9", sessions=[ses("physical", day(8), slot=1), ses("emotional", day(9), slot=0)])
    assert broken(make_instance(locked=(lock,)), [kept]) == {}


def test_a_locked_session_moved_to_another_time_breaks_rule_11(make_instance, make_stay, day):
    lock = make_stay("L1", sessions=[ses("physical", day(8), slot=1)])
    moved = make_stay("s9", sessions=[ses("physical", day(8), slot=0)])
    assert broken(make_instance(locked=(lock,)), [moved]) == {11: {"locked_slot_not_kept"}}


def test_a_locked_session_without_a_time_may_take_any(make_instance, make_stay, day):
    lock = make_stay("L1", sessions=[Session("physical", day(8), "t1")])
    assert broken(make_instance(locked=(lock,)), [make_stay("s9", sessions=[ses("physical", day(8), slot=1)])]) == {}


def test_the_engine_keeps_a_locked_slot_and_times_the_rest_around_it(make_instance, make_request, make_stay, day):
    lock = make_stay("L1", sessions=[ses("physical", day(8), slot=1)])
    instance = make_instance(requests=[make_request("r1"), make_request("r2", earliest_start=day(8))],
                             locked=(lock,))
    sol = solve(instance, time_limit=5)
    assert validate(instance, sol, require_slots=True) == []
    assert checker_verdict(instance, sol) in ([], None)
    kept = next(s for s in sol.stays if s.id == "L1")
    assert ses("physical", day(8), slot=1) in kept.sessions
    assert all(s.slot is not None for stay in sol.stays for s in stay.sessions)


# -- the weekly cap (network extension; the checker does not know it) -------------

def test_a_weekly_cap_is_allowed_up_to_it_and_broken_past_it(make_instance, make_therapist, make_stay, day):
    instance = make_instance(therapists=[make_therapist(max_sessions_per_week=2)])
    # day 7 is a Monday: days 7-13 are one week, day 14 the next
    two = make_stay(sessions=[ses("physical", day(8)), ses("physical", day(9))])
    three = make_stay(sessions=[ses("physical", day(8)), ses("physical", day(9)), ses("emotional", day(10))])
    across = make_stay(start=day(10), sessions=[ses("physical", day(12)), ses("physical", day(13)),
                                               ses("emotional", day(14))])
    assert validate(instance, Solution(stays=[two])) == []
    assert [(v.rule, v.code, v.params["week"]) for v in validate(instance, Solution(stays=[three]))] == [
        (9, "therapist_week_limit", day(7).isoformat())]
    assert validate(instance, Solution(stays=[across])) == []
    assert load_instance(instance_to_dict(instance)) == instance


def test_without_a_weekly_cap_an_instance_is_written_as_before(make_instance):
    data = instance_to_dict(make_instance())
    assert "max_sessions_per_week" not in data["therapists"][0] and "slots_per_day" not in data


def test_the_engine_keeps_the_weekly_cap(make_instance, make_request, make_therapist):
    needs = {"physical": 3, "emotional": 3}
    requests = [make_request("r1", needs=needs), make_request("r2", needs=needs)]
    free = make_instance(requests=requests)
    capped = make_instance(requests=requests, therapists=[make_therapist(max_sessions_per_week=4)])
    for instance in (free, capped):
        sol = solve(instance, time_limit=5)
        assert validate(instance, sol, require_slots=True) == []
        assert checker_verdict(instance, sol) in ([], None)
    assert spread_of(capped, solve(capped, time_limit=5).stays).top_week <= 4
    base = baseline(capped)
    assert validate(capped, base, require_slots=True) == []


# -- König: slots always exist within the default slots per day -------------------

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), per_day=st.integers(1, 3), t_day=st.integers(1, 4))
def test_any_plan_within_rules_8_and_9_gets_slots_within_the_default(seed, per_day, t_day):
    """Random stays and therapists on a few days, degrees within the limits: every session gets a slot."""
    rng = random.Random(seed)
    instance = generate(houses=1, requests=6, therapists=4, days=30, seed=seed % 7)
    therapists = tuple(dataclasses.replace(t, max_sessions_per_day=t_day) for t in instance.therapists)
    instance = dataclasses.replace(instance, therapists=therapists, max_sessions_per_stay_day=per_day)
    stays = [Stay(f"s{k}", instance.houses[0].id, instance.horizon_start, "individual", (f"r{k}",))
             for k in range(6)]
    load = {}
    sessions = [[] for _ in stays]
    for _ in range(80):
        k, t, d = rng.randrange(6), rng.choice(therapists).id, rng.randrange(3)
        day = instance.date_of(d)
        if sum(1 for s in sessions[k] if s.day == day) >= per_day or load.get((t, d), 0) >= t_day:
            continue
        load[t, d] = load.get((t, d), 0) + 1
        sessions[k].append(Session(rng.choice(DIMENSIONS), day, t))
    timed = assign_slots(instance, [dataclasses.replace(s, sessions=tuple(x)) for s, x in zip(stays, sessions)])
    assert [len(s.sessions) for s in timed] == [len(x) for x in sessions]
    seen = set()
    for stay in timed:
        for s in stay.sessions:
            assert s.slot is not None and 0 <= s.slot < instance.day_slots
            for who in (("stay", stay.id), ("therapist", s.therapist)):
                assert (who, s.day, s.slot) not in seen
                seen.add((who, s.day, s.slot))


# -- the lexicographic stage -------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_spreading_stage_never_lowers_the_objective(seed):
    instance = generate(houses=2, requests=60, therapists=12, days=120, seed=seed)
    stays = [dataclasses.replace(s, sessions=()) for s in baseline(instance).stays]
    progs = Programmes(instance, stays)
    sessions, _ = progs.solve(time_limit=6, workers=2, seed=0)
    plan = {}
    for k, ses_ in enumerate(sessions):
        for s in ses_:
            key = (k, s.dimension, progs.tindex[s.therapist], instance.day_index(s.day))
            plan[key] = plan.get(key, 0) + 1
    assert "stage2" in progs.stages, progs.stages
    assert progs.value(plan) >= progs.stages["stage1"] >= progs.stages["greedy"]
    assert progs.stages["spread_after"]["top_week"] <= progs.stages["spread_before"]["top_week"]
    solved = Solution(stays=[dataclasses.replace(s, sessions=x) for s, x in zip(stays, sessions)])
    assert validate(instance, solved) == []


def test_the_engine_answer_passes_the_checker_with_slots_required():
    instance = generate(houses=2, requests=60, therapists=10, days=120, seed=5, locked=3)
    sol = solve(instance, time_limit=5)
    assert validate(instance, sol, require_slots=True) == []
    assert checker_verdict(instance, sol) in ([], None)
    assert load_solution(solution_to_dict(sol)).stays == sol.stays


# -- programmes are spread over the stay -------------------------------------------

def test_a_stays_sessions_reach_both_ends_of_the_stay_when_she_is_free(make_instance, make_house, make_request):
    house = make_house(stay_length={"individual": 10, "collective": 10, "family": 10})
    request = make_request(needs={"physical": 2, "emotional": 2})
    instance = make_instance(houses=[house], requests=[request])
    stay = Stay("s1", "casa", instance.date_of(7), "individual", ("r1",))
    [sessions], stats = programme(instance, [stay], time_limit=5)
    timed = dataclasses.replace(stay, sessions=sessions)
    assert len(sessions) == 4
    assert edge_runs(instance, timed) == (0, 0), sessions
    assert max(sum(1 for s in sessions if s.day == d) for d in {s.day for s in sessions}) == 1


def test_the_greedy_programme_alone_spreads_the_sessions(make_instance, make_house, make_request):
    house = make_house(stay_length={"individual": 10, "collective": 10, "family": 10})
    instance = make_instance(houses=[house], requests=[make_request(needs={"physical": 2, "emotional": 3})])
    stay = Stay("s1", "casa", instance.date_of(7), "individual", ("r1",))
    progs = Programmes(instance, [stay])
    [sessions] = progs._sessions(progs.greedy())
    lead, trail = edge_runs(instance, dataclasses.replace(stay, sessions=sessions))
    assert len(sessions) == 5 and lead <= 1 and trail <= 1, sessions


def test_empty_days_at_the_end_only_when_she_cannot_come(make_instance, make_house, make_request, make_therapist, day):
    from matching.model import DateRange

    house = make_house(stay_length={"individual": 10, "collective": 10, "family": 10})
    away = make_therapist(available=(DateRange(day(7), day(10)),))
    instance = make_instance(houses=[house], therapists=[away],
                             requests=[make_request(needs={"physical": 2, "emotional": 2})])
    stay = Stay("s1", "casa", day(7), "individual", ("r1",))
    [sessions], _ = programme(instance, [stay], time_limit=5)
    assert len(sessions) == 4  # the objective first: all four sessions, in her four days
    assert edge_runs(instance, dataclasses.replace(stay, sessions=sessions)) == (0, 6)
