"""Plain data of the `respite-stays/1` format: an instance and a solution.

Everything here is immutable and fully normalised: defaults applied, dates
parsed, needs filled in for all five dimensions. `matching.io` builds these
from JSON (and writes them back); the solver, the validator and the web app's
bridge only ever see these classes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

DIMENSIONS: tuple[str, ...] = ("physical", "mental", "emotional", "spiritual", "energetic")
STAY_TYPES: tuple[str, ...] = ("individual", "collective", "family")
THERAPIST_KINDS: tuple[str, ...] = ("therapist", "healer", "activist")
INSTANCE_FORMAT = "respite-stays/1"
SOLUTION_FORMAT = "respite-stays-solution/1"


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of dates."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and first <= self.end


@dataclass(frozen=True)
class Closure(DateRange):
    reason: str = ""


@dataclass(frozen=True)
class Weights:
    serve: int = 10000
    wait: int = 10
    type_rank: int = 100
    away: int = 200
    session: int = 20
    switch: int = 5
    urgency_factor: tuple[int, int, int, int] = (1, 2, 4, 8)


@dataclass(frozen=True)
class House:
    id: str
    name: str
    country: str
    beds: int
    max_concurrent_stays: int
    stay_types: tuple[str, ...]
    stay_length: Mapping[str, int]
    family_units: int = 1
    collective_min: int = 3
    collective_max: int = 8
    accessible: bool = False
    turnover_days: int = 0
    arrival_weekdays: frozenset[int] = frozenset(range(7))
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True)
class Therapist:
    id: str
    name: str
    kind: str
    houses: tuple[str, ...]
    dimensions: tuple[str, ...]
    languages: tuple[str, ...]
    available: tuple[DateRange, ...]
    max_sessions_per_day: int
    # Network extension (not in the spec yet): sessions in one calendar week,
    # Monday to Sunday, across all houses; None = no weekly cap.
    max_sessions_per_week: int | None = None

    def is_available(self, day: dt.date) -> bool:
        return any(r.contains(day) for r in self.available)


@dataclass(frozen=True)
class Request:
    id: str
    defenders: tuple[str, ...]
    stay_types: tuple[str, ...]
    earliest_start: dt.date
    latest_start: dt.date
    country: str
    languages: tuple[str, ...]
    urgency: int
    needs: Mapping[str, int]  # all five dimensions, 0..3
    companions: int = 0
    barred_countries: tuple[str, ...] = ()
    accessible: bool = False
    submitted: dt.date | None = None

    @property
    def people(self) -> int:
        """Beds the request takes: defenders plus companions."""
        return len(self.defenders) + self.companions

    def fits_type(self, stay_type: str) -> bool:
        """Whether the request may take `stay_type`, whatever it lists (spec: Request)."""
        if stay_type == "individual":
            return len(self.defenders) == 1 and self.companions == 0
        if stay_type == "family":
            return len(self.defenders) == 1
        if stay_type == "collective":
            return self.companions == 0
        return False

    def accepts(self, stay_type: str) -> bool:
        """Listed by the request and fits its people."""
        return stay_type in self.stay_types and self.fits_type(stay_type)


@dataclass(frozen=True)
class Session:
    """One session; `slot` (spec rule 11) is its time of day, 0 = first, None = not given yet."""

    dimension: str
    day: dt.date
    therapist: str
    slot: int | None = None

    @property
    def key(self) -> tuple[str, dt.date, str]:
        """What rule 10 compares: dimension, day and therapist (not the slot)."""
        return self.dimension, self.day, self.therapist


@dataclass(frozen=True)
class Stay:
    id: str
    house: str
    start: dt.date
    type: str
    requests: tuple[str, ...]
    sessions: tuple[Session, ...] = ()


@dataclass(frozen=True)
class Instance:
    horizon_start: dt.date
    horizon_days: int
    houses: tuple[House, ...]
    therapists: tuple[Therapist, ...]
    requests: tuple[Request, ...]
    locked: tuple[Stay, ...] = ()
    weights: Weights = field(default_factory=Weights)
    max_sessions_per_stay_day: int = 2
    name: str = ""
    slots_per_day: int | None = None  # as given; None = the spec's default, see `day_slots`

    @property
    def horizon_end(self) -> dt.date:
        """The last day of the horizon (inclusive)."""
        return self.horizon_start + dt.timedelta(days=self.horizon_days - 1)

    @cached_property
    def day_slots(self) -> int:
        """Session times in a day (rule 11): `slots_per_day`, or by default the largest of
        `max_sessions_per_stay_day` and every therapist's `max_sessions_per_day`."""
        if self.slots_per_day is not None:
            return self.slots_per_day
        return max([self.max_sessions_per_stay_day] + [t.max_sessions_per_day for t in self.therapists])

    def day_limit(self, therapist: Therapist) -> int:
        """Sessions she can give on one day: her limit (rule 9), at most one per slot (rule 11)."""
        return min(therapist.max_sessions_per_day, self.day_slots)

    def day_index(self, day: dt.date) -> int:
        return (day - self.horizon_start).days

    def week_index(self, index: int) -> int:
        """Calendar week (Monday to Sunday) of horizon day `index`, 0 = the horizon's first week."""
        return (index + self.horizon_start.weekday()) // 7

    def date_of(self, index: int) -> dt.date:
        return self.horizon_start + dt.timedelta(days=index)

    @cached_property
    def house_by_id(self) -> dict[str, House]:
        return {h.id: h for h in self.houses}

    @cached_property
    def therapist_by_id(self) -> dict[str, Therapist]:
        return {t.id: t for t in self.therapists}

    @cached_property
    def request_by_id(self) -> dict[str, Request]:
        return {r.id: r for r in self.requests}


@dataclass(frozen=True)
class Unassigned:
    """A request in no stay, with why: `reason` in English, `code` and `params` for translation."""

    request: str
    reason: str
    code: str = ""
    params: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class DroppedLock:
    """A locked stay the engine could not keep, and why: it breaks hard rule `rule` whatever else is planned.

    `stay` is the locked stay's id; `code`, `params` and `reason` are those of
    the `validate.Violation` that names it (`reason` in English, `code` and
    `params` for a front end to word it in another language). Its requests
    were planned as if the lock did not exist.
    """

    stay: str
    rule: int
    code: str
    reason: str
    params: Mapping = field(default_factory=dict)


@dataclass
class Solution:
    """What the engine proposes, and what it proved about it.

    `status` is one of OPTIMAL, FEASIBLE (a solution, not proven optimal),
    INFEASIBLE (nothing could be planned; see `problems`), UNKNOWN (no
    solution in the time limit) or BASELINE. `bound` is a true upper bound on
    the optimum of the whole instance, or None when nothing was proved.

    Impossible locks do not make the answer INFEASIBLE: the engine drops each
    locked stay that breaks a hard rule (whatever else is planned), plans
    everything else, and lists them in `dropped_locks` (`DroppedLock`: the
    stay's id, the rule, the reason, a code and params). Then `objective`,
    `bound` and `status` are those of the instance without the dropped locks,
    and the dropped locks' requests are planned like any other. `problems`
    lists, in English, every way the locks as given break a rule, each naming
    the stay and the rule; `violations` holds the same as `validate.Violation`s
    (rule, code, params) for a front end to word in another language (not
    written to JSON). `stats` holds timings and model size.
    """

    stays: list[Stay] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    objective: int | None = None
    bound: int | None = None
    status: str = "UNKNOWN"
    problems: list[str] = field(default_factory=list)
    violations: list = field(default_factory=list)
    dropped_locks: list[DroppedLock] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
