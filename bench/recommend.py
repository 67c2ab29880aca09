"""Benchmark `matching.recommend`: how fast an urgent case gets its options, and how good they are.

    [RESPIRO_SHARED=../shared] .venv/bin/python bench/recommend.py [--requests 20] [--time-limit 1.5] [--replan 10] [--workers 2]

On the shared realistic instance: solve once (10 s), lock every other stay,
then for each of N requests (those the plan leaves out that some house could
take, then requests removed from unlocked stays) make her urgent (urgency 3)
and time `recommend`. For comparison, a full re-plan of the same instance
(`solve` for `--replan` seconds, hinted with the plan) places her too: the
table shows her own value there and in the best option (serve, wait, type,
away and session terms of her request alone), the objective change of both,
and how many unlocked stays each changes. "At re-plan's place" is the objective change
of putting her where the re-plan put her, in this plan, with `recommend` restricted
to that place: the best option must be at least as good. Every option is checked with
`validate`. Never run as a test.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("RESPIRO_SHARED", REPO.parent / "shared"))  # a worktree lives elsewhere

from matching import explain, read_instance, read_solution, recommend, score, solve, validate  # noqa: E402
from matching.io import solution_to_dict, write_json  # noqa: E402
from matching.model import DIMENSIONS, Instance, Solution  # noqa: E402


def her_value(instance: Instance, solution: Solution, rid: str) -> int | None:
    """The objective terms of request `rid` alone in `solution` (None when she is in no stay)."""
    for stay in solution.stays:
        if rid not in stay.requests:
            continue
        w, r = instance.weights, instance.request_by_id[rid]
        house = instance.house_by_id[stay.house]
        u = w.urgency_factor[r.urgency]
        value = w.serve * u * len(r.defenders) - w.wait * u * (stay.start - r.earliest_start).days
        value -= w.type_rank * r.stay_types.index(stay.type)
        value -= w.away if house.country != r.country else 0
        per_dim = {d: sum(1 for s in stay.sessions if s.dimension == d) for d in DIMENSIONS}
        return value + w.session * u * sum(min(r.needs.get(d, 0), per_dim[d]) for d in DIMENSIONS)
    return None


def changed(plan: Solution, other: Solution, locked: set) -> int:
    """Unlocked stays of `plan` that `other` does not hold at the same place with the same requests."""
    keep = {(s.house, s.start, s.type, frozenset(s.requests)) for s in other.stays}
    return sum(1 for s in plan.stays if s.id not in locked
               and (s.house, s.start, s.type, frozenset(s.requests)) not in keep)


def cases(instance: Instance, plan: Solution, locked: set, count: int) -> list[tuple[str, Solution]]:
    """(request id, plan without her) for requests left out that a house could take, then removed ones."""
    out = []
    for u in explain(instance, plan):
        if u.code in ("no_free_place", "not_reached", "no_collective") and len(out) < count // 2:
            out.append((u.request, plan))
    for stay in plan.stays:
        if len(out) >= count:
            break
        if stay.id in locked or len(stay.requests) != 1:
            continue
        rest = Solution(stays=[s for s in plan.stays if s.id != stay.id], status=plan.status)
        out.append((stay.requests[0], rest))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=1.5, help="recommend's time limit (s)")
    ap.add_argument("--replan", type=float, default=10.0, help="full re-plan time limit (s)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--plan", help="a saved plan of realistic.json to start from (else solve 10 s)")
    ap.add_argument("--save-plan", help="write the plan solved here to this file")
    args = ap.parse_args()

    instance = read_instance(SHARED / "instances" / "realistic.json")
    if args.plan:
        plan = read_solution(args.plan, instance)
    else:
        plan = solve(instance, time_limit=10, workers=args.workers)
    if args.save_plan:
        write_json(args.save_plan, solution_to_dict(plan))
    locked_stays = tuple(plan.stays[::2])
    locked = {s.id for s in locked_stays}
    instance = dataclasses.replace(instance, locked=locked_stays)
    print(f"plan: objective {plan.objective}, {len(plan.stays)} stays, {len(locked)} locked, "
          f"{len(plan.unassigned)} left out")
    print(f"{'request':8} {'how':8} {'secs':>5} {'opts':>4} {'best':>9} {'her':>7} {'moves':>5} "
          f"{'replan':>9} {'her':>7} {'moves':>5}  verdict")
    times, wins, compared = [], 0, 0
    for rid, base in cases(instance, plan, locked, args.requests):
        r = instance.request_by_id[rid]
        urgent = dataclasses.replace(r, urgency=3)
        inst = dataclasses.replace(instance, requests=tuple(urgent if x.id == rid else x for x in instance.requests))
        base_objective = score(inst, base).total
        t0 = time.monotonic()
        rec = recommend(inst, base, rid, top=args.top, time_limit=args.time_limit, workers=args.workers)
        took = time.monotonic() - t0
        times.append(took)
        for o in rec.options:
            assert validate(inst, o.solution) == [], (rid, o.house, o.start)
            assert o.objective_delta == score(inst, o.solution).total - base_objective
        replan = solve(inst, time_limit=args.replan, workers=args.workers, hint=base)
        re_delta = score(inst, replan).total - base_objective
        re_her = her_value(inst, replan, rid)
        how = "left out" if base is plan else "removed"
        if rec.options:
            best = rec.options[0]
            b_her = her_value(inst, best.solution, rid)
            cols = f"{best.objective_delta:>9} {b_her:>7} {len(best.moves):>5}"
        else:
            best, b_her = None, None
            cols = f"{'-':>9} {'-':>7} {'-':>5}"
        at_replan = None
        if re_her is not None:  # her re-plan place, made in this plan with as few moves as recommend makes
            where = next(s for s in replan.stays if rid in s.requests)
            again = recommend(inst, base, rid, top=1, time_limit=args.time_limit, workers=args.workers,
                              place=(where.house, where.type, where.start))
            at_replan = again.options[0].objective_delta if again.options else None
        if re_her is None:
            verdict = "re-plan leaves her out"
        elif best is None:
            verdict = "WORSE: no option"
            compared += 1
        else:
            compared += 1
            ok = at_replan is None or best.objective_delta >= at_replan
            wins += ok
            verdict = (f"at re-plan's place {at_replan if at_replan is not None else 'no fit'}: "
                       f"{'best is at least as good' if ok else 'WORSE'}; for her {'>=' if b_her >= re_her else '<'}")
        re_cols = (f"{re_delta:>9} {re_her if re_her is not None else '-':>7} "
                   f"{changed(base, replan, locked):>5}")
        print(f"{rid:8} {how:8} {took:5.2f} {len(rec.options):>4} {cols} {re_cols}  {verdict}", flush=True)
    q = statistics.quantiles(times, n=20, method="inclusive")
    print(f"\n{len(times)} requests, recommend --time-limit {args.time_limit}: "
          f"p50 {statistics.median(times):.2f} s, p95 {q[18]:.2f} s, max {max(times):.2f} s; "
          f"best option at least as good as her place in the {args.replan:.0f} s re-plan in {wins}/{compared}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
