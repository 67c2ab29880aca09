"""Phase 2: give fixed stays their programmes of sessions (rules 7-9, 11).

`Programmes` owns the session variables of a set of stays whose house, type,
start and requests are settled. Each hard rule adds its constraints; the
soft rules (session credit, therapist switches) return objective terms. A
greedy builder gives a complete starting point (used as a hint, and as the
answer when the solver finds nothing better in time); it spreads a stay's
sessions over its days.

Rule 11 at the level of days: a therapist gives at most one session per
slot, so at most `Instance.day_limit(t)` a day; `programme` then gives every
session its slot (`matching.slots`, König's edge colouring).

Programmes people can live with (lexicographic, never at the cost of the
spec objective): once stage 1 has its best value V, stage 2 keeps
`credit - switch >= V` as a constraint and minimises (a) the largest weekly
load of a therapist, then, with that fixed, (b) a stay's empty days at its
start and end (EDGE_DAY each), days with more than one session of a stay
(DOUBLE_DAY each), and the sum of squares of therapists' weekly loads.

The network extension `Therapist.max_sessions_per_week` (calendar weeks,
Monday to Sunday) is a hard constraint here and in the greedy builder.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from ..model import DIMENSIONS, Instance, Session, Stay
from ..prepare import stay_languages, urgency_factor
from ..slots import with_slots
from ..spread import spread_of

MAX_THERAPISTS_PER_NEED = 6  # candidates kept per (stay, dimension); the rest are never better placed
STAGE1_SHARE = 0.6  # of the programme's time for the spec objective; the rest (and what stage 1 leaves) spreads
STAGE2A_SHARE = 0.35  # of stage 2's time to minimise the largest weekly load; the rest for (b)
MIN_STAGE2_SECONDS = 0.05  # below this, stage 2 is not tried
SMALL_MODEL = 4000  # session variables: when the greedy plan is already best, build CP-SAT for stage 2 below this
EDGE_DAY = 50  # stage 2b: an empty day at the start or end of a stay
DOUBLE_DAY = 10  # stage 2b: a day on which a stay has more than one session


@dataclass
class Busy:
    """Therapist-days already used outside the stays being programmed."""

    sessions: dict  # (therapist index, day) -> sessions given
    house: dict  # (therapist index, day) -> house id where she works that day
    week: dict = None  # (therapist index, week index) -> sessions given

    def __post_init__(self):
        if self.week is None:
            self.week = {}

    @classmethod
    def empty(cls) -> "Busy":
        return cls({}, {}, {})

    def add(self, instance: Instance, stay: Stay, sessions) -> None:
        tindex = {t.id: i for i, t in enumerate(instance.therapists)}
        for s in sessions:
            key = (tindex[s.therapist], instance.day_index(s.day))
            self.sessions[key] = self.sessions.get(key, 0) + 1
            self.house[key] = stay.house
            wk = (key[0], instance.week_index(key[1]))
            self.week[wk] = self.week.get(wk, 0) + 1


class _Need:
    """One stay's demand in one dimension, with the therapists who could meet it."""

    def __init__(self, stay: int, dim: str, demand: int, days: list[int], candidates: list[int]):
        self.stay, self.dim, self.demand, self.days, self.candidates = stay, dim, demand, days, candidates


