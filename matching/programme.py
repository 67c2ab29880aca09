"""Phase 2: give fixed stays their programmes of sessions (rules 7-9).

`Programmes` owns the session variables of a set of stays whose house, type,
start and requests are settled. Each hard rule adds its constraints; the
soft rules (session credit, therapist switches) return objective terms. A
greedy builder gives a complete starting point (used as a hint, and as the
answer when the solver finds nothing better in time).
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .model import DIMENSIONS, Instance, Session, Stay
from .prepare import stay_languages, urgency_factor

MAX_THERAPISTS_PER_NEED = 6  # candidates kept per (stay, dimension); the rest are never better placed


@dataclass
class Busy:
    """Therapist-days already used outside the stays being programmed."""

    sessions: dict  # (therapist index, day) -> sessions given
    house: dict  # (therapist index, day) -> house id where she works that day

    @classmethod
    def empty(cls) -> "Busy":
        return cls({}, {})

    def add(self, instance: Instance, stay: Stay, sessions) -> None:
        tindex = {t.id: i for i, t in enumerate(instance.therapists)}
        for s in sessions:
            key = (tindex[s.therapist], instance.day_index(s.day))
            self.sessions[key] = self.sessions.get(key, 0) + 1
            self.house[key] = stay.house


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
        if self.busy.sessions.get((ti, day), 0) >= t.max_sessions_per_day:
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
                    cap = min(self.per_day, t.max_sessions_per_day, need.demand)
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
        self.model.Maximize(sum(self._session_credit()) - sum(self._switch_penalty()))
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
            cap = t.max_sessions_per_day - self.busy.sessions.get((ti, d), 0)
            if sum(c for _, _, c in items) > cap:
                self.model.Add(sum(v for _, v, _ in items) <= cap)
            houses = sorted({h for h, _, _ in items})
            if len(houses) > 1:
                at = {h: self.model.NewBoolVar(f"works_{t.id}_d{d}_at_{h}") for h in houses}
                self._at.update({(ti, d, h): v for h, v in at.items()})
                self.model.AddAtMostOne(at.values())
                for h, v, _ in items:
                    self.model.Add(v == 0).OnlyEnforceIf(at[h].Not())

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
        """A feasible programme built one need at a time, most valuable first."""
        inst = self.instance
        used_t = dict(self.busy.sessions)
        house_t = dict(self.busy.house)
        stay_day = defaultdict(int)
        plan: dict = defaultdict(int)
        dim_count = defaultdict(int)
        users = set()  # (stay, dim, therapist) already giving sessions
        for k, stay in enumerate(self.stays):  # locked sessions first
            for s in stay.sessions:
                ti, d = self.tindex[s.therapist], inst.day_index(s.day)
                plan[k, s.dimension, ti, d] += 1
                used_t[ti, d] = used_t.get((ti, d), 0) + 1
                house_t[ti, d] = stay.house
                stay_day[k, d] += 1
                dim_count[k, s.dimension] += 1
                users.add((k, s.dimension, ti))

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
                slots = []
                for d in need.days:
                    if (need.stay, need.dim, ti, d) not in self.give and self._built:
                        continue
                    if not self._can_work(ti, d, stay.house) or house_t.get((ti, d), stay.house) != stay.house:
                        continue
                    room = min(t.max_sessions_per_day - used_t.get((ti, d), 0), self.per_day - stay_day[need.stay, d])
                    slots += [d] * max(0, min(room, 1))
                already = int((need.stay, need.dim, ti) in users)
                score = (min(want, len(slots)), already, -len(t.houses), -ti)
                if best is None or score > best[0]:
                    best = (score, ti, slots)
            if best is None or best[0][0] == 0:
                continue
            _, ti, slots = best
            for d in slots[:want]:
                plan[need.stay, need.dim, ti, d] += 1
                used_t[ti, d] = used_t.get((ti, d), 0) + 1
                house_t[ti, d] = stay.house
                stay_day[need.stay, d] += 1
                dim_count[need.stay, need.dim] += 1
                users.add((need.stay, need.dim, ti))
        return dict(plan)

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

        `target`, an upper bound of the value, ends the work early when the
        greedy plan comes within `slack` of it.
        """
        t0 = time.monotonic()
        plan = self.greedy()
        if target is not None and self.value(plan) >= target:
            return self._sessions(plan), "OPTIMAL"
        if target is not None and self.value(plan) >= target - slack:
            return self._sessions(plan), "GREEDY"
        if not self._built:
            self.build()
        time_limit -= time.monotonic() - t0
        if not self.give or time_limit <= 0.05:
            return self._sessions(plan), "GREEDY"
        self.hint(plan)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        if workers == 1:
            solver.parameters.max_deterministic_time = 0.25 * time_limit
        timer = _watch(stop, solver)
        try:
            status = solver.Solve(self.model)
        finally:
            timer.set()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got = {key: solver.Value(v) for key, v in self.give.items() if solver.Value(v)}
            return self._sessions(got), solver.StatusName(status)
        return self._sessions(plan), "GREEDY"

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


def programme(instance: Instance, stays: list[Stay], *, time_limit: float, workers: int = 2,
              seed: int = 0, stop: threading.Event | None = None, max_vars: int = 150_000,
              target: int | None = None, slack: int = 0):
    """Sessions for every stay (same order), solving per house when the model would be large.

    Returns (list of session tuples, stats dict).
    """
    t0 = time.monotonic()
    whole = Programmes(instance, stays)
    estimate = sum(len(n.candidates) * len(n.days) for n in whole.needs)
    stats = {"estimated_vars": estimate}
    if estimate > max_vars and target is not None:
        plan = whole.greedy()
        if whole.value(plan) >= target - slack:
            stats["status"] = "OPTIMAL" if whole.value(plan) >= target else "GREEDY"
            return whole._sessions(plan), stats
    if estimate <= max_vars:
        sessions, status = whole.solve(time_limit, workers, seed, stop, target, slack)
        stats.update(status=status, **whole.size)
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
        for k, ses in zip(groups[hid], sessions):
            out[k] = ses
            busy.add(instance, stays[k], ses)
    stats["status"] = ",".join(sorted(set(statuses)))
    return out, stats
