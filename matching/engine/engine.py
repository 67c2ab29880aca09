"""One solve in short steps: prepare, phase 1 (the stays), repair, phase 2 (the programmes), the answer.

`Engine.run` reads top to bottom as the list of steps; `Engine._phase1` the
same for choosing the stays. The strategy's parts live beside this file
(`construct`, `lns`, `bounds`, `polish`), their numbers in `tuning`.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from ..model import Instance, Solution, Stay
from ..prepare import Prepared, SessionSupply, drop_broken_locks, lock_problems, lock_violations, prepare
from .programme import greedy_programme, programme
from . import tuning
from .bounds import LagrangianBound, LinearBound
from .construct import greedy_plan
from .lns import WindowSearch
from .plan import Plan, name_stays, stays_of_options
from .polish import WholeModel, better_plan
from .stay_model import StayModel


@dataclass
class Phase1:
    """What phase 1 carries from step to step."""

    prep: Prepared
    end: float  # monotonic time phase 1 must end by
    plan: Plan
    model: StayModel | None = None  # the whole model, when built
    bounds: list = field(default_factory=list)  # true bounds of the whole instance found so far (None: none)
    search: WindowSearch | None = None
    relaxation: LagrangianBound | None = None
    keeper: threading.Thread | None = None  # the bound's thread


@dataclass
class Phase1Result:
    stays: list[Stay]
    bound: int | None
    status: str


class Engine:
    """One solve: prepares, runs the phases within the time limit, assembles the answer.

    Two threads share this object during phase 1: the search, and the bound's
    thread (`_linear_bound` or `_more_lagrangian`). Everything the bound's
    thread hands over (`_lp`, `_bounding_bound`, `stats`) is written and read
    under `_shared`; `report` has its own lock.
    """

    def __init__(self, instance: Instance, time_limit: float, workers: int, seed: int,
                 hint: Solution | None, on_progress, stop: threading.Event | None):
        self.inst = instance
        self.t0 = time.monotonic()
        self.deadline = self.t0 + time_limit
        self.time_limit = time_limit
        self.workers, self.seed, self.hint = max(1, workers), seed, hint
        self.on_progress, self.stop = on_progress, stop
        self.stats: dict = {"phases": {}}
        self._shared = threading.Lock()
        self._answered = False  # once the answer is out, a late bound's thread records nothing more
        self._bounding_bound: int | None = None
        self._lp: LinearBound | None = None
        self._house_index = {h.id: i for i, h in enumerate(instance.houses)}
        self._known_bound: int | None = None  # the least bound found so far (all of them are true bounds)
        self._report_lock = threading.Lock()
        self.whole = WholeModel(self.workers, seed, self.t0, self.report, stop, self.note,
                                bound_callback=on_progress is not None)

    # ----- shared state ---------------------------------------------------
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

    @property
    def known_bound(self) -> int | None:
        """The least bound reported so far (every bound reported is a true one)."""
        with self._report_lock:
            return self._known_bound

    def note(self, key: str, value) -> None:
        """Record a statistic (from either thread)."""
        with self._shared:
            if not self._answered:
                self.stats[key] = value

    def _note_lagrangian(self, relaxation: LagrangianBound, bound: int, **figures) -> None:
        """The Lagrangian bound's one stats entry: the priced greedy's (seconds, stages), then the latest bound and
        iterations, which more iterations in the bound's thread update (from either thread)."""
        with self._shared:
            if not self._answered:
                self.stats.setdefault("lagrangian", {}).update(figures, bound=bound, iterations=relaxation.iterations)

    def _hand_over(self, bound: int, key: str | None = None, stats: dict | None = None,
                   lp: LinearBound | None = None) -> None:
        """The bound's thread hands its bound (and its LP, if any, noted under `key`) to the search."""
        with self._shared:
            if self._answered:
                return
            self._bounding_bound = bound
            if key is not None:
                self.stats[key] = stats
            if lp is not None:
                self._lp = lp
        self.report(None, bound)

    def _solved_lp(self) -> LinearBound | None:
        """The LP relaxation once solved (by the bound's thread), else None."""
        with self._shared:
            lp = self._lp
        return lp if lp is not None and getattr(lp, "values", None) is not None else None

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _lap(self, name: str, since: float) -> float:
        now = time.monotonic()
        with self._shared:
            self.stats["phases"][name] = round(now - since, 3)
        return now

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    # ----- the steps ------------------------------------------------------
    def run(self) -> Solution:
        violations = lock_violations(self.inst)
        dropped = self._drop_broken_locks() if violations else []
        if violations and lock_violations(self.inst):  # some fault names no locked stay: nothing can be planned
            return Solution(stays=list(self.inst.locked), status="INFEASIBLE", problems=lock_problems(violations),
                            violations=violations, dropped_locks=dropped, stats=self.stats)
        sol = self._plan()
        if violations:
            sol.problems, sol.violations, sol.dropped_locks = lock_problems(violations), violations, dropped
        return sol

    def _drop_broken_locks(self) -> list:
        """Plan without the locked stays that break a rule; return them (`DroppedLock`s)."""
        kept, dropped = drop_broken_locks(self.inst)
        self.inst = replace(self.inst, locked=tuple(kept))
        self.stats["dropped_locks"] = [d.stay for d in dropped]
        return dropped

    def _plan(self) -> Solution:
        t = time.monotonic()
        base = _baseline(self.inst)
        self._baseline_seconds = time.monotonic() - t  # how fast this machine is right now (see `_after_reserve`)
        t = self._lap("baseline", t)
        protect = (list(self.hint.stays) if self.hint else []) + (list(base.stays) if base else [])
        prep = prepare(self.inst, max_options=tuning.MAX_OPTIONS, protect=protect)
        self.stats.update(prep.stats)
        t = self._lap("prepare", t)
        found = self._phase1(prep, base)
        t = self._lap("stays", t)
        stays = self._repair(prep, found.stays)
        t = self._lap("repair", t)
        stays = self._programmes(prep, stays)
        t = self._lap("programme", t)
        return self._answer(stays, found.bound, found.status, base)

    def _after_reserve(self) -> float:
        """Seconds kept for repair, validation and explanations after the phases.

        A figure per request, measured on a quiet machine; on a loaded one the
        work after the phases slows down with everything else, so the reserve
        is at least `AFTER_RESERVE_OF_BASELINE` times what the baseline took
        in this very run (the same kind of pure-Python work, timed here).
        """
        per_request = tuning.AFTER_RESERVE_BASE + tuning.AFTER_RESERVE_PER_REQUEST * len(self.inst.requests)
        measured = tuning.AFTER_RESERVE_OF_BASELINE * getattr(self, "_baseline_seconds", 0.0)
        return min(tuning.AFTER_RESERVE_SHARE * self.time_limit, max(per_request, measured))

    def _programmes(self, prep: Prepared, stays: list[Stay]) -> list[Stay]:
        """Phase 2: each stay's sessions, in the time left but the reserve."""
        budget = max(0.0, self.left() - self._after_reserve()) if not self.stopped() else 0.0
        if budget <= tuning.PROGRAMME_MIN_SECONDS:
            # No time for CP-SAT: the greedy programme at once (`programme` would build its model first).
            sessions = greedy_programme(self.inst, stays)
            self.stats["programme"] = {"status": "GREEDY", "no_time": True}
            return [replace(s, sessions=ses) for s, ses in zip(stays, sessions)]
        sessions, pstats = programme(self.inst, stays, time_limit=budget, workers=self.workers,
                                     seed=self.seed, stop=self.stop, target=self._session_target(prep, stays),
                                     slack=self._slack())
        self.stats["programme"] = pstats
        return [replace(s, sessions=ses) for s, ses in zip(stays, sessions)]

    # ----- phase 1 --------------------------------------------------------
    def _phase1(self, prep: Prepared, base: Solution | None) -> Phase1Result:
        """Choose the stays: an exact solve when small, else window search beside a bounding solve."""
        p = self._phase1_start(prep, base)
        if time.monotonic() >= p.end:  # no time left for phase 1 (a loaded machine): the starting plan it is
            self.stats["phase1_skipped"] = True
            return self._phase1_answer(p)
        if p.model is not None and len(prep.options) <= tuning.PROBE_OPTIONS:
            solved = self._probe(p)
            if solved is not None:
                return solved
        self._priced_greedy(p)
        self._start_bounding(p)
        polish = self._polish_seconds(prep, p.end - time.monotonic())
        self._window_search(p, polish)
        self._stop_bounding(p, polish)
        if polish and not self.stopped() and time.monotonic() < p.end - tuning.POLISH_MARGIN:
            p.plan = self.whole.polish(prep, p.plan, p.end, p.bounds)
        return self._phase1_answer(p)

    def _phase1_start(self, prep: Prepared, base: Solution | None) -> Phase1:
        """Phase 1's deadline, the whole model when it is needed, and the starting plan (hint, else baseline)."""
        # The share is only worth its programme greedy when there is time to share.
        share = self._phase1_share(base) if prep.options and self.left() > self._after_reserve() else 0.0
        end = time.monotonic() + max(0.0, self.left() - self._after_reserve()) * share
        start_stays = list(self.hint.stays) if self.hint is not None else (list(base.stays) if base else [])
        full = len(prep.options) <= tuning.FULL_MODEL_OPTIONS
        needed = len(prep.options) <= tuning.PROBE_OPTIONS or self.hint is not None
        sm = StayModel(prep) if full and needed else None
        if sm is not None:
            self.stats["stays_model"] = sm.size
            plan = Plan.of_options(prep, sm.assignment_of(start_stays)[0])
        else:
            plan = Plan.from_stays(prep, start_stays)
        self.stats["first_solution"] = round(time.monotonic() - self.t0, 3)  # the starting plan
        p = Phase1(prep=prep, end=end, plan=plan, model=sm, bounds=[prep.stats["trivial_bound"]])
        self.report(plan.value + prep.locked_bound, p.bounds[0])
        return p

    def _probe(self, p: Phase1) -> Phase1Result | None:
        """Small instances: CP-SAT on the whole model with every worker; the answer if it proves optimal."""
        sm, prep = p.model, p.prep
        sm.hint_assignment(*sm.assignment_of_options(p.plan.options()))
        share = 1.0 if len(prep.options) <= tuning.PROBE_ALL_OPTIONS else tuning.PROBE_SHARE
        code, solver, found = self.whole.solve(sm, share * (p.end - time.monotonic()), probe=True)
        p.bounds.append(None if code == cp_model.INFEASIBLE else self.whole.bound(sm, solver, code))
        if code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            p.plan = better_plan(p.plan, found)
            return None
        chosen = set(found or [])
        if self.hint is not None and code == cp_model.OPTIMAL and not self.stopped():
            until = time.monotonic() + tuning.HINT_CLOSE_SHARE * (p.end - time.monotonic())
            chosen = self.whole.stay_close_to_hint(sm, chosen, list(self.hint.stays), until)
        bound = min(b for b in p.bounds if b is not None)
        status = "OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE"
        return Phase1Result(stays_of_options(prep, chosen), bound, status)

    def _priced_greedy(self, p: Phase1) -> None:
        """The window search starts from the best of the plan so far and greedy plans ordered by Lagrangian prices."""
        prep = p.prep
        p.search = WindowSearch(prep, p.plan, self.seed)
        if prep.thinned or not prep.options or self.stopped():
            return
        seconds = min(tuning.PRICED_GREEDY_MAX, tuning.PRICED_GREEDY_SHARE * (p.end - time.monotonic()))
        t = time.monotonic()
        p.relaxation = LagrangianBound(prep)
        lagrange = None
        stage_seconds, greedy_seconds, stages = seconds / tuning.PRICED_GREEDY_STAGES, 0.0, 0
        for _ in range(tuning.PRICED_GREEDY_STAGES):  # greedy plans at stages of the prices; keep the best
            # The first stage always runs (it gives the bound); a later one only if it fits, its greedy timed
            # on the one before (under load a greedy plan of 3,000 requests took 16 s against a budget of 8).
            spent = time.monotonic() - t
            if stages and spent + greedy_seconds >= seconds:
                break
            run_for = stage_seconds if not stages else min(stage_seconds, seconds - spent - greedy_seconds)
            stages += 1
            lagrange = p.relaxation.run(p.search.value, run_for, self.stop)
            if lagrange is None:
                break
            g = time.monotonic()
            priced = greedy_plan(prep, p.relaxation.option_order(prep))
            greedy_seconds = time.monotonic() - g
            self.stats["priced_greedy"] = max(priced.value, self.stats.get("priced_greedy", 0))
            if priced.value > p.search.value:
                p.search = WindowSearch(prep, priced, self.seed)
        if lagrange is not None:
            p.bounds.append(lagrange + prep.locked_bound)
        self.report(p.search.value + prep.locked_bound, p.bounds[-1])
        self._note_lagrangian(p.relaxation, p.bounds[-1], seconds=round(time.monotonic() - t, 2), stages=stages)

    def _start_bounding(self, p: Phase1) -> None:
        """The bound's worker: the LP when small enough, else more Lagrangian iterations (one worker: first, inline)."""
        prep = p.prep
        p.search.deterministic = self.workers == 1
        use_lp = not prep.thinned and 0 < len(prep.options) <= tuning.PDLP_OPTIONS
        if not (use_lp or p.relaxation is not None) or time.monotonic() >= p.end or self.stopped():
            return
        if use_lp:
            job, args = self._linear_bound, (prep, p.end)
        else:
            # It holds the GIL much of the time: a share of the phase is enough for it.
            job, args = self._more_lagrangian, (p.relaxation, p.search.value,
                                                time.monotonic() + tuning.LAGRANGIAN_SHARE * (p.end - time.monotonic()))
        if self.workers > 1:
            p.keeper = threading.Thread(target=job, args=args, daemon=True)
            p.keeper.start()
        else:
            job(*args[:-1], time.monotonic() + tuning.SINGLE_WORKER_BOUND_SHARE * (p.end - time.monotonic()))

    def _window_search(self, p: Phase1, polish: float) -> None:
        """Neighbourhood steps until the search's share of phase 1 is spent."""
        search, prep = p.search, p.prep
        budget = p.end - time.monotonic()
        rounds = relaxed = 0
        reported = search.value
        while not self.stopped() and time.monotonic() < p.end - polish - tuning.STEP_MARGIN:
            if search.value > reported:
                reported = search.value
                self.report(search.value + prep.locked_bound)
            if self.workers == 1 and search.work >= tuning.WORK_SHARE * budget:
                break  # deterministic: a budget of work, not of wall time
            limit = min(tuning.STEP_SECONDS[0 if search.few_houses else 1], p.end - time.monotonic())
            both = self.workers > 1 and (p.keeper is None or not p.keeper.is_alive())
            rounds += 1
            lp = self._solved_lp()
            if lp is not None and search.guide is None and lp.backend == "GLOP":
                search.follow(lp.values)  # a vertex: its support is sparse (PDLP's approximate one is not)
            if lp is not None and both and relaxed < 1:
                relaxed += 1
                search.step_relaxation(lp.values, min(tuning.RELAXATION_STEP_SECONDS, p.end - time.monotonic()),
                                       self.stop)
            elif prep.slots and search.collective_turn(rounds):
                if both:
                    search.step_pair(limit, self.stop, collectives=True)
                else:
                    search.step_collectives(limit, self.stop)
            elif both:
                search.step_pair(limit, self.stop)
            else:
                search.step(limit, self.stop)
        self.stats["window_search"] = {"steps": search.steps, "gains": search.gains, "window": search.window,
                                       "gain_by_kind": search.gain_by_kind}
        p.plan = search.plan

    def _stop_bounding(self, p: Phase1, polish: float) -> None:
        """Wait for the bound's thread (a little past the search at most) and take its bound."""
        if p.keeper is not None:
            p.keeper.join(timeout=max(0.0, p.end - time.monotonic() - polish) + tuning.BOUND_JOIN_GRACE)
        with self._shared:
            bound = self._bounding_bound
        if bound is not None:
            p.bounds.append(bound)

    def _phase1_answer(self, p: Phase1) -> Phase1Result:
        """The plan's stays (as close to the hint as the value allows) and the least bound found."""
        prep = p.prep
        chosen = p.plan.options()
        if self.hint is not None and p.model is not None and not self.stopped():
            until = time.monotonic() + tuning.HINT_CLOSE_OF_LIMIT * self.time_limit
            chosen = self.whole.stay_close_to_hint(p.model, chosen, list(self.hint.stays), until)
        bound = min(b for b in p.bounds if b is not None)
        self.stats["stays_value"] = sum(prep.options[i].bound for i in chosen) + prep.locked_bound
        self.stats["session_bound_of_stays"] = sum(prep.options[i].session_bound for i in chosen)
        return Phase1Result(stays_of_options(prep, chosen), bound, "FEASIBLE")  # `_answer` makes it OPTIMAL if reached

    def _polish_seconds(self, prep: Prepared, budget: float) -> float:
        """Seconds at the end of phase 1 for the polish: a share of a long phase on a small model, else none."""
        small = 0 < len(prep.options) <= tuning.POLISH_OPTIONS and not prep.thinned
        return tuning.POLISH_SHARE * budget if small and self.workers > 1 and budget >= tuning.POLISH_FROM else 0.0

    def _phase1_share(self, base: Solution | None) -> float:
        """Most of the time when the greedy programme already meets its bound on the baseline's stays."""
        if base is None or not base.stays:
            return tuning.PHASE1_SHARE
        from .programme import Programmes

        sample = [replace(s, sessions=()) for s in base.stays if s.id not in {x.id for x in self.inst.locked}]
        progs = Programmes(self.inst, sample)
        supply = SessionSupply(self.inst)
        target = sum(supply.bound(self.inst.request_by_id[rid], self._house_index[s.house],
                                  self.inst.day_index(s.start), self.inst.house_by_id[s.house].stay_length[s.type])
                     for s in sample for rid in s.requests)
        slack = int(tuning.SLACK * base.objective) if len(self.inst.requests) > tuning.MANY_REQUESTS else 0
        easy = progs.value(progs.greedy()) >= target - slack
        self.stats["programme_easy"] = easy
        return tuning.PHASE1_SHARE_EASY if easy else tuning.PHASE1_SHARE_HARD

    # ----- the bound's thread ---------------------------------------------
    def _more_lagrangian(self, relaxation: LagrangianBound, target: float, until: float) -> None:
        bound = relaxation.run(target, until - time.monotonic(), self.stop)
        if bound is not None:
            total = bound + relaxation.locked_bound
            self._hand_over(total)
            self._note_lagrangian(relaxation, total)

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
            self.note("lp_error", repr(exc))
            return
        stats = {"bound": None, "seconds": round(time.monotonic() - t, 2),
                 "solver": "GLOP" if exact else "PDLP", "rounds": relaxation.rounds}
        if linear is None:
            self.note("lp", stats)
            return
        stats["bound"] = linear + prep.locked_bound
        self._hand_over(stats["bound"], "lp", stats, lp=relaxation)

    # ----- repair: place whoever still fits -------------------------------
    def _repair(self, prep: Prepared, stays: list[Stay]) -> list[Stay]:
        """Greedily add requests that fit beside the chosen stays (helps when time ran out)."""
        from ..explain import Occupancy

        occ = Occupancy(self.inst, stays)
        placed = {rid for s in stays for rid in s.requests}
        order = sorted((ri for ri in prep.free if self.inst.requests[ri].id not in placed),
                       key=lambda ri: (-max((prep.options[i].bound for i in prep.by_request[ri]), default=0), ri))
        stays = list(stays)
        until = time.monotonic() + tuning.REPAIR_SHARE * self._after_reserve()
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
        """Session value not worth a CP-SAT programme solve: `tuning.SLACK` of the plan (none on small plans)."""
        value = self.stats.get("stays_value") or 0
        return int(tuning.SLACK * value) if len(self.inst.requests) > tuning.MANY_REQUESTS else 0

    def _session_target(self, prep: Prepared, stays: list[Stay]) -> int:
        """Upper bound of the session term of these stays; a programme reaching it is optimal."""
        total = 0
        for stay in stays:
            hi = self._house_index[stay.house]
            length = self.inst.houses[hi].stay_length[stay.type]
            start = self.inst.day_index(stay.start)
            for rid in stay.requests:
                total += prep.supply.bound(self.inst.request_by_id[rid], hi, start, length)
        return total

    # ----- the answer -----------------------------------------------------
    def _answer(self, stays: list[Stay], bound: int | None, status: str, base: Solution | None) -> Solution:
        from ..explain import explain
        from ..validate import score, validate

        with self._shared:  # the bound's thread may still be finishing: from now on it writes nothing
            self._answered = True
        stays = name_stays(self.inst, stays)
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
            # Cannot happen if the argument in the package docstring holds; never claim a false bound.
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


def _baseline(instance: Instance) -> Solution | None:
    from ..baseline import baseline
    from ..validate import score

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