class Programmes:
    """Session variables of fixed stays, and the rules 7-9 over them."""

    def __init__(self, instance: Instance, stays: list[Stay], busy: Busy | None = None):
        self.instance = instance
        self.stays = stays
        self.busy = busy or Busy.empty()
        self.per_day = instance.max_sessions_per_stay_day
        self.tindex = {t.id: i for i, t in enumerate(instance.therapists)}
        self.needs = self._index_needs()
        self.model = cp_model.CpModel()
        self.give: dict[tuple[int, str, int, int], cp_model.IntVar] = {}
        self._at: dict = {}  # (therapist, day, house) -> works there that day
        self._credits: list = []  # (var, stay index, dim, level)
        self.cap: dict[tuple[int, str, int, int], int] = {}
        self._built = False

    # ----- data ---------------------------------------------------------
    def _available(self, ti: int, day: int) -> bool:
        return self.instance.therapists[ti].is_available(self.instance.date_of(day))

    def _index_needs(self) -> list[_Need]:
        inst = self.instance
        needs = []
        for k, stay in enumerate(self.stays):
            house = inst.house_by_id[stay.house]
            start = inst.day_index(stay.start)
            days = list(range(start, start + house.stay_length[stay.type]))
            langs = stay_languages(inst, stay)
            locked_by = defaultdict(set)
            for s in stay.sessions:
                locked_by[s.dimension].add(self.tindex[s.therapist])
            for dim in DIMENSIONS:
                demand = max(inst.request_by_id[r].needs.get(dim, 0) for r in stay.requests)
                if demand <= 0:
                    continue
                scored = []
                for ti, t in enumerate(inst.therapists):
                    if stay.house not in t.houses or dim not in t.dimensions or not langs & set(t.languages):
                        continue
                    free_days = sum(1 for d in days if self._can_work(ti, d, stay.house))
                    if free_days or ti in locked_by[dim]:
                        scored.append((-(ti in locked_by[dim]), -free_days, len(t.houses), ti))
                scored.sort()
                keep = [ti for *_, ti in scored[:MAX_THERAPISTS_PER_NEED]]
                keep += [ti for ti in locked_by[dim] if ti not in keep]
                if keep:
                    needs.append(_Need(k, dim, demand, days, keep))
        return needs

    def _can_work(self, ti: int, day: int, house: str) -> bool:
        t = self.instance.therapists[ti]
        if not self._available(ti, day):
            return False
        if self.busy.sessions.get((ti, day), 0) >= self.instance.day_limit(t):
            return False
        if t.max_sessions_per_week is not None and \
                self.busy.week.get((ti, self.instance.week_index(day)), 0) >= t.max_sessions_per_week:
            return False
        other = self.busy.house.get((ti, day))
        return other is None or other == house

    # ----- model --------------------------------------------------------
    def build(self) -> None:
        """Make the variables, then add each rule."""
        for need in self.needs:
            stay = self.stays[need.stay]
            for ti in need.candidates:
                t = self.instance.therapists[ti]
                for d in need.days:
                    if not self._can_work(ti, d, stay.house):
                        continue
                    cap = min(self.per_day, self.instance.day_limit(t), need.demand)
                    name = f"give_{stay.id}_{need.dim}_{t.id}_d{d}"
                    self.give[need.stay, need.dim, ti, d] = self.model.NewIntVar(0, cap, name)
                    self.cap[need.stay, need.dim, ti, d] = cap
        for k, stay in enumerate(self.stays):  # a locked session always has its variable
            for ses in stay.sessions:
                key = (k, ses.dimension, self.tindex[ses.therapist], self.instance.day_index(ses.day))
                if key not in self.give:
                    self.give[key] = self.model.NewIntVar(0, self.per_day, f"give_{stay.id}_{key[1]}_{ses.therapist}_d{key[3]}")
                    self.cap[key] = self.per_day
        self._keep_locked_sessions()
        self._at_most_demand_per_dimension()
        self._at_most_sessions_per_stay_day()
        self._therapist_day_limit_and_one_house()
        self._therapist_week_limit()
        self._objective = sum(self._session_credit()) - sum(self._switch_penalty())
        self.model.Maximize(self._objective)
        self._built = True

    def _keep_locked_sessions(self) -> None:
        """Rule 10: a locked stay keeps the sessions it was approved with."""
        for k, stay in enumerate(self.stays):
            count = defaultdict(int)
            for s in stay.sessions:
                count[s.dimension, self.tindex[s.therapist], self.instance.day_index(s.day)] += 1
            for (dim, ti, d), n in count.items():
                var = self.give.get((k, dim, ti, d))
                if var is None:
                    raise ValueError(f"locked session of stay {stay.id} cannot be given")
                self.model.Add(var >= n)

    def _at_most_demand_per_dimension(self) -> None:
        """Rule 8: at most the stay's demand of sessions in each dimension."""
        self._by_need = defaultdict(list)
        for (k, dim, ti, d), var in self.give.items():
            self._by_need[k, dim].append(var)
        for need in self.needs:
            vars_ = self._by_need.get((need.stay, need.dim))
            if vars_:
                self.model.Add(sum(vars_) <= need.demand)

    def _at_most_sessions_per_stay_day(self) -> None:
        """Rule 8: at most max_sessions_per_stay_day sessions on a stay-day."""
        by_day = defaultdict(list)
        for (k, dim, ti, d), var in self.give.items():
            by_day[k, d].append(var)
        for vars_ in by_day.values():
            if len(vars_) > 1:
                self.model.Add(sum(vars_) <= self.per_day)

    def _therapist_day_limit_and_one_house(self) -> None:
        """Rule 9: max_sessions_per_day per therapist-day, all at one house."""
        by_tday = defaultdict(list)
        for key, var in self.give.items():
            by_tday[key[2], key[3]].append((self.stays[key[0]].house, var, self.cap[key]))
        for (ti, d), items in by_tday.items():
            t = self.instance.therapists[ti]
            cap = self.instance.day_limit(t) - self.busy.sessions.get((ti, d), 0)
            if sum(c for _, _, c in items) > cap:
                self.model.Add(sum(v for _, v, _ in items) <= cap)
            houses = sorted({h for h, _, _ in items})
            if len(houses) > 1:
                at = {h: self.model.NewBoolVar(f"works_{t.id}_d{d}_at_{h}") for h in houses}
                self._at.update({(ti, d, h): v for h, v in at.items()})
                self.model.AddAtMostOne(at.values())
                for h, v, _ in items:
                    self.model.Add(v == 0).OnlyEnforceIf(at[h].Not())

    def _therapist_week_limit(self) -> None:
        """Extension: at most max_sessions_per_week sessions in a calendar week, with what is already busy."""
        by_week = defaultdict(list)
        for (k, dim, ti, d), var in self.give.items():
            if self.instance.therapists[ti].max_sessions_per_week is not None:
                by_week[ti, self.instance.week_index(d)].append(var)
        for (ti, wk), vars_ in by_week.items():
            cap = self.instance.therapists[ti].max_sessions_per_week - self.busy.week.get((ti, wk), 0)
            self.model.Add(sum(vars_) <= cap)

    def _session_credit(self):
        """Soft: session x urgency factor for each session a request needs, per dimension."""
        w = self.instance.weights.session
        for need in self.needs:
            vars_ = self._by_need.get((need.stay, need.dim))
            if not vars_:
                continue
            stay = self.stays[need.stay]
            total = sum(vars_)
            for rid in stay.requests:
                r = self.instance.request_by_id[rid]
                level = r.needs.get(need.dim, 0)
                u = urgency_factor(self.instance, r)
                if level >= need.demand:
                    yield w * u * total
                elif level > 0:
                    credit = self.model.NewIntVar(0, level, f"credit_{stay.id}_{rid}_{need.dim}")
                    self._credits.append((credit, need.stay, need.dim, level))
                    self.model.Add(credit <= total)
                    yield w * u * credit

    def _switch_penalty(self):
        """Soft: switch for each therapist beyond the first in a stay's dimension."""
        w = self.instance.weights.switch
        self._uses = {}
        for need in self.needs:
            stay = self.stays[need.stay]
            uses = []
            for ti in need.candidates:
                vars_ = [v for (k, dim, t2, d), v in self._iter_need(need) if t2 == ti]
                if not vars_:
                    continue
                use = self.model.NewBoolVar(f"uses_{stay.id}_{need.dim}_{self.instance.therapists[ti].id}")
                for v in vars_:
                    self.model.Add(v == 0).OnlyEnforceIf(use.Not())
                self._uses[need.stay, need.dim, ti] = use
                uses.append(use)
            if not uses:
                continue
            any_ = self.model.NewBoolVar(f"has_{stay.id}_{need.dim}")
            self.model.Add(any_ <= sum(uses))
            self._uses[need.stay, need.dim, None] = any_
            yield w * (sum(uses) - any_)

    def _iter_need(self, need: _Need):
        for ti in need.candidates:
            for d in need.days:
                key = (need.stay, need.dim, ti, d)
                if key in self.give:
                    yield key, self.give[key]

    # ----- greedy, hint, solve ------------------------------------------
    def greedy(self) -> dict[tuple[int, str, int, int], int]:
        """A feasible programme built one need at a time, most valuable first.

        Each need's sessions go on the stay's emptiest days, as evenly over
        the stay as the therapists' free days allow.
        """
        inst = self.instance
        used_t = dict(self.busy.sessions)
        used_w = dict(self.busy.week)
        house_t = dict(self.busy.house)
        stay_day = defaultdict(int)
        plan: dict = defaultdict(int)
        dim_count = defaultdict(int)
        users = set()  # (stay, dim, therapist) already giving sessions

        def book(k, dim, ti, d, house):
            plan[k, dim, ti, d] += 1
            used_t[ti, d] = used_t.get((ti, d), 0) + 1
            wk = (ti, inst.week_index(d))
            used_w[wk] = used_w.get(wk, 0) + 1
            house_t[ti, d] = house
            stay_day[k, d] += 1
            dim_count[k, dim] += 1
            users.add((k, dim, ti))

        for k, stay in enumerate(self.stays):  # locked sessions first
            for s in stay.sessions:
                book(k, s.dimension, self.tindex[s.therapist], inst.day_index(s.day), stay.house)

        def worth(need):
            stay = self.stays[need.stay]
            return -sum(urgency_factor(inst, inst.request_by_id[r]) * min(need.demand, inst.request_by_id[r].needs.get(need.dim, 0))
                        for r in stay.requests)

        for need in sorted(self.needs, key=lambda n: (worth(n), n.stay, n.dim)):
            stay = self.stays[need.stay]
            want = need.demand - dim_count[need.stay, need.dim]
            if want <= 0:
                continue
            best = None
            for ti in need.candidates:
                t = inst.therapists[ti]
                days = []
                for d in need.days:
                    if (need.stay, need.dim, ti, d) not in self.give and self._built:
                        continue
                    if not self._can_work(ti, d, stay.house) or house_t.get((ti, d), stay.house) != stay.house:
                        continue
                    room = min(inst.day_limit(t) - used_t.get((ti, d), 0), self.per_day - stay_day[need.stay, d])
                    if room > 0:
                        days.append(d)
                days = self._spread(need, days, want, ti, used_w, stay_day)
                already = int((need.stay, need.dim, ti) in users)
                busiest = max((used_w.get((ti, inst.week_index(d)), 0) for d in days[:want]), default=0)
                score = (min(want, len(days)), already, -busiest, -len(t.houses), -ti)  # then the less loaded
                if best is None or score > best[0]:
                    best = (score, ti, days)
            if best is None or best[0][0] == 0:
                continue
            _, ti, days = best
            for d in days[:want]:
                book(need.stay, need.dim, ti, d, stay.house)
        return dict(plan)

    def _spread(self, need: _Need, days: list[int], want: int, ti: int, used_w: dict, stay_day: dict) -> list[int]:
        """Up to `want` of `days` (one session a day), on the stay's emptiest days, evenly over the stay.

        Keeps within her weekly cap, if she has one.
        """
        t = self.instance.therapists[ti]
        first, length = need.days[0], len(need.days)
        week_left = {}
        chosen: list[int] = []
        for i in range(min(want, len(days))):
            target = first + (i + 0.5) * length / want
            best = None
            for d in days:
                if d in chosen:
                    continue
                if t.max_sessions_per_week is not None:
                    wk = self.instance.week_index(d)
                    left = week_left.setdefault(wk, t.max_sessions_per_week - used_w.get((ti, wk), 0))
                    if left <= 0:
                        continue
                key = (stay_day.get((need.stay, d), 0), abs(d + 0.5 - target), d)
                if best is None or key < best[0]:
                    best = (key, d)
            if best is None:
                break
            chosen.append(best[1])
            if t.max_sessions_per_week is not None:
                week_left[self.instance.week_index(best[1])] -= 1
        return sorted(chosen)

    def hint(self, plan: dict) -> None:
        for key, var in self.give.items():
            self.model.AddHint(var, plan.get(key, 0))
        totals = defaultdict(int)
        works = set()
        for (k, dim, ti, d), n in plan.items():
            totals[k, dim] += n
            if n:
                works.add((ti, d, self.stays[k].house))
        for var, k, dim, level in self._credits:
            self.model.AddHint(var, min(level, totals[k, dim]))
        for key, var in self._at.items():
            self.model.AddHint(var, key in works)
        used = {(k, dim, ti) for (k, dim, ti, _), n in plan.items() if n}
        used |= {(k, dim, None) for (k, dim, _) in used}
        for key, use in self._uses.items():
            self.model.AddHint(use, key in used)

    def value(self, plan: dict) -> int:
        """Session credit minus switch penalty of a plan, as the objective counts them."""
        inst = self.instance
        per_dim = defaultdict(int)
        who = defaultdict(set)
        for (k, dim, ti, d), n in plan.items():
            if n:
                per_dim[k, dim] += n
                who[k, dim].add(ti)
        total = 0
        for k, stay in enumerate(self.stays):
            for rid in stay.requests:
                r = inst.request_by_id[rid]
                u = urgency_factor(inst, r)
                total += inst.weights.session * u * sum(min(r.needs.get(d, 0), per_dim[k, d]) for d in DIMENSIONS)
        total -= inst.weights.switch * sum(len(ts) - 1 for ts in who.values())
        return total

    def solve(self, time_limit: float, workers: int, seed: int, stop: threading.Event | None = None,
              target: int | None = None, slack: int = 0):
        """Return (sessions per stay index, status name). Falls back to greedy.

        `target`, an upper bound of the value, ends stage 1 early when the
        greedy plan comes within `slack` of it. Stage 2 (spreading) then uses
        the time left; `self.stages` records what each stage reached.
        """
        t0 = time.monotonic()
        deadline = t0 + time_limit
        plan = self.greedy()
        self.stages = {"greedy": self.value(plan)}
        status = None
        if target is not None and self.value(plan) >= target:
            status = "OPTIMAL"
        elif target is not None and self.value(plan) >= target - slack:
            status = "GREEDY"
        if status is not None and self._estimate() > SMALL_MODEL:
            # Stage 1 needs no solver here; building a large model could overrun: polish the days only.
            self.stages["spread_before"] = self.spread(plan)
            plan = self.polish_days(plan, deadline)
            self.stages["spread_after"] = self.spread(plan)
            return self._sessions(plan), status
        if not self._built:
            self.build()
        if not self.give or deadline - time.monotonic() <= 0.05:
            return self._sessions(self.polish_days(plan, deadline)), status or "GREEDY"
        if status is None:
            self.hint(plan)
            found, solver, code = self._run(STAGE1_SHARE * (deadline - time.monotonic()), workers, seed, stop)
            if found is not None and self.value(found) >= self.value(plan):
                plan, status = found, solver.StatusName(code)
            else:
                status = "GREEDY"
        self.stages["stage1"] = self.value(plan)
        if (stop is None or not stop.is_set()) and deadline - time.monotonic() > MIN_STAGE2_SECONDS:
            plan = self._spread_stage(plan, deadline, workers, seed, stop)
        else:
            plan = self.polish_days(plan, deadline)
        return self._sessions(plan), status

    def _estimate(self) -> int:
        """Session variables the model would have (an upper estimate)."""
        return sum(len(n.candidates) * len(n.days) for n in self.needs)

    def _run(self, seconds: float, workers: int, seed: int, stop: threading.Event | None, presolve: bool = True):
        """Solve the model as it stands: (plan or None, solver, status code)."""
        solver = cp_model.CpSolver()
        solver.parameters.cp_model_presolve = presolve
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        if workers == 1:
            solver.parameters.max_deterministic_time = 0.25 * seconds
        timer = _watch(stop, solver)
        try:
            code = solver.Solve(self.model)
        finally:
            timer.set()
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return {key: solver.Value(v) for key, v in self.give.items() if solver.Value(v)}, solver, code
        return None, solver, code

    # ----- stage 2: spread, never below the stage-1 value -----------------
    def _spread_stage(self, plan: dict, deadline: float, workers: int, seed: int,
                      stop: threading.Event | None) -> dict:
        """Keep the value of `plan`; minimise the largest weekly load, then empty edges, doubles, squares."""
        value = self.value(plan)
        self.stages["spread_before"] = self.spread(plan)
        plan = self.polish_days(plan, deadline)
        self.stages["spread_polished"] = self.spread(plan)
        m = self.model
        m.Add(self._objective >= value)
        top = self._load_terms()
        edges, doubles = self._stay_terms()
        self._hint_all(plan)
        m.ClearObjective()
        m.Minimize(top)
        # the hint is complete and feasible: skip presolve, which can take all of a short stage
        found, solver, code = self._run(STAGE2A_SHARE * (deadline - time.monotonic()), workers, seed, stop, False)
        if found is None or self.value(found) < value:
            self.stages["stage2"] = "polished only"
            self.stages["spread_after"] = self.stages["spread_polished"]
            return plan
        plan = found
        self.stages["top_week"] = solver.Value(top)
        m.Add(top <= solver.Value(top))
        self._hint_all(plan)
        m.ClearObjective()
        m.Minimize(EDGE_DAY * sum(edges) + DOUBLE_DAY * sum(doubles) + sum(sq for _, sq, _, _ in self._loads))
        if deadline - time.monotonic() > MIN_STAGE2_SECONDS and (stop is None or not stop.is_set()):
            found, solver, code = self._run(deadline - time.monotonic(), workers, seed, stop, False)
            if found is not None and self.value(found) >= value:
                plan = found
        self.stages["stage2"] = solver.StatusName(code)
        self.stages["spread_after"] = self.spread(plan)
        return plan

    def polish_days(self, plan: dict, deadline: float) -> dict:
        """Move single sessions to other days of their stay, same therapist, while it helps.

        A move keeps every count the objective reads (sessions per stay and
        dimension, therapists per stay and dimension), so the value never
        changes; it is made when it keeps every rule, does not raise the
        largest weekly load and lowers EDGE_DAY x empty edge days (the longer
        end counted twice) + DOUBLE_DAY x doubled days + the sum of squared
        weekly loads. Only stays with an
        empty edge or a doubled day are looked at, and only moves to an empty
        day of the stay (the others cannot lower those terms).
        """
        inst = self.instance
        plan = {key: n for key, n in plan.items() if n}
        stay_day = defaultdict(int)
        t_day = defaultdict(int, self.busy.sessions)
        t_house = dict(self.busy.house)
        t_week = defaultdict(int, self.busy.week)
        for (k, dim, ti, d), n in plan.items():
            stay_day[k, d] += n
            t_day[ti, d] += n
            t_house[ti, d] = self.stays[k].house
            t_week[ti, inst.week_index(d)] += n
        locked = defaultdict(int)
        for k, stay in enumerate(self.stays):
            for s in stay.sessions:
                locked[k, s.dimension, self.tindex[s.therapist], inst.day_index(s.day)] += 1
        days_of = {need.stay: need.days for need in self.needs}
        candidates = {(need.stay, need.dim): set(need.candidates) for need in self.needs}
        top = max(t_week.values(), default=0)

        def may_give(k, dim, ti, d2, house):
            if self._built:
                return (k, dim, ti, d2) in self.give
            return ti in candidates.get((k, dim), ()) and self._can_work(ti, d2, house)

        def stay_cost(k):
            days = days_of[k]
            counts = [stay_day[k, d] for d in days]
            if not any(counts):
                return 0
            lead = next(i for i, c in enumerate(counts) if c)
            trail = next(i for i, c in enumerate(reversed(counts)) if c)
            # the longer end counts twice: one session sits mid-stay rather than on its first day
            return EDGE_DAY * (lead + trail + max(lead, trail)) + DOUBLE_DAY * sum(c - 1 for c in counts if c > 1)

        improved, sweeps = True, 0
        while improved and (sweeps == 0 or time.monotonic() < deadline):  # one sweep always (cheap)
            improved, sweeps = False, sweeps + 1
            for key in sorted(plan):
                k, dim, ti, d = key
                if plan.get(key, 0) <= locked.get(key, 0):
                    continue
                before = stay_cost(k)
                if not before:  # no empty edge, no doubled day: nothing to gain for this stay
                    continue
                t = inst.therapists[ti]
                house = self.stays[k].house
                wk = inst.week_index(d)
                best = None
                for d2 in days_of[k]:
                    # only an empty day can shorten an empty edge or undo a doubled day
                    if stay_day[k, d2] or not may_give(k, dim, ti, d2, house):
                        continue
                    if t_day[ti, d2] >= inst.day_limit(t) or t_house.get((ti, d2), house) != house:
                        continue
                    wk2 = inst.week_index(d2)
                    if wk2 != wk and (t_week[ti, wk2] + 1 > top or (t.max_sessions_per_week is not None
                                                                     and t_week[ti, wk2] >= t.max_sessions_per_week)):
                        continue
                    stay_day[k, d] -= 1
                    stay_day[k, d2] += 1
                    gain = before - stay_cost(k)
                    stay_day[k, d] += 1
                    stay_day[k, d2] -= 1
                    if wk2 != wk:
                        gain += t_week[ti, wk] ** 2 + t_week[ti, wk2] ** 2 \
                            - (t_week[ti, wk] - 1) ** 2 - (t_week[ti, wk2] + 1) ** 2
                    if gain > 0 and (best is None or gain > best[0]):
                        best = (gain, d2, wk2)
                if best is None:
                    continue
                _, d2, wk2 = best
                plan[key] -= 1
                if not plan[key]:
                    del plan[key]
                plan[k, dim, ti, d2] = plan.get((k, dim, ti, d2), 0) + 1
                stay_day[k, d] -= 1
                stay_day[k, d2] += 1
                t_day[ti, d] -= 1
                t_day[ti, d2] += 1
                if not t_day[ti, d]:
                    t_house.pop((ti, d), None)
                t_house[ti, d2] = house
                t_week[ti, wk] -= 1
                t_week[ti, wk2] += 1
                improved = True
        return plan

    def _hint_all(self, plan: dict) -> None:
        """A complete hint: the plan's sessions and every stage-2 term they imply (CP-SAT starts from it)."""
        self.model.ClearHints()
        self.hint(plan)
        m = self.model
        loads = []
        for load, sq, base, keys in self._loads:
            n = base + sum(plan.get(key, 0) for key in keys)
            m.AddHint(load, n)
            m.AddHint(sq, n * n)
            loads.append(n)
        m.AddHint(self._top, max(loads, default=0))
        for k, days, leads, trails, extras in self._stay_vars:
            counts = [sum(n for key, n in plan.items() if key[0] == k and key[3] == d) for d in days] \
                if leads else []
            for i, (lead, trail) in enumerate(zip(leads, trails)):
                m.AddHint(lead, int(sum(counts[: i + 1]) == 0))
                m.AddHint(trail, int(sum(counts[i:]) == 0))
            for d, extra in extras:
                m.AddHint(extra, max(0, sum(n for key, n in plan.items() if key[0] == k and key[3] == d) - 1))

    def _load_terms(self):
        """The largest weekly load of a therapist of the model; keeps each load and its square in `_loads`."""
        m = self.model
        by_week = defaultdict(list)
        for key, var in self.give.items():
            by_week[key[2], self.instance.week_index(key[3])].append((key, var))
        self._loads, highest = [], 0
        for (ti, wk), items in sorted(by_week.items()):
            base = self.busy.week.get((ti, wk), 0)
            hi = base + sum(self.cap[key] for key, _ in items)
            t = self.instance.therapists[ti]
            if t.max_sessions_per_week is not None:
                hi = max(base, min(hi, t.max_sessions_per_week))
            load = m.NewIntVar(base, hi, f"load_{t.id}_w{wk}")
            m.Add(load == base + sum(v for _, v in items))
            sq = m.NewIntVar(base * base, hi * hi, f"load2_{t.id}_w{wk}")
            m.AddMultiplicationEquality(sq, [load, load])
            self._loads.append((load, sq, base, [key for key, _ in items]))
            highest = max(highest, hi)
        self._top = m.NewIntVar(0, highest, "top_week_load")
        for load, *_ in self._loads:
            m.Add(self._top >= load)
        return self._top

    def _stay_terms(self):
        """(empty days at a stay's start and end, days with more than one session) as 0/1 and integer terms."""
        m = self.model
        by_day = defaultdict(list)
        for (k, dim, ti, d), var in self.give.items():
            by_day[k, d].append(var)
        edges, doubles = [], []
        self._stay_vars = []
        for k, stay in enumerate(self.stays):
            house = self.instance.house_by_id[stay.house]
            first = self.instance.day_index(stay.start)
            days = list(range(first, first + house.stay_length[stay.type]))
            if not any(by_day.get((k, d)) for d in days):
                continue
            counts = [sum(by_day.get((k, d), [])) for d in days]
            leads, trails, extras = [], [], []
            for i in range(len(days)):
                lead = m.NewBoolVar(f"lead_{stay.id}_{i}")
                m.Add(lead + sum(counts[: i + 1]) >= 1)
                trail = m.NewBoolVar(f"trail_{stay.id}_{i}")
                m.Add(trail + sum(counts[i:]) >= 1)
                leads.append(lead)
                trails.append(trail)
            if self.per_day > 1:
                for d in days:
                    if len(by_day.get((k, d), ())) > 1:
                        extra = m.NewIntVar(0, self.per_day - 1, f"double_{stay.id}_d{d}")
                        m.Add(extra >= sum(by_day[k, d]) - 1)
                        extras.append((d, extra))
            edges += leads + trails
            doubles += [e for _, e in extras]
            self._stay_vars.append((k, days, leads, trails, extras))
        return edges, doubles

    def spread(self, plan: dict) -> dict:
        """How a plan shares the work: largest and median weekly load, empty edge days, doubled days."""
        sessions = self._sessions(plan)
        return spread_of(self.instance, [replace(s, sessions=x) for s, x in zip(self.stays, sessions)]).as_dict()

    def _sessions(self, plan: dict) -> list[tuple[Session, ...]]:
        inst = self.instance
        out: list[list[Session]] = [[] for _ in self.stays]
        for (k, dim, ti, d), n in sorted(plan.items(), key=lambda kv: (kv[0][0], kv[0][3], DIMENSIONS.index(kv[0][1]), kv[0][2])):
            for _ in range(n):
                out[k].append(Session(dimension=dim, day=inst.date_of(d), therapist=inst.therapists[ti].id))
        return [tuple(x) for x in out]

    @property
    def size(self) -> dict:
        proto = self.model.Proto()
        return {"variables": len(proto.variables), "constraints": len(proto.constraints)}


