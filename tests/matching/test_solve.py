"""The CP-SAT engine: optimal on hand-computed cases, true bounds, every rule kept, stable, stoppable."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import threading
import time

import numpy as np
import pytest

from matching.baseline import baseline
from matching.engine import LinearBound, solve
from matching.engine.tuning import PDLP_PARAMS
from matching.generate import generate
from matching.io import solution_to_dict
from matching.model import Closure, DateRange, Solution, Stay
from matching.prepare import prepare
from matching.engine.programme import Programmes
from matching.validate import score, validate

from .conftest import checker_verdict


def stays_key(solution: Solution) -> set:
    return {(s.house, s.start, s.type, frozenset(s.requests)) for s in solution.stays}


def assert_valid(instance, solution: Solution) -> None:
    """No rule broken, slots required (rule 11), by validate and, when beside us, the shared checker."""
    assert validate(instance, solution, require_slots=True) == []
    assert checker_verdict(instance, solution) in ([], None)
    assert solution.objective == score(instance, solution).total
    if solution.bound is not None:
        assert solution.bound >= solution.objective


# ----- hand-computed optima, reached and proven ------------------------------

def test_one_request_is_served_at_once_with_her_whole_programme(make_instance):
    instance = make_instance()
    sol = solve(instance, time_limit=5)
    # urgency 1 -> factor 2: serve 10000*2, no wait, first type, same country,
    # sessions 20*2*(2 physical + 1 emotional), one therapist per dimension.
    assert sol.objective == 20000 + 120
    assert sol.bound == sol.objective
    assert sol.status == "OPTIMAL"
    assert_valid(instance, sol)
    assert sol.stays[0].start == instance.date_of(7)


def test_the_more_urgent_of_two_requests_gets_the_only_place(make_instance, make_house, make_request):
    house = make_house(max_concurrent_stays=1)
    calm = make_request("r1", urgency=0, latest_start=dt.date(2027, 1, 12))
    urgent = make_request("r2", urgency=3, latest_start=dt.date(2027, 1, 12))
    instance = make_instance(houses=[house], requests=[calm, urgent])
    sol = solve(instance, time_limit=5)
    assert sol.objective == 80000 + 20 * 8 * 3
    assert sol.bound == sol.objective and sol.status == "OPTIMAL"
    assert [s.requests for s in sol.stays] == [("r2",)]
    assert [u.request for u in sol.unassigned] == ["r1"]
    assert_valid(instance, sol)


def test_three_requests_are_gathered_into_one_collective(make_instance, make_house, make_request):
    house = make_house(max_concurrent_stays=1, collective_min=3, collective_max=4)
    reqs = [make_request(f"r{k}", stay_types=("collective",), languages=("es", lang))
            for k, lang in enumerate(["mam", "zap", "en"], start=1)]
    instance = make_instance(houses=[house], requests=reqs)
    sol = solve(instance, time_limit=5)
    assert [(s.type, sorted(s.requests)) for s in sol.stays] == [("collective", ["r1", "r2", "r3"])]
    assert sol.objective == 3 * (20000 + 120)
    assert sol.bound == sol.objective and sol.status == "OPTIMAL"
    assert_valid(instance, sol)


def test_a_family_brings_her_companions_into_the_beds(make_instance, make_house, make_request):
    house = make_house(beds=3)
    family = make_request("r1", stay_types=("family",), companions=2)
    too_big = make_request("r2", stay_types=("family",), companions=3)
    sol = solve(make_instance(houses=[house], requests=[family, too_big]), time_limit=5)
    assert [(s.type, s.requests) for s in sol.stays] == [("family", ("r1",))]
    assert sol.status == "OPTIMAL"


# ----- the bound is true: brute force on tiny random instances --------------

def _exact_optimum(instance) -> int:
    """Every assignment of requests to (house, type, start) or nothing, each with its best programme."""
    choices = []
    for r in instance.requests:
        mine = [None]
        first = instance.day_index(r.earliest_start)
        last = instance.day_index(r.latest_start)
        for h in instance.houses:
            for t in r.stay_types:
                for s in range(first, last + 1):
                    mine.append((h.id, t, instance.date_of(s)))
        choices.append(mine)
    best = 0
    for combo in itertools.product(*choices):
        stays, collectives = [], {}
        for r, pick in zip(instance.requests, combo):
            if pick is None:
                continue
            if pick[1] == "collective":
                collectives.setdefault(pick, []).append(r.id)
            else:
                stays.append(Stay(f"s{len(stays)}", pick[0], pick[2], pick[1], (r.id,)))
        for (h, t, s), rids in collectives.items():
            stays.append(Stay(f"s{len(stays)}", h, s, t, tuple(rids)))
        if validate(instance, Solution(stays=stays)):
            continue
        if not stays:
            continue
        progs = Programmes(instance, stays)
        sessions, status = progs.solve(10, 1, 0)
        assert status in ("OPTIMAL", "GREEDY")
        full = [dataclasses.replace(s, sessions=x) for s, x in zip(stays, sessions)]
        best = max(best, score(instance, Solution(stays=full)).total)
    return best


def _random_tiny(seed, make_instance, make_house, make_request, make_therapist):
    rng = random.Random(seed)
    houses = [make_house("casa", max_concurrent_stays=rng.choice([1, 2]), beds=rng.choice([3, 4]),
                         collective_min=2, collective_max=3, turnover_days=rng.choice([0, 1]),
                         arrival_weekdays=frozenset(rng.sample(range(7), 5)),
                         stay_length={"individual": 4, "collective": 4, "family": 3}),
              make_house("sol", country="GT", max_concurrent_stays=1, beds=2,
                         stay_types=("individual", "collective"), collective_min=2, collective_max=2,
                         stay_length={"individual": 5, "collective": 5})]
    dims = ["physical", "mental", "emotional"]
    therapists = [make_therapist(f"t{k}", houses=tuple(rng.sample(["casa", "sol"], rng.choice([1, 2]))),
                                 dimensions=tuple(rng.sample(dims, 2)), languages=(rng.choice(["es", "mam"]),),
                                 max_sessions_per_day=rng.choice([1, 2]),
                                 available=(DateRange(dt.date(2027, 1, 4 + rng.randrange(4)), dt.date(2027, 1, 20)),))
                  for k in range(3)]
    requests = []
    for k in range(4):
        types = rng.choice([("individual",), ("collective",), ("individual", "collective"), ("family",)])
        e = rng.randrange(0, 6)
        requests.append(make_request(
            f"r{k}", stay_types=types, urgency=rng.randrange(4), country=rng.choice(["MX", "GT"]),
            languages=tuple(rng.sample(["es", "mam"], rng.choice([1, 2]))),
            companions=1 if types == ("family",) else 0,
            earliest_start=dt.date(2027, 1, 4 + e), latest_start=dt.date(2027, 1, 4 + e + rng.randrange(3)),
            needs={d: rng.randrange(3) for d in dims}))
    return make_instance(houses=houses, therapists=therapists, requests=requests, horizon_days=16)


@pytest.mark.parametrize("seed", range(5))
def test_bound_is_never_below_the_exact_optimum(seed, make_instance, make_house, make_request, make_therapist):
    instance = _random_tiny(seed, make_instance, make_house, make_request, make_therapist)
    exact = _exact_optimum(instance)
    sol = solve(instance, time_limit=5, workers=1)
    assert_valid(instance, sol)
    assert sol.bound is not None and sol.bound >= exact
    assert sol.objective <= exact
    assert sol.objective >= exact - 100, "a tiny instance should be solved to (near) optimality"
    # The LP's bound holds from its own prices, from an approximate LP's and from any prices at all.
    prep = prepare(instance)
    if prep.options:
        assert LinearBound(prep).run(5) + prep.locked_bound >= exact
        assert LinearBound(prep, "PDLP", PDLP_PARAMS).run(5) + prep.locked_bound >= exact
        lp, rng = LinearBound(prep), np.random.default_rng(seed)
        for scale in (1.0, 100.0, 10_000.0):
            prices = rng.exponential(scale, size=len(lp.rhs))
            daily = rng.exponential(scale, size=lp.cap.shape)
            assert lp.dual_bound(prices, daily) + prep.locked_bound >= exact


# ----- every rule, the checker, the baseline ---------------------------------

def test_sample_solution_passes_validate_and_the_shared_checker(sample_path, checker):
    from matching.io import read_instance

    path = sample_path("small")
    instance = read_instance(path)
    sol = solve(instance, time_limit=6)
    assert_valid(instance, sol)
    import json

    inst = checker.load_instance(json.loads(path.read_text()))
    c = checker.Checker(inst, require_slots=True)
    objective, served, missing = c.check(json.loads(json.dumps(solution_to_dict(sol))))
    assert c.violations == []
    assert objective == sol.objective
    assert missing == []
    assert sol.objective >= baseline(instance).objective
    assert {u.request for u in sol.unassigned} == {r.id for r in instance.requests} - set(served)


def test_solve_never_scores_below_the_baseline():
    from matching.generate import generate

    instance = generate(houses=2, requests=60, therapists=10, days=120, seed=5)
    sol = solve(instance, time_limit=4)
    assert_valid(instance, sol)
    assert sol.objective >= score(instance, baseline(instance)).total


def test_progress_is_reported_and_stats_are_filled(make_instance):
    seen = []
    sol = solve(make_instance(), time_limit=3, on_progress=lambda *a: seen.append(a))
    assert seen and seen[-1][1] == sol.objective and seen[-1][2] == sol.bound
    assert {"phases", "wall"} <= set(sol.stats)
    assert sol.stats["stays_model"]["variables"] > 0



def test_progress_is_reported_during_the_window_search_too():
    """Above PROBE_OPTIONS the plan comes from the window search: the caller hears of it as it climbs."""
    from matching.engine.tuning import PROBE_OPTIONS

    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)
    assert len(prepare(instance).options) > PROBE_OPTIONS
    seen = []
    sol = solve(instance, time_limit=4, seed=1, on_progress=lambda *a: seen.append(a))
    during = seen[:-1]  # the last call is the answer's
    objectives = [o for _, o, _ in during if o is not None]
    bounds = [b for _, _, b in during if b is not None]
    assert len(objectives) >= 2 and objectives == sorted(objectives)  # the start, then at least one better plan
    assert bounds == sorted(bounds, reverse=True), "a weaker bound never replaces a tighter one"
    assert all(o <= bounds[-1] for o in objectives) and bounds[-1] >= sol.bound >= sol.objective
    assert any(elapsed < sol.stats["wall"] - 1.0 for elapsed, _, _ in during)


def test_two_threads_reporting_bounds_at_once_keep_the_tighter(make_instance):
    """The LP's thread and the window search both report bounds: the least one wins, whatever the timing.

    Comparing a bound with the known one is made slow here, so both threads
    are inside `report` together: without one lock around the compare and
    the set, the later, weaker bound would overwrite the tighter one.
    """
    from matching.engine import Engine

    class Slow(int):
        def __lt__(self, other):
            time.sleep(0.05)
            return int(self) < int(other)

    seen = []
    engine = Engine(make_instance(), time_limit=1, workers=2, seed=0, hint=None,
                    on_progress=lambda *a: seen.append(a[2]), stop=None)
    engine.report(bound=300)
    tight = threading.Thread(target=engine.report, kwargs={"bound": Slow(100)})
    weak = threading.Thread(target=engine.report, kwargs={"bound": Slow(200)})
    tight.start()
    time.sleep(0.01)
    weak.start()
    tight.join()
    weak.join()
    assert engine.known_bound == 100
    assert seen == sorted(seen, reverse=True) and seen[-1] == 100


def test_once_the_answer_is_out_a_late_bound_thread_records_nothing_in_it(make_instance):
    """The bound's thread may outlive the search by a grace second: what it notes then is not written into the answer."""
    from matching.engine import Engine

    engine = Engine(make_instance(), time_limit=2, workers=2, seed=0, hint=None, on_progress=None, stop=None)
    sol = engine.run()
    seen = dict(sol.stats)
    engine.note("lp", {"bound": -1})
    assert sol.stats == seen and sol.stats.get("lp") != {"bound": -1}


