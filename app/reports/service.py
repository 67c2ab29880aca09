"""Build a report for a reader's scope: read the facts (`facts`), count and suppress (`tables`).

`house_ids` is None for the whole network (coordinators) or the houses a
reader may see or chose (a house team: its own). Demand is suppressed over
the whole network and then cut to the houses shown, so a house's cells are
the same in its team's view and in the coordinators'. Waiting and served
count the requests at those houses (placed there, or counting there before
they are placed: `counts.home_house`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_

from app.models import DIMENSIONS, STAY_TYPES, Stay, StayRequest
from app.reports import counts as c
from app.reports import facts, tables


def default_start(name: str, months: int, today: dt.date) -> dt.date:
    """Demand and load look ahead from this month; waiting and served look back over the months up to it."""
    first = today.replace(day=1)
    return first if name in ("demand", "load") else c.shift_month(first, -(months - 1))


def _at(requests: list[c.RequestFact], houses: list[c.HouseFact], house_ids: list[int]) -> list[c.RequestFact]:
    home = c.Homes(houses)
    return [r for r in requests if (h := home(r)) is not None and h.id in house_ids]


def build(name: str, *, start: dt.date, months: int, today: dt.date, house_ids: list[int] | None) -> tables.Report:
    period = c.months_from(start, months)
    first, last = period[0], c.month_end(period[-1])
    if name == "demand":  # counted in the month her window opens (demand) or closes (unmet)
        requests = facts.requests(or_(StayRequest.earliest_start.between(first, last),
                                      StayRequest.latest_start.between(first, last)))
        return tables.build_demand(facts.houses(), requests, facts.stays(first, last), period, today, house_ids)
    if name in ("waiting", "served"):
        if name == "waiting":  # arrived in the period, or still waiting for a place
            where = or_(Stay.start.between(first, last),
                        and_(StayRequest.stay_id.is_(None), StayRequest.status.in_(c.WAITING_FOR_A_PLACE)))
        else:  # began in the period or in the same months a year before
            where = or_(Stay.start.between(first, last), Stay.start.between(c.shift_month(first, -12),
                                                                           c.month_end(c.shift_month(period[-1], -12))))
        requests = facts.requests(where)
        if house_ids is not None:
            requests = _at(requests, facts.houses(), house_ids)
        if name == "waiting":
            return tables.build_waiting(requests, period, today)
        return tables.build_served(requests, period)
    if name == "load":
        return tables.build_load(facts.therapists(house_ids), facts.sessions(house_ids, first, last), period)
    if name == "after":
        return tables.build_after(facts.follow_ups(house_ids), DIMENSIONS, STAY_TYPES)
    raise ValueError(name)
