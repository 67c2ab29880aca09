"""Which ready requests a planning period leaves out, said before the run starts.

A stay must lie wholly inside the period (spec rule 5), so a request is out of
reach when her window to arrive closes before the period opens, or when even
her shortest stay, begun on her first possible day, would end after it closes.
The engine says the same of each request after a run ("the stay would fall
outside the planning period"); this counts them up front, from the houses the
coordinator chose.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import ngettext
from sqlalchemy import select

from app.extensions import db
from app.models import House, StayRequest


@dataclass(frozen=True)
class Outside:
    before: int  # her window to arrive closes before the period opens
    after: int   # her shortest stay could not end inside the period

    @property
    def total(self) -> int:
        return self.before + self.after

    def sentence(self) -> str:
        if not self.total:
            return ""
        parts = []
        if self.before:
            parts.append(ngettext("%(num)s whose window to arrive closes before the period begins",
                                  "%(num)s whose window to arrive closes before the period begins", self.before))
        if self.after:
            parts.append(ngettext("%(num)s who could not finish her stay before the period ends",
                                  "%(num)s who could not finish their stays before the period ends", self.after))
        return ngettext("%(num)s ready request falls outside this period: %(parts)s.",
                        "%(num)s ready requests fall outside this period: %(parts)s.", self.total,
                        parts="; ".join(parts))


def shortest_stay(stay_types, houses: list[House]) -> int | None:
    """Days of the shortest stay of a type she accepts at any of the houses, or None if none offers one."""
    lengths = [int(h.stay_length[t]) for h in houses for t in stay_types or [] if t in (h.stay_length or {})]
    return min(lengths, default=None)


def _plus(day: dt.date, days: int) -> dt.date:
    """`day` + `days`, held at the calendar's last day (a period may be asked to end past it)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def outside(requests, houses: list[House], start: dt.date, days: int) -> Outside:
    """Count ready requests that no stay inside [start, start + days) could serve, by which end they miss."""
    end = _plus(start, days - 1)
    before = after = 0
    for r in requests:
        if r.latest_start and r.latest_start < start:
            before += 1
            continue
        length = shortest_stay(r.stay_types, houses)
        if r.earliest_start and length and _plus(max(r.earliest_start, start), length - 1) > end:
            after += 1
    return Outside(before, after)


def outside_for(start: dt.date, days: int, house_ids) -> Outside:
    """`outside` for the requests ready for planning now and the chosen houses."""
    houses = db.session.scalars(select(House).where(House.id.in_(list(house_ids)))).all()
    ready = db.session.scalars(select(StayRequest).where(StayRequest.status == "pending")).all()
    return outside(ready, list(houses), start, days)
