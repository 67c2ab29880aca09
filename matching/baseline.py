"""First come, first served: the plan a careful coordinator would make by hand.

Locked stays go in first. Then requests are taken in the order they came
in: by submission date (requests without one last), then by the earliest
day they could start, then by id. Urgency does not jump the queue; it only
weighs, through the objective, how costly each day of waiting is. Each
request gets the start, house and type that cost her least
(waiting, a less preferred type, leaving her country), at the earliest day
where every hard rule holds. A request that accepts a collective stay may
instead gather other waiting requests that share a language into a
collective at one house and start, when together they reach its minimum
size. Each new stay then gets a greedy programme of sessions, one therapist
per dimension where possible. What cannot be placed is listed in
`unassigned` with a reason. The result always passes `validate` (unless the
locks themselves break a rule) and is the floor the solver must beat.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Iterable

from .capacity import Capacity, Ledger
from .model import DIMENSIONS, House, Instance, Request, Session, Solution, Stay, Therapist, Unassigned
from .slots import assign_slots
from .validate import score, validate


def priority_order(instance: Instance) -> list[Request]:
    """First come, first served: who asked first (no date: last), then who can start first, then id."""
    far = dt.date.max
    return sorted(instance.requests, key=lambda r: (r.submitted or far, r.earliest_start, r.id))


class _Calendar:
    """Which days each (house, type) may start a stay: horizon, closures, arrival weekday."""

    def __init__(self, instance: Instance):
        self.days = instance.horizon_days
        self.start = instance.horizon_start
        self.ok: dict[tuple[str, str], list[bool]] = {}
        for h in instance.houses:
            closed = self._closed_prefix(h)
            for t in h.stay_types:
                self.ok[(h.id, t)] = self._starts(h, h.stay_length[t], closed)

    def _closed_prefix(self, house: House) -> list[int]:
        """Prefix counts of closed days, so a stay's closure test is one subtraction."""
        prefix = [0]
        for d in range(self.days):
            day = self.start + dt.timedelta(days=d)
            prefix.append(prefix[-1] + any(c.contains(day) for c in house.closures))
        return prefix

    def _starts(self, house: House, length: int, closed: list[int]) -> list[bool]:
        ok = []
        for s in range(self.days):
            weekday = (self.start + dt.timedelta(days=s)).weekday()
            fits = s + length <= self.days and closed[s + length] == closed[s]
            ok.append(fits and weekday in house.arrival_weekdays)
        return ok

    def window(self, r: Request) -> range:
        """Day indexes of the horizon inside the request's start window."""
        first = max(0, (r.earliest_start - self.start).days)
        last = min(self.days - 1, (r.latest_start - self.start).days)
        return range(first, last + 1)


class _Occupancy:
    """Beds, stays and family units held per house and day (turnover included): a `capacity.Ledger`."""

    def __init__(self, instance: Instance):
        size = instance.horizon_days + max((h.turnover_days for h in instance.houses), default=0) + 1
        self.ledger = Ledger.empty(instance, days=size)

    def _house(self, house: House) -> Capacity:
        return self.ledger[self.ledger.index[house.id]]

    def free_beds(self, house: House, s: int, held: int, family: bool) -> int:
        """Beds free on every held day from `s`, or -1 when a stay or family unit is lacking."""
        return self._house(house).free_beds(s, held, family)

    def book(self, house: House, s: int, held: int, people: int, family: bool) -> None:
        self._house(house).hold(s, held, people, family=family)