# ----- locks -----------------------------------------------------------------

def test_a_locked_stay_is_kept_with_its_sessions(make_instance, make_request, make_stay):
    r1 = make_request("r1", urgency=0)
    r2 = make_request("r2", urgency=3)
    lock = make_stay("L1", requests=("r1",), start=dt.date(2027, 1, 13),
                     sessions=[("physical", dt.date(2027, 1, 14), "t1")])
    instance = make_instance(requests=[r1, r2], locked=(lock,))
    sol = solve(instance, time_limit=5)
    assert_valid(instance, sol)
    kept = [s for s in sol.stays if s.requests == ("r1",)]
    assert kept and kept[0].start == lock.start and lock.sessions[0].key in {s.key for s in kept[0].sessions}


def test_an_impossible_lock_is_dropped_by_name_and_rule_and_the_rest_is_planned(
        make_instance, make_house, make_request, make_stay):
    """A lock inside a closure cannot be kept: it is dropped and named, the others' plan goes on."""
    house = make_house(closures=(Closure(dt.date(2027, 1, 10), dt.date(2027, 1, 20), "water"),))
    lock = make_stay("L3", requests=("r1",), start=dt.date(2027, 1, 12))
    later = make_request("r2", earliest_start=dt.date(2027, 1, 25), latest_start=dt.date(2027, 2, 5))
    instance = make_instance(houses=[house], requests=[make_request("r1"), later], locked=(lock,))
    sol = solve(instance, time_limit=5)
    assert sol.status in ("OPTIMAL", "FEASIBLE")
    assert [(d.stay, d.rule, d.code) for d in sol.dropped_locks] == [("L3", 5, "closure")]
    assert "water" in sol.dropped_locks[0].reason and sol.dropped_locks[0].params["stay"] == "L3"
    assert any("L3" in p and "Casa Casa" in p and "closure" in p and "water" in p and "(rule 5)" in p
               for p in sol.problems)
    assert [(v.rule, v.code, v.params["stay"]) for v in sol.violations] == [(5, "closure", "L3")]
    placed = {rid for s in sol.stays for rid in s.requests}
    assert "r2" in placed and "L3" not in {s.id for s in sol.stays}
    reasons = {u.request: u for u in sol.unassigned}
    assert "r1" in reasons and reasons["r1"].reason and reasons["r1"].code  # her window meets the closure
    assert_valid(dataclasses.replace(instance, locked=()), sol)
    assert {(v.rule, v.code) for v in validate(instance, sol)} == {(10, "lock_not_kept")}
    written = solution_to_dict(sol)["dropped_locks"]
    assert written == [{"stay": "L3", "rule": 5, "code": "closure", "reason": sol.dropped_locks[0].reason,
                        "params": written[0]["params"]}] and written[0]["params"]["stay"] == "L3"


