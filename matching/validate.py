"""The hard rules 1-11 and the objective of the spec, in one place.

`validate(instance, solution)` lists every broken hard rule as a `Violation`
whose message a coordinator can act on; `score(instance, solution)` breaks
the objective down by term. Both read a solution the way the shared checker
(`shared/tools/check_solution.py`) does, so that they agree with it on any
solution, feasible or not: a stay with an unknown house, no known request or
a type its house does not offer is reported and then left out of everything
else (occupancy, sessions, objective); a session with an unknown dimension
or therapist is reported and then ignored.

Rule 11 (slots): a session without a slot is a fault only when
`require_slots` is asked for, as the checker's `--require-slots`; a slot
that is given is always checked.

One network extension is checked here and NOT by the shared checker (it does
not know it yet): a therapist's `max_sessions_per_week` (calendar weeks,
Monday to Sunday, across all houses), reported under rule 9 with the code
`therapist_week_limit`. Instances without it are checked exactly as the
checker does.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .capacity import Ledger
from .model import DIMENSIONS, STAY_TYPES, House, Instance, Request, Session, Solution, Stay

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, numbered as in the spec.

    `message` is the English sentence (the CLI and the checker comparison
    read it); `code` names the fault and `params` hold plain JSON values
    (ids, ISO dates, numbers, lists of them) from which a front end can say
    the same in another language. The codes are listed in `CODES`.
    """

    rule: int
    message: str
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.message} (rule {self.rule})"


@dataclass(frozen=True)
class Score:
    """The objective broken down by term; each term is its signed contribution.

    `served` and `sessions` are gains, `wait`, `type_rank`, `away` and
    `switch` are penalties (zero or negative); `total` is their sum and equals
    the checker's objective.
    """

    served: int = 0
    wait: int = 0
    type_rank: int = 0
    away: int = 0
    sessions: int = 0
    switch: int = 0

    @property
    def total(self) -> int:
        return self.served + self.wait + self.type_rank + self.away + self.sessions + self.switch


@dataclass
class _Placed:
    """A stay the checker goes on with after rule 1 and the house-type part of rule 2."""

    stay: Stay
    house: House
    requests: list[Request]
    length: int
    languages: set[str]
    per_dim: Counter = field(default_factory=Counter)
    dim_therapists: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def last(self) -> dt.date:
        return self.stay.start + dt.timedelta(days=self.length - 1)


# The rule each violation code belongs to; a code never changes meaning once published.
CODES: dict[str, int] = {
    "duplicate_stay_id": 1, "unknown_house": 1, "empty_stay": 1, "unknown_request": 1,
    "request_in_two_stays": 1,
    "type_not_offered": 2, "type_not_asked": 2, "type_does_not_fit": 2,
    "one_request_per_stay": 3, "collective_size": 3, "no_shared_language": 3,
    "outside_window": 4, "barred_country": 4, "not_accessible": 4,
    "outside_horizon": 5, "closure": 5, "no_arrival_day": 5,
    "too_many_people": 6, "too_many_stays": 6, "too_many_family_stays": 6,
    "unknown_dimension": 7, "unknown_therapist": 7, "session_outside_stay": 7,
    "therapist_not_at_house": 7, "therapist_wrong_dimension": 7, "therapist_unavailable": 7,
    "therapist_no_language": 7,
    "sessions_over_need": 8, "sessions_per_day": 8,
    "therapist_day_limit": 9, "therapist_several_houses": 9, "therapist_week_limit": 9,
    "lock_not_kept": 10, "locked_session_not_kept": 10,
    "session_without_slot": 11, "slot_out_of_range": 11, "stay_slot_taken": 11, "therapist_slot_taken": 11,
    "locked_slot_not_kept": 11,
}

# bad(rule, code, params, message)
Report = Callable[[int, str, dict, str], None]


def _ignore(rule: int, code: str, params: dict, message: str) -> None:
    """Drop a violation (when only the score is wanted)."""


def _label(house: House) -> str:
    return house.name or house.id


def _resolve(instance: Instance, solution: Solution, bad: Report) -> Iterator[_Placed]:
    """Yield the stays that get past rule 1 and the house's offer (rule 2), as the checker does."""
    seen_ids: set[str] = set()
    seen_request: dict[str, str] = {}
    for stay in solution.stays:
        if stay.id in seen_ids:
            bad(1, "duplicate_stay_id", {"stay": stay.id}, f"stay {stay.id}: another stay has the same id")
        seen_ids.add(stay.id)
        placed = _resolve_stay(instance, stay, seen_request, bad)
        if placed is not None:
            yield placed