class _Programme:
    """Greedy sessions per stay: therapist load per day and the house she is at."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.load: dict[tuple[str, int], int] = defaultdict(int)
        self.week: dict[tuple[str, int], int] = defaultdict(int)  # (therapist, week index) -> sessions
        self.at: dict[tuple[str, int], str] = {}
        self.available = {t.id: self._available_days(t) for t in instance.therapists}
        self.by_house_dim: dict[tuple[str, str], list[Therapist]] = defaultdict(list)
        for t in instance.therapists:
            for hid in t.houses:
                for dim in t.dimensions:
                    self.by_house_dim[(hid, dim)].append(t)

    def _available_days(self, t: Therapist) -> set[int]:
        inst = self.instance
        days = set()
        for a in t.available:
            first = max(0, (a.start - inst.horizon_start).days)
            last = min(inst.horizon_days - 1, (a.end - inst.horizon_start).days)
            days.update(range(first, last + 1))
        return days

    def record(self, house_id: str, sessions: Iterable[Session]) -> None:
        """Count sessions already fixed (locked) against their therapists."""
        for ses in sessions:
            key = (ses.therapist, self.instance.day_index(ses.day))
            self.load[key] += 1
            self.week[ses.therapist, self.instance.week_index(key[1])] += 1
            self.at[key] = house_id

    def plan(self, stay: Stay, requests: list[Request]) -> tuple[Session, ...]:
        """Add sessions to `stay` up to its demand; return all its sessions."""
        inst = self.instance
        length = inst.house_by_id[stay.house].stay_length[stay.type]
        s = inst.day_index(stay.start)
        days = [d for d in range(s, s + length) if 0 <= d < inst.horizon_days]
        languages = set.intersection(*(set(r.languages) for r in requests))
        per_day: dict[int, int] = defaultdict(int)
        for ses in stay.sessions:
            per_day[inst.day_index(ses.day)] += 1
        sessions = list(stay.sessions)
        for dim in self._dimensions(requests):
            demand = max(r.needs.get(dim, 0) for r in requests)
            missing = demand - sum(1 for x in sessions if x.dimension == dim)
            sessions += self._fill(stay.house, dim, missing, days, languages, per_day)
        return tuple(sessions)

    @staticmethod
    def _dimensions(requests: list[Request]) -> list[str]:
        return sorted(DIMENSIONS, key=lambda d: -max(r.needs.get(d, 0) for r in requests))

    def _fill(self, house_id: str, dim: str, missing: int, days: list[int],
              languages: set[str], per_day: dict[int, int]) -> list[Session]:
        """Give `missing` sessions of one dimension, one therapist where possible."""
        added: list[Session] = []
        candidates = [t for t in self.by_house_dim[(house_id, dim)] if languages & set(t.languages)]
        while missing > 0 and candidates:
            usable = {t.id: self._usable_days(t, house_id, days, per_day) for t in candidates}
            best = max(candidates, key=lambda t: min(len(usable[t.id]), missing))
            chosen = self._within_week_cap(best, sorted(usable[best.id], key=lambda d: (per_day[d], d)))[:missing]
            if not chosen:
                break
            for d in chosen:
                self._give(best, house_id, d, per_day)
                added.append(Session(dim, self.instance.date_of(d), best.id))
            missing -= len(chosen)
            candidates.remove(best)
        return added

    def _usable_days(self, t: Therapist, house_id: str, days: list[int], per_day: dict[int, int]) -> list[int]:
        limit = self.instance.max_sessions_per_stay_day
        avail = self.available[t.id]
        return [d for d in days
                if d in avail and per_day[d] < limit
                and self.load[(t.id, d)] < self.instance.day_limit(t)
                and self.at.get((t.id, d), house_id) == house_id]

    def _within_week_cap(self, t: Therapist, days: list[int]) -> list[int]:
        """The days in order, dropping those that would take her past max_sessions_per_week."""
        if t.max_sessions_per_week is None:
            return days
        room = defaultdict(int)
        kept = []
        for d in days:
            wk = self.instance.week_index(d)
            if self.week[t.id, wk] + room[wk] < t.max_sessions_per_week:
                room[wk] += 1
                kept.append(d)
        return kept

    def _give(self, t: Therapist, house_id: str, d: int, per_day: dict[int, int]) -> None:
        self.week[t.id, self.instance.week_index(d)] += 1
        self.load[(t.id, d)] += 1
        self.at[(t.id, d)] = house_id
        per_day[d] += 1


class _Planner:
    """The coordinator's state while she fills the calendar."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.calendar = _Calendar(instance)
        self.occupancy = _Occupancy(instance)
        self.programme = _Programme(instance)
        self.order = priority_order(instance)
        self.rank = {r.id: i for i, r in enumerate(self.order)}
        self.placed: set[str] = set()
        self.stays: list[Stay] = []
        self.collective_capable = [r for r in self.order if r.accepts("collective")]

    # -- options ---------------------------------------------------------

    def houses_for(self, r: Request, stay_type: str) -> list[House]:
        """Houses offering the type that she can enter, home country first."""
        houses = [h for h in self.instance.houses
                  if stay_type in h.stay_types and h.country not in r.barred_countries
                  and (h.accessible or not r.accessible)]
        return sorted(houses, key=lambda h: h.country != r.country)

    def options(self, r: Request) -> list[tuple[int, House, str]]:
        """(fixed cost, house, type) she may take, cheapest first."""
        w = self.instance.weights
        opts = []
        for pos, t in enumerate(r.stay_types):
            if not r.fits_type(t):
                continue
            for h in self.houses_for(r, t):
                cost = w.type_rank * pos + w.away * (h.country != r.country)
                opts.append((cost, h, t))
        return sorted(opts, key=lambda o: o[0])

    # -- placing ---------------------------------------------------------

    def place(self, r: Request) -> None:
        """Place one request in the cheapest stay still possible, if any."""
        w = self.instance.weights
        per_day = w.wait * w.urgency_factor[r.urgency]
        best: tuple[int, House, str, int, list[Request]] | None = None
        for cost, house, stay_type in self.options(r):
            if best is not None and cost >= best[0]:
                break
            found = self._earliest(r, house, stay_type, best[0] - cost if best else None, per_day)
            if found is not None:
                s, group = found
                total = cost + per_day * (s - self.calendar.window(r).start)
                if best is None or total < best[0]:
                    best = (total, house, stay_type, s, group)
        if best is not None:
            self._open(best[1], best[2], best[3], best[4])

    def _earliest(self, r: Request, house: House, stay_type: str, budget: int | None,
                  per_day: int) -> tuple[int, list[Request]] | None:
        """The earliest start (and group) at this house and type, within the cost budget."""
        ok = self.calendar.ok[(house.id, stay_type)]
        window = self.calendar.window(r)
        pool = self._pool(r, house) if stay_type == "collective" else []
        if stay_type == "collective" and sum(len(x.defenders) for x in pool) + len(r.defenders) < house.collective_min:
            return None
        held = house.stay_length[stay_type] + house.turnover_days
        for s in window:
            if budget is not None and per_day * (s - window.start) >= budget:
                return None
            if not ok[s]:
                continue
            group = self._fit(r, house, stay_type, s, held, pool)
            if group is not None:
                return s, group
        return None

    def _fit(self, r: Request, house: House, stay_type: str, s: int, held: int,
             pool: list[Request]) -> list[Request] | None:
        """The requests of a stay starting on `s`, or None when it does not fit."""
        free = self.occupancy.free_beds(house, s, held, stay_type == "family")
        if free < r.people:
            return None
        if stay_type != "collective":
            return [r]
        return self._gather(r, house, s, min(free, house.collective_max), pool)

    def _pool(self, r: Request, house: House) -> list[Request]:
        """Waiting requests that could join her collective at this house."""
        langs = set(r.languages)
        return [x for x in self.collective_capable
                if x.id not in self.placed and x is not r and x.accepts("collective")
                and langs & set(x.languages)
                and x.earliest_start <= r.latest_start and r.earliest_start <= x.latest_start
                and house.country not in x.barred_countries and (house.accessible or not x.accessible)]

    def _gather(self, r: Request, house: House, s: int, room: int, pool: list[Request]) -> list[Request] | None:
        """Greedily gather a collective starting on day `s`: at least its minimum, at most `room`."""
        day = self.instance.date_of(s)
        group, langs, size = [r], set(r.languages), len(r.defenders)
        for x in pool:
            if size >= room:
                break
            if (x.earliest_start <= day <= x.latest_start and size + len(x.defenders) <= room
                    and langs & set(x.languages)):
                group.append(x)
                langs &= set(x.languages)
                size += len(x.defenders)
        return group if house.collective_min <= size <= room else None

    def _open(self, house: House, stay_type: str, s: int, group: list[Request]) -> None:
        """Book a new stay and give it its programme."""
        people = sum(x.people for x in group)
        held = house.stay_length[stay_type] + house.turnover_days
        self.occupancy.book(house, s, held, people, stay_type == "family")
        stay = Stay(f"s{len(self.stays) + 1}", house.id, self.instance.date_of(s), stay_type,
                    tuple(sorted((x.id for x in group), key=self.rank.__getitem__)))
        self.stays.append(dataclasses.replace(stay, sessions=self.programme.plan(stay, group)))
        self.placed.update(x.id for x in group)

    def keep_locked(self) -> None:
        """Put the locked stays in first, exactly as approved, topping up their sessions."""
        inst = self.instance
        for lock in inst.locked:
            house = inst.house_by_id[lock.house]
            requests = [inst.request_by_id[rid] for rid in lock.requests]
            length = house.stay_length.get(lock.type)
            if length is not None:
                s = inst.day_index(lock.start)
                self.occupancy.book(house, s, length + house.turnover_days,
                                    sum(r.people for r in requests), lock.type == "family")
            self.programme.record(house.id, lock.sessions)
            self.placed.update(lock.requests)
            self.stays.append(lock)
        for i, lock in enumerate(self.stays):
            if lock.type in inst.house_by_id[lock.house].stay_length:
                requests = [inst.request_by_id[rid] for rid in lock.requests]
                self.stays[i] = dataclasses.replace(lock, sessions=self.programme.plan(lock, requests))


