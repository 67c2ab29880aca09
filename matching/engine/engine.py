"""One solve: prepare, phase 1 (the stays), phase 2 (the programmes), the answer."""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from ..model import Instance, Solution, Stay
from ..prepare import Prepared, SessionSupply, lock_problems, lock_violations, prepare
from ..programme import _watch, programme
from . import tuning
from .bounds import LagrangianBound, LinearBound
from .construct import greedy_plan
from .lns import WindowSearch
from .sat import Progress, new_solver
from .stay_model import StayModel, options_of_stays


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
        prep = prepare(self.inst, max_options=tuning.MAX_OPTIONS, protect=protect)
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
        full = len(prep.options) <= tuning.FULL_MODEL_OPTIONS
        needed = len(prep.options) <= tuning.PROBE_OPTIONS or self.hint is not None
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
        if sm is not None and len(prep.options) <= tuning.PROBE_OPTIONS:
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
        use_lp = not prep.thinned and 0 < len(prep.options) <= tuning.PDLP_OPTIONS
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
            limit = min(tuning.STEP_SECONDS[0 if search.few_houses else 1], phase_end - time.monotonic())
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
        small = 0 < len(prep.options) <= tuning.POLISH_OPTIONS and not prep.thinned
        return 2 / 3 * budget if small and self.workers > 1 and budget >= tuning.POLISH_FROM else 0.0

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
        from ..programme import Programmes

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
        solver = new_solver(time_limit, workers, self.seed)
        if workers == 1:
            if probe:
                solver.parameters.linearization_level = 2
            else:
                solver.parameters.subsolvers.append("max_lp")
        elif workers == 2:
            solver.parameters.subsolvers.extend(["reduced_costs", "max_lp"])
        offset = sm.prep.locked_bound
        progress = Progress(self.t0, offset, self.report, self.stop)
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
        exact = len(prep.options) <= tuning.LP_OPTIONS
        try:
            relaxation = LinearBound(prep, "GLOP" if exact else "PDLP", "" if exact else tuning.PDLP_PARAMS)
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
        second = new_solver(until - time.monotonic(), self.workers, self.seed)
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
        from ..explain import Occupancy

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
        from ..explain import explain
        from ..validate import score, validate

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
        from ..baseline import baseline
        from ..validate import score
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
