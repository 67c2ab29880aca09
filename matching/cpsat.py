"""The CP-SAT engine: `solve(instance, time_limit=...)` -> Solution.

Two phases share the time limit.

Phase 1 decides the stays: which request goes to which house, with which
type, from which start, and which collectives form. Every option it may pick
has passed rules 2-5 and the capacity left by locked stays (`prepare`); a
collective is a `Slot` (house, start, copy) that requests join. `StayModel`
adds rule 1 (one stay per request), rule 3 (collective size, a shared
language) and rule 6 (beds, concurrent stays, family units on each held day,
turnover included). Small instances are solved whole with every worker.
Larger ones start from the better of the baseline and a greedy ordered by a
Lagrangian relaxation's prices, then `WindowSearch` (a large-neighbourhood
search re-solving part of the plan exactly with CP-SAT) improves the plan.
Its neighbourhoods: the stays starting in a time window at a few houses
(sweeping the year); now and then the days around a waiting request's
window at houses she could go to; often (`collective_turn`), every request
in (or accepting) a collective over some months, which merges small
collectives and frees places; and, once the LP below is solved, every stay at once with
each request restricted to her current option and those the LP solution
uses (a relaxation-induced neighbourhood); when that LP was solved exactly,
later window and collective steps offer only the options its vertex uses
and the current ones (`WindowSearch.follow`). Each neighbourhood is solved by a
one-worker CP-SAT with its LP: with two workers, two neighbourhoods that
cannot interact run side by side rather than one shared solve, which
measured far worse on these models. Meanwhile, on the other worker, phase 1's LP relaxation is solved for the
bound (`LinearBound`: GLOP, exactly, up to `LP_OPTIONS` options; PDLP,
approximately, up to `PDLP_OPTIONS`), or else the Lagrangian prices are
improved further.
A long run on a small model ends with CP-SAT on the whole phase-1 model,
hinted with the plan the window search reached (`Engine._polish`): the
window search climbs fast, then stalls.

Phase 2 (`programme`) gives the chosen stays their sessions (rules 7-9):
a greedy programme, then CP-SAT unless the greedy one already meets the
session bound of those stays.

Why the bound is a bound of the whole problem. Take any solution S feasible
for the whole instance. Its stays are options phase 1 can pick (same static
rules, locks included); its occupancy meets the same per-day capacities; a
collective's members speak a language enough candidates share. Collectives
starting together at one house are copies of one slot; when all candidates
of a (house, start) share a language, two of them that fit together merge
into one worth the same in phase 1 with one stay fewer, so the copies made
(`prepare._collective_slots`) suffice. So S maps onto a feasible phase-1
plan. Phase 1 values each request in a stay at its exact serve, wait,
type-rank and away terms plus `SessionSupply.bound`, at least the session
term she can earn in ANY programme of that stay (her needs, sessions per
stay-day x length, and what qualified therapists could give on those days);
the switch penalty, never positive, counts as 0. So phase-1 value(S) >=
objective(S), and any upper bound of phase 1 bounds the whole instance. The
engine reports the least of: CP-SAT's proven bound of phase 1; the LP dual
bound (`LinearBound`: phase 1's rules as linear rows A v <= b over options
and collective slots in [0, 1], which every phase-1 plan meets; for ANY
prices p >= 0, value(v) = p.Av + d.v <= p.b + sum_j max(0, d_j) with
d = c - A^T p; the engine evaluates this itself from the LP solver's
prices, so an approximate (PDLP) or interrupted LP yields a weaker bound,
never a false one); the Lagrangian bound (`LagrangianBound`: capacities
priced into the objective, any prices >= 0 give an upper bound); and the
sum over requests of their best option. Locked stays add a constant computed the same way. If options
had to be thinned to fit in memory, only the last (taken before thinning)
is used. `tests/matching/test_solve.py` checks bound >= exact optimum by
brute force on tiny instances.
"""
from __future__ import annotations

import math
import random
import threading
import time
from collections import defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from .model import Instance, Solution, Stay
from .prepare import (
    Capacity, Option, Prepared, SessionSupply, _fits_capacity, lock_problems, lock_violations, prepare, restrict,
)
from .programme import _watch, programme

MAX_OPTIONS = 3_000_000  # above this, keep each request's best options only
FULL_MODEL_OPTIONS = 200_000  # above this, no whole phase-1 model: window search only, trivial bound
LP_OPTIONS = 30_000  # up to this, also solve phase 1's LP relaxation exactly (GLOP) for a bound
PDLP_OPTIONS = 250_000  # up to this, solve it approximately (PDLP, one thread): its prices still give a true bound
PDLP_PARAMS = ("termination_criteria { simple_optimality_criteria { eps_optimal_absolute: 1e-4 "
               "eps_optimal_relative: 1e-4 } } num_threads: 1")
PROBE_OPTIONS = 5_000  # up to this, first try to solve phase 1 whole with every worker
POLISH_OPTIONS = 30_000  # up to this, a long run ends with CP-SAT on the whole phase-1 model (`Engine._polish`)
POLISH_FROM = 40.0  # phase-1 seconds from which it pays (measured on realistic.json, see `Engine._polish`)
STEP_SECONDS = (1.0, 0.6)  # time limit of one neighbourhood solve, few houses / many (measured on the samples)


