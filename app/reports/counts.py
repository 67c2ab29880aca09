"""The counting behind the reports, as plain functions over plain facts (no Flask, no database).

`app.reports.facts` reads the rows a reader may see into the dataclasses
below; the functions here count; `app.reports.tables` suppresses what they
count before anyone sees it. Each is tested against small hand-computed
cases (tests/app/reports/test_counts.py).

Definitions
-----------
- A *month* is given by its first day. A period is a list of months.
- A request is *ready* once the house team confirmed it: status pending
  (ready for planning) or published.
- Its *people* are its defenders and their companions (the beds they need).
- Its *house*: where its stay is, once placed; before that, the house that
  would receive her first (`home_house`).
- Bed-nights: one bed on one day (a stay of 10 days for 2 people asks 20).
- A house's *capacity* in a month: beds times the days it is not closed;
  *turnover*: the bed-days held for turnover after stays (on open days);
  *open*: capacity less turnover; *used*: the bed-days of stay days.
- *Unmet*: a ready request not placed whose window (latest start) passed
  before today, counted in the month its window closed.
- *Waiting*: days from the team's confirmation to the first day of her stay,
  for placed requests arriving in the period. The 90th percentile is the
  nearest rank: the value at position ceil(0.9 n) of the sorted waits.
- *Load*: sessions per therapist per week (weeks start on Monday; a week
  belongs to the month of its Monday), over the weeks a therapist was
  available or worked.
- *Served*: defenders (not their companions) whose stay began in the period.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

DAY = dt.timedelta(days=1)
READY = ("pending", "published")
WAITING_FOR_A_PLACE = ("pending",)
URGENCIES = (0, 1, 2, 3)
IMMINENT = 3
IMMINENT_DAYS = 14
LOAD_BUCKETS = ((0, 0), (1, 2), (3, 4), (5, 7), (8, 10), (11, None))


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class HouseFact:
    id: int
    name: str
    country: str
    beds: int
    turnover_days: int
    stay_types: tuple[str, ...]
    stay_length: dict
    accessible: bool
    closures: tuple[tuple[dt.date, dt.date], ...] = ()


@dataclass(frozen=True)
class RequestFact:
    id: int
    status: str
    earliest: dt.date | None
    latest: dt.date | None
    countries: tuple[str, ...]  # each defender's country, the lead first
    companions: int
    urgency: int | None
    stay_types: tuple[str, ...]
    confirmed_on: dt.date | None = None
    barred: tuple[str, ...] = ()  # countries any of its defenders cannot enter
    needs_accessible: bool = False
    stay_house: int | None = None  # where its published stay is
    stay_start: dt.date | None = None
    stay_end: dt.date | None = None
    stay_type: str | None = None

    @property
    def defenders(self) -> int:
        return len(self.countries)

    @property
    def people(self) -> int:
        return len(self.countries) + self.companions

    @property
    def country(self) -> str:
        return self.countries[0] if self.countries else ""

    @property
    def placed(self) -> bool:
        return self.stay_house is not None and self.stay_start is not None


@dataclass(frozen=True)
class StayFact:
    id: int
    house_id: int
    start: dt.date
    end: dt.date  # last stay day
    type: str
    people: int  # the people counted (her request agreed to be counted): "people staying"
    beds: int  # every bed the stay holds, counted or not: the house's occupancy is not her answers


@dataclass(frozen=True)
class TherapistFact:
    id: int
    label: str
    availability: tuple[tuple[dt.date, dt.date], ...] = ()


@dataclass(frozen=True)
class SessionFact:
    therapist_id: int
    day: dt.date


@dataclass(frozen=True)
class FollowUpFact:
    kind: str  # end | later
    stay_type: str
    before: dict  # dimension -> her own level in the interview
    after: dict  # dimension -> her level in the follow-up


# ------------------------------------------------------------------ months


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_from(first: dt.date, count: int) -> list[dt.date]:
    return [shift_month(first.replace(day=1), k) for k in range(count)]


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def year_before(months: list[dt.date]) -> list[dt.date]:
    return [shift_month(m, -12) for m in months]


# ------------------------------------------------------------------ demand against capacity


def stay_length(house: HouseFact, stay_types: tuple[str, ...]) -> int:
    """Days of the stay she would have at `house`: her first type it offers, else its longest stay."""
    for stay_type in stay_types:
        if stay_type in house.stay_types and stay_type in house.stay_length:
            return int(house.stay_length[stay_type])
    return max((int(v) for v in house.stay_length.values()), default=0)


def can_receive(house: HouseFact, request: RequestFact) -> bool:
    return (house.country not in request.barred and (house.accessible or not request.needs_accessible)
            and any(t in house.stay_types for t in request.stay_types))


def home_house(request: RequestFact, houses: list[HouseFact]) -> HouseFact | None:
    """The house a request counts at: its stay's; else the first that can receive her in her own
    country; else the first that can receive her; else the first in her country; else none."""
    by_id = {h.id: h for h in houses}
    if request.stay_house is not None:
        return by_id.get(request.stay_house)
    ordered = sorted(houses, key=lambda h: h.id)
    able = [h for h in ordered if can_receive(h, request)]
    for candidates in ([h for h in able if h.country == request.country], able,
                       [h for h in ordered if h.country == request.country]):
        if candidates:
            return candidates[0]
    return None


class Homes:
    """`home_house` for many requests over the same houses, remembered per kind of request."""

    def __init__(self, houses: list[HouseFact]):
        self.houses = sorted(houses, key=lambda h: h.id)
        self.by_id = {h.id: h for h in houses}
        self.seen: dict[tuple, HouseFact | None] = {}

    def __call__(self, request: RequestFact) -> HouseFact | None:
        if request.stay_house is not None:
            return self.by_id.get(request.stay_house)
        key = (request.country, request.barred, request.needs_accessible, request.stay_types)
        if key not in self.seen:
            self.seen[key] = home_house(request, self.houses)
        return self.seen[key]


@dataclass
class DemandRow:
    house_id: int
    month: dt.date
    requests: int = 0
    people: int = 0
    bed_nights_asked: int = 0
    capacity: int = 0
    turnover: int = 0
    used: int = 0
    people_staying: int = 0
    unmet: int = 0

    @property
    def open(self) -> int:
        return max(self.capacity - self.turnover, 0)


def _closed_days(house: HouseFact, first: dt.date, last: dt.date) -> set[dt.date]:
    out = set()
    for start, end in house.closures:
        day = max(start, first)
        while day <= min(end, last):
            out.add(day)
            day += DAY
    return out


def demand(houses: list[HouseFact], requests: list[RequestFact], stays: list[StayFact], months: list[dt.date],
           today: dt.date) -> list[DemandRow]:
    """One row per house and month (houses by name, months in order)."""
    rows = {(h.id, m): DemandRow(h.id, m) for h in houses for m in months}
    by_id = {h.id: h for h in houses}
    home = Homes(houses)
    wanted = set(months)
    for house in houses:
        for month in months:
            last = month_end(month)
            closed = _closed_days(house, month, last)
            rows[(house.id, month)].capacity = house.beds * (last.day - len(closed))
    for request in requests:
        if request.status not in READY:
            continue
        house = home(request)
        if house is None:
            continue
        if request.earliest and month_of(request.earliest) in wanted:
            row = rows[(house.id, month_of(request.earliest))]
            row.requests += 1
            row.people += request.people
            length = ((request.stay_end - request.stay_start).days + 1 if request.placed and request.stay_end
                      else stay_length(house, request.stay_types))
            row.bed_nights_asked += request.people * length
        if (not request.placed and request.status in WAITING_FOR_A_PLACE and request.latest
                and request.latest < today and month_of(request.latest) in wanted):
            rows[(house.id, month_of(request.latest))].unmet += 1
    for stay in stays:
        house = by_id.get(stay.house_id)
        if house is None:
            continue
        held_end = stay.end + dt.timedelta(days=house.turnover_days or 0)
        touched: set[dt.date] = set()
        closed_cache: dict[dt.date, set] = {}
        day = stay.start
        while day <= held_end:
            month = month_of(day)
            if month in wanted:
                row = rows[(house.id, month)]
                touched.add(month)
                if day <= stay.end:
                    row.used += stay.beds
                else:
                    if month not in closed_cache:
                        closed_cache[month] = _closed_days(house, month, month_end(month))
                    if day not in closed_cache[month]:
                        row.turnover += stay.beds
            day += DAY
        for month in touched:
            rows[(house.id, month)].people_staying += stay.people
    ordered = sorted(houses, key=lambda h: (h.name, h.id))
    return [rows[(h.id, m)] for h in ordered for m in months]


# ------------------------------------------------------------------ waiting by urgency


def percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile: the value at position ceil(share * n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class WaitGroup:
    key: object
    waits: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.waits)

    @property
    def median(self) -> float | None:
        return median(self.waits)

    @property
    def p90(self) -> int | None:
        return percentile(self.waits, 0.9)


@dataclass
class Waiting:
    by_urgency: list[WaitGroup]
    by_country: list[WaitGroup]
    imminent_arrived_late: int  # imminent risk, arrived in the period after more than 14 days
    imminent_still_waiting: int  # imminent risk, ready and unplaced, confirmed more than 14 days before today


def waiting(requests: list[RequestFact], months: list[dt.date], today: dt.date) -> Waiting:
    wanted = set(months)
    urgency = {u: WaitGroup(u) for u in URGENCIES}
    country: dict[str, WaitGroup] = {}
    late = still = 0
    for request in requests:
        if request.confirmed_on is None:
            continue
        if request.placed and request.status == "published" and month_of(request.stay_start) in wanted:
            wait = (request.stay_start - request.confirmed_on).days
            if request.urgency in urgency:
                urgency[request.urgency].waits.append(wait)
            country.setdefault(request.country, WaitGroup(request.country)).waits.append(wait)
            if request.urgency == IMMINENT and wait > IMMINENT_DAYS:
                late += 1
        elif (not request.placed and request.status in WAITING_FOR_A_PLACE and request.urgency == IMMINENT
              and (today - request.confirmed_on).days > IMMINENT_DAYS):
            still += 1
    return Waiting(by_urgency=[urgency[u] for u in URGENCIES],
                   by_country=[country[c] for c in sorted(country)], imminent_arrived_late=late,
                   imminent_still_waiting=still)


# ------------------------------------------------------------------ therapists' load


def mondays(months: list[dt.date]) -> list[dt.date]:
    """The Mondays that fall in the period's months."""
    out = []
    for month in months:
        day = month + dt.timedelta(days=(7 - month.weekday()) % 7)
        while day <= month_end(month):
            out.append(day)
            day += dt.timedelta(days=7)
    return out


