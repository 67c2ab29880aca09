"""The network's rules: who may change which houses of a therapist, and what a change would break.

Plain functions that only `flush()`. A refused change raises
`app.refusals.Refused` with `Clash`es (a code, the published stays concerned,
parameters) as its reasons, the record of the house rules (`app.houses.rules`);
the view words them from `app.network.messages`.

A therapist working at two houses: a team member of one of them may edit her
(name, dimensions, languages, availability…), because both teams rely on the
same person; but in the houses list she can only add or remove *her own*
house. The other houses stay exactly as they were, whatever the form or the
file says, so one team can never take a therapist away from another. A
therapist keeps at least one house (to stop working with her, mark her as
not active).

A change is refused when it would break a session of a published stay not
yet past: her house, dimension or language removed, her availability no
longer covering the day, fewer sessions a day than already booked, or marked
as not active while she still has such sessions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.houses.rules import Clash
from app.models import DIMENSIONS, KINDS, Availability, House, Session, Stay, Therapist
from app.refusals import Refused

MAX_RANGE_DAYS = 731


KEEP_WEEKLY_CAP = -1  # TherapistData.max_sessions_per_week when the change does not touch it (CSV import)
MAX_SESSIONS_PER_WEEK = 40


@dataclass
class TherapistData:
    name: str
    kind: str
    dimensions: list[str]
    techniques: str
    languages: list[str]
    house_ids: set[int]
    max_sessions_per_day: int
    active: bool
    contact: str | None = None  # None: leave as it is
    max_sessions_per_week: int | None = KEEP_WEEKLY_CAP  # None: no weekly cap; KEEP_WEEKLY_CAP: leave as it is


# ------------------------------------------------------------------ houses


def final_houses(editor, current: set[int], requested: set[int]) -> set[int]:
    """The houses a therapist ends up with when `editor` asks for `requested`.

    Coordinators and admins set them as asked. A team member changes only her
    own house: every other house is kept as it was.
    """
    if editor.role in ("coordinator", "admin"):
        return set(requested)
    own = editor.house_id
    kept = {h for h in current if h != own}
    return kept | ({own} if own in requested else set())


# ------------------------------------------------------------------ published sessions


def future_sessions(therapist: Therapist, today: dt.date) -> list[Session]:
    if therapist.id is None:
        return []
    query = (select(Session).join(Stay, Session.stay_id == Stay.id)
             .where(Session.therapist_id == therapist.id, Session.day >= today).order_by(Session.day))
    return list(db.session.scalars(query))


def request_languages(request) -> set[str]:
    """A request's languages as the planner counts them: those every defender of it speaks
    (the one who asked and the defenders asking with her), else the first one's."""
    people = [d for d in request.all_defenders if d is not None]
    if not people:
        return set()
    shared = set.intersection(*(set(d.languages or []) for d in people))
    return shared or set(people[0].languages or [])


def stay_languages(stay: Stay) -> set[str]:
    """A stay's languages: the codes every request of it shares (spec rule 7)."""
    sets = [request_languages(r) for r in stay.requests]
    return set.intersection(*sets) if sets else set()


def covered(day: dt.date, ranges: list[tuple[dt.date, dt.date]]) -> bool:
    return any(start <= day <= end for start, end in ranges)


def session_problems(sessions: list[Session], *, house_ids: set[int], dimensions: list[str], languages: list[str],
                     ranges: list[tuple[dt.date, dt.date]], max_per_day: int, active: bool) -> list[Clash]:
    """What these values would break among `sessions` (her future published sessions).

    Rules 7 and 9 (her houses, dimensions, languages, availability, sessions
    a day) are the engine's: `matching.validate` checks them, asked through
    the bridge, and its codes are worded here (`bridge.THERAPIST_CODES`).
    Being marked not active is the network's own rule.
    """
    from app.planning import bridge

    found: dict[str, list] = {}

    def add(code, session):
        found.setdefault(code, [])
        if session.stay not in found[code]:
            found[code].append(session.stay)

    if not active:
        for s in sessions:
            add("inactive", s)
    faults = bridge.therapist_session_violations(sessions, house_ids=house_ids, dimensions=dimensions,
                                                 languages=languages, ranges=ranges, max_per_day=max_per_day)
    order = {s.id: k for k, s in enumerate(sessions)}
    for code, s in sorted(faults, key=lambda f: order.get(f[1].id, 0)):
        add(code, s)
    return [Clash(code, stays) for code, stays in found.items()]


