"""The engine keeps its time limit on a loaded machine: what it skips when the time is gone, and what it keeps back.

Speed targets are bench figures (bench/engine.py); these tests check the
decisions, not the clock.
"""
from __future__ import annotations

from matching.baseline import baseline
from matching.engine import Engine, solve
from matching.engine import tuning
from matching.generate import generate
from matching.validate import score, validate


def test_with_no_time_left_after_preparing_phase_1_answers_its_starting_plan_at_once():
    """Time limit 0: no programme greedy to pick phase 1's share, no Lagrangian, no window search; still a valid plan."""
    instance = generate(houses=3, requests=150, therapists=20, days=200, seed=3)
    sol = solve(instance, time_limit=0, seed=0)
    assert sol.stats.get("phase1_skipped") is True
    for skipped in ("programme_easy", "lagrangian", "priced_greedy", "window_search"):
        assert skipped not in sol.stats, skipped
    assert validate(instance, sol, require_slots=True) == []
    assert sol.objective >= score(instance, baseline(instance)).total
    assert sol.bound is None or sol.bound >= sol.objective


def test_with_time_phase_1_is_not_skipped():
    instance = generate(houses=3, requests=150, therapists=20, days=200, seed=3)
    sol = solve(instance, time_limit=3, seed=0)
    assert "phase1_skipped" not in sol.stats
    assert "programme_easy" in sol.stats


def test_the_reserve_after_the_phases_grows_with_a_slow_baseline_and_stays_capped():
    """A slow baseline (a loaded machine) keeps back more time for repair, programmes and the answer."""
    instance = generate(houses=2, requests=100, therapists=12, days=120, seed=1)
    engine = Engine(instance, 60, 2, 0, None, None, None)
    per_request = tuning.AFTER_RESERVE_BASE + tuning.AFTER_RESERVE_PER_REQUEST * len(instance.requests)
    engine._baseline_seconds = 0.0
    assert engine._after_reserve() == per_request  # quiet machine: the per-request figure
    engine._baseline_seconds = 4.0
    assert engine._after_reserve() == tuning.AFTER_RESERVE_OF_BASELINE * 4.0 > per_request
    engine._baseline_seconds = 100.0
    assert engine._after_reserve() == tuning.AFTER_RESERVE_SHARE * 60  # never more than its share of the limit


def test_with_no_time_for_programmes_every_stay_gets_the_greedy_programme_and_the_plan_is_valid():
    """Time limit 0: phase 2 builds no CP-SAT model; the sessions are the greedy programme's, every rule kept."""
    instance = generate(houses=3, requests=150, therapists=20, days=200, seed=3)
    sol = solve(instance, time_limit=0, seed=0)
    assert sol.stats["programme"] == {"status": "GREEDY", "no_time": True}
    assert validate(instance, sol, require_slots=True) == []
    assert any(stay.sessions for stay in sol.stays)


def test_a_priced_greedy_with_no_budget_runs_one_stage_for_the_bound(monkeypatch):
    """The priced greedy plans stop at their budget: with none, only the first stage (it gives the bound) runs."""
    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)  # above PROBE_OPTIONS
    monkeypatch.setattr(tuning, "PRICED_GREEDY_MAX", 0.0)
    sol = solve(instance, time_limit=3, seed=0)
    assert sol.stats["lagrangian"]["stages"] == 1
    assert validate(instance, sol, require_slots=True) == [] and sol.bound >= sol.objective


def test_a_priced_greedy_with_an_ample_budget_runs_every_stage(monkeypatch):
    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)
    monkeypatch.setattr(tuning, "PRICED_GREEDY_SHARE", 0.9)  # of a 3 s phase 1: ample for 120 requests
    sol = solve(instance, time_limit=4, seed=0)
    assert sol.stats["lagrangian"]["stages"] == tuning.PRICED_GREEDY_STAGES


def test_the_lagrangian_entry_keeps_the_priced_greedy_figures_when_the_bound_thread_iterates_more(monkeypatch):
    """One entry for the Lagrangian bound: more iterations in the bound's thread update it, never replace it."""
    instance = generate(houses=2, requests=120, therapists=10, days=364, seed=5)
    monkeypatch.setattr(tuning, "PDLP_OPTIONS", 0)  # no LP: the bound's thread runs more Lagrangian iterations
    sol = solve(instance, time_limit=3, seed=0, workers=2)
    entry = sol.stats["lagrangian"]
    assert "lp" not in sol.stats
    assert entry["stages"] >= 1 and entry["seconds"] >= 0 and entry["iterations"] > 0
    assert sol.bound <= entry["bound"] and sol.bound >= sol.objective