def baseline(instance: Instance) -> Solution:
    """Plan first come, first served; always feasible when the locks are."""
    planner = _Planner(instance)
    planner.keep_locked()
    for r in planner.order:
        if r.id not in planner.placed:
            planner.place(r)
    solution = Solution(stays=assign_slots(instance, planner.stays), status="BASELINE")
    solution.unassigned = [Unassigned(r.id, unplaced_reason(instance, r, planner.calendar))
                           for r in instance.requests if r.id not in planner.placed]
    solution.objective = score(instance, solution).total
    solution.problems = [str(v) for v in validate(instance, solution)] if instance.locked else []
    solution.stats = {"stays": len(solution.stays), "served": len(planner.placed)}
    return solution


def unplaced_reason(instance: Instance, r: Request, calendar: _Calendar | None = None) -> str:
    """Say, in a coordinator's words, the first thing that keeps a request out."""
    calendar = calendar or _Calendar(instance)
    types = [t for t in r.stay_types if r.fits_type(t)]
    if not types:
        return (f"none of the stay types she asked for ({', '.join(r.stay_types)}) fits "
                f"{len(r.defenders)} defenders with {r.companions} companions")
    offering = [(h, t) for t in types for h in instance.houses if t in h.stay_types]
    if not offering:
        return f"no house offers a {' or '.join(types)} stay"
    allowed = [(h, t) for h, t in offering if h.country not in r.barred_countries]
    if not allowed:
        return "every house offering her stay types is in a country she cannot enter"
    if r.accessible:
        allowed = [(h, t) for h, t in allowed if h.accessible]
        if not allowed:
            return "no accessible house she can enter offers her stay types"
    window = calendar.window(r)
    if not any(calendar.ok[(h.id, t)][s] for h, t in allowed for s in window):
        return "no house she can go to can start a whole stay in her window (closures, arrival days, horizon)"
    if all(r.people > h.beds for h, _ in allowed):
        return f"her {r.people} people are more than the beds of any house she can go to"
    if types == ["collective"]:
        return "no collective could be formed: too few defenders sharing her language with room in her window"
    return "every house she can go to is full on each possible start in her window"