def test_of_two_locks_over_the_capacity_the_later_named_is_dropped_with_rule_6(
        make_instance, make_house, make_request, make_stay):
    house = make_house(max_concurrent_stays=1)
    locks = (make_stay("L1", requests=("r1",)), make_stay("L2", requests=("r2",)))
    instance = make_instance(houses=[house], requests=[make_request("r1"), make_request("r2")], locked=locks)
    sol = solve(instance, time_limit=5)
    assert sol.status in ("OPTIMAL", "FEASIBLE")
    assert [(d.stay, d.rule, d.code) for d in sol.dropped_locks] == [("L2", 6, "too_many_stays")]
    assert any("(rule 6)" in p for p in sol.problems)
    kept = [s for s in sol.stays if s.id == "L1"]
    assert kept and kept[0].requests == ("r1",)
    assert any("r2" in s.requests for s in sol.stays), "her stay is planned again, after L1"
    assert_valid(dataclasses.replace(instance, locked=(locks[0],)), sol)


def test_locks_that_break_no_rule_drop_nothing(make_instance, make_stay):
    sol = solve(make_instance(locked=(make_stay("L1"),)), time_limit=3)
    assert sol.dropped_locks == [] and sol.problems == [] and "dropped_locks" not in solution_to_dict(sol)