def _resolve_stay(instance: Instance, stay: Stay, seen_request: dict[str, str],
                  bad: Report) -> _Placed | None:
    house = instance.house_by_id.get(stay.house)
    if house is None:
        bad(1, "unknown_house", {"stay": stay.id, "house": stay.house}, f"stay {stay.id}: unknown house {stay.house!r}")
        return None
    if not stay.requests:
        bad(1, "empty_stay", {"stay": stay.id}, f"stay {stay.id}: holds no request")
        return None
    requests = _known_requests(instance, stay, seen_request, bad)
    if not requests:
        return None
    if stay.type not in STAY_TYPES or stay.type not in house.stay_types:
        bad(2, "type_not_offered", {"stay": stay.id, "house": house.id, "type": stay.type},
            f"stay {stay.id}: {_label(house)} does not offer {stay.type!r} stays")
        return None
    languages = set(requests[0].languages)
    for r in requests[1:]:
        languages &= set(r.languages)
    return _Placed(stay, house, requests, house.stay_length[stay.type], languages)


def _known_requests(instance: Instance, stay: Stay, seen_request: dict[str, str],
                    bad: Report) -> list[Request]:
    requests = []
    for rid in stay.requests:
        r = instance.request_by_id.get(rid)
        if r is None:
            bad(1, "unknown_request", {"stay": stay.id, "request": rid}, f"stay {stay.id}: unknown request {rid!r}")
            continue
        if rid in seen_request:
            bad(1, "request_in_two_stays", {"request": rid, "first": seen_request[rid], "second": stay.id},
                f"request {rid} is in two stays: {seen_request[rid]} and {stay.id}")
        seen_request[rid] = stay.id
        requests.append(r)
    return requests


# --------------------------------------------------------------------------
# Rules on one stay (2-5, 7, 8)
# --------------------------------------------------------------------------

def _check_types(p: _Placed, bad: Report) -> None:
    """Rule 2: every request lists the type and fits it."""
    t = p.stay.type
    for r in p.requests:
        if t not in r.stay_types:
            bad(2, "type_not_asked", {"stay": p.stay.id, "request": r.id, "type": t, "accepts": list(r.stay_types)},
                f"stay {p.stay.id}: request {r.id} did not ask for a {t} stay "
                   f"(accepts {', '.join(r.stay_types)})")
        if not r.fits_type(t):
            bad(2, "type_does_not_fit", {"stay": p.stay.id, "request": r.id, "type": t, "defenders": len(r.defenders),
                                         "companions": r.companions},
                f"stay {p.stay.id}: request {r.id} ({len(r.defenders)} defenders, "
                   f"{r.companions} companions) cannot take a {t} stay")


def _check_group(p: _Placed, bad: Report) -> None:
    """Rule 3: one request per individual/family stay; collective size and language."""
    t, h = p.stay.type, p.house
    if t in ("individual", "family") and len(p.requests) != 1:
        bad(3, "one_request_per_stay", {"stay": p.stay.id, "type": t, "count": len(p.requests)},
            f"stay {p.stay.id}: a {t} stay holds {len(p.requests)} requests, it must hold one")
    if t != "collective":
        return
    n = sum(len(r.defenders) for r in p.requests)
    if not h.collective_min <= n <= h.collective_max:
        bad(3, "collective_size", {"stay": p.stay.id, "house": h.id, "size": n, "minimum": h.collective_min,
                                   "maximum": h.collective_max},
            f"stay {p.stay.id}: collective of {n} defenders, {_label(h)} takes "
               f"{h.collective_min} to {h.collective_max}")
    if not p.languages:
        bad(3, "no_shared_language", {"stay": p.stay.id}, f"stay {p.stay.id}: its requests share no language")


