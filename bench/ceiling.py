"""How far a full MIP solver gets on phase 1 of an instance, given minutes instead of seconds.

    .venv/bin/python bench/ceiling.py [INSTANCE] [--seconds 600] [--solver HIGHS|SCIP]

The engine's gap target on realistic.json (0.5 % in 10 s) is measured
against its own bound. This asks what is possible at all: it hands phase 1
(the same options, collective slots and daily capacities the engine
builds, `LinearBound`'s rows with every variable integer) to the MIP
solver shipped with OR-Tools and reports, as it goes, the best plan and
the best bound it has proven. The shared-language rule of collectives is
left out, so the model is a relaxation of phase 1: its bound is a true
bound of the instance, and its plans may value a collective that rule
forbids, which can only flatter the ceiling. Never run as a test.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "instances" / "realistic.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", default=str(DEFAULT))
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--solver", default="HIGHS", choices=["HIGHS", "SCIP"])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from matching.engine import LinearBound
    from matching.io import read_instance
    from matching.prepare import prepare
    from ortools.linear_solver import pywraplp

    instance = read_instance(args.instance)
    t0 = time.monotonic()
    prep = prepare(instance)
    lp = LinearBound(prep)
    lp_bound = lp.run(120.0)
    lp_seconds = time.monotonic() - t0
    mip = LinearBound(prep, args.solver)
    mip._add(range(len(mip.c)))
    for var in mip.vars.values():
        var.SetInteger(True)
    mip.solver.SetTimeLimit(int(args.seconds * 1000))
    if args.solver == "HIGHS":
        mip.solver.EnableOutput()  # HiGHS prints its progress table: time, best plan, best bound
    t1 = time.monotonic()
    code = mip.solver.Solve()
    seconds = time.monotonic() - t1
    locked = prep.locked_bound
    print()
    print(f"{'what':<34} {'value':>12}")
    print("-" * 47)
    print(f"{'LP bound (the engine computes it)':<34} {lp_bound + locked:>12.0f}   {lp_seconds:.1f} s")
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        # OR-Tools' HiGHS wrapper returns no plan when the time limit cuts the search;
        # HiGHS's own table above (BestSol, BestBound) is then the record.
        print(f"{args.solver + ' after ' + format(seconds, '.0f') + ' s':<34} {'see the table above':>12}")
        return 0
    objective = mip.solver.Objective()
    best, bound = objective.Value(), objective.BestBound()
    print(f"{args.solver + ' best plan':<34} {best + locked:>12.0f}   {seconds:.0f} s")
    print(f"{args.solver + ' proven bound':<34} {bound + locked:>12.0f}")
    if best > 0:
        print(f"{'gap, best plan to LP bound':<34} {100 * (lp_bound - best) / lp_bound:>11.2f} %")
        print(f"{'gap, best plan to proven bound':<34} {100 * (bound - best) / bound:>11.2f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
