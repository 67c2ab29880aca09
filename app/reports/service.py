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
from app.reports.suppress import small_count


def default_start(name: str, months: int, today: dt.date) -> dt.date:
    """Demand and load look ahead from this month; waiting and served look back over the months up to it."""
    first = today.replace(day=1)
    return first if name in ("demand", "load") else c.shift_month(first, -(months - 1))


def _at(requests: list[c.RequestFact], houses: list[c.HouseFact], house_ids: list[int]) -> list[c.RequestFact]:
    home = c.Homes(houses)
    return [r for r in requests if (h := home(r)) is not None and h.id in house_ids]


def _requests_read(name: str, period: list[dt.date]):
    """The condition choosing the requests a report reads (None: the report reads no request)."""
    first, last = period[0], c.month_end(period[-1])
    if name == "demand":  # counted in the month her window opens (demand) or closes (unmet)
        return or_(StayRequest.earliest_start.between(first, last), StayRequest.latest_start.between(first, last))
    if name == "waiting":  # arrived in the period, or still waiting for a place
        return or_(Stay.start.between(first, last),
                   and_(StayRequest.stay_id.is_(None), StayRequest.status.in_(c.WAITING_FOR_A_PLACE)))
    if name == "served":  # began in the period or in the same months a year before
        return or_(Stay.start.between(first, last), Stay.start.between(c.shift_month(first, -12),
                                                                       c.month_end(c.shift_month(period[-1], -12))))
    return None


def _requests(name: str, period: list[dt.date], house_ids: list[int] | None, *, counted: bool = True):
    """The requests a report reads: those counted, or (`counted=False`) those left out, at `house_ids`."""
    requests = facts.requests(_requests_read(name, period), counted=counted)
    if name == "demand" and counted:
        return requests  # suppressed over the whole network, then cut to the houses (tables.build_demand)
    if name == "demand":
        requests = [r for r in requests if r.status in c.READY]  # demand counts ready requests only
    return requests if house_ids is None else _at(requests, facts.houses(), house_ids)


def not_counted(name: str, period: list[dt.date], house_ids: list[int] | None) -> int | None:
    """How many of the requests (or follow-ups) this report would read were left out because she did not
    agree to be counted (None for the therapists' load, which counts no defender)."""
    if name == "after":
        return len(facts.follow_ups(house_ids, counted=False))
    if _requests_read(name, period) is None:
        return None
    return len(_requests(name, period, house_ids, counted=False))


def build(name: str, *, start: dt.date, months: int, today: dt.date, house_ids: list[int] | None) -> tables.Report:
    """The report over the requests of defenders who agreed to be counted (`facts.COUNTED`), with the number
    of those left out (`Report.not_counted`, a lone count: "<5" when small)."""
    period = c.months_from(start, months)
    first, last = period[0], c.month_end(period[-1])
    if name == "demand":
        report = tables.build_demand(facts.houses(), _requests(name, period, house_ids), facts.stays(first, last),
                                     period, today, house_ids)
    elif name == "waiting":
        report = tables.build_waiting(_requests(name, period, house_ids), period, today)
    elif name == "served":
        report = tables.build_served(_requests(name, period, house_ids), period)
    elif name == "load":
        report = tables.build_load(facts.therapists(house_ids), facts.sessions(house_ids, first, last), period)
    elif name == "after":
        report = tables.build_after(facts.follow_ups(house_ids), DIMENSIONS, STAY_TYPES)
    else:
        raise ValueError(name)
    left_out = not_counted(name, period, house_ids)
    report.not_counted = None if left_out is None else small_count(left_out)
    return report
