"""Each report as the reader gets it: counted (`counts`), suppressed (`suppress`), laid out.

One builder per report returns a `Report`: the CSV header and rows (also what
the command line prints) and what its page shows, including the chart. The
page, the CSV and the command line therefore show the very same cells.
Counts of people go through `suppress`; figures derived from people are
linked to those counts; the therapists' load counts sessions, not people.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.labels import COUNTRY, DIMENSION, STAY_TYPE, URGENCY, label
from app.reports import counts as c
from app.reports.charts import Chart, bar_chart
from app.reports.suppress import (
    HIDDEN_SHOWN, Shown, is_small, show, small_count, suppress, suppress_column,
)

REPORTS = ("demand", "waiting", "load", "served", "after")
CLI_REPORTS = ("demand", "waiting", "load", "served")


@dataclass
class Report:
    name: str
    months: list[dt.date]
    csv_header: list[str]
    csv_rows: list[list[str]]
    table_header: list[str]  # translated, for the command line's table
    charts: list[tuple[str, Chart]] = field(default_factory=list)
    page: dict = field(default_factory=dict)
    not_counted: Shown | None = None  # requests left out: she did not agree to be counted (service.build)


def month_key(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def country_name(code: str) -> str:
    return label(COUNTRY, code) if code else str(_l("Unknown"))


def _fmt(value) -> Shown:
    if value is None:
        return Shown("—", None)
    if isinstance(value, float):
        return Shown(f"{value:g}" if value == int(value) else f"{value:.1f}", value)
    return show(value)


# ------------------------------------------------------------------ demand against capacity

DEMAND_COLUMNS = ("requests", "people", "bed_nights_asked", "capacity", "open_after_turnover", "bed_nights_used",
                  "people_staying", "unmet_requests")


def demand_labels() -> list[str]:
    return [str(x) for x in (_l("Requests ready"), _l("People"), _l("Bed-nights asked"),
                             _l("Bed-nights open after closures"), _l("Open after turnover"),
                             _l("Bed-nights used"), _l("People staying"), _l("Unmet requests"))]


def build_demand(houses: list[c.HouseFact], requests: list[c.RequestFact], stays: list[c.StayFact],
                 months: list[dt.date], today: dt.date, visible: list[int] | None) -> Report:
    """House by month. Suppressed over every house, then cut to the `visible` houses (None: all, with totals)."""
    rows = c.demand(houses, requests, stays, months, today)
    ordered = sorted(houses, key=lambda h: (h.name, h.id))
    grid = {(r.house_id, r.month): r for r in rows}

    def table(attr: str) -> list[list[int]]:
        return [[getattr(grid[(h.id, m)], attr) for m in months] for h in ordered]

    requests_t = suppress(table("requests"))
    people_t = suppress(table("people"))
    asked_t = suppress(table("bed_nights_asked"), linked_to=people_t.hidden)
    staying_t = suppress(table("people_staying"))
    open_t = suppress(table("open"), linked_to=staying_t.hidden)
    used_t = suppress(table("used"), linked_to=staying_t.hidden)
    unmet_t = suppress(table("unmet"))
    capacity = table("capacity")
    measures = (requests_t, people_t, asked_t, None, open_t, used_t, staying_t, unmet_t)

    def cell(t, i, j) -> Shown:
        return show(capacity[i][j]) if t is None else t.cells[i][j]

    def total(t, i) -> Shown:
        return show(sum(capacity[i])) if t is None else t.row_totals[i]

    def month_total(t, j) -> Shown:
        return show(sum(row[j] for row in capacity)) if t is None else t.col_totals[j]

    def grand(t) -> Shown:
        return show(sum(map(sum, capacity))) if t is None else t.grand

    shown_houses = [(i, h) for i, h in enumerate(ordered) if visible is None or h.id in visible]
    csv_rows, blocks = [], []
    for i, house in shown_houses:
        lines = []
        for j, month in enumerate(months):
            values = [cell(t, i, j) for t in measures]
            csv_rows.append([house.name, month_key(month), *[v.text for v in values]])
            lines.append((month, values))
        blocks.append({"house": house, "lines": lines, "total": [total(t, i) for t in measures]})
    network = None
    if visible is None and len(ordered) > 1:
        network = {"lines": [(m, [month_total(t, j) for t in measures]) for j, m in enumerate(months)],
                   "total": [grand(t) for t in measures]}
    # the chart: the network's months (coordinators) or the one house shown
    series_rows = network["lines"] if network is not None else (blocks[0]["lines"] if blocks else [])
    chart = bar_chart([(m.strftime("%m/%y"), [v[2], v[4], v[5]]) for m, v in series_rows],
                      [("asked", str(_l("Bed-nights asked"))), ("open", str(_l("Open after turnover"))),
                       ("used", str(_l("Bed-nights used")))])
    return Report("demand", months, ["house", "month", *DEMAND_COLUMNS], csv_rows,
                  [str(_l("House")), str(_l("Month")), *demand_labels()], [("demand", chart)],
                  {"blocks": blocks, "network": network, "labels": demand_labels()})


# ------------------------------------------------------------------ waiting by urgency


def _wait_lines(groups: list[c.WaitGroup], name) -> tuple[list, Shown]:
    counts_t = suppress_column([g.count for g in groups])
    lines = []
    for g, row in zip(groups, counts_t.cells):
        n = row[0]
        hide = is_small(g.count)
        stats = [HIDDEN_SHOWN, HIDDEN_SHOWN] if hide else [_fmt(g.median), _fmt(g.p90)]
        lines.append((g.key, name(g.key), n, *stats))
    return lines, counts_t.col_totals[0]


def build_waiting(requests: list[c.RequestFact], months: list[dt.date], today: dt.date) -> Report:
    result = c.waiting(requests, months, today)
    urgency_lines, urgency_total = _wait_lines(result.by_urgency, lambda u: label(URGENCY, u))
    country_lines, country_total = _wait_lines(result.by_country, country_name)
    late, still = small_count(result.imminent_arrived_late), small_count(result.imminent_still_waiting)
    csv_rows = [["urgency", str(key), n.text, med.text, p90.text] for key, _name, n, med, p90 in urgency_lines]
    csv_rows += [["country", key or "unknown", n.text, med.text, p90.text] for key, _name, n, med, p90 in country_lines]
    csv_rows += [["imminent_arrived_after_14_days", "", late.text, "", ""],
                 ["imminent_still_waiting_over_14_days", "", still.text, "", ""]]
    chart = bar_chart([(name, [med, p90]) for _k, name, _n, med, p90 in urgency_lines],
                      [("median", str(_l("Median days"))), ("p90", str(_l("90th percentile")))])
    return Report("waiting", months, ["group", "value", "arrivals", "median_days", "p90_days"], csv_rows,
                  [str(_l("Group")), str(_l("Value")), str(_l("Arrivals")), str(_l("Median days")),
                   str(_l("90th percentile"))], [("waiting", chart)],
                  {"urgency": urgency_lines, "urgency_total": urgency_total, "country": country_lines,
                   "country_total": country_total, "late": late, "still": still})


# ------------------------------------------------------------------ therapists' load


def bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}–{high}"


def build_load(therapists: list[c.TherapistFact], sessions: list[c.SessionFact], months: list[dt.date]) -> Report:
    result = c.load(therapists, sessions, months)
    csv_rows, lines = [], []
    for month in result.months:
        buckets = [sum(1 for w in month.weeks if w >= low and (high is None or w <= high))
                   for low, high in c.LOAD_BUCKETS]
        values = [show(len(month.weeks)), _fmt(month.median), _fmt(month.p90), _fmt(month.max)]
        lines.append((month.month, values, buckets))
        csv_rows.append([month_key(month.month), *[v.text for v in values], *map(str, buckets)])
    bucket_keys = [f"weeks_{bucket_label(lo, hi).replace('–', '_').replace('+', '_plus')}"
                   for lo, hi in c.LOAD_BUCKETS]
    chart = bar_chart([(m.strftime("%m/%y"), values[1:]) for m, values, _b in lines],
                      [("median", str(_l("Median"))), ("p90", str(_l("90th percentile"))), ("max", str(_l("Most")))])
    histogram = bar_chart([(bucket_label(lo, hi), [show(n)]) for (lo, hi), n in result.buckets],
                          [("weeks", str(_l("Therapist-weeks")))])
    return Report("load", months, ["month", "therapist_weeks", "median", "p90", "max", *bucket_keys], csv_rows,
                  [str(_l("Month")), str(_l("Therapist-weeks")), str(_l("Median")), str(_l("90th percentile")),
                   str(_l("Most")), *[bucket_label(lo, hi) for lo, hi in c.LOAD_BUCKETS]],
                  [("load", chart), ("histogram", histogram)],
                  {"lines": lines, "buckets": result.buckets, "most_loaded": result.most_loaded,
                   "bucket_labels": [bucket_label(lo, hi) for lo, hi in c.LOAD_BUCKETS]})


# ------------------------------------------------------------------ served


def served_names(breakdown: str, key) -> str:
    if breakdown == "country":
        return country_name(key)
    if breakdown == "stay_type":
        return label(STAY_TYPE, key)
    return label(URGENCY, key)


def build_served(requests: list[c.RequestFact], months: list[dt.date]) -> Report:
    now, before = c.served(requests, months), c.served(requests, c.year_before(months))
    order = {"stay_type": ("individual", "collective", "family"), "urgency": c.URGENCIES}
    csv_rows, tables, charts = [], [], []
    for breakdown in c.SERVED_BREAKDOWNS:
        keys = set(now[breakdown]) | set(before[breakdown])
        if breakdown in order:
            keys = list(order[breakdown])  # every category, always: the table keeps its shape
        else:
            keys = sorted(keys, key=lambda k: (k == "", k))
        t = suppress([[now[breakdown].get(k, 0), before[breakdown].get(k, 0)] for k in keys],
                     row_totals=False, col_totals=True, cols=2)
        lines = [(k, served_names(breakdown, k), row[0], row[1]) for k, row in zip(keys, t.cells)]
        tables.append({"breakdown": breakdown, "lines": lines, "total": t.col_totals})
        csv_rows += [[breakdown, "unknown" if k == "" else str(k), a.text, b.text] for k, _n, a, b in lines]
        csv_rows.append([breakdown, "total", t.col_totals[0].text, t.col_totals[1].text])
        charts.append((breakdown, bar_chart([(name, [a, b]) for _k, name, a, b in lines],
                                            [("now", str(_l("This period"))), ("before", str(_l("A year before")))])))
    return Report("served", months, ["breakdown", "value", "defenders_served", "a_year_before"], csv_rows,
                  [str(_l("Breakdown")), str(_l("Value")), str(_l("This period")), str(_l("A year before"))],
                  charts, {"tables": tables})


# ------------------------------------------------------------------ after the stay


def share_fell(change: c.Change) -> Shown:
    """The share whose level fell, shown only when neither those who fell nor the others are 1..4 people."""
    if change.compared == 0:
        return Shown("—", None)
    if is_small(change.compared) or is_small(change.fell) or is_small(change.compared - change.fell):
        return HIDDEN_SHOWN
    return Shown(f"{round(100 * change.fell / change.compared)} %", 100 * change.fell / change.compared)


def build_after(follow_ups: list[c.FollowUpFact], dimensions: tuple[str, ...], stay_types: tuple[str, ...]) -> Report:
    csv_rows, blocks, charts = [], [], []
    for kind in ("end", "later"):
        changes = c.after_stay(follow_ups, dimensions, stay_types, kind)
        lines = []
        for change in changes:
            compared, share = small_count(change.compared), share_fell(change)
            lines.append((change, compared, share))
            csv_rows.append([kind, change.dimension, change.stay_type, compared.text, share.text])
        blocks.append({"kind": kind, "lines": lines})
        groups = [(label(DIMENSION, d), [share for ch, _n, share in lines if ch.dimension == d]) for d in dimensions]
        charts.append((kind, bar_chart(groups, [(t, label(STAY_TYPE, t)) for t in stay_types])))
    return Report("after", [], ["follow_up", "dimension", "stay_type", "people_compared", "share_level_fell"],
                  csv_rows, [str(_l("Follow-up")), str(_l("Dimension")), str(_l("Stay type")),
                             str(_l("People compared")), str(_l("Share whose level fell"))], charts,
                  {"blocks": blocks})
