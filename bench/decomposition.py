"""How much a per-house decomposition could tighten phase 1's bound: each house solved whole, at the LP's prices.

    .venv/bin/python bench/decomposition.py [INSTANCE] [--seconds 240] [--solver SCIP|HIGHS]

The engine's bound on realistic.json is phase 1's LP relaxation. The
stronger formulation suggested for it is one column per house schedule
(Dantzig-Wolfe by house, branch-and-price), which keeps "each request at most
once" inside each house. Its bound at any prices p >= 0 on the request rows is
the Lagrangian L(p) = sum_r p_r + sum_h z_h(p), where z_h(p) is the best
plan of house h alone (its options valued c_j - p_r, every rule of that
house kept, integers). At the LP's own prices, L equals the LP bound when
each house is solved as an LP; it drops only by the integrality gap of the
house problems. This script solves each house's problem at the LP's prices
(rounded up to integers, so still prices) with a MIP solver and prints,
per house, the LP value, the best plan found and the proven bound. The
proven bounds give a true bound of the instance; the best plans show how
far below the LP even an exact per-house decomposition could go at these
prices. (The decomposition's own optimum over all prices may be lower still.)
The shared-language rule of collectives is left out, as in bench/ceiling.py,
which only makes each z_h larger. Never run as a test.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "instances" / "realistic.json"


def request_prices(prep, lp) -> dict[int, int]:
    """The LP's price of each request's one-stay row, rounded up (requests with one option have no row: 0)."""
    prices, _ = lp.prices
    out, row = {}, 0
    for ri, idx in prep.by_request.items():
        if len(idx) > 1:
            out[ri] = math.ceil(max(0.0, float(prices[row])))
            row += 1
    return out


def house_problem(prep, house: int, price: dict[int, int]):
    """House `house` alone: its options worth more than their request's price, valued net of it."""
    from matching.prepare import restrict

    net = replace(prep, options=[replace(o, value=o.value - price.get(o.request, 0)) for o in prep.options])
    ids = [i for i, o in enumerate(net.options) if o.house == house and o.bound > 0]
    requests = sorted({net.options[i].request for i in ids})
    sub, _ = restrict(net, ids, requests, prep.capacity)
    return sub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", default=str(DEFAULT))
    parser.add_argument("--seconds", type=float, default=240.0, help="MIP time per house")
    parser.add_argument("--solver", default="SCIP", choices=["SCIP", "HIGHS"])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from matching.engine import LinearBound
    from matching.io import read_instance
    from matching.prepare import prepare

    instance = read_instance(args.instance)
    prep = prepare(instance)
    lp = LinearBound(prep)
    lp_bound = lp.run(300.0)
    price = request_prices(prep, lp)
    priced = sum(price.values())
    rows = []
    for h, house in enumerate(instance.houses):
        sub = house_problem(prep, h, price)
        relaxed = LinearBound(sub).run(300.0)
        mip = LinearBound(sub, args.solver)
        mip._add(range(len(mip.c)))
        for var in mip.vars.values():
            var.SetInteger(True)
        mip.solver.SetTimeLimit(int(args.seconds * 1000))
        t = time.monotonic()
        mip.solver.Solve()
        objective = mip.solver.Objective()
        best = objective.Value() if mip.solver.NumVariables() else 0.0
        rows.append((house.id, len(sub.options), relaxed, best, objective.BestBound(), time.monotonic() - t))
    locked = prep.locked_bound
    print(f"{'house':<12} {'options':>8} {'LP at prices':>13} {'best plan':>11} {'proven':>11} {'seconds':>8}")
    print("-" * 68)
    for name, n, relaxed, best, proven, seconds in rows:
        print(f"{name:<12} {n:>8} {relaxed:>13.0f} {best:>11.0f} {proven:>11.0f} {seconds:>8.0f}")
    print("-" * 68)
    print(f"{'sum of request prices':<34} {priced:>12}")
    print(f"{'LP bound (the engine computes it)':<34} {lp_bound + locked:>12}")
    print(f"{'per-house bound at these prices':<34} {priced + sum(r[4] for r in rows) + locked:>12.0f}   (true bound)")
    print(f"{'  ... at best per-house plans':<34} {priced + sum(r[3] for r in rows) + locked:>12.0f}   "
          "(no exact per-house solve at these prices goes lower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