def _check_requests(p: _Placed, bad: Report) -> None:
    """Rule 4: window, barred country, accessibility."""
    s, h = p.stay.start, p.house
    for r in p.requests:
        if not r.earliest_start <= s <= r.latest_start:
            bad(4, "outside_window", {"stay": p.stay.id, "request": r.id, "start": s.isoformat(),
                                      "earliest": r.earliest_start.isoformat(), "latest": r.latest_start.isoformat()},
                f"stay {p.stay.id}: starts {s}, outside the window of request {r.id} "
                   f"({r.earliest_start} to {r.latest_start})")
        if h.country in r.barred_countries:
            bad(4, "barred_country", {"stay": p.stay.id, "request": r.id, "country": h.country, "house": h.id},
                f"stay {p.stay.id}: request {r.id} cannot enter {h.country} ({_label(h)})")
        if r.accessible and not h.accessible:
            bad(4, "not_accessible", {"stay": p.stay.id, "request": r.id, "house": h.id},
                f"stay {p.stay.id}: request {r.id} needs an accessible house, {_label(h)} is not")


def _check_calendar(instance: Instance, p: _Placed, bad: Report) -> None:
    """Rule 5: horizon, closures, arrival weekday."""
    s, last, h = p.stay.start, p.last, p.house
    if s < instance.horizon_start or last > instance.horizon_end:
        bad(5, "outside_horizon", {"stay": p.stay.id, "start": s.isoformat(), "last": last.isoformat(),
                                   "horizon_start": instance.horizon_start.isoformat(),
                                   "horizon_end": instance.horizon_end.isoformat()},
            f"stay {p.stay.id}: {s} to {last} leaves the planning horizon "
               f"({instance.horizon_start} to {instance.horizon_end})")
    for c in h.closures:
        if c.overlaps(s, last):
            why = f" ({c.reason})" if c.reason else ""
            bad(5, "closure", {"stay": p.stay.id, "house": h.id, "start": s.isoformat(), "last": last.isoformat(),
                               "closure_start": c.start.isoformat(), "closure_end": c.end.isoformat(),
                               "reason": c.reason or ""},
                f"stay {p.stay.id}: {s} to {last} meets the closure of {_label(h)} "
                   f"from {c.start} to {c.end}{why}")
    if s.weekday() not in h.arrival_weekdays:
        bad(5, "no_arrival_day", {"stay": p.stay.id, "house": h.id, "start": s.isoformat(), "weekday": s.weekday()},
            f"stay {p.stay.id}: {_label(h)} takes no arrivals on a {s.strftime('%A')} ({s})")


def _check_sessions(instance: Instance, p: _Placed, bad: Report,
                    therapist_day: dict[tuple[str, dt.date], list[str]],
                    therapist_slot: dict[tuple[str, dt.date, int], list[str]], require_slots: bool) -> None:
    """Rule 7 for each session, counting the valid ones for rules 8, 9 and 11."""
    per_day: Counter = Counter()
    stay_slot: Counter = Counter()
    for j, ses in enumerate(p.stay.sessions):
        if not _check_session(instance, p, j, ses, bad):
            continue
        p.per_dim[ses.dimension] += 1
        per_day[ses.day] += 1
        p.dim_therapists[ses.dimension].add(ses.therapist)
        therapist_day[(ses.therapist, ses.day)].append(p.house.id)
        if _check_slot(instance, p, j, ses, bad, require_slots):
            stay_slot[ses.day, ses.slot] += 1
            therapist_slot[(ses.therapist, ses.day, ses.slot)].append(p.stay.id)
    _check_demand(instance, p, per_day, bad)
    for (day, slot), n in sorted(stay_slot.items()):
        if n > 1:
            bad(11, "stay_slot_taken", {"stay": p.stay.id, "day": day.isoformat(), "slot": slot, "count": n},
                f"stay {p.stay.id}: {n} sessions on {day} at the same time (slot {slot})")


def _check_slot(instance: Instance, p: _Placed, j: int, ses: Session, bad: Report, require_slots: bool) -> bool:
    """Rule 11 on one session's own slot; True when it counts for the double-booking checks."""
    at = {"stay": p.stay.id, "session": j + 1, "dimension": ses.dimension, "day": ses.day.isoformat(),
          "therapist": ses.therapist}
    if ses.slot is None:
        if require_slots:
            bad(11, "session_without_slot", at,
                f"stay {p.stay.id}, session {j + 1} ({ses.dimension} on {ses.day}): has no time (slot)")
        return False
    if isinstance(ses.slot, bool) or not isinstance(ses.slot, int) or not 0 <= ses.slot < instance.day_slots:
        bad(11, "slot_out_of_range", {**at, "slot": ses.slot, "slots": instance.day_slots},
            f"stay {p.stay.id}, session {j + 1} ({ses.dimension} on {ses.day}): slot {ses.slot!r} "
               f"is not one of the day's {instance.day_slots} times (0 to {instance.day_slots - 1})")
        return False
    return True