class StayModel:
    """Phase 1: the decision variables of which stays run, and the rules over them."""

    def __init__(self, prep: Prepared):
        self.prep = prep
        self.inst = prep.instance
        self.model = cp_model.CpModel()
        inst = self.inst
        self.take = [self.model.NewBoolVar(self._name(o)) for o in prep.options]
        self.open = [self.model.NewBoolVar(f"collective_{inst.houses[s.house].id}_{inst.date_of(s.start)}")
                     for s in prep.slots]
        self.speak: dict[tuple[int, str], cp_model.IntVar] = {}
        self._aggregates: list[tuple[cp_model.IntVar, list]] = []
        self._one_stay_per_request()
        self._collectives_sized_and_sharing_a_language()
        self._house_capacity_each_day()
        self.objective = cp_model.LinearExpr.WeightedSum(self.take, [o.bound for o in prep.options])
        self.model.Maximize(self.objective)

    def _name(self, o: Option) -> str:
        inst = self.inst
        return f"take_{inst.requests[o.request].id}_{inst.houses[o.house].id}_{o.type}_{inst.date_of(o.start)}"

    # ----- hard rules ---------------------------------------------------
    def _one_stay_per_request(self) -> None:
        """Rule 1: a request is in at most one stay."""
        for ri, idx in self.prep.by_request.items():
            if len(idx) > 1:
                self.model.AddAtMostOne(self.take[i] for i in idx)

    def _collectives_sized_and_sharing_a_language(self) -> None:
        """Rule 3: a collective holds min..max defenders who share a language."""
        inst, prep = self.inst, self.prep
        for k, slot in enumerate(prep.slots):
            house = inst.houses[slot.house]
            opened = self.open[k]
            sizes = []
            for m in slot.members:
                self.model.AddImplication(self.take[m], opened)
                sizes.append(len(inst.requests[prep.options[m].request].defenders))
            size = cp_model.LinearExpr.WeightedSum([self.take[m] for m in slot.members], sizes)
            self.model.Add(size >= house.collective_min * opened)
            if sum(sizes) > house.collective_max:
                self.model.Add(size <= house.collective_max)
            if slot.copy > 0:  # interchangeable collectives at one (house, start): open them in order
                earlier = prep.slot_of.get((slot.house, slot.start, slot.copy - 1))
                if earlier is not None:
                    self.model.AddImplication(opened, self.open[earlier])
            if slot.common:
                continue
            speak = {lang: self.model.NewBoolVar(f"speaks_{house.id}_{inst.date_of(slot.start)}_{lang}")
                     for lang in slot.languages}
            self.speak.update({(k, lang): v for lang, v in speak.items()})
            self.model.Add(sum(speak.values()) == opened)
            for m in slot.members:
                r = inst.requests[prep.options[m].request]
                self.model.AddBoolOr([self.take[m].Not()] + [speak[lang] for lang in r.languages if lang in speak])

    def _house_capacity_each_day(self) -> None:
        """Rule 6: beds, concurrent stays and family units on every held day (turnover included).

        Terms are first summed per (start, held length) so that each day's
        constraint has one term per possible start, not one per option.
        """
        inst, prep = self.inst, self.prep
        at_house = defaultdict(list)
        for i, o in enumerate(prep.options):
            if o.type != "collective":
                at_house[o.house].append(i)
        for hi, house in enumerate(inst.houses):
            beds, stays, family = defaultdict(list), defaultdict(list), defaultdict(list)
            for i in at_house[hi]:
                o = prep.options[i]
                r = inst.requests[o.request]
                beds[o.start, o.held].append((r.people, self.take[i], o.request))
                stays[o.start, o.held].append((1, self.take[i], o.request))
                if o.type == "family":
                    family[o.start, o.held].append((1, self.take[i], o.request))
            for k, slot in enumerate(prep.slots):
                if slot.house != hi:
                    continue
                stays[slot.start, slot.held].append((1, self.open[k], -1 - k))
                for m in slot.members:
                    r = inst.requests[prep.options[m].request]
                    beds[slot.start, slot.held].append((len(r.defenders), self.take[m], prep.options[m].request))
            cap = prep.capacity[hi]
            self._limit_per_day(f"beds_{house.id}", beds, cap.beds)
            self._limit_per_day(f"stays_{house.id}", stays, cap.stays)
            self._limit_per_day(f"family_{house.id}", family, cap.family)

    def _limit_per_day(self, name: str, groups: dict, capacity: list[int]) -> None:
        days = self.inst.horizon_days
        per_day: list[list] = [[] for _ in range(days)]
        for (start, held), terms in sorted(groups.items()):
            ub = sum(max(c for c, _, who in terms if who == w) for w in {who for _, _, who in terms})
            if len(terms) == 1 and terms[0][0] == 1:
                expr = terms[0][1]
            else:
                expr = self.model.NewIntVar(0, ub, f"{name}_from_d{start}")
                self.model.Add(expr == cp_model.LinearExpr.WeightedSum([v for _, v, _ in terms], [c for c, _, _ in terms]))
                self._aggregates.append((expr, terms))
            for d in range(start, min(days, start + held)):
                per_day[d].append((expr, ub))
        for d, items in enumerate(per_day):
            if sum(ub for _, ub in items) > capacity[d]:
                self.model.Add(sum(e for e, _ in items) <= capacity[d])

    # ----- hints, answers -----------------------------------------------
    def assignment_of(self, stays: list[Stay]) -> tuple[set[int], set[int], dict[int, str]]:
        """The options, slots and languages that reproduce `stays` (those the model can express)."""
        return self.assignment_of_options(options_of_stays(self.prep, stays))

    def add_hint(self, stays: list[Stay]) -> None:
        """Hint every variable: the stays given, nothing else."""
        self.hint_assignment(*self.assignment_of(stays))

    def hint_assignment(self, taken: set[int], opened: set[int], spoken: dict[int, str]) -> None:
        value: dict[int, int] = {}
        for i, v in enumerate(self.take):
            value[v.Index()] = int(i in taken)
        for k, v in enumerate(self.open):
            value[v.Index()] = int(k in opened)
        for (k, lang), v in self.speak.items():
            value[v.Index()] = int(spoken.get(k) == lang)
        for var, terms in self._aggregates:
            value[var.Index()] = sum(c * value[v.Index()] for c, v, _ in terms)
        self.model.ClearHints()
        for v in [*self.take, *self.open, *self.speak.values(), *(a for a, _ in self._aggregates)]:
            self.model.AddHint(v, value[v.Index()])

    def assignment_of_options(self, taken: set[int]) -> tuple[set[int], set[int], dict[int, str]]:
        """Slots and languages that go with a set of taken options."""
        inst, prep = self.inst, self.prep
        members = defaultdict(list)
        for i in taken:
            if prep.options[i].type == "collective":
                members[prep.slot_of_option(i)].append(i)
        opened, spoken = set(members), {}
        for k, ms in members.items():
            if not prep.slots[k].common:
                shared = set(prep.slots[k].languages)
                for i in ms:
                    shared &= set(inst.requests[prep.options[i].request].languages)
                spoken[k] = min(shared)
        return set(taken), opened, spoken

    def chosen(self, value) -> tuple[list[int], dict[int, list[int]]]:
        """Chosen single-request options and open slots with their members, given a value function."""
        singles, collectives = [], {}
        for k, slot in enumerate(self.prep.slots):
            if value(self.open[k]):
                collectives[k] = [m for m in slot.members if value(self.take[m])]
        for i, o in enumerate(self.prep.options):
            if o.type != "collective" and value(self.take[i]):
                singles.append(i)
        return singles, collectives

    @property
    def size(self) -> dict:
        proto = self.model.Proto()
        return {"variables": len(proto.variables), "constraints": len(proto.constraints)}


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
            self._add(pay[np.argsort(-self.reduced[pay], kind="stable")][: max(2000, len(self.vars) // 4)])
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
                if stall >= 25:
                    theta, stall = theta / 2, 0
            if parts is None or theta < 1e-5:
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


def greedy_plan(prep: Prepared, order: list[int]) -> dict[int, int]:
    """Place requests option by option in `order` wherever every capacity still allows.

    A collective option joins the collective already planned at its (house,
    start) when size and language allow, or opens one with unplaced requests
    that share a language and could also start there.
    """
    inst = prep.instance
    caps = [Capacity(list(c.beds), list(c.stays), list(c.family)) for c in prep.capacity]
    plan: dict[int, int] = {}  # request -> option
    opened: dict[tuple[int, int], list[int]] = defaultdict(list)  # (house, start) -> open slots, in copy order
    joined: dict[int, list[int]] = defaultdict(list)  # slot -> member options taken
    member_of = {(k, prep.options[m].request): m for k, slot in enumerate(prep.slots) for m in slot.members}

    def fits(o: Option, people: int, new_stay: bool) -> bool:
        cap = caps[o.house]
        for d in range(o.start, min(inst.horizon_days, o.start + o.held)):
            if cap.beds[d] < people or (new_stay and cap.stays[d] < 1) or (o.type == "family" and cap.family[d] < 1):
                return False
        return True

    def take(o: Option, people: int, new_stay: bool) -> None:
        cap = caps[o.house]
        for d in range(o.start, min(inst.horizon_days, o.start + o.held)):
            cap.beds[d] -= people
            cap.stays[d] -= new_stay
            cap.family[d] -= o.type == "family"

    for i in order:
        o = prep.options[i]
        if o.request in plan or o.copy:
            continue
        r = inst.requests[o.request]
        if o.type != "collective":
            if fits(o, r.people, True):
                take(o, r.people, True)
                plan[o.request] = i
            continue
        house = inst.houses[o.house]
        nd = len(r.defenders)
        done = False
        for k in opened[o.house, o.start]:
            members = [inst.requests[prep.options[m].request] for m in joined[k]]
            size = sum(len(x.defenders) for x in members) + nd
            shared = set(r.languages).intersection(*(set(x.languages) for x in members))
            m = member_of.get((k, o.request))
            if m is not None and size <= house.collective_max and shared and fits(o, nd, False):
                take(o, nd, False)
                joined[k].append(m)
                plan[o.request] = m
                done = True
                break
        if done:
            continue
        k = prep.slot_of.get((o.house, o.start, len(opened[o.house, o.start])))
        if k is None or (k, o.request) not in member_of:
            continue
        slot = prep.slots[k]
        for lang in r.languages:
            chosen, size = [member_of[k, o.request]], nd
            for m in slot.members:
                other = inst.requests[prep.options[m].request]
                if other.id == r.id or prep.options[m].request in plan or lang not in other.languages:
                    continue
                if size >= house.collective_min:
                    break
                if size + len(other.defenders) <= house.collective_max:
                    chosen.append(m)
                    size += len(other.defenders)
            if size >= house.collective_min and fits(o, size, True):
                take(o, size, True)
                opened[o.house, o.start].append(k)
                joined[k] = chosen
                for m in chosen:
                    plan[prep.options[m].request] = m
                break
    return plan


class WindowSearch:
    """Large-neighbourhood search: free the stays that start in a time window, re-solve there exactly.

    The plan maps each placed request to its option. A step frees every
    request placed at the chosen houses with a start in [a, b), adds every
    unplaced request with an option there, and solves that small StayModel
    with the capacity the other stays leave. The current plan is hinted, so
    a step never loses value; it is kept only when it gains.
    """

    def __init__(self, prep: Prepared, plan: dict[int, int], seed: int):
        self.prep = prep
        self.plan = dict(plan)
        self.rng = random.Random(seed)
        self.value = sum(prep.options[i].bound for i in self.plan.values())
        houses = list(range(len(prep.instance.houses)))
        self.group_size = len(houses) if len(houses) <= 3 else 3
        self.workers = 1
        n_options = max(1, len(prep.options))
        self.window = int(min(prep.instance.horizon_days,
                              max(14, prep.instance.horizon_days * 1200 * len(houses) / (n_options * self.group_size))))
        self.cursor = 0
        self.steps = self.gains = 0
        self.work = 0.0  # deterministic time spent in steps
        self.kind = "window"
        self.gain_by_kind: dict[str, int] = {}
        self.tries: dict[str, int] = {}
        self.deterministic = True  # single-worker engine runs: steps stop on work done, not on the clock
        self.pairs = 0
        self.longest_held = max([o.held for o in prep.options] + [0])
        # With few houses every window spans all of them, so a waiting
        # request's houses are always in it; with many, windows cover a
        # group of houses and the steps around a waiting request matter more.
        self.few_houses = len(houses) < 4
        self.guide = None  # options an exact LP solution uses (`follow`); None until there is one

    def follow(self, lp_values) -> None:
        """From now on, time-window and collective steps offer only options the LP's vertex uses (and current ones).

        An exact (simplex) LP solution is a vertex: few options carry weight
        (about 650 of 15,000 on realistic.json), and the plans near the LP
        optimum are mostly made of them. Offering only those lets a step
        re-solve a window several times longer in the same time (the window
        adapts), the relaxation-induced neighbourhood search of MIP solvers
        (RINS) over a sweep of windows. Measured on realistic.json in 10 s,
        seven seeds: +24,000 on average (+0.3 %), better on six of seven (one by 400).
        Steps around a waiting request keep all her options: the LP may
        give her none.
        """
        self.guide = lp_values > 1e-6

    def _usage_without(self, freed: set[int]) -> list[Capacity]:
        """Capacity left by locks and by the planned stays of requests not in `freed`."""
        inst, prep = self.prep.instance, self.prep
        caps = [Capacity(list(c.beds), list(c.stays), list(c.family)) for c in prep.capacity]
        collectives = set()
        for ri, i in self.plan.items():
            if ri in freed:
                continue
            o = prep.options[i]
            r = inst.requests[ri]
            cap = caps[o.house]
            slot = prep.slot_of_option(i) if o.type == "collective" else None
            counts = slot is None or slot not in collectives
            collectives.add(slot)
            for d in range(o.start, min(inst.horizon_days, o.start + o.held)):
                cap.beds[d] -= len(r.defenders) if o.type == "collective" else r.people
                cap.stays[d] -= counts
                cap.family[d] -= o.type == "family"
        return caps

    def next_neighbourhood(self) -> tuple[set[int], int, int]:
        """Now and then (every 4th step, every 2nd with many houses) days around a waiting request's window; else the next days."""
        inst = self.prep.instance
        self.turn = getattr(self, "turn", 0) + 1
        self.tries["other"] = self.tries.get("other", 0) + 1
        self.kind = "window"
        if self.turn % (4 if self.few_houses else 2) == 0:
            around = self._around_a_waiting_request()
            if around is not None:
                self.kind = "around"
                return around
        houses = self._house_group()
        a = self.cursor
        b = a + self.window
        self.cursor = a + max(7, self.window // 2)
        if self.cursor >= inst.horizon_days:
            self.cursor = self.rng.randrange(0, 7)
        return houses, a, b

    def step_relaxation(self, lp_values, time_limit: float, stop=None) -> bool:
        """Free every stay; each request may keep hers or take an option the LP relaxation uses."""
        self.kind = "relaxation"
        current = set(self.plan.values())
        part = self._part_freeing(set(self.plan), lambda i, o: lp_values[i] > 1e-6 or i in current)
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def collective_turn(self, rounds: int) -> bool:
        """Whether round `rounds` is a collective step: every third (few houses) or two in three (many), while they pay."""
        if not self.collectives_pay():
            return rounds % 6 == 0
        return rounds % 3 == 0 if self.few_houses else rounds % 3 != 0

    def collectives_pay(self) -> bool:
        """Whether collective steps gain, per try, at least half what the others do (so far)."""
        tries = self.tries.get("collectives", 0)
        if tries < 3:
            return True
        mine = self.gain_by_kind.get("collectives", 0) / tries
        others = sum(v for k, v in self.gain_by_kind.items() if k != "collectives") / max(1, self.tries.get("other", 0))
        return mine >= 0.5 * others

    def _around_a_waiting_request(self) -> tuple[set[int], int, int] | None:
        prep, inst = self.prep, self.prep.instance
        waiting = [ri for ri in prep.free if ri not in self.plan and prep.by_request[ri]]
        if not waiting:
            return None
        ri = self.rng.choice(waiting)
        starts = [prep.options[i].start for i in prep.by_request[ri]]
        middle = (min(starts) + max(starts)) // 2
        a = max(0, min(inst.horizon_days - self.window, middle - self.window // 2))
        n = len(inst.houses)
        if self.group_size == n:
            return set(range(n)), a, a + self.window
        hers = sorted({prep.options[i].house for i in prep.by_request[ri]})
        houses = set(self.rng.sample(hers, min(len(hers), self.group_size)))
        others = [h for h in range(n) if h not in houses]
        houses |= set(self.rng.sample(others, min(len(others), self.group_size - len(houses))))
        return houses, a, a + self.window

    def step(self, time_limit: float, stop=None) -> bool:
        """One neighbourhood; True if the plan improved."""
        houses, a, b = self.next_neighbourhood()
        part = self._part(houses, a, b, None)
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def step_pair(self, time_limit: float, stop=None, collectives: bool = False) -> bool:
        """Two neighbourhoods at once, one per worker, each solved by a one-worker CP-SAT.

        One worker with its LP (linearization level 2) solves these window
        models far better than two workers sharing one: measured on
        realistic.json, a 90-day window at both houses is proven optimal in
        4 s by one worker, while two workers are still 20 % short of it
        then. So both cores get a neighbourhood of their own. With many
        houses: the same days at two disjoint groups of houses. With few:
        all houses, over two windows of days far enough apart that no stay
        of one can hold a day of the other (`_apart`). A request waiting for
        a place goes to the neighbourhood where she has options; one with
        options in both goes to one of them (by parity), so the two answers
        never collide and both can be kept (`_share_waiting`).
        """
        self.pairs += 1
        parts = self._collective_pair() if collectives else self._window_pair()
        if parts is None:  # the horizon is too short for two windows apart
            return self.step_collectives(time_limit, stop) if collectives else self.step(time_limit, stop)
        results = [None, None]

        def run(k):
            if parts[k] is not None:
                results[k] = self._solve(parts[k], time_limit, stop)

        other = threading.Thread(target=run, args=(1,))
        other.start()
        run(0)
        other.join()
        gained = False
        for part, result in zip(parts, results):
            if part is not None:
                gained |= self._apply(part, result)
        return gained

    def _window_pair(self):
        houses, a, b = self.next_neighbourhood()
        parity = self.pairs % 2
        if not self.few_houses:
            order = list(range(len(self.prep.instance.houses)))
            self.rng.shuffle(order)
            g = min(self.group_size, len(order) // 2)
            first, second = set(order[:g]), set(order[g: 2 * g])
            allowed = [self._window_allowed(first, a, b), self._window_allowed(second, a, b)]
            waiting = self._share_waiting(allowed, parity)
            parts = [self._part(first, a, b, waiting[0]), self._part(second, a, b, waiting[1])]
        else:
            c = self._apart(a, b - a)
            if c is None:
                return None
            allowed = [self._window_allowed(houses, a, b), self._window_allowed(houses, c, c + b - a)]
            waiting = self._share_waiting(allowed, parity)
            parts = [self._part(houses, a, b, waiting[0]), self._part(houses, c, c + b - a, waiting[1])]
        self.tries["other"] += 1  # next_neighbourhood counted one of the two
        return parts

    def _collective_pair(self):
        houses, a, span = self._collective_window()
        c = self._apart(a, span)
        if c is None:
            return None
        self.kind = "collectives"
        self.tries["collectives"] = self.tries.get("collectives", 0) + 2
        allowed = [self._window_allowed(houses, a, a + span), self._window_allowed(houses, c, c + span)]
        waiting = self._share_waiting(allowed, self.pairs % 2)
        return [self._collective_part(houses, a, a + span, waiting[0]),
                self._collective_part(houses, c, c + span, waiting[1])]

    def _house_group(self) -> set[int]:
        n = len(self.prep.instance.houses)
        return set(range(n)) if self.group_size == n else set(self.rng.sample(range(n), self.group_size))

    def _apart(self, a: int, span: int) -> int | None:
        """A start for a second window of `span` days whose stays never share a day with those of [a, a+span).

        A stay starting in a window holds at most `longest_held` days past
        it, so a gap of that many days keeps the two independent. Of the
        starts allowed, the one nearest half a horizon away.
        """
        days = self.prep.instance.horizon_days
        gap = span + self.longest_held
        target = (a + days // 2) % days
        ranges = [(lo, hi) for lo, hi in ((a + gap, days - span), (0, a - gap)) if lo <= hi]
        if not ranges:
            return None
        return min((min(max(target, lo), hi) for lo, hi in ranges), key=lambda b: (abs(b - target), b))

    def _window_allowed(self, houses: set[int], a: int, b: int):
        """The options a neighbourhood of these houses and start days offers (guided, see `_guided`)."""
        return self._guided(lambda i, o: o.house in houses and a <= o.start < b)

    def _share_waiting(self, allowed: list, parity: int) -> list[set[int]]:
        """Waiting requests for each of two neighbourhoods: where she has options; with options in both, one by parity."""
        prep = self.prep
        shares: list[set[int]] = [set(), set()]
        for ri in prep.free:
            if ri in self.plan:
                continue
            has = [any(allow(i, prep.options[i]) for i in prep.by_request[ri]) for allow in allowed]
            if has[0] and has[1]:
                shares[(ri + parity) % 2].add(ri)
            elif has[0] or has[1]:
                shares[0 if has[0] else 1].add(ri)
        return shares

    def _part(self, houses: set[int], a: int, b: int, waiting: set[int] | None):
        prep = self.prep
        freed = {ri for ri, i in self.plan.items()
                 if prep.options[i].house in houses and a <= prep.options[i].start < b}
        return self._part_freeing(freed, self._window_allowed(houses, a, b), waiting)

    def _guided(self, allowed):
        """`allowed`, narrowed to the LP's options and the current plan's once there is a guide (`follow`)."""
        guide = self.guide
        if guide is None or self.kind == "around":
            return allowed
        current = set(self.plan.values())
        return lambda i, o: allowed(i, o) and (guide[i] or i in current)

    def _part_freeing(self, freed: set[int], allowed, waiting: set[int] | None = None):
        """The sub-problem of the requests in `freed` and those waiting (all, or those in `waiting`), over their `allowed` options.

        Options that cannot fit beside the stays kept are left out (they could never be taken).
        """
        prep, inst = self.prep, self.prep.instance
        caps = self._usage_without(freed)
        requests, option_ids = set(), []
        for ri in prep.free:
            if ri in self.plan and ri not in freed:
                continue
            if ri not in freed and waiting is not None and ri not in waiting:
                continue
            r = inst.requests[ri]
            for i in prep.by_request[ri]:
                o = prep.options[i]
                if not allowed(i, o):
                    continue
                need = len(r.defenders) if o.type == "collective" else r.people
                if i != self.plan.get(ri) and not _fits_capacity(caps[o.house], o.start, o.held, need, o.type == "family"):
                    continue
                option_ids.append(i)
                requests.add(ri)
        if not option_ids:
            return None
        sub, ids = restrict(prep, option_ids, sorted(requests), caps)
        local = {g: k for k, g in enumerate(ids)}
        sm = StayModel(sub)
        sm.hint_assignment(*sm.assignment_of_options({local[self.plan[ri]] for ri in freed}))
        before = sum(prep.options[self.plan[ri]].bound for ri in freed)
        return sub, ids, sm, freed, before, self.seed_for_step()

    def step_collectives(self, time_limit: float, stop=None) -> bool:
        """Free every request in a collective, and those who accept one, over some months at a group of houses.

        Merging small collectives frees places for others, which window steps rarely find.
        """
        houses, a, span = self._collective_window()
        self.kind = "collectives"
        part = self._collective_part(houses, a, a + span, None)
        self.tries["collectives"] = self.tries.get("collectives", 0) + 1
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def _collective_window(self) -> tuple[set[int], int, int]:
        """A group of houses, a first day, and a span of some months (twice the window, at least 60 days)."""
        days = self.prep.instance.horizon_days
        span = min(days, max(self.window * 2, 60))
        return self._house_group(), self.rng.randrange(0, max(1, days - span + 1)), span

    def _collective_part(self, houses: set[int], a: int, b: int, waiting: set[int] | None):
        prep, inst = self.prep, self.prep.instance
        freed = {ri for ri, i in self.plan.items()
                 if a <= prep.options[i].start < b and prep.options[i].house in houses
                 and (prep.options[i].type == "collective" or inst.requests[ri].accepts("collective"))}
        return self._part_freeing(freed, self._window_allowed(houses, a, b), waiting)

    def _solve(self, part, time_limit: float, stop):
        """One worker with its LP: far better on these models than two sharing a solve (see `step_pair`)."""
        sub, ids, sm, freed, before, seed = part
        solver = _solver(time_limit, 1, seed)
        solver.parameters.linearization_level = 2  # about 3x faster on these small window models
        if not self.deterministic:  # the wall clock bounds the step; no need to stop on work done
            solver.parameters.max_deterministic_time = float("inf")
        done = _watch(stop, solver)
        try:
            code = solver.Solve(sm.model)
        finally:
            done.set()
        return code, solver

    def _apply(self, part, result) -> bool:
        sub, ids, sm, freed, before, _ = part
        code, solver = result
        self.steps += 1
        self.work += solver.deterministic_time
        self._adapt(code, solver.deterministic_time, 0.5 * solver.parameters.max_time_in_seconds)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.ObjectiveValue() <= before + 0.5:
            return False
        singles, collectives = sm.chosen(solver.BooleanValue)
        for ri in freed:
            del self.plan[ri]
        for k in singles + [m for ms in collectives.values() for m in ms]:
            self.plan[sub.options[k].request] = ids[k]
        gain = int(round(solver.ObjectiveValue())) - before
        self.value += gain
        self.gains += 1
        self.gain_by_kind[self.kind] = self.gain_by_kind.get(self.kind, 0) + gain
        return True

    def seed_for_step(self) -> int:
        return self.rng.randrange(1 << 30)

    def _adapt(self, code, wall: float, limit: float) -> None:
        days = self.prep.instance.horizon_days
        if code == cp_model.OPTIMAL and wall < 0.3 * limit:
            self.window = min(days, int(self.window * 1.25) + 1)
        elif code != cp_model.OPTIMAL:
            self.window = max(14, int(self.window * 0.8))


def options_of_stays(prep: Prepared, stays: list[Stay]) -> set[int]:
    """Option indices reproducing `stays`; collectives at one (house, start) take copies 0, 1, ..."""
    inst = prep.instance
    keys = {(inst.requests[o.request].id, inst.houses[o.house].id, o.type, o.start, o.copy): i
            for i, o in enumerate(prep.options)}
    taken: set[int] = set()
    copies_used: dict[tuple[str, int], int] = defaultdict(int)
    for stay in sorted(stays, key=lambda s: (s.house, s.start, s.type, s.requests)):
        start = inst.day_index(stay.start)
        if stay.type != "collective":
            i = keys.get((stay.requests[0], stay.house, stay.type, start, 0)) if len(stay.requests) == 1 else None
            if i is not None:
                taken.add(i)
            continue
        copy = copies_used[stay.house, start]
        idx = [keys.get((rid, stay.house, "collective", start, copy)) for rid in stay.requests]
        if any(i is None for i in idx):
            continue
        slot = prep.slots[prep.slot_of_option(idx[0])]
        shared = set(slot.languages)
        for rid in stay.requests:
            shared &= set(inst.request_by_id[rid].languages)
        if shared:
            copies_used[stay.house, start] += 1
            taken.update(idx)
    return taken


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions (to `report(objective, bound)`) and honours the stop event."""

    def __init__(self, t0: float, offset: int, report, stop):
        super().__init__()
        self.t0, self.offset, self.report, self.stop = t0, offset, report, stop
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        self.report(int(self.ObjectiveValue()) + self.offset, int(self.BestObjectiveBound()) + self.offset)
        if self.stop is not None and self.stop.is_set():
            self.StopSearch()


def _solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if workers == 1:
        # Deterministic: stop on work done, which the wall clock rarely reaches first.
        solver.parameters.max_deterministic_time = max(0.01, 0.25 * time_limit)
    return solver


class Engine:
    """One solve: prepares, runs the phases within the time limit, assembles the answer."""

    def __init__(self, instance: Instance, time_limit: float, workers: int, seed: int,
                 hint: Solution | None, on_progress, stop: threading.Event | None):
        self.inst = instance
        self.t0 = time.monotonic()
        self.deadline = self.t0 + time_limit
        self.time_limit = time_limit
        self.workers, self.seed, self.hint = max(1, workers), seed, hint
        self.on_progress, self.stop = on_progress, stop
        self.stats: dict = {"phases": {}}
        self._bounding_bound = None
        self._lp = None
        self._house_index = {h.id: i for i, h in enumerate(instance.houses)}
        self._known_bound: int | None = None  # the least bound found so far (all of them are true bounds)
        self._report_lock = threading.Lock()

    def report(self, objective: int | None = None, bound: int | None = None) -> None:
        """Tell `on_progress` of a better plan (phase 1's estimate of it) or a bound.

        Called from the search and from the bounding thread. The bound passed
        on is the least seen so far: a later, weaker one (CP-SAT's early
        bound of a whole-model solve, say) never hides a tighter one.
        """
        with self._report_lock:
            if bound is not None and (self._known_bound is None or bound < self._known_bound):
                self._known_bound = bound
            if self.on_progress is not None:
                self.on_progress(time.monotonic() - self.t0, objective, self._known_bound)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _lap(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.stats["phases"][name] = round(now - since, 3)
        return now

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def run(self) -> Solution:
        violations = lock_violations(self.inst)
        if violations:
            return Solution(stays=list(self.inst.locked), status="INFEASIBLE", problems=lock_problems(violations),
                            violations=violations, stats=self.stats)
        t = time.monotonic()
        base = _baseline(self.inst)
        t = self._lap("baseline", t)
        protect = (list(self.hint.stays) if self.hint else []) + (list(base.stays) if base else [])
        prep = prepare(self.inst, max_options=MAX_OPTIONS, protect=protect)
        self.stats.update(prep.stats)
        t = self._lap("prepare", t)
        stays, bound, status = self._phase1(prep, base)
        t = self._lap("stays", t)
        stays = self._repair(prep, stays)
        t = self._lap("repair", t)
        reserve = min(0.3 * self.time_limit, 0.1 + 0.003 * len(self.inst.requests))
        budget = max(0.0, self.left() - reserve) if not self.stopped() else 0.0
        sessions, pstats = programme(self.inst, stays, time_limit=budget, workers=self.workers,
                                     seed=self.seed, stop=self.stop, target=self._session_target(prep, stays),
                                     slack=self._slack())
        self.stats["programme"] = pstats
        t = self._lap("programme", t)
        stays = [replace(s, sessions=ses) for s, ses in zip(stays, sessions)]
        return self._answer(stays, bound, status, base)

    # ----- phase 1 ------------------------------------------------------
    def _phase1(self, prep: Prepared, base: Solution | None):
        """Choose the stays: an exact solve when small, else window search beside a bounding solve."""
        budget = max(0.0, self.left() - self._after_reserve()) * (self._phase1_share(base) if prep.options else 0.0)
        phase_end = time.monotonic() + budget
        start_stays = list(self.hint.stays) if self.hint is not None else (list(base.stays) if base else [])
        full = len(prep.options) <= FULL_MODEL_OPTIONS
        needed = len(prep.options) <= PROBE_OPTIONS or self.hint is not None
        sm = StayModel(prep) if full and needed else None
        if sm is not None:
            self.stats["stays_model"] = sm.size
            taken = sm.assignment_of(start_stays)[0]
        else:
            taken = options_of_stays(prep, start_stays)
        plan = {prep.options[i].request: i for i in taken}
        self.stats["first_solution"] = round(time.monotonic() - self.t0, 3)  # the starting plan
        bounds = [prep.stats["trivial_bound"]]
        self.report(sum(prep.options[i].bound for i in plan.values()) + prep.locked_bound, bounds[0])
        if sm is not None and len(prep.options) <= PROBE_OPTIONS:
            sm.hint_assignment(*sm.assignment_of_options(set(plan.values())))
            share = 1.0 if len(prep.options) <= 3000 else 0.4
            code, solver, found = self._solve_full(sm, share * (phase_end - time.monotonic()), self.workers, probe=True)
            if code == cp_model.OPTIMAL or code == cp_model.INFEASIBLE:
                bounds.append(self._bound(prep, solver, code))
                chosen = set(found or [])
                if self.hint is not None and code == cp_model.OPTIMAL and not self.stopped():
                    chosen = self._stay_close_to_hint(sm, chosen, time.monotonic() + 0.5 * (phase_end - time.monotonic()))
                bound = min(b for b in bounds if b is not None)
                return self._plan_stays(prep, chosen), bound, "OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE"
            bounds.append(self._bound(prep, solver, code))
            plan = self._better(prep, plan, found)
        search = WindowSearch(prep, plan, self.seed)
        relaxation = None
        if not prep.thinned and prep.options and not self.stopped():
            seconds = min(8.0, 0.06 * (phase_end - time.monotonic()))
            t = time.monotonic()
            relaxation = LagrangianBound(prep)
            lagrange = None
            for _ in range(3):  # greedy plans at three stages of the prices; keep the best
                lagrange = relaxation.run(search.value, seconds / 3, self.stop)
                if lagrange is None:
                    break
                priced = greedy_plan(prep, relaxation.option_order(prep))
                value = sum(prep.options[i].bound for i in priced.values())
                self.stats["priced_greedy"] = max(value, self.stats.get("priced_greedy", 0))
                if value > search.value:
                    search = WindowSearch(prep, priced, self.seed)
            if lagrange is not None:
                bounds.append(lagrange + prep.locked_bound)
            self.report(search.value + prep.locked_bound, bounds[-1])
            self.stats["lagrangian"] = {"bound": bounds[-1], "seconds": round(time.monotonic() - t, 2)}
        search.deterministic = self.workers == 1
        keeper = None
        use_lp = not prep.thinned and 0 < len(prep.options) <= PDLP_OPTIONS
        if (use_lp or relaxation is not None) and time.monotonic() < phase_end and not self.stopped():
            # The bound's worker: the LP when small enough, else more Lagrangian iterations.
            if use_lp:
                job, args = self._linear_bound, (prep, phase_end)
            else:
                # It holds the GIL much of the time: a third of the phase is enough for it.
                job, args = self._more_lagrangian, (relaxation, search.value,
                                                    time.monotonic() + 0.3 * (phase_end - time.monotonic()))
            if self.workers > 1:
                keeper = threading.Thread(target=job, args=args, daemon=True)
                keeper.start()
            else:
                job(*args[:-1], time.monotonic() + 0.35 * (phase_end - time.monotonic()))
        lns_budget = phase_end - time.monotonic()
        polish = self._polish_seconds(prep, lns_budget)
        rounds = relaxed = 0
        reported = search.value
        while not self.stopped() and time.monotonic() < phase_end - polish - 0.05:
            if search.value > reported:
                reported = search.value
                self.report(search.value + prep.locked_bound)
            if self.workers == 1 and search.work >= 0.25 * lns_budget:
                break  # deterministic: a budget of work, not of wall time
            limit = min(STEP_SECONDS[0 if search.few_houses else 1], phase_end - time.monotonic())
            both = self.workers > 1 and (keeper is None or not keeper.is_alive())
            rounds += 1
            lp = self._lp
            if lp is not None and lp.values is not None and search.guide is None and lp.backend == "GLOP":
                search.follow(lp.values)  # a vertex: its support is sparse (PDLP's approximate one is not)
            if lp is not None and lp.values is not None and both and relaxed < 1:
                relaxed += 1
                search.step_relaxation(lp.values, min(1.0, phase_end - time.monotonic()), self.stop)
                continue
            if prep.slots and search.collective_turn(rounds):
                if both:
                    search.step_pair(limit, self.stop, collectives=True)
                else:
                    search.step_collectives(limit, self.stop)
            elif both:
                search.step_pair(limit, self.stop)
            else:
                search.step(limit, self.stop)
        if keeper is not None:
            keeper.join(timeout=max(0.0, phase_end - time.monotonic() - polish) + 1.0)
        self.stats["window_search"] = {"steps": search.steps, "gains": search.gains, "window": search.window,
                                       "gain_by_kind": search.gain_by_kind}
        plan = search.plan
        if polish and not self.stopped() and time.monotonic() < phase_end - 1.0:
            plan = self._polish(prep, plan, phase_end, bounds)
        if self._bounding_bound is not None:
            bounds.append(self._bounding_bound)
        chosen = set(plan.values())
        if self.hint is not None and sm is not None and not self.stopped():
            chosen = self._stay_close_to_hint(sm, chosen, time.monotonic() + 0.1 * self.time_limit)
        bound = min(b for b in bounds if b is not None)
        self.stats["stays_value"] = sum(prep.options[i].bound for i in chosen) + prep.locked_bound
        self.stats["session_bound_of_stays"] = sum(prep.options[i].session_bound for i in chosen)
        return self._plan_stays(prep, chosen), bound, "FEASIBLE"  # `_answer` makes it OPTIMAL if the bound is reached

    def _polish_seconds(self, prep: Prepared, budget: float) -> float:
        """Seconds at the end of phase 1 for `_polish`: two thirds of a long phase on a small model, else none."""
        small = 0 < len(prep.options) <= POLISH_OPTIONS and not prep.thinned
        return 2 / 3 * budget if small and self.workers > 1 and budget >= POLISH_FROM else 0.0

    def _polish(self, prep: Prepared, plan: dict[int, int], until: float, bounds: list) -> dict[int, int]:
        """CP-SAT on the whole phase-1 model, hinted with the plan the window search reached.

        The window search climbs fast but then stalls: on realistic.json it
        ends near 7.21 M whether it runs 10 s or 90 s, its windows finding no
        more gain. CP-SAT's own neighbourhoods over the whole model (with
        every worker, its LP and reduced costs) keep climbing from there.
        Measured on realistic.json, 3 seeds, 60 s: window search alone
        7,209,310 / 7,229,250 / 7,232,880; with this for the last two thirds
        7,265,920 / 7,253,350 / 7,260,680 (+0.5 %). At 30 s the means were
        7,227,930 without and 7,221,197 with (noise), so it runs only when phase 1 has
        `POLISH_FROM` seconds; on regional.json (140,000 options) loading
        the model alone takes 10 s and it gains nothing, hence `POLISH_OPTIONS`.
        Its proven bound is phase 1's, so it joins the others.
        """
        t = time.monotonic()
        sm = StayModel(prep)
        sm.hint_assignment(*sm.assignment_of_options(set(plan.values())))
        code, solver, found = self._solve_full(sm, until - time.monotonic(), self.workers)
        bounds.append(self._bound(prep, solver, code))
        better = self._better(prep, plan, found)
        self.stats["polish"] = {"seconds": round(time.monotonic() - t, 2), "status": solver.StatusName(code),
                                "gain": sum(prep.options[i].bound for i in better.values())
                                - sum(prep.options[i].bound for i in plan.values())}
        return better

    def _plan_stays(self, prep: Prepared, chosen: set[int]) -> list[Stay]:
        singles = sorted(i for i in chosen if prep.options[i].type != "collective")
        collectives = defaultdict(list)
        for i in sorted(chosen):
            if prep.options[i].type == "collective":
                collectives[prep.slot_of_option(i)].append(i)
        return self._stays(prep, singles, dict(collectives))

    def _after_reserve(self) -> float:
        """Seconds kept for repair, validation and explanations after the phases."""
        return min(0.3 * self.time_limit, 0.1 + 0.0025 * len(self.inst.requests))

    def _phase1_share(self, base: Solution | None) -> float:
        """Most of the time when the greedy programme already meets its bound on the baseline's stays."""
        if base is None or not base.stays:
            return 0.8
        from .programme import Programmes

        sample = [replace(s, sessions=()) for s in base.stays if s.id not in {x.id for x in self.inst.locked}]
        progs = Programmes(self.inst, sample)
        prep_like = SessionSupply(self.inst)
        target = sum(prep_like.bound(self.inst.request_by_id[rid], self._house_index[s.house],
                                     self.inst.day_index(s.start), self.inst.house_by_id[s.house].stay_length[s.type])
                     for s in sample for rid in s.requests)
        easy = progs.value(progs.greedy()) >= target - (int(0.0005 * base.objective) if len(self.inst.requests) > 100 else 0)
        self.stats["programme_easy"] = easy
        return 0.97 if easy else 0.75

    def _better(self, prep: Prepared, plan: dict[int, int], found) -> dict[int, int]:
        if not found:
            return plan
        mine = sum(prep.options[i].bound for i in plan.values())
        theirs = sum(prep.options[i].bound for i in found)
        return {prep.options[i].request: i for i in found} if theirs > mine else plan

    def _solve_full(self, sm: StayModel, time_limit: float, workers: int, probe: bool = False):
        solver = _solver(time_limit, workers, self.seed)
        if workers == 1:
            if probe:
                solver.parameters.linearization_level = 2
            else:
                solver.parameters.subsolvers.append("max_lp")
        elif workers == 2:
            solver.parameters.subsolvers.extend(["reduced_costs", "max_lp"])
        offset = sm.prep.locked_bound
        progress = _Progress(self.t0, offset, self.report, self.stop)
        if self.on_progress is not None:
            solver.best_bound_callback = lambda b: self.report(None, int(b) + offset)
        done = _watch(self.stop, solver)
        try:
            code = solver.Solve(sm.model, progress)
        finally:
            done.set()
        self.stats.setdefault("stays_status", []).append(solver.StatusName(code))
        found = None
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = [i for i, v in enumerate(sm.take) if solver.BooleanValue(v)]
        return code, solver, found

    def _more_lagrangian(self, relaxation: "LagrangianBound", target: float, until: float) -> None:
        bound = relaxation.run(target, until - time.monotonic(), self.stop)
        if bound is not None:
            self._bounding_bound = bound + relaxation.locked_bound
            self.report(None, self._bounding_bound)
            self.stats["lagrangian"] = {"bound": self._bounding_bound, "iterations": relaxation.iterations}

    def _linear_bound(self, prep: Prepared, until: float) -> None:
        """Phase 1's LP relaxation, for the bound (run beside the window search).

        GLOP solves it exactly when small; PDLP approximately when larger. The
        bound is recomputed from the LP's prices either way (`LinearBound.dual_bound`),
        so an inexact LP gives a weaker bound, never a false one.
        """
        t = time.monotonic()
        exact = len(prep.options) <= LP_OPTIONS
        try:
            relaxation = LinearBound(prep, "GLOP" if exact else "PDLP", "" if exact else PDLP_PARAMS)
            linear = relaxation.run(until - time.monotonic(), stop=self.stop)
        except Exception as exc:  # a bound is optional; never lose the plan over it
            self.stats["lp_error"] = repr(exc)
            return
        if linear is not None:
            self._bounding_bound = linear + prep.locked_bound
            self.report(None, self._bounding_bound)
            self._lp = relaxation
        self.stats["lp"] = {"bound": self._bounding_bound, "seconds": round(time.monotonic() - t, 2),
                            "solver": "GLOP" if exact else "PDLP", "rounds": getattr(self._lp, "rounds", 0)}

    def _bound(self, prep: Prepared, solver, code) -> int | None:
        if prep.thinned:
            return prep.stats.get("trivial_bound")
        if code == cp_model.INFEASIBLE:
            return None
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            b = solver.BestObjectiveBound()
            if b != b or abs(b) == float("inf"):
                return None
            return int(b) + prep.locked_bound
        return None

    def _stay_close_to_hint(self, sm: StayModel, current: set[int], until: float) -> set[int]:
        """Among plans worth at least `current` in phase 1, keep as many hinted stays as possible.

        Returns the option indices of the plan found (or `current`). The
        objective of the solve is unchanged: it is a constraint here.
        """
        prep = sm.prep
        best = sum(prep.options[i].bound for i in current)
        hinted = options_of_stays(prep, list(self.hint.stays))
        if not hinted or hinted <= current or until - time.monotonic() < 0.05:
            return current
        taken, opened, _ = sm.assignment_of_options(hinted)
        sm.model.Add(sm.objective >= best)
        sm.model.Maximize(sum(sm.take[i] for i in sorted(taken)) + sum(sm.open[k] for k in sorted(opened)))
        sm.hint_assignment(*sm.assignment_of_options(current))
        second = _solver(until - time.monotonic(), self.workers, self.seed)
        done = _watch(self.stop, second)
        try:
            code = second.Solve(sm.model)
        finally:
            done.set()
        self.stats["stability_status"] = second.StatusName(code)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return {i for i, v in enumerate(sm.take) if second.BooleanValue(v)}
        return current

    def _stays(self, prep: Prepared, singles: list[int], collectives: dict[int, list[int]]) -> list[Stay]:
        inst = self.inst
        stays = list(inst.locked)
        for i in singles:
            o = prep.options[i]
            stays.append(Stay(id="", house=inst.houses[o.house].id, start=inst.date_of(o.start), type=o.type,
                              requests=(inst.requests[o.request].id,)))
        for k, members in sorted(collectives.items()):
            if not members:
                continue
            slot = prep.slots[k]
            rids = tuple(sorted(inst.requests[prep.options[m].request].id for m in members))
            stays.append(Stay(id="", house=inst.houses[slot.house].id, start=inst.date_of(slot.start),
                              type="collective", requests=rids))
        return stays

    # ----- repair: place whoever still fits -----------------------------
    def _repair(self, prep: Prepared, stays: list[Stay]) -> list[Stay]:
        """Greedily add requests that fit beside the chosen stays (helps when time ran out)."""
        from .explain import Occupancy

        occ = Occupancy(self.inst, stays)
        placed = {rid for s in stays for rid in s.requests}
        order = sorted((ri for ri in prep.free if self.inst.requests[ri].id not in placed),
                       key=lambda ri: (-max((prep.options[i].bound for i in prep.by_request[ri]), default=0), ri))
        stays = list(stays)
        until = time.monotonic() + 0.5 * self._after_reserve()
        for ri in order:
            if time.monotonic() > until:
                break
            r = self.inst.requests[ri]
            for i in sorted(prep.by_request[ri], key=lambda i: (-prep.options[i].bound, i)):
                o = prep.options[i]
                house = self.inst.houses[o.house]
                if o.type == "collective":
                    joined = occ.try_join(stays, r, house, o.start)
                    if joined is not None:
                        stays[joined] = replace(stays[joined], requests=tuple(sorted(stays[joined].requests + (r.id,))))
                        break
                    if len(r.defenders) < house.collective_min or not occ.fits(house, o.start, "collective", len(r.defenders)):
                        continue
                elif not occ.fits(house, o.start, o.type, r.people):
                    continue
                new = Stay(id="", house=house.id, start=self.inst.date_of(o.start), type=o.type, requests=(r.id,))
                occ.add(new)
                stays.append(new)
                break
        return stays

    def _slack(self) -> int:
        """Session value not worth a CP-SAT programme solve: 0.05 % of the plan (none on small plans)."""
        value = self.stats.get("stays_value") or 0
        return int(0.0005 * value) if len(self.inst.requests) > 100 else 0

    def _session_target(self, prep: Prepared, stays: list[Stay]) -> int:
        """Upper bound of the session term of these stays; a programme reaching it is optimal."""
        total = 0
        for stay in stays:
            hi = next(i for i, h in enumerate(self.inst.houses) if h.id == stay.house)
            length = self.inst.houses[hi].stay_length[stay.type]
            start = self.inst.day_index(stay.start)
            for rid in stay.requests:
                total += prep.supply.bound(self.inst.request_by_id[rid], hi, start, length)
        return total

    # ----- the answer ---------------------------------------------------
    def _answer(self, stays: list[Stay], bound: int | None, status: str, base: Solution | None) -> Solution:
        from .explain import explain
        from .validate import score, validate

        stays = _name_stays(self.inst, stays)
        sol = Solution(stays=stays, bound=bound, status=status, stats=self.stats)
        sol.objective = score(self.inst, sol).total
        problems = validate(self.inst, sol)
        if problems:
            self.stats["engine_violations"] = [str(p) for p in problems[:5]]
        if base is not None and (problems or sol.objective < (base.objective if base.objective is not None else score(self.inst, base).total)):
            sol = Solution(stays=list(base.stays), bound=bound, status="FEASIBLE", stats=self.stats)
            sol.objective = score(self.inst, sol).total
            self.stats["fell_back_to_baseline"] = True
        if self.stopped():
            self.stats["stopped"] = True
        if sol.bound is not None and sol.bound < sol.objective:
            # Cannot happen if the argument in the module docstring holds; never claim a false bound.
            self.stats["bound_below_objective"] = sol.bound
            sol.bound = None
        if sol.status == "OPTIMAL" and sol.bound != sol.objective:
            sol.status = "FEASIBLE"
        if sol.bound is not None and sol.bound == sol.objective:
            sol.status = "OPTIMAL"
        sol.unassigned = explain(self.inst, sol)
        self.stats["wall"] = round(time.monotonic() - self.t0, 3)
        if self.on_progress is not None:
            self.on_progress(self.stats["wall"], sol.objective, sol.bound)
        return sol


def _name_stays(instance: Instance, stays: list[Stay]) -> list[Stay]:
    """Locked stays keep their ids; the others are numbered s1, s2, ... by house and date."""
    locked_ids = {s.id for s in instance.locked}
    house_order = {h.id: i for i, h in enumerate(instance.houses)}
    free = sorted((s for s in stays if not s.id), key=lambda s: (house_order[s.house], s.start, s.type, s.requests))
    out = [s for s in stays if s.id]
    n = 0
    for s in free:
        n += 1
        while f"s{n}" in locked_ids:
            n += 1
        out.append(replace(s, id=f"s{n}"))
    return out


def _baseline(instance: Instance) -> Solution | None:
    try:
        from .baseline import baseline
        from .validate import score
    except ImportError:  # pragma: no cover - the baseline module ships with the package
        return None
    base = baseline(instance)
    if base.objective is None:
        base.objective = score(instance, base).total
    return base


def solve(instance: Instance, *, time_limit: float, workers: int = 2, seed: int = 0,
          hint: Solution | None = None, on_progress=None, stop: threading.Event | None = None) -> Solution:
    """Plan stays and programmes for `instance` within `time_limit` seconds (all phases).

    Returns a Solution whose `objective` is the spec's objective of its stays,
    `bound` a true upper bound of the whole instance's optimum (or None), and
    `status` OPTIMAL, FEASIBLE or INFEASIBLE (impossible locks, see
    `problems`). It never scores below `baseline(instance)`. Given `hint` (an
    earlier solution), it keeps as many of its stays as the objective allows.
    `on_progress(elapsed, objective, bound)` is called as the search improves
    (objective is None on a bound-only update; during phase 1 it is the
    estimate phase 1 maximises); setting `stop` ends the search early with
    the best plan so far.
    """
    return Engine(instance, time_limit, workers, seed, hint, on_progress, stop).run()
