"""Prepare an instance for the engine: index every stay option the static rules allow.

Nothing here makes a solver variable. `prepare(instance)` returns a `Prepared`
holding, for every free (not locked) request, each (house, type, start) at
which she could stay given rules 2-5 and the capacity left by locked stays,
with the exact value of the placement terms of the objective and an upper
bound of the session term she could earn there (see `SessionSupply`).
Collective options are grouped into `Slot`s: a collective stay at (house,
start) that requests may join.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import accumulate

from .capacity import Capacity, Ledger
from .model import DIMENSIONS, House, Instance, Request, Stay


@dataclass(frozen=True, slots=True)
class Option:
    """One request staying at one house, with one type, from one start day."""

    request: int  # index into Instance.requests
    house: int  # index into Instance.houses
    type: str
    start: int  # day index of the first stay day
    length: int  # stay days
    held: int  # stay days plus turnover days
    value: int  # exact placement terms: serve, wait, type rank, away
    session_bound: int  # upper bound of the session term she can earn there
    copy: int = 0  # which of the collectives that may start together at (house, start)

    @property
    def bound(self) -> int:
        """Upper bound of everything this request adds to the objective here."""
        return self.value + self.session_bound


@dataclass
class Slot:
    """A collective stay at (house, start) that requests may join."""

    house: int
    start: int
    length: int
    held: int
    members: list[int]  # option indices, type collective, same house and start
    languages: tuple[str, ...]  # codes enough candidates share to reach the minimum size
    common: bool  # every candidate shares some language with every other
    copy: int = 0  # collectives starting together at one house are numbered 0, 1, ...


@dataclass
class Prepared:
    instance: Instance
    options: list[Option]
    by_request: dict[int, list[int]]  # request index -> option indices
    slots: list[Slot]
    slot_of: dict[tuple[int, int, int], int]  # (house, start, copy) -> slot index
    capacity: list[Capacity]  # per house: what is left once locked stays are in
    free: list[int]  # indices of requests not in a locked stay
    locked_requests: set[int]
    locked_bound: int  # upper bound of what locked stays add to the objective
    supply: "SessionSupply"
    thinned: bool = False  # some options were dropped to keep the model small
    stats: dict = field(default_factory=dict)

    def slot_of_option(self, i: int) -> int:
        o = self.options[i]
        return self.slot_of[o.house, o.start, o.copy]


def urgency_factor(instance: Instance, request: Request) -> int:
    return instance.weights.urgency_factor[request.urgency]


def placement_value(instance: Instance, request: Request, house: House, stay_type: str, start: int) -> int:
    """The exact serve, wait, type-rank and away terms of one request in one stay."""
    w = instance.weights
    u = urgency_factor(instance, request)
    wait_days = start - instance.day_index(request.earliest_start)
    rank = request.stay_types.index(stay_type) if stay_type in request.stay_types else 0
    value = w.serve * u * len(request.defenders) - w.wait * u * wait_days - w.type_rank * rank
    if house.country != request.country:
        value -= w.away
    return value


class SessionSupply:
    """Upper bounds of the sessions a request can receive in a stay.

    For a stay at house h on days [s, s+L), the sessions in dimension d are at
    most her need, at most what therapists of h working on d, sharing one of
    her languages, could give on the days they are available (each at most
    min(max_sessions_per_day, max_sessions_per_stay_day) a day), and all
    sessions together at most sum over days of min(max_sessions_per_stay_day,
    what those therapists could give that day). A collective stay's languages
    are a subset of each member's, so this over-estimates members too.
    """

    def __init__(self, instance: Instance):
        import numpy as np

        self.np = np
        self.instance = instance
        self.per_day = instance.max_sessions_per_stay_day
        self._cache: dict = {}
        self._eligible: dict = {}
        days = instance.horizon_days
        available = np.zeros((len(instance.therapists), days), dtype=np.int64)
        for ti, t in enumerate(instance.therapists):
            for r in t.available:
                a = max(0, instance.day_index(r.start))
                b = min(days - 1, instance.day_index(r.end))
                if a <= b:
                    available[ti, a:b + 1] = 1
        self._available = available
        self._daily = np.array([t.max_sessions_per_day for t in instance.therapists], dtype=np.int64)
        self._per_stay = np.minimum(self._daily, self.per_day)

    def _therapists_for(self, house: int, languages: frozenset) -> list[int]:
        key = (house, languages)
        hit = self._eligible.get(key)
        if hit is None:
            hid = self.instance.houses[house].id
            hit = [ti for ti, t in enumerate(self.instance.therapists)
                   if hid in t.houses and languages.intersection(t.languages)]
            self._eligible[key] = hit
        return hit

    def _prefixes(self, house: int, languages: frozenset, dims: tuple[str, ...]):
        key = (house, languages, dims)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        np = self.np
        therapists = self.instance.therapists
        days = self.instance.horizon_days
        mine = [ti for ti in self._therapists_for(house, languages)
                if any(d in therapists[ti].dimensions for d in dims)]
        zero = np.zeros(1, dtype=np.int64)
        per_dim = {}
        for d in dims:
            rows = [ti for ti in mine if d in therapists[ti].dimensions]
            daily = self._per_stay[rows] @ self._available[rows] if rows else np.zeros(days, dtype=np.int64)
            per_dim[d] = np.concatenate([zero, np.cumsum(daily)]).tolist()
        union = self._daily[mine] @ self._available[mine] if mine else np.zeros(days, dtype=np.int64)
        out = (per_dim, np.concatenate([zero, np.cumsum(np.minimum(self.per_day, union))]).tolist())
        self._cache[key] = out
        return out

    def sessions(self, request: Request, house: int, start: int, length: int,
                 languages: tuple[str, ...] | None = None) -> int:
        """Most sessions counted for `request` in a stay at `house` on [start, start+length)."""
        dims = tuple(d for d in DIMENSIONS if request.needs.get(d, 0) > 0)
        if not dims:
            return 0
        per_dim, union = self._prefixes(house, frozenset(languages or request.languages), dims)
        end = start + length
        total = sum(min(request.needs[d], per_dim[d][end] - per_dim[d][start]) for d in dims)
        return min(total, union[end] - union[start])

    def sessions_by_start(self, request: Request, house: int, length: int, languages: frozenset):
        """`bound` as a function of the start day, for many starts of one (request, house, length)."""
        dims = tuple(d for d in DIMENSIONS if request.needs.get(d, 0) > 0)
        if not dims:
            return lambda start: 0
        per_dim, union = self._prefixes(house, languages, dims)
        rows = [(request.needs[d], per_dim[d]) for d in dims]
        weight = self.instance.weights.session * urgency_factor(self.instance, request)

        def at(start: int) -> int:
            end = start + length
            total = 0
            for need, row in rows:
                total += min(need, row[end] - row[start])
            return weight * min(total, union[end] - union[start])
        return at

    def bound(self, request: Request, house: int, start: int, length: int,
              languages: tuple[str, ...] | None = None) -> int:
        """Upper bound of the session term (weighted) of `request` in such a stay."""
        u = urgency_factor(self.instance, request)
        return self.instance.weights.session * u * self.sessions(request, house, start, length, languages)


def closed_days(instance: Instance, house: House) -> list[bool]:
    days = instance.horizon_days
    row = [False] * days
    for c in house.closures:
        a = max(0, instance.day_index(c.start))
        b = min(days - 1, instance.day_index(c.end))
        for d in range(a, b + 1):
            row[d] = True
    return row


def start_days(instance: Instance, house: House, length: int) -> list[int]:
    """Day indices where a stay of `length` days may start at `house` (rule 5)."""
    closed = [0, *accumulate(closed_days(instance, house))]
    first_weekday = instance.horizon_start.weekday()
    out = []
    for s in range(0, instance.horizon_days - length + 1):
        if (first_weekday + s) % 7 not in house.arrival_weekdays:
            continue
        if closed[s + length] - closed[s]:
            continue
        out.append(s)
    return out


def statically_allowed(request: Request, house: House, stay_type: str) -> bool:
    """Rules 2 and 4 (but the window), plus what the house can ever hold."""
    if stay_type not in house.stay_types or not request.accepts(stay_type):
        return False
    if house.country in request.barred_countries:
        return False
    if request.accessible and not house.accessible:
        return False
    if house.max_concurrent_stays < 1 or request.people > house.beds:
        return False
    if stay_type == "family" and house.family_units < 1:
        return False
    if stay_type == "collective" and len(request.defenders) > house.collective_max:
        return False
    return True


def lock_usage(instance: Instance) -> list[Capacity]:
    """Capacity left at each house per day after the locked stays (may go negative)."""
    return Ledger.of(instance, instance.locked).houses


def prepare(instance: Instance, max_options: int | None = None, protect: list[Stay] = ()) -> Prepared:
    """Index every (request, house, type, start) allowed by rules 2-5 and the locks.

    Beyond `max_options`, each request keeps only its best options (and those
    of the stays in `protect`, e.g. a previous plan).
    """
    supply = SessionSupply(instance)
    capacity = lock_usage(instance)
    req_index = {r.id: i for i, r in enumerate(instance.requests)}
    locked_requests = {req_index[r] for lock in instance.locked for r in lock.requests if r in req_index}
    free = [i for i in range(len(instance.requests)) if i not in locked_requests]
    starts = {}
    for hi, house in enumerate(instance.houses):
        for t in house.stay_types:
            starts[hi, t] = start_days(instance, house, house.stay_length[t])

    options: list[Option] = []
    by_request: dict[int, list[int]] = {i: [] for i in free}
    w = instance.weights
    untouched = [min(c.beds) >= h.beds and min(c.stays) >= h.max_concurrent_stays and min(c.family) >= h.family_units
                 for c, h in zip(capacity, instance.houses)]
    for ri in free:
        r = instance.requests[ri]
        first = instance.day_index(r.earliest_start)
        last = instance.day_index(r.latest_start)
        u = urgency_factor(instance, r)
        per_wait_day = w.wait * u
        langs = frozenset(r.languages)
        for hi, house in enumerate(instance.houses):
            for t in r.stay_types:
                if not statically_allowed(r, house, t):
                    continue
                length = house.stay_length[t]
                held = length + house.turnover_days
                need = len(r.defenders) if t == "collective" else r.people
                at_first = placement_value(instance, r, house, t, first)
                sessions = supply.sessions_by_start(r, hi, length, langs)
                mine = by_request[ri]
                for s in starts[hi, t]:
                    if s < first or s > last:
                        continue
                    if not untouched[hi] and not capacity[hi].fits(s, held, need, family=t == "family"):
                        continue
                    mine.append(len(options))
                    options.append(Option(ri, hi, t, s, length, held, at_first - per_wait_day * (s - first),
                                          sessions(s)))

    trivial = sum(max((options[i].bound for i in idx), default=0) for idx in by_request.values())
    thinned = False
    if max_options is not None and len(options) > max_options:
        keep = {(r, h, s.type, instance.day_index(s.start)) for s in protect for r in s.requests
                for h in [s.house]}
        options, by_request = _thin(instance, options, by_request, max_options, keep)
        thinned = True
    slots, slot_of, options, by_request, _ = _collective_slots(instance, options, by_request, capacity, copies=True)
    locked_bound = 0
    for lock in instance.locked:
        hi = next((i for i, h in enumerate(instance.houses) if h.id == lock.house), None)
        if hi is None:
            continue
        house = instance.houses[hi]
        s = instance.day_index(lock.start)
        length = house.stay_length.get(lock.type, 0)
        for rid in lock.requests:
            r = instance.request_by_id.get(rid)
            if r is not None:
                locked_bound += placement_value(instance, r, house, lock.type, s)
                locked_bound += supply.bound(r, hi, max(0, s), min(length, instance.horizon_days - max(0, s)))
    return Prepared(instance=instance, options=options, by_request=by_request, slots=slots,
                    slot_of=slot_of, capacity=capacity, free=free, locked_requests=locked_requests,
                    locked_bound=locked_bound, supply=supply, thinned=thinned,
                    stats={"options": len(options), "slots": len(slots),
                           "trivial_bound": trivial + locked_bound})


def _thin(instance, options, by_request, max_options, keep):
    """Keep every request's best options up to an even share of `max_options`, and those in `keep`."""
    share = max(8, max_options // max(1, len(by_request)))
    kept: list[Option] = []
    new_by: dict[int, list[int]] = {}
    for ri, idx in by_request.items():
        best = sorted(idx, key=lambda i: (-options[i].bound, i))[:share]
        best += [i for i in idx if (instance.requests[ri].id, instance.houses[options[i].house].id,
                                    options[i].type, options[i].start) in keep and i not in best]
        new_by[ri] = []
        for i in sorted(best):
            new_by[ri].append(len(kept))
            kept.append(options[i])
    return kept, new_by


def _collective_slots(instance, options, by_request, capacity, copies: bool = False):
    """Group collective options into slots, (house, start, copy), that can reach the minimum size.

    With `copies`, a (house, start) where several collectives could start
    together (several language groups, or more defenders than one holds)
    gets that many interchangeable slots, each with its own member options.
    Returns slots, slot_of, the options kept, by_request over them, and for
    each kept option its index in `options` (None for added copies).
    """
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, o in enumerate(options):
        if o.type == "collective":
            groups.setdefault((o.house, o.start, o.copy), []).append(i)
    dropped: set[int] = set()
    viable_groups = []
    for (hi, s, c), members in sorted(groups.items()):
        house = instance.houses[hi]
        o0 = options[members[0]]
        if not capacity[hi].fits(s, o0.held, house.collective_min):
            dropped.update(members)
            continue
        speakers: dict[str, int] = {}
        for i in members:
            r = instance.requests[options[i].request]
            for lang in r.languages:
                speakers[lang] = speakers.get(lang, 0) + len(r.defenders)
        viable = tuple(sorted(lang for lang, n in speakers.items() if n >= house.collective_min))
        keep = [i for i in members if set(instance.requests[options[i].request].languages) & set(viable)]
        dropped.update(set(members) - set(keep))
        if keep:
            viable_groups.append(((hi, s, c), keep, viable))
    kept: list[Option] = []
    origin: list[int | None] = []
    remap: dict[int, int] = {}
    for i, o in enumerate(options):
        if i not in dropped:
            remap[i] = len(kept)
            kept.append(o)
            origin.append(i)
    new_by = {ri: [remap[i] for i in idx if i in remap] for ri, idx in by_request.items()}
    slots: list[Slot] = []
    slot_of: dict[tuple[int, int, int], int] = {}
    for (hi, s, c), members, viable in viable_groups:
        house = instance.houses[hi]
        members = [remap[i] for i in members]
        how_many = 1
        if copies:
            o0 = kept[members[0]]
            room = min(capacity[hi].stays[d] for d in range(s, min(len(capacity[hi].stays), s + o0.held)))
            people = sum(len(instance.requests[kept[i].request].defenders) for i in members)
            how_many = people // house.collective_min
            if set(viable).intersection(*(set(instance.requests[kept[i].request].languages) for i in members)):
                # Two collectives sharing a language and fitting in one merge into one worth the
                # same in phase 1 with fewer stays; so at most one of those left is small.
                how_many = min(how_many, 1 + people // ((house.collective_max + 2) // 2))
            how_many = max(1, min(room, how_many))
        for copy in range(how_many):
            if copy:
                extra = []
                for i in members:
                    extra.append(len(kept))
                    new_by[kept[i].request].append(len(kept))
                    o = kept[i]
                    kept.append(Option(o.request, o.house, o.type, o.start, o.length, o.held, o.value,
                                       o.session_bound, copy))
                    origin.append(None)
                group = extra
            else:
                group = members
            common = set(viable)
            for i in group:
                common &= set(instance.requests[kept[i].request].languages)
            slot_of[hi, s, copy if copies else c] = len(slots)
            slots.append(Slot(house=hi, start=s, length=kept[group[0]].length, held=kept[group[0]].held,
                              members=group, languages=viable, common=bool(common), copy=copy if copies else c))
    return slots, slot_of, kept, new_by, origin


def restrict(prep: Prepared, option_ids: list[int], requests: list[int], capacity: list[Capacity]):
    """A smaller problem over some options of some requests, with the capacity left to them.

    Returns the new Prepared and, for each of its options, its index in `prep.options`.
    """
    sub_options = [prep.options[i] for i in option_ids]
    by_request: dict[int, list[int]] = {ri: [] for ri in requests}
    for k, o in enumerate(sub_options):
        by_request[o.request].append(k)
    slots, slot_of, kept, by_request, kept_ids = _collective_slots(prep.instance, sub_options, by_request, capacity)
    return Prepared(instance=prep.instance, options=kept, by_request=by_request, slots=slots, slot_of=slot_of,
                    capacity=capacity, free=list(requests), locked_requests=prep.locked_requests,
                    locked_bound=0, supply=prep.supply), [option_ids[k] for k in kept_ids]


def stay_languages(instance: Instance, stay: Stay) -> set[str]:
    """Languages of a stay: those shared by all its requests."""
    langs: set[str] | None = None
    for rid in stay.requests:
        r = instance.request_by_id[rid]
        langs = set(r.languages) if langs is None else langs & set(r.languages)
    return langs or set()


def date_span(instance: Instance, first: int, last: int) -> tuple[dt.date, dt.date]:
    return instance.date_of(first), instance.date_of(last)


def lock_violations(instance: Instance) -> list:
    """Every way the locked stays break a rule (`validate.Violation`s).

    `validate`, the one place the hard rules live, on a plan made of the locks
    alone: whatever it finds there (rule 10, keeping the locks, holds by
    construction) no plan can mend.
    """
    from .model import Solution
    from .validate import validate

    return [v for v in validate(instance, Solution(stays=list(instance.locked))) if v.rule != 10]


def drop_broken_locks(instance: Instance) -> tuple[list[Stay], list]:
    """The locked stays that can be kept together, and those dropped (`DroppedLock`s), by `validate`.

    One at a time, the lock named by the first violation of the locks alone
    is dropped (for a rule-6 overload among several locks, the last one
    named), until the rest break no rule. A violation that names no locked
    stay ends the dropping: what is left is then reported as impossible.
    """
    from dataclasses import replace

    from .model import DroppedLock

    kept, dropped = list(instance.locked), []
    while True:
        violations = lock_violations(replace(instance, locked=tuple(kept)))
        if not violations:
            return kept, dropped
        v = violations[0]
        params = dict(v.params or {})
        named = params.get("stay") or params.get("second")
        k = next((k for k, s in enumerate(kept) if s.id and s.id == named), None)
        if k is None:
            return kept, dropped
        dropped.append(DroppedLock(stay=kept[k].id, rule=v.rule, code=v.code, reason=v.message, params=params))
        del kept[k]


def lock_problems(violations: list) -> list[str]:
    """The violations of `lock_violations` in words, each naming the stay and the rule."""
    return [f"locked stays: {v}" for v in violations]