@dataclass
class MonthLoad:
    month: dt.date
    weeks: list[int]  # sessions in each therapist-week of the month

    @property
    def median(self) -> float | None:
        return median(self.weeks)

    @property
    def p90(self) -> int | None:
        return percentile(self.weeks, 0.9)

    @property
    def max(self) -> int | None:
        return max(self.weeks) if self.weeks else None


@dataclass
class TherapistLoad:
    therapist: TherapistFact
    sessions: int
    weeks: int
    busiest_week: int

    @property
    def per_week(self) -> float:
        return self.sessions / self.weeks if self.weeks else 0.0


@dataclass
class Load:
    months: list[MonthLoad]
    buckets: list[tuple[tuple[int, int | None], int]]  # (low, high) -> therapist-weeks
    most_loaded: list[TherapistLoad]


def load(therapists: list[TherapistFact], sessions: list[SessionFact], months: list[dt.date],
         top: int = 5) -> Load:
    """Sessions per therapist per week, over the weeks each therapist was available or worked."""
    weeks = mondays(months)
    week_set = set(weeks)
    per: dict[tuple[int, dt.date], int] = defaultdict(int)
    for session in sessions:
        monday = session.day - dt.timedelta(days=session.day.weekday())
        if monday in week_set:
            per[(session.therapist_id, monday)] += 1
    month_weeks: dict[dt.date, list[int]] = {m: [] for m in months}
    bucket_counts = [0] * len(LOAD_BUCKETS)
    loads = []
    for therapist in therapists:
        total = busiest = worked = 0
        for monday in weeks:
            sunday = monday + dt.timedelta(days=6)
            count = per.get((therapist.id, monday), 0)
            available = any(start <= sunday and monday <= end for start, end in therapist.availability)
            if not available and not count:
                continue
            worked += 1
            total += count
            busiest = max(busiest, count)
            month_weeks[month_of(monday)].append(count)
            for index, (low, high) in enumerate(LOAD_BUCKETS):
                if count >= low and (high is None or count <= high):
                    bucket_counts[index] += 1
                    break
        if worked:
            loads.append(TherapistLoad(therapist, total, worked, busiest))
    loads.sort(key=lambda t: (-t.sessions, -t.busiest_week, t.therapist.label, t.therapist.id))
    return Load(months=[MonthLoad(m, month_weeks[m]) for m in months],
                buckets=list(zip(LOAD_BUCKETS, bucket_counts)),
                most_loaded=[t for t in loads if t.sessions][:top])