def _ranges(therapist: Therapist) -> list[tuple[dt.date, dt.date]]:
    return [(a.start, a.end) for a in therapist.availability]


# ------------------------------------------------------------------ therapists


def data_problems(data: TherapistData) -> list[Clash]:
    problems = []
    if not data.name.strip():
        problems.append(Clash("name_missing"))
    if data.kind not in KINDS:
        problems.append(Clash("bad_kind"))
    if not data.dimensions or any(d not in DIMENSIONS for d in data.dimensions):
        problems.append(Clash("bad_dimensions"))
    if not data.languages:
        problems.append(Clash("no_language"))
    if not 1 <= data.max_sessions_per_day <= 8:
        problems.append(Clash("bad_max"))
    week = data.max_sessions_per_week
    if week not in (None, KEEP_WEEKLY_CAP) and not data.max_sessions_per_day <= week <= MAX_SESSIONS_PER_WEEK:
        problems.append(Clash("bad_week_max"))
    if not data.house_ids:
        problems.append(Clash("no_house"))
    return problems


def save_therapist(therapist: Therapist | None, data: TherapistData, editor, today: dt.date) -> Therapist:
    """Add (therapist=None) or change a therapist as `editor` may; raise Refused when refused."""
    current = {h.id for h in therapist.houses} if therapist is not None else set()
    data.house_ids = final_houses(editor, current, data.house_ids)
    problems = data_problems(data)
    if therapist is not None and not problems:
        problems = session_problems(future_sessions(therapist, today), house_ids=data.house_ids,
                                    dimensions=data.dimensions, languages=data.languages,
                                    ranges=_ranges(therapist), max_per_day=data.max_sessions_per_day,
                                    active=data.active)
    if problems:
        raise Refused.many(problems)
    if therapist is None:
        therapist = Therapist()
        db.session.add(therapist)
    therapist.name = data.name.strip()
    therapist.kind = data.kind
    therapist.dimensions = [d for d in DIMENSIONS if d in data.dimensions]
    therapist.techniques = data.techniques.strip()
    therapist.languages = list(dict.fromkeys(data.languages))
    therapist.max_sessions_per_day = data.max_sessions_per_day
    if data.max_sessions_per_week != KEEP_WEEKLY_CAP:
        therapist.max_sessions_per_week = data.max_sessions_per_week
    therapist.active = data.active
    if data.contact is not None:
        therapist.contact = data.contact.strip() or None
    if {h.id for h in therapist.houses} != data.house_ids:
        therapist.houses = list(db.session.scalars(select(House).where(House.id.in_(data.house_ids))
                                                   .order_by(House.name)))
    db.session.flush()
    return therapist


# ------------------------------------------------------------------ availability


def range_problems(start: dt.date, end: dt.date) -> list[Clash]:
    if end < start:
        return [Clash("bad_range")]
    if (end - start).days > MAX_RANGE_DAYS:
        return [Clash("range_too_long")]
    return []


def overlapping(therapist: Therapist, start: dt.date, end: dt.date, exclude: Availability | None = None):
    return [a for a in therapist.availability if a is not exclude and a.start <= end and a.end >= start]


def _check_coverage(therapist: Therapist, ranges, today: dt.date) -> list[Clash]:
    sessions = future_sessions(therapist, today)
    lost = [s for s in sessions if not covered(s.day, ranges)]
    stays = []
    for s in lost:
        if s.stay not in stays:
            stays.append(s.stay)
    return [Clash("not_available", stays)] if stays else []


