"""The first-come-first-served plan: always feasible, complete, and careful."""
from __future__ import annotations


import pytest

from matching.baseline import baseline
from matching.generate import generate
from matching.model import Closure
from matching.validate import score, validate


@pytest.mark.parametrize("seed, tightness, locked", [(0, 1.0, 0), (1, 0.5, 0), (2, 2.0, 0), (3, 1.0, 4), (4, 3.0, 2)])
def test_the_baseline_always_passes_validate(seed, tightness, locked):
    instance = generate(houses=3, requests=120, therapists=25, days=180, seed=seed,
                        tightness=tightness, locked=locked)
    plan = baseline(instance)
    assert validate(instance, plan) == []
    assert plan.status == "BASELINE"
    assert plan.objective == score(instance, plan).total


def test_every_request_is_placed_or_explained():
    instance = generate(requests=150, therapists=20, days=200, seed=7)
    plan = baseline(instance)
    placed = {rid for s in plan.stays for rid in s.requests}
    unassigned = {u.request for u in plan.unassigned}
    assert placed | unassigned == {r.id for r in instance.requests}
    assert not placed & unassigned
    assert all(u.reason for u in plan.unassigned)


def test_locked_stays_are_kept():
    instance = generate(requests=60, therapists=12, days=120, seed=5, locked=4)
    plan = baseline(instance)
    assert not [v for v in validate(instance, plan) if v.rule == 10]


def test_a_request_starts_at_her_earliest_day_when_the_house_is_free(make_instance, make_therapist, day):
    plan = baseline(make_instance())
    [stay] = plan.stays
    assert (stay.start, stay.house, stay.type) == (day(7), "casa", "individual")
    assert sorted(s.dimension for s in stay.sessions) == ["emotional", "physical", "physical"]
    assert {s.therapist for s in stay.sessions} == {"t1"}


def test_who_asked_first_gets_the_only_place_whatever_the_urgency(make_instance, make_house, make_request, day):
    house = make_house(max_concurrent_stays=1)
    requests = [make_request("urgent", urgency=3, latest_start=day(7), submitted=day(-10)),
                make_request("calm", urgency=0, latest_start=day(7), submitted=day(-20))]
    plan = baseline(make_instance(houses=[house], requests=requests))
    assert [s.requests for s in plan.stays] == [("calm",)]
    assert [u.request for u in plan.unassigned] == ["urgent"]
    assert "full" in plan.unassigned[0].reason


def test_on_the_same_day_of_asking_who_can_start_first_goes_first(make_instance, make_house, make_request, day):
    house = make_house(max_concurrent_stays=1)
    requests = [make_request("later", earliest_start=day(7), latest_start=day(7)),
                make_request("sooner", earliest_start=day(6), latest_start=day(7))]
    plan = baseline(make_instance(houses=[house], requests=requests))
    assert [s.requests for s in plan.stays] == [("sooner",)]


def test_requests_without_a_submission_date_come_last(make_instance, make_house, make_request, day):
    house = make_house(max_concurrent_stays=1)
    requests = [make_request("undated", latest_start=day(7), submitted=None),
                make_request("dated", latest_start=day(7), submitted=day(-1))]
    plan = baseline(make_instance(houses=[house], requests=requests))
    assert [s.requests for s in plan.stays] == [("dated",)]


def test_her_home_country_is_preferred(make_instance, make_house, make_request):
    houses = [make_house("lejos", country="HN"), make_house("casa", country="MX")]
    plan = baseline(make_instance(houses=houses, requests=[make_request(country="MX")]))
    assert plan.stays[0].house == "casa"


def test_a_closed_house_waits_until_it_opens(make_instance, make_house, day):
    house = make_house(closures=(Closure(day(0), day(9), "water"),))
    plan = baseline(make_instance(houses=[house]))
    assert plan.stays[0].start == day(10)


def test_single_defenders_are_gathered_into_a_collective(make_instance, make_request):
    requests = [make_request(f"r{i}", stay_types=("collective",), languages=("es", "mam") if i else ("mam",))
                for i in range(3)]
    plan = baseline(make_instance(requests=requests))
    [stay] = plan.stays
    assert stay.type == "collective" and sorted(stay.requests) == ["r0", "r1", "r2"]
    assert validate(make_instance(requests=requests), plan) == []


def test_a_lone_collective_request_is_explained(make_instance, make_request):
    plan = baseline(make_instance(requests=[make_request(stay_types=("collective",))]))
    assert plan.stays == []
    assert "collective" in plan.unassigned[0].reason


def test_a_barred_request_is_explained(make_instance, make_request):
    plan = baseline(make_instance(requests=[make_request(barred_countries=("MX",))]))
    assert "cannot enter" in plan.unassigned[0].reason


def test_the_baseline_plans_a_large_instance_within_the_rules():
    """How fast it is goes in bench/engine.py (a timed assertion fails on a loaded machine, not on slow code)."""
    instance = generate(houses=8, requests=1500, therapists=160, seed=11)
    plan = baseline(instance)
    assert validate(instance, plan) == []
    assert plan.stays
