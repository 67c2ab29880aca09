"""The per-stay difference between two schedules: a run's proposal, another run's, or the published one.

A stay is known by the requests in it: the same women in both means the same stay. Rows:
`added` (only in the second), `removed` (only in the first), `moved` (house, first day or type
changed: from -> to; its programme may have changed too) and `programme` (same place and days,
other sessions). A collective whose members changed is matched to the stay sharing most of them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import PlanningRun, Stay

PUBLISHED = "published"


@dataclass(frozen=True)
class Side:
    """One stay as a schedule holds it."""

    requests: frozenset[int]
    house: str
    start: dt.date
    end: dt.date
    type: str
    sessions: frozenset = field(default_factory=frozenset)  # (day, dimension, therapist id)
    who: tuple[str, ...] = ()

    @property
    def place(self) -> tuple:
        return self.house, self.start, self.type


@dataclass
class Row:
    kind: str  # added | removed | moved | programme
    before: Side | None
    after: Side | None
    programme_changed: bool = False

    @property
    def who(self) -> tuple[str, ...]:
        return (self.after or self.before).who


def _side(stay) -> Side:
    who = tuple(d.alias for r in stay.requests for d in r.all_defenders if d is not None)
    return Side(frozenset(r.id for r in stay.requests), stay.house.name, stay.start, stay.end, stay.type,
                frozenset((s.day, s.dimension, s.therapist_id) for s in stay.sessions), who)


def of_run(run: PlanningRun) -> list[Side]:
    return [_side(s) for s in run.stays if s.requests]


def published(houses: set[int] | None = None, first: dt.date | None = None, last: dt.date | None = None) -> list[Side]:
    query = select(Stay).options(selectinload(Stay.requests), selectinload(Stay.sessions)).order_by(Stay.start, Stay.id)
    if houses is not None:
        query = query.where(Stay.house_id.in_(houses))
    if first is not None:
        query = query.where(Stay.end >= first)
    if last is not None:
        query = query.where(Stay.start <= last)
    return [_side(s) for s in db.session.scalars(query) if s.requests]


def published_like(run: PlanningRun) -> list[Side]:
    """The published schedule over the houses and days the run covers."""
    houses = set(run.house_ids or []) | {s.house_id for s in run.stays}
    last = run.horizon_start + dt.timedelta(days=run.horizon_days - 1)
    return published(houses or None, run.horizon_start, last)


def compare(before: list[Side], after: list[Side]) -> tuple[list[Row], int]:
    """The rows that differ, and how many stays are the same in both."""
    left, right = list(before), list(after)
    pairs: list[tuple[Side, Side]] = []
    for b in list(left):  # the same women first
        match = next((a for a in right if a.requests == b.requests), None)
        if match is not None:
            pairs.append((b, match))
            left.remove(b)
            right.remove(match)
    for b in sorted(left, key=lambda s: -len(s.requests)):  # then the stay sharing most of them
        best = max(right, key=lambda a: len(a.requests & b.requests), default=None)
        if best is not None and best.requests & b.requests:
            pairs.append((b, best))
            left.remove(b)
            right.remove(best)
    rows, same = [], 0
    for b, a in pairs:
        programme = b.sessions != a.sessions
        if b.place != a.place:
            rows.append(Row("moved", b, a, programme))
        elif programme:
            rows.append(Row("programme", b, a, True))
        elif b.requests != a.requests:
            rows.append(Row("moved", b, a, False))
        else:
            same += 1
    rows += [Row("added", None, a) for a in right]
    rows += [Row("removed", b, None) for b in left]
    order = {"added": 0, "moved": 1, "programme": 2, "removed": 3}
    rows.sort(key=lambda r: (order[r.kind], (r.after or r.before).start, (r.after or r.before).house))
    return rows, same