def save_availability(therapist: Therapist, row: Availability | None, start: dt.date, end: dt.date,
                      today: dt.date) -> Availability:
    """Add (row=None) or change one range of availability; refuse overlaps, days gone by and uncovered sessions.

    A range that touches another (one ends the day before the other begins)
    becomes one row with it: the network reads one period, not two.
    """
    problems = range_problems(start, end)
    if not problems and end < today:
        problems = [Clash("range_past")]
    elif not problems and start < today and (row is None or start != row.start):
        problems = [Clash("starts_past", params={"today": today})]
    if not problems:
        clash = overlapping(therapist, start, end, exclude=row)
        if clash:
            problems = [Clash("overlap", params={"start": clash[0].start, "end": clash[0].end})]
    if not problems and row is not None:
        ranges = [(a.start, a.end) for a in therapist.availability if a is not row] + [(start, end)]
        problems = _check_coverage(therapist, ranges, today)
    if problems:
        raise Refused.many(problems)
    if row is None:
        row = Availability(start=start, end=end)
        therapist.availability.append(row)
    row.start, row.end = start, end
    _join_touching(therapist, row)
    db.session.flush()
    return row


def _join_touching(therapist: Therapist, row: Availability) -> None:
    """Fold into `row` every range that ends the day before it begins or begins the day after it ends."""
    day = dt.timedelta(days=1)
    for other in [a for a in therapist.availability if a is not row]:
        if other.end + day == row.start or other.start == row.end + day:
            row.start, row.end = min(row.start, other.start), max(row.end, other.end)
            therapist.availability.remove(other)
            db.session.delete(other)


def delete_availability(therapist: Therapist, row: Availability, today: dt.date) -> None:
    problems = _check_coverage(therapist, [(a.start, a.end) for a in therapist.availability if a is not row], today)
    if problems:
        raise Refused.many(problems)
    therapist.availability.remove(row)
    db.session.delete(row)
    db.session.flush()


# ------------------------------------------------------------------ search and month views


@dataclass
class Filters:
    q: str = ""
    dimension: str = ""
    language: str = ""
    house_id: int | None = None
    on: dt.date | None = None
    active_only: bool = False


def matches(therapist: Therapist, f: Filters) -> bool:
    """Whether a therapist passes the list's search and filters (done in Python: JSON lists differ by database)."""
    if f.q:
        needle = f.q.casefold()
        if needle not in therapist.name.casefold() and needle not in (therapist.techniques or "").casefold():
            return False
    if f.dimension and f.dimension not in (therapist.dimensions or []):
        return False
    if f.language and f.language not in (therapist.languages or []):
        return False
    if f.house_id and f.house_id not in {h.id for h in therapist.houses}:
        return False
    if f.on and not covered(f.on, _ranges(therapist)):
        return False
    return not (f.active_only and not therapist.active)


def month_days(first: dt.date) -> list[dt.date]:
    out, day = [], first.replace(day=1)
    while day.month == first.month:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


def calendar_weeks(first: dt.date) -> list[list[dt.date | None]]:
    """The month as weeks Monday to Sunday, with None before the first and after the last day."""
    month = month_days(first)
    cells: list[dt.date | None] = [None] * month[0].weekday() + month
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def network_month(therapists: list[Therapist], first: dt.date) -> dict:
    """Who is available on which day of the month, and how many per dimension each day."""
    month = month_days(first)
    rows = []
    for t in therapists:
        ranges = _ranges(t)
        rows.append({"therapist": t, "days": [covered(d, ranges) for d in month]})
    per_dimension = {dim: [sum(1 for r in rows if r["days"][i] and dim in (r["therapist"].dimensions or []))
                           for i in range(len(month))] for dim in DIMENSIONS}
    return {"days": month, "rows": rows, "per_dimension": per_dimension}
