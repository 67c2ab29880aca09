"""CP-SAT on the whole phase-1 model: the probe of small instances, the polish of long runs, and staying near a hint."""
from __future__ import annotations

import time

from ortools.sat.python import cp_model

from .programme import _watch
from . import tuning
from .plan import Plan, options_of_stays
from .sat import Progress, new_solver
from .stay_model import StayModel


class WholeModel:
    """Solves a whole `StayModel` with every worker, reporting each better plan and bound as it goes.

    `report(objective, bound)` hears of progress (`Engine.report`); `stop`
    ends a solve early; `note(key, value)` records statistics.
    """

    def __init__(self, workers: int, seed: int, t0: float, report, stop, note, bound_callback: bool):
        self.workers, self.seed, self.t0 = workers, seed, t0
        self.report, self.stop, self.note = report, stop, note
        self.bound_callback = bound_callback
        self.statuses: list[str] = []

    def solve(self, sm: StayModel, time_limit: float, probe: bool = False):
        """(status, solver, options taken or None)."""
        solver = new_solver(time_limit, self.workers, self.seed)
        if self.workers == 1:
            if probe:
                solver.parameters.linearization_level = 2
            else:
                solver.parameters.subsolvers.append("max_lp")
        elif self.workers == 2:
            solver.parameters.subsolvers.extend(["reduced_costs", "max_lp"])
        offset = sm.prep.locked_bound
        progress = Progress(self.t0, offset, self.report, self.stop)
        if self.bound_callback:
            solver.best_bound_callback = lambda b: self.report(None, int(b) + offset)
        done = _watch(self.stop, solver)
        try:
            code = solver.Solve(sm.model, progress)
        finally:
            done.set()
        self.statuses.append(solver.StatusName(code))
        self.note("stays_status", list(self.statuses))
        found = None
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = [i for i, v in enumerate(sm.take) if solver.BooleanValue(v)]
        return code, solver, found

    @staticmethod
    def bound(sm: StayModel, solver, code) -> int | None:
        """CP-SAT's proven bound of phase 1 plus the locks' (the trivial bound if options were thinned)."""
        prep = sm.prep
        if prep.thinned:
            return prep.stats.get("trivial_bound")
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            b = solver.BestObjectiveBound()
            if b != b or abs(b) == float("inf"):
                return None
            return int(b) + prep.locked_bound
        return None

    def polish(self, prep, plan: Plan, until: float, bounds: list) -> Plan:
        """CP-SAT on the whole phase-1 model, hinted with the plan the window search reached.

        The window search climbs fast but then stalls: on realistic.json it
        ends near 7.21 M whether it runs 10 s or 90 s, its windows finding no
        more gain. CP-SAT's own neighbourhoods over the whole model (with
        every worker, its LP and reduced costs) keep climbing from there.
        Measured on realistic.json, 3 seeds, 60 s: window search alone
        7,209,310 / 7,229,250 / 7,232,880; with this for the last two thirds
        7,265,920 / 7,253,350 / 7,260,680 (+0.5 %). At 30 s the means were
        7,227,930 without and 7,221,197 with (noise), so it runs only when phase 1 has
        `tuning.POLISH_FROM` seconds; on regional.json (140,000 options) loading
        the model alone takes 10 s and it gains nothing, hence `tuning.POLISH_OPTIONS`.
        Its proven bound is phase 1's, so it joins the others in `bounds`.
        """
        t = time.monotonic()
        sm = StayModel(prep)
        sm.hint_assignment(*sm.assignment_of_options(plan.options()))
        code, solver, found = self.solve(sm, until - time.monotonic())
        bounds.append(self.bound(sm, solver, code))
        better = better_plan(plan, found)
        self.note("polish", {"seconds": round(time.monotonic() - t, 2), "status": solver.StatusName(code),
                             "gain": better.value - plan.value})
        return better

    def stay_close_to_hint(self, sm: StayModel, current: set[int], hinted_stays: list, until: float) -> set[int]:
        """Among plans worth at least `current` in phase 1, keep as many hinted stays as possible.

        Returns the option indices of the plan found (or `current`). The
        objective of the solve is unchanged: it is a constraint here.
        """
        prep = sm.prep
        best = sum(prep.options[i].bound for i in current)
        hinted = options_of_stays(prep, hinted_stays)
        if not hinted or hinted <= current or until - time.monotonic() < tuning.STEP_MARGIN:
            return current
        taken, opened, _ = sm.assignment_of_options(hinted)
        sm.model.Add(sm.objective >= best)
        sm.model.Maximize(sum(sm.take[i] for i in sorted(taken)) + sum(sm.open[k] for k in sorted(opened)))
        sm.hint_assignment(*sm.assignment_of_options(current))
        second = new_solver(until - time.monotonic(), self.workers, self.seed)
        done = _watch(self.stop, second)
        try:
            code = second.Solve(sm.model)
        finally:
            done.set()
        self.note("stability_status", second.StatusName(code))
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return {i for i, v in enumerate(sm.take) if second.BooleanValue(v)}
        return current


def better_plan(plan: Plan, found) -> Plan:
    """`found` (options taken) as a plan if it is worth more than `plan`, else `plan`."""
    if not found:
        return plan
    theirs = Plan.of_options(plan.prep, found)
    return theirs if theirs.value > plan.value else plan