# ------------------------------------------------------------------ served


SERVED_BREAKDOWNS = ("country", "stay_type", "urgency")


def served(requests: list[RequestFact], months: list[dt.date]) -> dict[str, dict[object, int]]:
    """Defenders whose stay began in `months`, by country, stay type and urgency."""
    wanted = set(months)
    out: dict[str, dict[object, int]] = {b: defaultdict(int) for b in SERVED_BREAKDOWNS}
    for request in requests:
        if request.status != "published" or not request.placed or month_of(request.stay_start) not in wanted:
            continue
        for country in request.countries:
            out["country"][country] += 1
        out["stay_type"][request.stay_type or ""] += request.defenders
        out["urgency"][request.urgency] += request.defenders
    return {b: dict(v) for b, v in out.items()}


# ------------------------------------------------------------------ after the stay


@dataclass
class Change:
    dimension: str
    stay_type: str
    compared: int = 0  # people with a level before and after
    fell: int = 0  # whose level fell (less need of care)


def after_stay(follow_ups: list[FollowUpFact], dimensions: tuple[str, ...], stay_types: tuple[str, ...],
               kind: str) -> list[Change]:
    """Per dimension and stay type: how many compared, and how many whose level fell."""
    table = {(d, t): Change(d, t) for d in dimensions for t in stay_types}
    for follow_up in follow_ups:
        if follow_up.kind != kind:
            continue
        for dimension in dimensions:
            before, now = follow_up.before.get(dimension), follow_up.after.get(dimension)
            if before is None or now is None or (dimension, follow_up.stay_type) not in table:
                continue
            change = table[(dimension, follow_up.stay_type)]
            change.compared += 1
            change.fell += now < before
    return [table[(d, t)] for d in dimensions for t in stay_types]