def _watch(stop: threading.Event | None, solver: cp_model.CpSolver) -> threading.Event:
    """Stop `solver` when `stop` is set; returns an event that ends the watch."""
    done = threading.Event()
    if stop is None:
        return done

    def run():
        while not done.wait(0.05):
            if stop.is_set():
                solver.StopSearch()
                return

    threading.Thread(target=run, daemon=True).start()
    return done


def greedy_programme(instance: Instance, stays: list[Stay]) -> list[tuple[Session, ...]]:
    """The greedy programme at once, each session with its slot: no CP-SAT model is built (for when the
    engine has no time left for one)."""
    progs = Programmes(instance, stays)
    return with_slots(instance, progs._sessions(progs.greedy()), stays)


def programme(instance: Instance, stays: list[Stay], *, time_limit: float, workers: int = 2,
              seed: int = 0, stop: threading.Event | None = None, max_vars: int = 150_000,
              target: int | None = None, slack: int = 0):
    """Sessions for every stay (same order), each with its slot (rule 11), solving per house when large.

    Returns (list of session tuples, stats dict).
    """
    sessions, stats = _programme(instance, stays, time_limit=time_limit, workers=workers, seed=seed, stop=stop,
                                 max_vars=max_vars, target=target, slack=slack)
    return with_slots(instance, sessions, stays), stats


