"""The occupancy picture of a house over a period: counts per day and the drawing's geometry.

`occupancy_days` is the plain count (tested against hand-computed cases);
`picture` lays it out as SVG shapes the template draws. Beds, stays and
family units are counted on *held* days (stay days plus turnover days).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.houses.rules import DAY, StayLoad, day_counts, days, held_end, load_of
from app.models import Closure, House, Stay

PERIODS = ("month", "quarter")


@dataclass
class Day:
    day: dt.date
    people: int
    stays: int
    families: int
    free_beds: int
    closed: bool


def period_bounds(kind: str, first: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month (or the three months) starting at `first`'s month."""
    start = first.replace(day=1)
    months = 3 if kind == "quarter" else 1
    year, month = start.year, start.month + months - 1
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return start, dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def occupancy_days(loads: list[StayLoad], closures: list[tuple[dt.date, dt.date]], beds: int,
                   turnover_days: int, start: dt.date, end: dt.date) -> list[Day]:
    """Each day from `start` to `end`: people, stays and family stays held, free beds, closed or not."""
    counts = day_counts(loads, turnover_days, start, end)
    closed = {d for c_start, c_end in closures for d in days(max(c_start, start), min(c_end, end))}
    # a closed day receives no one: it has no free bed, whatever turnover it holds
    return [Day(day=c.day, people=c.people, stays=c.stays, families=c.families,
                free_beds=0 if c.day in closed else beds - c.people, closed=c.day in closed)
            for c in counts.values()]


def first_month_to_show(house: House, today: dt.date) -> dt.date:
    """Today's month if a stay is held in it, else the month of the next stay, else today's month.

    It asks only whether one is held: the page then loads the stays of the month it draws, once.
    """
    month = today.replace(day=1)
    _, month_end = period_bounds("month", month)
    if db.session.scalar(select(Stay.id).where(*_held(house, month, month_end)).limit(1)) is not None:
        return month
    following = db.session.scalar(select(Stay.start).where(Stay.house_id == house.id, Stay.start > month_end)
                                  .order_by(Stay.start).limit(1))
    return following.replace(day=1) if following else month


def _held(house: House, start: dt.date, end: dt.date) -> tuple:
    """The conditions on a stay held at the house during the period (its turnover days after it included)."""
    horizon = start - dt.timedelta(days=house.turnover_days or 0)
    return Stay.house_id == house.id, Stay.start <= end, Stay.end >= horizon, Stay.cancelled_at.is_(None)


def house_period(house: House, start: dt.date, end: dt.date) -> tuple[list[Stay], list[Closure]]:
    """Published stays held and closures during the period."""
    stays = db.session.scalars(select(Stay).where(*_held(house, start, end)).order_by(Stay.start, Stay.id)).all()
    closures = [c for c in house.closures if c.start <= end and c.end >= start]
    return list(stays), closures


# ------------------------------------------------------------------ drawing

@dataclass
class Picture:
    width: int
    height: int
    day_width: int
    days: list[Day]
    header: list[dict] = field(default_factory=list)
    closures: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    beds: list[dict] = field(default_factory=list)
    stays: list[dict] = field(default_factory=list)
    rows: dict = field(default_factory=dict)


LANE = 24
HEADER = 34
BEDS_HEIGHT = 60
STAYS_HEIGHT = 44
GAP = 30


def lanes(stays: list[Stay], turnover_days: int) -> dict[int, int]:
    """Give each stay a lane so that no two bars overlap (first free lane, by start)."""
    ends: list[dt.date] = []
    out = {}
    for stay in sorted(stays, key=lambda s: (s.start, s.id)):
        for index, lane_end in enumerate(ends):
            if lane_end < stay.start:
                ends[index] = held_end(stay.end, turnover_days)
                out[stay.id] = index
                break
        else:
            ends.append(held_end(stay.end, turnover_days))
            out[stay.id] = len(ends) - 1
    return out


def picture(house: House, stays: list[Stay], closures: list[Closure], start: dt.date, end: dt.date) -> Picture:
    """Lay out the occupancy picture: bars, closures, beds used per day, stays per day against the limit."""
    turnover = house.turnover_days or 0
    day_list = occupancy_days([load_of(s) for s in stays], [(c.start, c.end) for c in closures], house.beds,
                              turnover, start, end)
    n = len(day_list)
    dw = 24 if n <= 31 else 8
    width = n * dw

    def x(day: dt.date) -> int:
        return (day - start).days * dw

    lane_of = lanes(stays, turnover)
    lane_count = max(lane_of.values(), default=-1) + 1
    bars_top = HEADER + 6
    beds_top = bars_top + max(lane_count, 1) * LANE + GAP
    stays_top = beds_top + BEDS_HEIGHT + GAP + 16
    height = stays_top + STAYS_HEIGHT + 8
    pic = Picture(width=width, height=height, day_width=dw, days=day_list,
                  rows={"bars_top": bars_top, "beds_top": beds_top, "beds_height": BEDS_HEIGHT,
                        "stays_top": stays_top, "stays_height": STAYS_HEIGHT, "lanes": lane_count})
    for d in day_list:
        show = dw >= 24 or d.day.day == 1 or d.day.weekday() == 0
        if show:
            pic.header.append({"x": x(d.day), "day": d.day, "month_start": d.day.day == 1 or d.day == start,
                               "weekend": d.day.weekday() >= 5})
    for c in closures:
        c_start, c_end = max(c.start, start), min(c.end, end)
        pic.closures.append({"x": x(c_start), "width": ((c_end - c_start).days + 1) * dw, "closure": c,
                             "top": HEADER, "height": height - HEADER})
    for stay in stays:
        s_start, s_end = max(stay.start, start), min(stay.end, end)
        h_end = min(held_end(stay.end, turnover), end)
        bar = {"stay": stay, "y": bars_top + lane_of[stay.id] * LANE, "height": LANE - 6, "x": x(s_start),
               "width": max(((s_end - s_start).days + 1) * dw, 0) if s_end >= s_start else 0,
               "turnover_x": x(max(stay.end + DAY, start)), "turnover_width": 0}
        if h_end > stay.end:
            t_start = max(stay.end + DAY, start)
            bar["turnover_width"] = ((h_end - t_start).days + 1) * dw
        bar["label"] = bar["width"] >= 90
        pic.bars.append(bar)
    limit = max(house.max_concurrent_stays, max((d.stays for d in day_list), default=0), 1)
    for d in day_list:
        used = min(d.people, max(house.beds, 1))
        h = round(BEDS_HEIGHT * used / max(house.beds, 1))
        pic.beds.append({"x": x(d.day), "height": h, "y": beds_top + BEDS_HEIGHT - h, "day": d,
                         "over": d.people > house.beds})
        sh = round(STAYS_HEIGHT * d.stays / limit)
        pic.stays.append({"x": x(d.day), "height": sh, "y": stays_top + STAYS_HEIGHT - sh, "day": d,
                          "over": d.stays > house.max_concurrent_stays})
    pic.rows["limit_y"] = stays_top + STAYS_HEIGHT - round(STAYS_HEIGHT * house.max_concurrent_stays / limit)
    return pic
