"""Which stays of a proposal one screen shows: a summary, a filter by house and month, and pages.

The filter lives in the query string (`house=<code>&month=YYYY-MM&page=N`), so every link, form and
redirect can carry it and the page works without JavaScript. A value that makes no sense never fails
the page: it falls back to the default and says so in her language.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _, ngettext

from app.models import House, ProposedStay

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
FILTER_KEYS = ("house", "month", "page")


@dataclass(frozen=True)
class View:
    """What she asked to see: one house or all (""), one month or all (""), and a page."""

    house: str = ""
    month: str = ""
    page: int = 1

    def args(self, **changes) -> dict:
        """Query parameters for `url_for`, the defaults left out so links stay short."""
        view = replace(self, **changes)
        args = {"house": view.house, "month": view.month, "page": view.page if view.page > 1 else ""}
        return {k: v for k, v in args.items() if v}

    @property
    def filtered(self) -> bool:
        return bool(self.house or self.month)


@dataclass
class Group:
    """The stays of one house beginning in one month."""

    house: House
    month: dt.date
    stays: list[ProposedStay]
    continued: bool = False  # the group began on the page before


@dataclass
class Month:
    key: str  # YYYY-MM
    first: dt.date
    count: int  # stays beginning that month, in the chosen house(s)


@dataclass
class Screen:
    view: View
    groups: list[Group]
    months: list[Month]
    matching: int  # stays that pass the filter, on every page
    total: int  # stays in the run
    pages: int
    page_size: int
    notices: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        """The number of the first stay on this page, counting from 1."""
        return (self.view.page - 1) * self.page_size + 1 if self.matching else 0

    @property
    def last(self) -> int:
        return min(self.matching, self.view.page * self.page_size)


@dataclass
class HouseCount:
    house: House | None  # None: every house together
    proposed: int = 0
    locked: int = 0
    published: int = 0

    @property
    def total(self) -> int:
        return self.proposed + self.locked + self.published

    def add(self, stay: ProposedStay) -> None:
        if stay.status == "published":
            self.published += 1
        elif stay.locked:
            self.locked += 1
        else:
            self.proposed += 1


# --------------------------------------------------------------------------
# Reading the query string
# --------------------------------------------------------------------------

def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def parse(values: Mapping[str, str], house_codes: Iterable[str], months: Iterable[str]) -> tuple[View, list[str]]:
    """Read house, month and page from a query string or a form; fall back to the default, with a notice."""
    notices = []
    house = (values.get("house") or "").strip()
    if house and house not in set(house_codes):
        notices.append(_("This plan has no house “%(house)s”: every house is shown.", house=_shown(house)))
        house = ""
    month = (values.get("month") or "").strip()
    if month and not MONTH.fullmatch(month):
        notices.append(_("“%(month)s” is not a month (write it like 2027-03): every month is shown.",
                         month=_shown(month)))
        month = ""
    elif month and month not in set(months):
        notices.append(_("%(month)s is outside this run's dates: every month is shown.", month=month))
        month = ""
    raw = (values.get("page") or "").strip()
    page = int(raw) if raw.isdigit() and len(raw) < 7 else 0
    if raw and page < 1:
        notices.append(_("There is no page “%(page)s”: the first page is shown.", page=_shown(raw)))
    return View(house=house, month=month, page=max(1, page)), notices


def horizon_months(first: dt.date, last: dt.date, stays: Iterable[ProposedStay] = ()) -> list[str]:
    """Every month of the horizon, and any month a kept stay begins in before it."""
    keys = {month_key(s.start) for s in stays}
    day = first.replace(day=1)
    while day <= last:
        keys.add(month_key(day))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return sorted(keys)


# --------------------------------------------------------------------------
# Choosing and grouping the stays
# --------------------------------------------------------------------------

def _order(stay: ProposedStay) -> tuple:
    return (stay.house.name, stay.start, stay.id)


def screen(stays: list[ProposedStay], view: View, months: list[str], page_size: int,
           notices: list[str] | None = None) -> Screen:
    """The stays one screen shows: the chosen house and month, by house then month, one page of them."""
    notices = list(notices or [])
    in_house = [s for s in stays if not view.house or s.house.code == view.house]
    counts = {key: 0 for key in months}
    for s in in_house:
        counts[month_key(s.start)] = counts.get(month_key(s.start), 0) + 1
    chosen = sorted((s for s in in_house if not view.month or month_key(s.start) == view.month), key=_order)
    pages = max(1, math.ceil(len(chosen) / page_size))
    if view.page > pages:
        notices.append(ngettext("There is only %(num)s page: it is shown.",
                                "There are only %(num)s pages: the last one is shown.", pages))
        view = replace(view, page=pages)
    before = chosen[(view.page - 1) * page_size - 1] if view.page > 1 else None
    groups = _groups(chosen[(view.page - 1) * page_size:view.page * page_size], before)
    month_rows = [Month(key, dt.date(int(key[:4]), int(key[5:]), 1), n) for key, n in sorted(counts.items())]
    return Screen(view=view, groups=groups, months=month_rows, matching=len(chosen), total=len(stays), pages=pages,
                  notices=notices, page_size=page_size)


def _groups(stays: list[ProposedStay], before: ProposedStay | None) -> list[Group]:
    groups: list[Group] = []
    for s in stays:
        month = s.start.replace(day=1)
        if groups and groups[-1].house.id == s.house_id and groups[-1].month == month:
            groups[-1].stays.append(s)
            continue
        continued = not groups and before is not None and before.house_id == s.house_id \
            and before.start.replace(day=1) == month
        groups.append(Group(house=s.house, month=month, stays=[s], continued=continued))
    return groups


def summary(stays: Iterable[ProposedStay], houses: Iterable[House]) -> tuple[list[HouseCount], HouseCount]:
    """How many stays each house has, by status, and all houses together."""
    rows = {h.id: HouseCount(h) for h in houses}
    together = HouseCount(None)
    for s in stays:
        rows.setdefault(s.house_id, HouseCount(s.house)).add(s)
        together.add(s)
    return sorted(rows.values(), key=lambda r: r.house.name), together