def _programme(instance: Instance, stays: list[Stay], *, time_limit: float, workers: int,
               seed: int, stop: threading.Event | None, max_vars: int, target: int | None, slack: int):
    t0 = time.monotonic()
    whole = Programmes(instance, stays)
    estimate = sum(len(n.candidates) * len(n.days) for n in whole.needs)
    stats = {"estimated_vars": estimate}
    if estimate > max_vars and target is not None:
        plan = whole.greedy()
        if whole.value(plan) >= target - slack:
            stats["status"] = "OPTIMAL" if whole.value(plan) >= target else "GREEDY"
            before = whole.spread(plan)
            plan = whole.polish_days(plan, t0 + time_limit)
            stats["stages"] = {"greedy": whole.value(plan), "spread_before": before, "spread_after": whole.spread(plan)}
            return whole._sessions(plan), stats
    if estimate <= max_vars:
        sessions, status = whole.solve(time_limit, workers, seed, stop, target, slack)
        stats.update(status=status, stages=whole.stages, **whole.size)
        return sessions, stats
    # Per house, each using what earlier houses left of shared therapists.
    busy = Busy.empty()
    out: list[tuple[Session, ...]] = [() for _ in stays]
    groups = defaultdict(list)
    for k, s in enumerate(stays):
        groups[s.house].append(k)
    statuses = []
    order = sorted(groups, key=lambda h: -len(groups[h]))
    for n, hid in enumerate(order):
        left = time_limit - (time.monotonic() - t0)
        share = left / (len(order) - n)
        part = Programmes(instance, [stays[k] for k in groups[hid]], busy)
        sessions, status = part.solve(share, workers, seed, stop)
        statuses.append(status)
        stats.setdefault("stages", {})[hid] = part.stages
        for k, ses in zip(groups[hid], sessions):
            out[k] = ses
            busy.add(instance, stays[k], ses)
    stats["status"] = ",".join(sorted(set(statuses)))
    return out, stats