def _check_session(instance: Instance, p: _Placed, j: int, ses: Session, bad: Report) -> bool:
    """Report rule-7 faults of one session; False when it is to be ignored."""
    where = f"stay {p.stay.id}, session {j + 1} ({ses.dimension} on {ses.day})"
    at = {"stay": p.stay.id, "session": j + 1, "dimension": ses.dimension,
          "day": ses.day.isoformat() if isinstance(ses.day, dt.date) else str(ses.day)}
    if ses.dimension not in DIMENSIONS:
        bad(7, "unknown_dimension", at, f"{where}: unknown dimension {ses.dimension!r}")
        return False
    t = instance.therapist_by_id.get(ses.therapist)
    if t is None:
        bad(7, "unknown_therapist", {**at, "therapist": ses.therapist}, f"{where}: unknown therapist {ses.therapist!r}")
        return False
    who = f"{t.name} ({t.id})"
    at = {**at, "therapist": t.id}
    if not p.stay.start <= ses.day <= p.last:
        bad(7, "session_outside_stay", {**at, "start": p.stay.start.isoformat(), "last": p.last.isoformat()},
            f"{where}: not a day of the stay ({p.stay.start} to {p.last})")
    if p.house.id not in t.houses:
        bad(7, "therapist_not_at_house", {**at, "house": p.house.id}, f"{where}: {who} does not work at {_label(p.house)}")
    if ses.dimension not in t.dimensions:
        bad(7, "therapist_wrong_dimension", at, f"{where}: {who} does not work on the {ses.dimension} dimension")
    if not t.is_available(ses.day):
        bad(7, "therapist_unavailable", at, f"{where}: {who} is not available that day")
    if not p.languages & set(t.languages):
        bad(7, "therapist_no_language", {**at, "languages": sorted(p.languages)},
            f"{where}: {who} speaks none of the stay's languages "
               f"({', '.join(sorted(p.languages)) or 'none shared'})")
    return True


def _check_demand(instance: Instance, p: _Placed, per_day: Counter, bad: Report) -> None:
    """Rule 8: sessions per dimension within demand, per day within the limit."""
    for dim, n in p.per_dim.items():
        demand = max(r.needs.get(dim, 0) for r in p.requests)
        if n > demand:
            bad(8, "sessions_over_need", {"stay": p.stay.id, "dimension": dim, "count": n, "need": demand},
                f"stay {p.stay.id}: {n} {dim} sessions, the need is {demand}")
    limit = instance.max_sessions_per_stay_day
    for day, n in sorted(per_day.items()):
        if n > limit:
            bad(8, "sessions_per_day", {"stay": p.stay.id, "day": day.isoformat(), "count": n, "limit": limit},
                f"stay {p.stay.id}: {n} sessions on {day}, at most {limit} a day")


# --------------------------------------------------------------------------
# Rules across stays (6, 9, 10)
# --------------------------------------------------------------------------

def _check_capacity(instance: Instance, placed: list[_Placed], bad: Report) -> None:
    """Rule 6: beds, concurrent stays and family units on each held day (counted by `capacity.Ledger`).

    Every day the stays hold counts, inside the horizon or not. Consecutive
    days with the same overload and the same stays make one violation, so a
    coordinator reads one line per conflict.
    """
    start = {id(p): instance.day_index(p.stay.start) for p in placed}
    first = min([0] + list(start.values()))
    end = max([instance.horizon_days] + [start[id(p)] + p.length + p.house.turnover_days for p in placed])
    ledger = Ledger.empty(instance, first, end - first, holders=True)
    for p in placed:
        ledger[ledger.index[p.house.id]].hold(start[id(p)], p.length + p.house.turnover_days,
                                              sum(r.people for r in p.requests), family=p.stay.type == "family",
                                              holder=p.stay.id)
    for hid in dict.fromkeys(p.house.id for p in placed):
        h = instance.house_by_id[hid]
        overloads = list(ledger[ledger.index[hid]].overloads())
        limits = (
            ("too_many_people", "people", "beds", "beds"),
            ("too_many_stays", "stays", "stays at once", "stays"),
            ("too_many_family_stays", "family stays", "family units", "family"),
        )
        for code, what, unit, resource in limits:
            over = [(instance.date_of(d), n, stays) for res, d, n, _, stays in overloads if res == resource]
            limit = {"beds": h.beds, "stays": h.max_concurrent_stays, "family": h.family_units}[resource]
            for first, last, n, stays in _runs(over):
                when = str(first) if first == last else f"{first} to {last}"
                bad(6, code, {"stay": stays[-1], "house": hid, "count": n, "limit": limit,
                              "first": first.isoformat(), "last": last.isoformat(), "stays": list(stays)},
                    f"stay {stays[-1]}: {_label(h)} has {n} {what} on {when}, {limit} {unit} "
                       f"(stays {', '.join(stays)})")


