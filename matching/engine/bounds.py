"""Upper bounds of phase 1, hence of the whole instance: the LP relaxation and a Lagrangian relaxation.

Why a bound of phase 1 bounds the whole instance is argued in
`matching.engine` (the package docstring); why each bound here bounds phase 1
is argued in its class docstring.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict

from ..prepare import Prepared
from . import tuning


class LinearBound:
    """The LP relaxation of phase 1 (GLOP or PDLP): a bound from its prices, and its solution as a guide.

    Variables: x (one per option) and y (one per collective slot), in [0, 1].
    Rows, all written `a.v <= b`: one stay per request; a member only in an
    open slot (x_m <= y_k); a slot's size between its minimum and maximum
    (times y_k); every daily capacity. Integrality and the shared-language
    rule are dropped, so the LP's optimum is at least phase 1's.

    The bound is not GLOP's figure but one recomputed from its row prices:
    for ANY prices p >= 0 and any x, y in [0, 1] meeting the rows,
    value(x) <= p.b + sum_j max(0, d_j) with reduced values
    d_j = c_j - (A^T p)_j, because value(x) = p.Ax + d.x <= p.b + d.x. So
    `dual_bound(p)` is a true bound whatever the LP solver's tolerances.
    """

    def __init__(self, prep: Prepared, backend: str = "GLOP", params: str = ""):
        import numpy as np

        self.np = np
        self.backend, self.params = backend, params
        inst = prep.instance
        self.prep = prep
        n, m = len(prep.options), len(prep.slots)
        self.n = n
        rows, cols, coefs, rhs = [], [], [], []

        def row(terms, b):
            r = len(rhs)
            for j, a in terms:
                rows.append(r)
                cols.append(j)
                coefs.append(a)
            rhs.append(b)

        for idx in prep.by_request.values():
            if len(idx) > 1:
                row([(i, 1.0) for i in idx], 1.0)
        for k, slot in enumerate(prep.slots):
            house = inst.houses[slot.house]
            sizes = [(mi, float(len(inst.requests[prep.options[mi].request].defenders))) for mi in slot.members]
            for mi in slot.members:
                row([(mi, 1.0), (n + k, -1.0)], 0.0)
            row([(mi, -a) for mi, a in sizes] + [(n + k, float(house.collective_min))], 0.0)
            if sum(a for _, a in sizes) > house.collective_max:
                row(sizes + [(n + k, -float(house.collective_max))], 0.0)
        # Daily capacities: use[resource] of each variable on each day of [start, end) at its house.
        days = self.days = inst.horizon_days
        use = [[], [], []]
        house, first, end = [], [], []
        for o in prep.options:
            r = inst.requests[o.request]
            use[0].append(float(len(r.defenders) if o.type == "collective" else r.people))
            use[1].append(0.0 if o.type == "collective" else 1.0)
            use[2].append(1.0 if o.type == "family" else 0.0)
            house.append(o.house)
            first.append(o.start)
            end.append(min(days, o.start + o.held))
        for slot in prep.slots:
            use[0].append(0.0)
            use[1].append(1.0)
            use[2].append(0.0)
            house.append(slot.house)
            first.append(slot.start)
            end.append(min(days, slot.start + slot.held))
        self.use = np.array(use, dtype=float)  # 3 x variables
        self.house = np.array(house, dtype=np.int64)
        self.first = np.array(first, dtype=np.int64)
        self.end = np.array(end, dtype=np.int64)
        self.cap = np.array([[c.beds, c.stays, c.family] for c in prep.capacity], dtype=float)  # h x 3 x days
        self.rows = np.array(rows, dtype=np.int64)
        self.cols = np.array(cols, dtype=np.int64)
        self.coefs = np.array(coefs, dtype=float)
        self.rhs = np.array(rhs, dtype=float)
        self.c = np.array([o.bound for o in prep.options] + [0.0] * m, dtype=float)
        self._build_lp(rhs)
        self.best = None
        self.rounds = 0
        self.trace = []

    def _build_lp(self, rhs) -> None:
        """GLOP's model: the rows above, with each day's capacity summed over (start, length) groups.

        A group variable g = sum of the use of the variables with that start
        and length, so each day's row has one term per start, not one per
        option. Option and slot variables are added as columns (`_add`), so
        the LP may start from a few columns and price in the rest.
        """
        from ortools.linear_solver import pywraplp

        np = self.np
        self.solver = lp = pywraplp.Solver.CreateSolver(self.backend)
        self.cons = [lp.Constraint(-lp.infinity(), b) for b in rhs]
        order = np.argsort(self.cols, kind="stable")
        bounds = np.searchsorted(self.cols[order], np.arange(len(self.c) + 1))
        self._entries = (order, bounds)
        self.vars: dict[int, object] = {}
        self.define = {}
        per_day = defaultdict(list)  # (house, resource, day) -> group variables
        keys = set(zip(self.house.tolist(), self.first.tolist(), self.end.tolist()))
        for h, a, b in sorted(keys):
            for res in range(3):
                g = lp.NumVar(0, lp.infinity(), "")
                define = lp.Constraint(0, 0)
                define.SetCoefficient(g, -1)
                self.define[h, a, b, res] = define
                for d in range(a, b):
                    per_day[h, res, d].append(g)
        self.cap_cons = {}
        for (h, res, d), gs in per_day.items():
            c = lp.Constraint(-lp.infinity(), float(self.cap[h, res, d]))
            for g in gs:
                c.SetCoefficient(g, 1)
            self.cap_cons[h, res, d] = c
        lp.Objective().SetMaximization()

    def _add(self, columns) -> None:
        lp = self.solver
        order, bounds = self._entries
        objective = lp.Objective()
        for j in columns:
            j = int(j)
            if j in self.vars:
                continue
            v = self.vars[j] = lp.NumVar(0, 1, "")
            for e in order[bounds[j]:bounds[j + 1]]:
                self.cons[self.rows[e]].SetCoefficient(v, float(self.coefs[e]))
            key = (int(self.house[j]), int(self.first[j]), int(self.end[j]))
            for res in range(3):
                if self.use[res, j]:
                    self.define[(*key, res)].SetCoefficient(v, float(self.use[res, j]))
            if self.c[j]:
                objective.SetCoefficient(v, float(self.c[j]))

    def run(self, seconds: float, columns=None, stop=None) -> int | None:
        """Solve, pricing in the columns left out while some could pay; return the best bound.

        Every round's bound comes from `dual_bound`, so it holds for the
        whole LP however few columns the LP held; with no column left that
        could pay, it is the LP's optimum.
        """
        from ortools.linear_solver import pywraplp

        np = self.np
        end = time.monotonic() + seconds
        if columns is None:
            columns = range(len(self.c))
        self._add(list(columns) + list(range(self.n, len(self.c))))
        while True:
            left = end - time.monotonic()
            if left <= 0.05 or (stop is not None and stop.is_set()):
                break
            self.solver.SetTimeLimit(max(1, int(left * 1000)))
            if self.params:
                self.solver.SetSolverSpecificParametersAsString(self.params)
            code = self.solver.Solve()
            if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
                break
            prices = np.array([c.dual_value() for c in self.cons], dtype=float)
            daily = np.zeros(self.cap.shape)
            for (h, res, d), c in self.cap_cons.items():
                daily[h, res, d] = c.dual_value()
            values = np.zeros(self.n)
            for j, v in self.vars.items():
                if j < self.n:
                    values[j] = v.solution_value()
            bound = self.dual_bound(prices, daily)
            self.rounds += 1
            self.trace.append((round(time.monotonic() - end + seconds, 2), bound, len(self.vars)))
            if self.best is None or bound < self.best:
                self.best, self.values, self.best_reduced = bound, values, self.reduced.copy()
            pay = np.flatnonzero(self.reduced[: self.n] > 1e-6)
            if len(pay):
                pay = pay[np.array([int(j) not in self.vars for j in pay], dtype=bool)]
            if code != pywraplp.Solver.OPTIMAL or not len(pay):
                break
            batch = max(tuning.LP_COLUMNS_MIN, int(len(self.vars) * tuning.LP_COLUMNS_SHARE))
            self._add(pay[np.argsort(-self.reduced[pay], kind="stable")][:batch])
        if self.best is not None:
            self.reduced = self.best_reduced
        return self.best

    def dual_bound(self, prices, daily) -> int:
        """A true upper bound of phase 1 from any prices >= 0 (see the class docstring).

        `prices` are those of the request and slot rows; `daily` those of each
        house's beds, stays and family units per day.
        """
        np = self.np
        prices = np.maximum(0.0, prices)
        daily = np.maximum(0.0, daily)
        priced = np.bincount(self.cols, weights=self.coefs * prices[self.rows], minlength=len(self.c))
        prefix = np.concatenate([np.zeros((*daily.shape[:2], 1)), np.cumsum(daily, axis=2)], axis=2)
        held = prefix[self.house, :, self.end] - prefix[self.house, :, self.first]  # variables x 3
        priced += (held * self.use.T).sum(axis=1)
        self.reduced = self.c - priced
        total = float(prices @ self.rhs) + float((daily * self.cap).sum()) + float(np.maximum(0.0, self.reduced).sum())
        self.prices = (prices, daily)
        return int(math.floor(total + 1e-7 * abs(total))) + 1



class LagrangianBound:
    """A fast upper bound: rule 6's daily capacities moved into the objective with prices.

    For prices lam >= 0 on each house-day's beds, stays and family units,
    L(lam) = sum over requests of max(0, best option value minus the price of
    what it holds) + sum of lam x capacity is an upper bound of phase 1 (a
    feasible plan pays at most the capacity), hence of the whole instance.
    A collective member is charged nd/collective_max of a stay per day, less
    than her share of the collective's stay, which keeps the bound valid.
    Prices follow a subgradient method; every L(lam) seen is a true bound.
    """

    def __init__(self, prep: Prepared):
        import numpy as np

        self.np = np
        inst = prep.instance
        self.days = inst.horizon_days
        n_h = len(inst.houses)
        opts = prep.options
        order = sorted(range(len(opts)), key=lambda i: opts[i].request)
        self.value = np.array([opts[i].bound for i in order], dtype=float)
        self.house = np.array([opts[i].house for i in order], dtype=np.int64)
        self.start = np.array([opts[i].start for i in order], dtype=np.int64)
        self.end = np.minimum(self.start + np.array([opts[i].held for i in order], dtype=np.int64), self.days)
        people, stays, fam = [], [], []
        for i in order:
            o = opts[i]
            r = inst.requests[o.request]
            if o.type == "collective":
                people.append(len(r.defenders))
                stays.append(len(r.defenders) / inst.houses[o.house].collective_max)
            else:
                people.append(r.people)
                stays.append(1.0)
            fam.append(1.0 if o.type == "family" else 0.0)
        self.use = np.array([people, stays, fam], dtype=float)  # 3 x options
        reqs = np.array([opts[i].request for i in order], dtype=np.int64)
        self.first = np.flatnonzero(np.r_[True, reqs[1:] != reqs[:-1]]) if len(reqs) else np.array([], dtype=np.int64)
        self.cap = np.array([[c.beds, c.stays, c.family] for c in prep.capacity], dtype=float)  # h x 3 x days
        self.cap = np.maximum(self.cap, 0.0)
        self.lam = np.zeros((n_h, 3, self.days))
        self.locked_bound = prep.locked_bound
        self.best = float("inf")
        self.iterations = 0

    def evaluate(self):
        np = self.np
        if len(self.value) == 0:
            return 0.0, None
        prefix = np.concatenate([np.zeros((*self.lam.shape[:2], 1)), np.cumsum(self.lam, axis=2)], axis=2)
        held_price = prefix[self.house, :, self.end] - prefix[self.house, :, self.start]  # options x 3
        reduced = self.value - (held_price * self.use.T).sum(axis=1)
        best_per_req = np.maximum.reduceat(reduced, self.first)
        total = np.maximum(best_per_req, 0.0).sum() + (self.lam * self.cap).sum()
        return total, (reduced, best_per_req)

    def _usage(self, reduced, best_per_req):
        np = self.np
        counts = np.diff(np.r_[self.first, len(reduced)])
        is_best = (reduced == np.repeat(best_per_req, counts)) & (np.repeat(best_per_req, counts) > 0)
        # one option per request: keep the first best
        idx = np.flatnonzero(is_best)
        req_of = np.repeat(np.arange(len(self.first)), counts)[idx]
        _, keep = np.unique(req_of, return_index=True)
        idx = idx[keep]
        usage = np.zeros((self.lam.shape[0], 3, self.days + 1))
        for k in range(3):
            np.add.at(usage[:, k, :], (self.house[idx], self.start[idx]), self.use[k, idx])
            np.add.at(usage[:, k, :], (self.house[idx], self.end[idx]), -self.use[k, idx])
        return np.cumsum(usage, axis=2)[:, :, : self.days]

    def run(self, target: float, seconds: float, stop=None) -> int | None:
        """Improve the prices for `seconds`; return the best bound, rounded up to an integer."""
        np = self.np
        end = time.monotonic() + seconds
        theta, stall = 1.0, 0
        while time.monotonic() < end and not (stop is not None and stop.is_set()):
            total, parts = self.evaluate()
            self.iterations += 1
            if total < self.best - 1e-6:
                self.best, stall = total, 0
            else:
                stall += 1
                if stall >= tuning.SUBGRADIENT_STALL:
                    theta, stall = theta / 2, 0
            if parts is None or theta < tuning.SUBGRADIENT_MIN_STEP:
                break
            grad = self.cap - self._usage(*parts)
            norm = float((grad * grad).sum())
            if norm <= 0:
                break
            step = theta * max(total - target, 1e-3 * abs(total)) / norm
            self.lam = np.maximum(0.0, self.lam - step * grad)
        if self.best == float("inf"):
            return None
        return int(math.floor(self.best + 1e-9 * abs(self.best))) + 1

    def option_order(self, prep: Prepared) -> list[int]:
        """Option indices by value net of the capacity prices, best first."""
        np = self.np
        _, parts = self.evaluate()
        if parts is None:
            return []
        order = sorted(range(len(prep.options)), key=lambda i: prep.options[i].request)
        ranked = np.argsort(-parts[0], kind="stable")
        return [order[k] for k in ranked]
