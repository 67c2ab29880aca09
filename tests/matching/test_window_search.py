"""The neighbourhood search of phase 1: paired neighbourhoods never interfere, and a step never loses value."""
from __future__ import annotations

import pytest

from matching.engine import Neighbourhood, Plan, WindowSearch, greedy_plan, name_stays, options_of_stays
from matching.generate import generate
from matching.model import Solution
from matching.prepare import prepare
from matching.validate import validate


@pytest.fixture(scope="module")
def search_of():
    def make(houses: int, days: int = 364, seed: int = 3) -> WindowSearch:
        instance = generate(houses=houses, requests=40 * houses, therapists=5 * houses, days=days, seed=seed)
        prep = prepare(instance)
        order = sorted(range(len(prep.options)), key=lambda i: -prep.options[i].bound)
        search = WindowSearch(prep, greedy_plan(prep, order), seed)
        search.deterministic = False
        return search
    return make


def _stays(search: WindowSearch):
    return name_stays(search.prep.instance, search.plan.to_stays())


def _held_days(search: WindowSearch, a: int, span: int) -> set[int]:
    """Every day a stay starting in [a, a + span) could hold."""
    return set(range(a, min(search.prep.instance.horizon_days, a + span + search.longest_held)))


@pytest.mark.parametrize("a, span", [(0, 60), (40, 60), (150, 60), (300, 60), (0, 175), (10, 170), (120, 90)])
def test_a_second_window_never_shares_a_held_day_with_the_first(search_of, a, span):
    search = search_of(2)
    b = search.apart(a, span)
    assert b is not None
    assert _held_days(search, a, span).isdisjoint(_held_days(search, b, span))
    assert 0 <= b <= search.prep.instance.horizon_days - span


def test_no_second_window_when_the_horizon_is_too_short_for_two(search_of):
    search = search_of(2, days=60)
    assert search.apart(0, 30) is None


@pytest.mark.parametrize("houses, collectives", [(2, False), (2, True), (4, False), (4, True)])
def test_paired_steps_keep_every_rule_and_never_lose_value(search_of, houses, collectives):
    search = search_of(houses)
    instance = search.prep.instance
    values = [search.value]
    for _ in range(4):
        search.step_pair(0.5, collectives=collectives)
        values.append(search.value)
        assert validate(instance, Solution(stays=_stays(search))) == []
    assert values == sorted(values)
    assert search.value == search.plan.value
    assert Plan.from_stays(search.prep, _stays(search)) == search.plan
    assert options_of_stays(search.prep, _stays(search)) == search.plan.options()


@pytest.mark.parametrize("parity", [0, 1])
def test_paired_windows_share_the_waiting_requests_by_where_they_have_options(parity):
    instance = generate(houses=2, requests=160, therapists=10, days=364, seed=3, tightness=2.0)
    prep = prepare(instance)
    search = WindowSearch(prep, greedy_plan(prep, sorted(range(len(prep.options)), key=lambda i: -prep.options[i].bound)), 3)
    waiting = {ri for ri in prep.free if ri not in search.plan}
    assert waiting
    days = prep.instance.horizon_days
    windows = [(0, days // 3), (days // 2, days // 2 + days // 3)]
    allowed = [search.offered_in({0, 1}, a, b) for a, b in windows]
    shares = search.share_waiting(allowed, parity)
    assert not shares[0] & shares[1]
    only_second = []
    for ri in waiting:
        has = [any(allow(i, prep.options[i]) for i in prep.by_request[ri]) for allow in allowed]
        if has == [False, True] and ri % 2 == parity:
            only_second.append(ri)
        if has == [True, False]:
            assert ri in shares[0]
        elif has == [False, True]:
            assert ri in shares[1]
        elif has == [True, True]:
            assert ri in shares[0 if ri % 2 == parity else 1]
        else:
            assert ri not in shares[0] | shares[1]
    assert only_second, "a request with options in the second window only is offered there whatever her parity"
    part = search.window_neighbourhood({0, 1}, *windows[1], shares[1])
    assert isinstance(part, Neighbourhood)
    offered = {prep.options[i].request for i in part.offered}
    assert set(only_second) & offered
    assert part.requests == offered


@pytest.fixture
def guided(search_of):
    """A search on two houses following its own instance's exact LP solution."""
    from matching.engine import LinearBound

    search = search_of(2)
    lp = LinearBound(search.prep, "GLOP")
    assert lp.run(30.0) is not None
    search.follow(lp.values)
    assert 0 < search.guide.sum() < len(search.prep.options)
    return search


def test_guided_windows_offer_only_the_lp_options_and_the_current_ones(guided):
    current = set(guided.plan.values())
    guided.kind = "window"
    ids = guided.window_neighbourhood({0, 1}, 0, guided.prep.instance.horizon_days).offered
    assert ids and all(guided.guide[i] or i in current for i in ids)
    guided.kind = "collectives"
    ids = guided.collective_neighbourhood({0, 1}, 0, guided.prep.instance.horizon_days).offered
    assert ids and all(guided.guide[i] or i in current for i in ids)


def test_steps_around_a_waiting_request_keep_all_her_options(guided):
    guided.kind = "around"
    ids = guided.window_neighbourhood({0, 1}, 0, guided.prep.instance.horizon_days).offered
    current = set(guided.plan.values())
    assert any(not guided.guide[i] and i not in current for i in ids)


def test_guided_steps_keep_every_rule_and_never_lose_value(guided):
    instance = guided.prep.instance
    values = [guided.value]
    for collectives in (False, True, False, True):
        guided.step_pair(0.5, collectives=collectives)
        values.append(guided.value)
        assert validate(instance, Solution(stays=_stays(guided))) == []
    assert values == sorted(values)
    assert guided.value == guided.plan.value


@pytest.fixture(scope="module")
def polished():
    """A run long enough (for the lowered threshold) to end with CP-SAT on the whole phase-1 model."""
    from matching.engine import solve, tuning

    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)
    saved = tuning.POLISH_FROM
    tuning.POLISH_FROM = 3.0
    try:
        return instance, solve(instance, time_limit=8, workers=2, seed=1)
    finally:
        tuning.POLISH_FROM = saved


def test_a_long_run_ends_by_polishing_the_whole_model(polished):
    instance, sol = polished
    polish = sol.stats["polish"]
    assert polish["status"] in ("OPTIMAL", "FEASIBLE") and polish["gain"] >= 0
    assert polish["seconds"] > 1.0
    assert not validate(instance, sol)
    assert sol.bound is not None and sol.bound >= sol.objective


def test_short_runs_and_single_workers_do_not_polish(monkeypatch):
    from matching.engine import solve, tuning

    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)
    assert "polish" not in solve(instance, time_limit=4, workers=2, seed=1).stats  # under POLISH_FROM
    monkeypatch.setattr(tuning, "POLISH_FROM", 1.0)
    assert "polish" not in solve(instance, time_limit=4, workers=1, seed=1).stats  # determinism first
