"""What a change to a house would break, and the changes themselves.

Plain functions: they read and change rows and only `flush()`; the view
commits once. A change that would break a published stay raises
`app.refusals.Refused` with each `Clash` as a reason (which stays, and why),
so that the refusal can name the stays (`app.houses.messages`).

What counts as "breaking" a published stay (the hard rules of
`respite-stays/1` a locked stay must keep satisfying):

- its type is no longer offered, or its length no longer matches the
  house's length for that type;
- its first day is no longer an allowed arrival weekday;
- on one of its *held* days (stay days plus turnover days) the people, the
  stays or the family stays held exceed beds, concurrent stays or family
  units;
- a collective stay's size falls outside the collective minimum and maximum;
- the house stops being accessible while one of its defenders needs it;
- a closure covers one of its *stay* days (turnover days may be closed).

Only stays not yet over (their last held day is today or later) count:
past stays are history and no rule protects them any more.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import CLOSURE_REASONS, DEFAULT_SLOT_TIMES, STAY_TYPES, Closure, House, Stay
from app.notices import service as notices
from app.refusals import Refused

DAY = dt.timedelta(days=1)


@dataclass
class Clash:
    """One reason a change is refused (the network's rules use it too): the published stays it would break."""

    code: str  # type_removed, length_changed, arrival_weekday, beds, concurrent, family_units,
    #            collective_size, accessible, closure, closure_more, bad_range, note_needed, length_missing, collective_range
    stays: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    field: str | None = None  # the form field it concerns, if one


@dataclass
class HouseSettings:
    """The fields of the settings form, as plain values."""

    beds: int
    max_concurrent_stays: int
    family_units: int
    stay_types: list[str]
    stay_length: dict[str, int]
    collective_min: int
    collective_max: int
    accessible: bool
    turnover_days: int
    arrival_weekdays: list[int]
    slot_times: list[str] = field(default_factory=lambda: list(DEFAULT_SLOT_TIMES))

    @classmethod
    def of(cls, house: House) -> "HouseSettings":
        return cls(beds=house.beds, max_concurrent_stays=house.max_concurrent_stays,
                   family_units=house.family_units, stay_types=list(house.stay_types or []),
                   stay_length=dict(house.stay_length or {}), collective_min=house.collective_min,
                   collective_max=house.collective_max, accessible=house.accessible,
                   turnover_days=house.turnover_days, arrival_weekdays=list(house.arrival_weekdays or []),
                   slot_times=list(house.slot_times or DEFAULT_SLOT_TIMES))


# ------------------------------------------------------------------ days


def days(start: dt.date, end: dt.date):
    """Every date from `start` to `end`, both included."""
    day = start
    while day <= end:
        yield day
        day += DAY


def held_end(stay_end: dt.date, turnover_days: int) -> dt.date:
    """The last held day of a stay whose last stay day is `stay_end`."""
    return stay_end + dt.timedelta(days=turnover_days)


@dataclass
class StayLoad:
    """What one stay takes: the plain numbers the day counts need."""

    start: dt.date
    end: dt.date  # last stay day
    people: int
    family: bool
    ref: object = None


@dataclass
class DayCount:
    day: dt.date
    people: int = 0
    stays: int = 0
    families: int = 0
    refs: list = field(default_factory=list)


def day_counts(loads: list[StayLoad], turnover_days: int, start: dt.date, end: dt.date) -> dict[dt.date, DayCount]:
    """Count people, stays and family stays held on each day from `start` to `end`.

    A stay holds its stay days and the `turnover_days` after them.
    """
    counts = {day: DayCount(day) for day in days(start, end)}
    for load in loads:
        for day in days(max(load.start, start), min(held_end(load.end, turnover_days), end)):
            count = counts[day]
            count.people += load.people
            count.stays += 1
            count.families += 1 if load.family else 0
            count.refs.append(load.ref)
    return counts


def load_of(stay: Stay) -> StayLoad:
    # a no-show or an early departure frees the beds from `released_from` on (app/schedule)
    end = min(stay.end, stay.released_from - DAY) if stay.released_from is not None else stay.end
    return StayLoad(start=stay.start, end=end, people=stay.people, family=stay.type == "family", ref=stay)


# ------------------------------------------------------------------ published stays


def live_stays(house: House, today: dt.date, turnover_days: int | None = None) -> list[Stay]:
    """Published stays at `house` not yet over (held days included).

    `turnover_days` counts the held days (the house's own by default; a settings
    change passes the larger of the old and new, so that a stay its new turnover
    days bring back to today is protected too).
    """
    if turnover_days is None:
        turnover_days = house.turnover_days or 0
    turnover = max(turnover_days, 0)
    horizon = today - dt.timedelta(days=turnover)
    query = select(Stay).where(Stay.house_id == house.id, Stay.end >= horizon, Stay.cancelled_at.is_(None)
                               ).order_by(Stay.start, Stay.id)
    return [s for s in db.session.scalars(query) if held_end(s.end, turnover) >= today
            and not (s.released_from is not None and s.released_from <= today)]


def _defenders(stay: Stay) -> int:
    return sum(len(r.all_defenders) for r in stay.requests)


def _needs_accessible(stay: Stay) -> bool:
    return any(d.needs_accessible for r in stay.requests for d in r.all_defenders)


def settings_conflicts(stays: list[Stay], new: HouseSettings) -> list[Clash]:
    """Every way the settings `new` would break one of `stays` (published, live)."""
    conflicts: list[Clash] = []

    def add(code, stay_list, **params):
        conflicts.append(Clash(code, list(stay_list), params))

    for stay in stays:
        length = (stay.end - stay.start).days + 1
        if stay.type not in new.stay_types:
            add("type_removed", [stay], type=stay.type)
        elif new.stay_length.get(stay.type) != length:
            add("length_changed", [stay], type=stay.type, n=length)
        if stay.start.weekday() not in new.arrival_weekdays:
            add("arrival_weekday", [stay], weekday=stay.start.weekday())
        if stay.type == "collective" and not new.collective_min <= _defenders(stay) <= new.collective_max:
            add("collective_size", [stay], n=_defenders(stay))
        if not new.accessible and _needs_accessible(stay):
            add("accessible", [stay])
        if any(s.slot >= len(new.slot_times) for s in stay.sessions):
            add("slot_removed", [stay], n=len(new.slot_times))
    conflicts += capacity_conflicts(stays, new)
    return conflicts


# Rule 6's violation codes (`matching.validate`) and the conflicts that word them here.
CAPACITY_CODES = {"too_many_people": "beds", "too_many_stays": "concurrent", "too_many_family_stays": "family_units"}


def capacity_conflicts(stays: list[Stay], new: HouseSettings) -> list[Clash]:
    """Rule 6 under the settings `new`, as the engine's `validate` counts it (asked through the bridge).

    One conflict per resource: every stay held on a day over the limit (for
    family units, the family stays), the first such day and its count.
    """
    from app.planning import bridge

    found = bridge.house_capacity_violations(stays, beds=new.beds, max_concurrent_stays=new.max_concurrent_stays,
                                             family_units=new.family_units, turnover_days=new.turnover_days)
    conflicts = []
    for code, name in CAPACITY_CODES.items():
        runs = [(v, named) for v, named in found if v.code == code]
        if not runs:
            continue
        involved = _unique(s for _, named in runs for s in named if name != "family_units" or s.type == "family")
        v = runs[0][0]
        conflicts.append(Clash(name, involved, {"day": dt.date.fromisoformat(v.params["first"]),
                                                   "count": v.params["count"], "limit": v.params["limit"]}))
    return conflicts


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def settings_problems(new: HouseSettings) -> list[Clash]:
    """Settings that make no sense on their own (the form checks the simple bounds)."""
    problems = []
    missing = [t for t in new.stay_types if not new.stay_length.get(t)]
    if missing:
        problems.append(Clash("length_missing", params={"types": missing}))
    if new.collective_min > new.collective_max:
        problems.append(Clash("collective_range"))
    return problems


def apply_settings(house: House, new: HouseSettings, today: dt.date) -> None:
    """Save `new` on `house`, or refuse naming what it would break."""
    turnover = max(house.turnover_days or 0, new.turnover_days)
    conflicts = settings_problems(new) or settings_conflicts(live_stays(house, today, turnover), new)
    if conflicts:
        raise Refused.many(conflicts)
    _set_settings(house, new)


def _set_settings(house: House, new: HouseSettings) -> None:
    house.beds = new.beds
    house.max_concurrent_stays = new.max_concurrent_stays
    house.family_units = new.family_units
    house.stay_types = [t for t in STAY_TYPES if t in new.stay_types]
    house.stay_length = {t: int(new.stay_length[t]) for t in house.stay_types}
    house.collective_min = new.collective_min
    house.collective_max = new.collective_max
    house.accessible = new.accessible
    house.turnover_days = new.turnover_days
    house.arrival_weekdays = sorted(set(new.arrival_weekdays))
    house.slot_times = list(new.slot_times)
    db.session.flush()


def create_house(*, code: str, name: str, place: str, country: str, settings: HouseSettings) -> House:
    """Add a house with `settings` (refused on settings that make no sense)."""
    problems = settings_problems(settings)
    if problems:
        raise Refused.many(problems)
    if db.session.scalar(select(House.id).where(House.code == code)) is not None:
        raise Refused.many([Clash("code_taken")])
    house = House(code=code, name=name, place=place, country=country)
    _set_settings(house, settings)
    db.session.add(house)
    db.session.flush()
    return house


# ------------------------------------------------------------------ closures


@dataclass
class ClosureData:
    start: dt.date
    end: dt.date
    reason: str
    note: str = ""


def closure_problems(data: ClosureData) -> list[Clash]:
    problems = []
    if data.end < data.start:
        problems.append(Clash("bad_range", field="end"))
    elif (data.end - data.start).days > 366:
        problems.append(Clash("too_long", field="end"))
    if data.reason not in CLOSURE_REASONS:
        problems.append(Clash("bad_reason", field="reason"))
    elif data.reason == "other" and not data.note.strip():
        problems.append(Clash("note_needed", field="note"))
    return problems


def stays_in_closure(house: House, start: dt.date, end: dt.date, today: dt.date) -> list[Stay]:
    """Live published stays with a *stay* day between `start` and `end` (turnover days may close)."""
    return [s for s in live_stays(house, today) if s.start <= end and s.end >= start]


def default_replan_reason(data: ClosureData) -> str:
    """The flag's reason when the caller gives none (plain text, not translated)."""
    return f"closure {data.start.isoformat()}/{data.end.isoformat()} {data.reason}"


def save_closure(house: House, closure: Closure | None, data: ClosureData, *, confirm_replan: bool,
                 today: dt.date, replan_reason: str = "",
                 previous_reasons: frozenset[str] | set[str] = frozenset()) -> tuple[Closure, list[Stay]]:
    """Add (closure=None) or change a closure; return it and the stays it newly flagged for re-planning.

    A closure over a published stay is refused (`closure` conflict naming the
    stays) unless `confirm_replan`: the stays are then flagged `needs_replan`
    with `replan_reason` for the coordinator.

    When an existing closure is changed, only what is new is asked about: a
    stay the closure covered as saved and that is flagged already was flagged
    by it (a closure over a live published stay is only ever saved by flagging
    it, and no stay is published over a closure), so it needs no second
    confirmation. The edit asks (`closure_more` when some covered stays are
    already flagged, `closure` otherwise) only about the stays it would newly
    cover, or cover again after a coordinator lifted the flag.

    An already flagged stay keeps its flag; its reason is brought up to date
    only while it still reads as this closure wrote it (`previous_reasons`:
    the texts the closure as saved gave, in any language), so a reason set
    since for something else is kept. A flag is never lifted here: a stay row
    does not record which closure (or what else) flagged it.
    """
    problems = closure_problems(data)
    if problems:
        raise Refused.many(problems)
    hit = stays_in_closure(house, data.start, data.end, today)
    already: list[Stay] = []
    if closure is not None:
        covered = stays_in_closure(house, closure.start, closure.end, today)
        already = [s for s in covered if s.needs_replan and s in hit]
        previous_reasons = set(previous_reasons) | {default_replan_reason(
            ClosureData(closure.start, closure.end, closure.reason, closure.note))}
    new = [s for s in hit if s not in already]
    if new and not confirm_replan:
        raise Refused.many([Clash("closure_more" if already else "closure", new, field="confirm_replan")])
    if closure is None:
        closure = Closure(house=house)
        db.session.add(closure)
    reason = replan_reason or default_replan_reason(data)
    closure.start, closure.end = data.start, data.end
    closure.reason, closure.note = data.reason, data.note.strip()
    for stay in new:
        stay.needs_replan = True
        stay.replan_reason = reason
        notices.stay_flagged(stay)
    for stay in already:
        if stay.replan_reason in previous_reasons:
            stay.replan_reason = reason
    db.session.flush()
    return closure, new


def delete_closure(closure: Closure) -> None:
    db.session.delete(closure)
    db.session.flush()