# ----- determinism, stability, cancelling ------------------------------------

def test_one_worker_and_a_seed_give_the_same_plan():
    from matching.generate import generate

    instance = generate(houses=2, requests=30, therapists=6, days=90, seed=3)
    a = solve(instance, time_limit=4, workers=1, seed=7)
    b = solve(instance, time_limit=4, workers=1, seed=7)
    assert solution_to_dict(a)["stays"] == solution_to_dict(b)["stays"]
    assert a.objective == b.objective and a.bound == b.bound


def test_a_hint_of_the_previous_plan_keeps_the_same_stays(sample_path):
    from matching.io import read_instance

    instance = read_instance(sample_path("small"))
    first = solve(instance, time_limit=4)
    again = solve(instance, time_limit=4, hint=first)
    assert again.objective >= first.objective
    if again.objective == first.objective:
        assert stays_key(again) == stays_key(first)


def test_an_urgent_newcomer_with_room_moves_no_stay(make_instance, make_house, make_request):
    house = make_house(max_concurrent_stays=2, beds=4)
    reqs = [make_request(f"r{k}", urgency=k % 4, earliest_start=dt.date(2027, 1, 4 + 3 * k),
                         latest_start=dt.date(2027, 1, 10 + 3 * k)) for k in range(6)]
    instance = make_instance(houses=[house], requests=reqs)
    first = solve(instance, time_limit=3)
    newcomer = make_request("urgent", urgency=3, earliest_start=dt.date(2027, 2, 20),
                            latest_start=dt.date(2027, 2, 25))
    second = solve(make_instance(houses=[house], requests=[*reqs, newcomer]), time_limit=3, hint=first)
    assert stays_key(first) <= stays_key(second)
    assert any("urgent" in s.requests for s in second.stays)


def test_one_more_urgent_request_moves_only_what_the_objective_asks():
    from matching.generate import generate

    instance = generate(houses=2, requests=24, therapists=6, days=120, seed=4)
    first = solve(instance, time_limit=5)
    assert first.stats["stays_status"] == ["OPTIMAL"]  # phase 1 solved whole and proven at this size
    urgent = dataclasses.replace(instance.requests[0], id="urgent", defenders=("d-urgent",), urgency=3)
    bigger = dataclasses.replace(instance, requests=instance.requests + (urgent,))
    second = solve(bigger, time_limit=5, hint=first)
    assert_valid(bigger, second)
    moved = stays_key(first) - stays_key(second)
    # Among plans as good as the best, the engine took the one keeping most of the previous stays.
    assert second.stats.get("stability_status") == "OPTIMAL"
    assert len(moved) <= max(3, len(first.stays) // 4)


def test_the_stop_event_ends_the_search_promptly():
    from matching.generate import generate

    instance = generate(houses=2, requests=250, therapists=40, days=364, seed=11)
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    t0 = time.monotonic()
    sol = solve(instance, time_limit=60, stop=stop)
    assert time.monotonic() - t0 < 12
    assert_valid(instance, sol)