def _runs(over: list[tuple[dt.date, int, tuple[str, ...]]]) -> Iterator[tuple[dt.date, dt.date, int, tuple[str, ...]]]:
    """Group consecutive days with the same value and stays."""
    run: list | None = None
    for day, n, stays in over:
        if run and run[1] + ONE_DAY == day and run[2] == n and run[3] == stays:
            run[1] = day
            continue
        if run:
            yield tuple(run)  # type: ignore[misc]
        run = [day, day, n, stays]
    if run:
        yield tuple(run)  # type: ignore[misc]


def _check_therapists(instance: Instance, therapist_day: dict[tuple[str, dt.date], list[str]],
                      bad: Report) -> None:
    """Rule 9: sessions per therapist-day within her limit, all at one house."""
    for (tid, day), houses in sorted(therapist_day.items()):
        t = instance.therapist_by_id[tid]
        if len(houses) > t.max_sessions_per_day:
            bad(9, "therapist_day_limit", {"therapist": tid, "day": day.isoformat(), "count": len(houses),
                                           "limit": t.max_sessions_per_day},
                f"{t.name} ({tid}) gives {len(houses)} sessions on {day}, at most {t.max_sessions_per_day}")
        if len(set(houses)) > 1:
            names = ", ".join(sorted(_label(instance.house_by_id[h]) for h in set(houses)))
            bad(9, "therapist_several_houses", {"therapist": tid, "day": day.isoformat(), "houses": sorted(set(houses))},
                f"{t.name} ({tid}) has sessions at several houses on {day}: {names}")


