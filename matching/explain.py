"""Why a request is in no stay: a true reason a coordinator can act on.

`explain(instance, solution)` returns an `Unassigned` for every request in no
stay of `solution`, with an English `reason`, a machine `code` and its
`params` (the web app translates by code). Reasons are checked in the order
a coordinator would fix them, and each names what binds:

- `type_misfit`: the types she lists cannot take her group (e.g. individual with companions);
- `no_house_offers_type`: no house offers a type she accepts;
- `barred`: only houses in countries she cannot enter offer her types;
- `needs_accessible`: she needs an accessible house, none of those left is;
- `group_too_large`: her group is larger than any such house takes;
- `window_closed`: no allowed start in her window (horizon, closures, arrival weekdays);
- `no_collective`: she only takes collectives, too few others share a
  language with her to form one, and the collectives in her window are full
  or share no language with her;
- `no_free_place`: every allowed start is blocked on some held day by the
  stays named (beds, concurrent stays or family units);
- `not_reached`: a place is free; the search ended before it placed her.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .capacity import Capacity, Ledger
from .model import Instance, Request, Solution, Stay, Unassigned
from .prepare import start_days, statically_allowed


class Occupancy:
    """What a set of stays holds at each house on each day: a `capacity.Ledger` that keeps who holds each day."""

    def __init__(self, instance: Instance, stays: list[Stay]):
        self.inst = instance
        self.ledger = Ledger.empty(instance, holders=True)
        self.locked = {(s.house, s.start, s.type, frozenset(s.requests)) for s in instance.locked}
        for s in stays:
            self.add(s)

    def _house(self, house) -> Capacity:
        return self.ledger[self.ledger.index[house.id]]

    def add(self, stay: Stay) -> None:
        self.ledger.book(stay)

    def holders(self, house, day: int) -> list[str]:
        """Ids of the stays holding `day` at `house`."""
        cap = self._house(house)
        k = day - cap.first
        return list(cap.holders[k]) if 0 <= k < len(cap.holders) else []

    def blocked(self, house, start: int, stay_type: str, people: int, new_stay: bool = True) -> tuple[str, list[int]]:
        """('', []) if it fits, else the first binding resource and the days it binds."""
        return self._house(house).blocked(start, Ledger.held(house, stay_type), people, new_stay,
                                          family=stay_type == "family")

    def fits(self, house, start: int, stay_type: str, people: int) -> bool:
        return not self.blocked(house, start, stay_type, people)[0]

    def try_join(self, stays: list[Stay], request: Request, house, start: int) -> int | None:
        """Index of an unlocked collective at (house, start) she can join, or None."""
        day = self.inst.date_of(start)
        for k, s in enumerate(stays):
            if s.house != house.id or s.start != day or s.type != "collective":
                continue
            if (s.house, s.start, s.type, frozenset(s.requests)) in self.locked:
                continue
            reqs = [self.inst.request_by_id[r] for r in s.requests]
            size = sum(len(r.defenders) for r in reqs) + len(request.defenders)
            shared = set(request.languages).intersection(*(set(r.languages) for r in reqs))
            if size > house.collective_max or not shared:
                continue
            if self.blocked(house, start, "collective", len(request.defenders), new_stay=False)[0]:
                continue
            self._house(house).hold(start, Ledger.held(house, "collective"), len(request.defenders), new_stay=False)
            return k
        return None


@dataclass
class _Options:
    """Her statically allowed (house, type, start) triples, or why there are none."""

    triples: list
    code: str = ""
    reason: str = ""
    params: dict | None = None


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _list(names: list[str], limit: int = 6) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def static_options(instance: Instance, r: Request) -> _Options:
    """Rules 2-5 alone: where and when she could ever stay, or the first rule that stops her."""
    fitting = [t for t in r.stay_types if r.fits_type(t)]
    if not fitting:
        return _Options([], "type_misfit",
                        f"the types she lists ({', '.join(r.stay_types)}) cannot take {len(r.defenders)} "
                        f"defender(s) with {r.companions} companion(s)",
                        {"types": list(r.stay_types), "defenders": len(r.defenders), "companions": r.companions})
    offering = [(h, t) for h in instance.houses for t in fitting
                if t in h.stay_types and (t != "family" or h.family_units > 0) and h.max_concurrent_stays > 0]
    if not offering:
        return _Options([], "no_house_offers_type", f"no house offers a type she accepts ({', '.join(fitting)})",
                        {"types": fitting})
    enterable = [(h, t) for h, t in offering if h.country not in r.barred_countries]
    if not enterable:
        countries = sorted({h.country for h, _ in offering})
        return _Options([], "barred",
                        f"cannot enter {' or '.join(countries)}, and only houses in those countries offer "
                        f"{' or '.join(fitting)} stays", {"countries": countries, "types": fitting})
    if r.accessible:
        reachable = [(h, t) for h, t in enterable if h.accessible]
        if not reachable:
            return _Options([], "needs_accessible",
                            f"needs an accessible house; none she can enter offers {' or '.join(fitting)} stays "
                            f"({', '.join(sorted({h.name for h, _ in enterable}))} are not accessible)",
                            {"houses": sorted({h.id for h, _ in enterable}), "types": fitting})
        enterable = reachable
    sized = [(h, t) for h, t in enterable if statically_allowed(r, h, t)]
    if not sized:
        return _Options([], "group_too_large",
                        f"her group of {r.people} is larger than {', '.join(sorted({h.name for h, _ in enterable}))} "
                        f"can take", {"people": r.people, "houses": sorted({h.id for h, _ in enterable})})
    first, last = instance.day_index(r.earliest_start), instance.day_index(r.latest_start)
    triples = []
    for h, t in sized:
        for s in start_days(instance, h, h.stay_length[t]):
            if first <= s <= last:
                triples.append((h, t, s))
    if triples:
        return _Options(triples)
    return _window_closed(instance, r, sized)


def _window_closed(instance: Instance, r: Request, pairs) -> _Options:
    window = f"{_fmt(r.earliest_start)} to {_fmt(r.latest_start)}"
    blockers, names = [], []
    for h, t in pairs:
        length = h.stay_length[t]
        last_start = instance.horizon_end - dt.timedelta(days=length - 1)
        if r.latest_start < instance.horizon_start or r.earliest_start > last_start:
            blockers.append({"house": h.id, "type": t, "cause": "horizon"})
            names.append(f"a {length}-day stay at {h.name} would leave the planning horizon "
                         f"({_fmt(instance.horizon_start)} to {_fmt(instance.horizon_end)})")
            continue
        closures = [c for c in h.closures
                    if c.overlaps(r.earliest_start, r.latest_start + dt.timedelta(days=length - 1))]
        if closures:
            blockers.append({"house": h.id, "type": t, "cause": "closure",
                             "closures": [{"start": c.start.isoformat(), "end": c.end.isoformat(),
                                           "reason": c.reason} for c in closures]})
            what = " and ".join(f"the {c.reason or ''} closure ({_fmt(c.start)} to {_fmt(c.end)})".replace("the  ", "the ")
                                for c in closures)
            names.append(f"her {t} stay at {h.name} would meet {what}")
        else:
            days = sorted(h.arrival_weekdays)
            blockers.append({"house": h.id, "type": t, "cause": "arrival_weekdays", "weekdays": days})
            names.append(f"{h.name} takes arrivals only on "
                         f"{', '.join(dt.date(2024, 1, 1 + d).strftime('%A') for d in days)}")
    return _Options([], "window_closed",
                    f"no stay can start in her window ({window}): {'; '.join(dict.fromkeys(names))}",
                    {"window": [r.earliest_start.isoformat(), r.latest_start.isoformat()], "blockers": blockers})


def explain_request(instance: Instance, r: Request, stays: list[Stay], occ: Occupancy,
                    optimal: bool = False, waiting: dict | None = None) -> Unassigned:
    """The reason for one request in no stay of `stays`."""
    opts = static_options(instance, r)
    if not opts.triples:
        return Unassigned(r.id, opts.reason, opts.code, opts.params or {})
    blocking: dict[str, None] = {}
    kinds: set[str] = set()
    houses: dict[str, None] = {}
    collective_trouble: list[str] = []
    for h, t, s in opts.triples:
        if t == "collective":
            joinable, why = _collective_here(instance, r, stays, occ, h, s)
            if joinable:
                return _free(instance, r, h, t, s)
            collective_trouble += why
            if len(r.defenders) < h.collective_min:
                what, days = occ.blocked(h, s, t, len(r.defenders))
                if not what:
                    continue  # room, but not enough of a group: see below
            else:
                what, days = occ.blocked(h, s, t, len(r.defenders))
                if not what:
                    return _free(instance, r, h, t, s)
        else:
            what, days = occ.blocked(h, s, t, r.people)
            if not what:
                return _free(instance, r, h, t, s)
        kinds.add(what)
        houses[h.name] = None
        for d in days:
            for sid in occ.holders(h, d):
                blocking[sid] = None
    if not blocking:
        group = _group_waiting(instance, r, opts, occ, waiting or {})
        if group is not None:
            h, s, partners = group
            day = instance.date_of(s)
            return Unassigned(r.id, f"she could start a collective at {h.name} from {_fmt(day)} with "
                                    f"{_list(partners)}, who are waiting too; the search ended before forming it: "
                                    f"run the planner again with more time", "not_reached",
                              {"house": h.id, "type": "collective", "start": day.isoformat(), "with": partners})
        return _no_collective(instance, r, opts, collective_trouble)
    resource = {"beds": "free bed", "stays": "free room for another stay", "family": "free family unit"}
    resources = sorted(kinds)
    what = resource[resources[0]] if len(resources) == 1 else "free place"
    first = min(s for _, _, s in opts.triples)
    last = max(s for _, _, s in opts.triples)
    ids = list(blocking)
    reason = (f"no {what} at {' or '.join(houses)} on any allowed arrival day between "
              f"{_fmt(instance.date_of(first))} and {_fmt(instance.date_of(last))}: held by stays {_list(ids)}")
    if optimal:
        reason += "; placing her would displace stays worth at least as much (the plan is optimal)"
    return Unassigned(r.id, reason, "no_free_place",
                      {"houses": list(dict.fromkeys(h.id for h, _, _ in opts.triples)), "resources": resources,
                       "first": instance.date_of(first).isoformat(), "last": instance.date_of(last).isoformat(),
                       "stays": ids, "optimal": optimal})


def _group_waiting(instance, r, opts, occ, waiting):
    """(house, start, partner ids) of a collective she could form with other unplaced requests."""
    for h, t, s in opts.triples:
        if t != "collective" or occ.blocked(h, s, t, len(r.defenders))[0]:
            continue
        for lang in r.languages:
            partners, size = [], len(r.defenders)
            for rid, triples in waiting.items():
                other = instance.request_by_id[rid]
                if rid == r.id or lang not in other.languages or (h.id, t, s) not in triples:
                    continue
                if size + len(other.defenders) > h.collective_max:
                    continue
                partners.append(rid)
                size += len(other.defenders)
            if size >= h.collective_min and not occ.blocked(h, s, t, size)[0]:
                return h, s, partners
    return None


def _collective_here(instance, r, stays, occ, house, start):
    """Whether she can join a collective at (house, start), else why not (per stay)."""
    day = instance.date_of(start)
    why = []
    for s in stays:
        if s.house != house.id or s.start != day or s.type != "collective":
            continue
        reqs = [instance.request_by_id[x] for x in s.requests]
        shared = set(r.languages).intersection(*(set(x.languages) for x in reqs))
        size = sum(len(x.defenders) for x in reqs)
        if (s.house, s.start, s.type, frozenset(s.requests)) in occ.locked:
            why.append(f"{s.id} is locked")
        elif not shared:
            why.append(f"{s.id} speaks {'/'.join(sorted(set.intersection(*(set(x.languages) for x in reqs))))}")
        elif size + len(r.defenders) > house.collective_max:
            why.append(f"{s.id} is full")
        elif occ.blocked(house, start, "collective", len(r.defenders), new_stay=False)[0]:
            why.append(f"{s.id} has no free bed")
        else:
            return True, []
    return False, why


def _no_collective(instance, r, opts, trouble) -> Unassigned:
    langs = "/".join(r.languages)
    minimum = min(h.collective_min for h, t, _ in opts.triples if t == "collective")
    reason = (f"no collective in her window shares a language with her ({langs}) and has room, and too few "
              f"others waiting share her language to start one (at least {minimum} defenders)")
    if trouble:
        reason += f": {_list(list(dict.fromkeys(trouble)))}"
    return Unassigned(r.id, reason, "no_collective",
                      {"languages": list(r.languages), "minimum": minimum, "collectives": list(dict.fromkeys(trouble))})


def _free(instance, r, house, stay_type, start) -> Unassigned:
    day = instance.date_of(start)
    return Unassigned(r.id, f"a {stay_type} place is free at {house.name} from {_fmt(day)}; the search ended "
                            f"before placing her: run the planner again with more time",
                      "not_reached", {"house": house.id, "type": stay_type, "start": day.isoformat()})


def explain(instance: Instance, solution: Solution) -> list[Unassigned]:
    """A reason for every request that is in no stay of `solution`."""
    placed = {rid for s in solution.stays for rid in s.requests}
    occ = Occupancy(instance, list(solution.stays))
    optimal = solution.status == "OPTIMAL"
    unplaced = [r for r in instance.requests if r.id not in placed]
    waiting = {}
    for r in unplaced:
        if "collective" in r.stay_types and r.fits_type("collective"):
            waiting[r.id] = {(h.id, t, s) for h, t, s in static_options(instance, r).triples if t == "collective"}
    return [explain_request(instance, r, list(solution.stays), occ, optimal, waiting) for r in unplaced]