def _check_therapist_slots(instance: Instance, therapist_slot: dict[tuple[str, dt.date, int], list[str]],
                           bad: Report) -> None:
    """Rule 11: a therapist is in one place at a time (one session per day and slot)."""
    for (tid, day, slot), stays in sorted(therapist_slot.items()):
        if len(stays) > 1:
            t = instance.therapist_by_id[tid]
            bad(11, "therapist_slot_taken", {"therapist": tid, "day": day.isoformat(), "slot": slot,
                                             "count": len(stays), "stays": list(stays)},
                f"{t.name} ({tid}) has {len(stays)} sessions on {day} at the same time (slot {slot}): "
                   f"stays {', '.join(stays)}")


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: the weeks `max_sessions_per_week` counts in."""
    return day - dt.timedelta(days=day.weekday())


def _check_therapist_weeks(instance: Instance, therapist_day: dict[tuple[str, dt.date], list[str]],
                           bad: Report) -> None:
    """Extension, not in the checker yet: at most `max_sessions_per_week` sessions in a calendar week."""
    weeks: Counter = Counter()
    for (tid, day), houses in therapist_day.items():
        if instance.therapist_by_id[tid].max_sessions_per_week is not None:
            weeks[tid, week_of(day)] += len(houses)
    for (tid, monday), n in sorted(weeks.items()):
        t = instance.therapist_by_id[tid]
        if n > t.max_sessions_per_week:
            bad(9, "therapist_week_limit", {"therapist": tid, "week": monday.isoformat(), "count": n,
                                            "limit": t.max_sessions_per_week},
                f"{t.name} ({tid}) gives {n} sessions in the week of {monday}, at most {t.max_sessions_per_week}")


def _check_locked(instance: Instance, solution: Solution, bad: Report) -> None:
    """Rule 10: each locked stay is kept with its house, start, type, requests and sessions."""
    by_key: dict[tuple, Stay] = {}
    for s in solution.stays:
        by_key.setdefault((s.house, s.start, s.type, frozenset(s.requests)), s)
    for i, lock in enumerate(instance.locked):
        name = f"locked stay {lock.id or i + 1}"
        found = by_key.get((lock.house, lock.start, lock.type, frozenset(lock.requests)))
        if found is None:
            bad(10, "lock_not_kept", {"lock": lock.id or str(i + 1), "type": lock.type, "house": lock.house,
                                      "start": lock.start.isoformat(), "requests": list(lock.requests)},
                f"{name} ({lock.type} at {lock.house} from {lock.start} for "
                    f"{', '.join(lock.requests)}) is not kept")
            continue
        have = Counter(s.key for s in found.sessions)
        have_slot = Counter((s.key, s.slot) for s in found.sessions)
        for ses in lock.sessions:
            params = {"lock": lock.id or str(i + 1), "dimension": ses.dimension,
                      "day": ses.day.isoformat(), "therapist": ses.therapist}
            if ses.slot is not None:
                if have_slot[ses.key, ses.slot] <= 0:
                    bad(11, "locked_slot_not_kept", {**params, "slot": ses.slot},
                        f"{name}: its {ses.dimension} session on {ses.day} with {ses.therapist} "
                           f"is not kept at its time (slot {ses.slot})")
                have_slot[ses.key, ses.slot] -= 1
            if have[ses.key] <= 0:
                bad(10, "locked_session_not_kept", params,
                    f"{name}: its {ses.dimension} session on {ses.day} with {ses.therapist} is not kept")
            have[ses.key] -= 1


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------

def _walk(instance: Instance, solution: Solution, bad: Report, require_slots: bool = False) -> list[_Placed]:
    """Check every rule, reporting through `bad`; return the stays that count."""
    therapist_day: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    therapist_slot: dict[tuple[str, dt.date, int], list[str]] = defaultdict(list)
    placed = []
    for p in _resolve(instance, solution, bad):
        _check_types(p, bad)
        _check_group(p, bad)
        _check_requests(p, bad)
        _check_calendar(instance, p, bad)
        _check_sessions(instance, p, bad, therapist_day, therapist_slot, require_slots)
        placed.append(p)
    _check_capacity(instance, placed, bad)
    _check_therapists(instance, therapist_day, bad)
    _check_therapist_weeks(instance, therapist_day, bad)
    _check_therapist_slots(instance, therapist_slot, bad)
    _check_locked(instance, solution, bad)
    return placed


def validate(instance: Instance, solution: Solution, *, require_slots: bool = False) -> list[Violation]:
    """List every hard rule (1-11) the solution breaks; empty when feasible.

    `require_slots` makes a session without a slot a fault (rule 11), as the
    checker's `--require-slots`; without it only the slots given are checked.
    """
    violations: list[Violation] = []
    _walk(instance, solution,
          lambda rule, code, params, msg: violations.append(Violation(rule, msg, code, params)),
          require_slots)
    return violations


def score(instance: Instance, solution: Solution) -> Score:
    """Compute the objective by term, exactly as the checker does (even when infeasible)."""
    terms: Counter = Counter()
    for p in _walk(instance, solution, _ignore):
        _score_stay(instance, p, terms)
    return Score(**terms)


def _score_stay(instance: Instance, p: _Placed, terms: Counter) -> None:
    w = instance.weights
    for r in p.requests:
        u = w.urgency_factor[r.urgency]
        terms["served"] += w.serve * u * len(r.defenders)
        terms["wait"] -= w.wait * u * (p.stay.start - r.earliest_start).days
        if p.stay.type in r.stay_types:
            terms["type_rank"] -= w.type_rank * r.stay_types.index(p.stay.type)
        if p.house.country != r.country:
            terms["away"] -= w.away
        terms["sessions"] += w.session * u * sum(min(r.needs.get(d, 0), p.per_dim[d]) for d in DIMENSIONS)
    for therapists in p.dim_therapists.values():
        terms["switch"] -= w.switch * (len(therapists) - 1)


def is_feasible(instance: Instance, solution: Solution) -> bool:
    """Whether the solution breaks no hard rule."""
    return not validate(instance, solution)
