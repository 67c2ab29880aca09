"""What the proposal page shows: figures, the Gantt picture per house, reasons in words."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.labels import COUNTRY, STAY_TYPE, label
from app.models import DIMENSIONS, House, PlanningRun, ProposedStay, Stay

GANTT_WIDTH = 1000
LANE = 22
BEDS_HEIGHT = 40


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------

@dataclass
class Figures:
    served: list[tuple[int, int, int]] = field(default_factory=list)  # (urgency, served, asked) in defenders
    mean_wait: float | None = None
    worst_wait: int | None = None
    sessions_given: int = 0
    sessions_needed: int = 0
    away: int = 0
    new_stays: int = 0
    kept_published: int = 0
    load: list[tuple[str, int]] = field(default_factory=list)  # (bin label, therapists)
    load_by_therapist: list[tuple[str, int]] = field(default_factory=list)

    @property
    def coverage(self) -> int | None:
        return round(100 * self.sessions_given / self.sessions_needed) if self.sessions_needed else None


def added(run: PlanningRun) -> list[ProposedStay]:
    """The stays this run adds: every stay but those published before it (kept as locks `p<id>`).

    A stay the run itself published still counts, so its figures stay after publishing.
    """
    return [s for s in run.stays if not (s.key or "").startswith("p")]


def figures(run: PlanningRun, instance) -> Figures:
    """The proposal's figures, counted over the stays it adds (those published before it are already served)."""
    fig = Figures()
    requests = instance.request_by_id
    new = added(run)
    fig.new_stays = len(new)
    fig.kept_published = len(run.stays) - len(new)
    locked_requests = {rid for s in instance.locked if str(s.id).startswith("p") for rid in s.requests}
    asked, served = Counter(), Counter()
    for r in instance.requests:
        if r.id not in locked_requests:
            asked[r.urgency] += len(r.defenders)
    waits = []
    for stay in new:
        per_dim = Counter(s.dimension for s in stay.sessions)
        specs = [requests[r.spec_id] for r in stay.requests if r.spec_id in requests]
        for r in specs:
            served[r.urgency] += len(r.defenders)
            waits.append((stay.start - r.earliest_start).days)
            if stay.house.country != r.country:
                fig.away += 1
        for d in DIMENSIONS:
            demand = max((r.needs.get(d, 0) for r in specs), default=0)
            fig.sessions_needed += demand
            fig.sessions_given += min(demand, per_dim[d])
    fig.served = [(u, served[u], asked[u]) for u in (3, 2, 1, 0)]
    if waits:
        fig.mean_wait = round(sum(waits) / len(waits), 1)
        fig.worst_wait = max(waits)
    _therapist_load(fig, run, instance)
    return fig


def _therapist_load(fig: Figures, run: PlanningRun, instance) -> None:
    per = Counter({t.id: 0 for t in instance.therapists})
    names = {t.id: t.name for t in instance.therapists}
    for stay in run.stays:
        for s in stay.sessions:
            per[f"t{s.therapist_id}"] += 1
    fig.load_by_therapist = sorted(((names.get(t, t), n) for t, n in per.items()), key=lambda x: (-x[1], x[0]))
    bins = [(0, 0), (1, 5), (6, 10), (11, 20), (21, 40), (41, 10**9)]
    for low, high in bins:
        count = sum(1 for n in per.values() if low <= n <= high)
        text = str(low) if low == high else (f"{low}–{high}" if high < 10**9 else f"{low}+")
        fig.load.append((text, count))


def histogram_bars(load: list[tuple[str, int]], width: int = 480, height: int = 160) -> list[dict]:
    top = max((n for _, n in load), default=0) or 1
    step = width / max(1, len(load))
    bars = []
    for i, (text, n) in enumerate(load):
        h = round((height - 50) * n / top)
        bars.append({"x": round(i * step + 6), "w": round(step - 12), "y": height - 20 - h, "h": h, "label": text,
                     "n": n, "lx": round(i * step + step / 2), "ly": height - 5, "ny": height - 24 - h})
    return bars


# --------------------------------------------------------------------------
# Changes against the published schedule
# --------------------------------------------------------------------------

def changes(run: PlanningRun, instance) -> dict:
    """What publishing this proposal changes: new stays, kept ones, published ones it does not know."""
    kept = {s.published_stay_id for s in run.stays if s.published_stay_id}
    codes = {h.id for h in db.session.scalars(select(House).where(House.code.in_([h.id for h in instance.houses])))}
    published = db.session.scalars(select(Stay).where(Stay.house_id.in_(codes), Stay.end >= instance.horizon_start,
                                                      Stay.start <= instance.horizon_end).order_by(Stay.start)).all()
    return {"new": [s for s in run.stays if s.status != "published"],
            "kept": [s for s in run.stays if s.status == "published"],
            "unknown": [s for s in published if s.id not in kept]}


# --------------------------------------------------------------------------
# The Gantt picture of one house
# --------------------------------------------------------------------------

def gantt(run: PlanningRun, instance, house: House) -> dict:
    """Geometry of the SVG: stays in lanes over the horizon, closures, beds used per day."""
    start, days = instance.horizon_start, instance.horizon_days
    scale = GANTT_WIDTH / days
    spec = instance.house_by_id.get(house.code)
    turnover = spec.turnover_days if spec else 0
    stays = [s for s in run.stays if s.house_id == house.id]
    lanes: list[dt.date] = []
    bars = []
    for s in sorted(stays, key=lambda s: (s.start, s.id)):
        lane = next((i for i, free in enumerate(lanes) if free <= s.start), None)
        if lane is None:
            lanes.append(s.start)
            lane = len(lanes) - 1
        lanes[lane] = s.end + dt.timedelta(days=1 + turnover)
        x = (s.start - start).days * scale
        width = round(max(2.0, ((s.end - s.start).days + 1) * scale), 1)
        bars.append({"x": round(x, 1), "y": 20 + lane * LANE, "w": width, "stay": s, "cls": _bar_class(s),
                     "title": stay_title(s), "label": bar_label(s, width)})
    lanes_height = max(1, len(lanes)) * LANE
    beds_top = 30 + lanes_height
    height = beds_top + BEDS_HEIGHT + 18
    closures = [{"x": round((max(c.start, start) - start).days * scale, 1),
                 "w": round(((min(c.end, instance.horizon_end) - max(c.start, start)).days + 1) * scale, 1),
                 "title": _("Closed %(first)s to %(last)s", first=format_date(c.start), last=format_date(c.end))}
                for c in house.closures if c.end >= start and c.start <= instance.horizon_end]
    used = _beds_per_day(stays, start, days, turnover)
    beds = max(1, house.beds or 1)
    columns = [{"x": round(i * scale, 2), "w": round(max(scale, 0.5), 2),
                "h": round(BEDS_HEIGHT * min(n, beds) / beds, 1), "n": n,
                "y": round(beds_top + BEDS_HEIGHT - BEDS_HEIGHT * min(n, beds) / beds, 1)}
               for i, n in enumerate(used) if n]
    months = []
    day = start
    while day <= instance.horizon_end:
        if day.day == 1 or (day == start and day.day < 20):
            months.append({"x": round((day - start).days * scale, 1), "label": format_date(day, "MMM yy")})
        day += dt.timedelta(days=1)
    return {"height": height, "bars": bars, "closures": closures, "beds": columns, "beds_top": beds_top,
            "beds_height": BEDS_HEIGHT, "months": months, "width": GANTT_WIDTH, "capacity": house.beds,
            "peak": max(used, default=0), "lanes_height": lanes_height}


def _beds_per_day(stays: list[ProposedStay], start: dt.date, days: int, turnover: int) -> list[int]:
    used = [0] * days
    for s in stays:
        people = stay_people(s)
        first = (s.start - start).days
        for i in range(max(0, first), min(days, first + (s.end - s.start).days + 1 + turnover)):
            used[i] += people
    return used


def _bar_class(stay: ProposedStay) -> str:
    if stay.status == "published":
        return "gantt__stay gantt__stay--published"
    return "gantt__stay gantt__stay--locked" if stay.locked else "gantt__stay"


def stay_people(stay: ProposedStay) -> int:
    return sum(len(r.all_defenders) + (r.companions or 0) for r in stay.requests)


def bar_label(stay: ProposedStay, width: float) -> str:
    """What a Gantt bar says on itself, never a name: the type's initial and how many people, as room allows."""
    people = stay_people(stay)
    if width >= 70:
        return f"{label(STAY_TYPE, stay.type)} · {people}"
    return f"{label(STAY_TYPE, stay.type)[:1]}·{people}" if width >= 22 else ""


def stay_title(stay: ProposedStay) -> str:
    who = ", ".join(r.defender.alias for r in stay.requests)
    return _("%(type)s stay, %(first)s to %(last)s: %(who)s", type=label(STAY_TYPE, stay.type),
             first=format_date(stay.start), last=format_date(stay.end), who=who)


# --------------------------------------------------------------------------
# The engine's reasons, in her language
# --------------------------------------------------------------------------

def _names(codes, houses: dict[str, str]) -> str:
    return ", ".join(houses.get(c, c) for c in codes or [])


def _types(types) -> str:
    return ", ".join(label(STAY_TYPE, t) for t in types or [])


def _day(value) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def reason_text(code: str, params: dict, fallback: str, houses: dict[str, str]) -> str:
    """Translate an unassigned request's reason by its code; the engine's English words otherwise."""
    p = params or {}
    try:
        if code == "type_misfit":
            return _("The stay types she asked for (%(types)s) cannot take %(defenders)s defender(s) with "
                     "%(companions)s companion(s).", types=_types(p.get("types")), defenders=p.get("defenders"),
                     companions=p.get("companions"))
        if code == "no_house_offers_type":
            return _("No house offers a stay type she accepts (%(types)s).", types=_types(p.get("types")))
        if code == "barred":
            return _("She cannot enter %(countries)s, and only houses there offer %(types)s stays.",
                     countries=", ".join(label(COUNTRY, c) for c in p.get("countries", [])),
                     types=_types(p.get("types")))
        if code == "needs_accessible":
            return _("She needs an accessible house, and none she can enter offers %(types)s stays.",
                     types=_types(p.get("types")))
        if code == "group_too_large":
            return _("Her group of %(people)s people is larger than %(houses)s can take.", people=p.get("people"),
                     houses=_names(p.get("houses"), houses))
        if code == "window_closed":
            window = p.get("window") or ["", ""]
            causes = {b.get("cause") for b in p.get("blockers", [])}
            words = []
            if "horizon" in causes:
                words.append(_("the stay would leave the planning horizon"))
            if "closure" in causes:
                words.append(_("a house is closed then"))
            if "arrival_weekdays" in causes:
                words.append(_("the houses take no arrivals on those weekdays"))
            return _("No stay can start in her window (%(first)s to %(last)s): %(causes)s.", first=_day(window[0]),
                     last=_day(window[1]), causes="; ".join(words) or "—")
        if code == "no_collective":
            return _("She only takes collective stays, and no collective in her window has room and shares her "
                     "language, nor are enough others waiting to start one (at least %(minimum)s defenders).",
                     minimum=p.get("minimum"))
        if code == "no_free_place":
            text = _("No free place at %(houses)s on any arrival day from %(first)s to %(last)s: other stays hold "
                     "the beds or rooms.", houses=_names(p.get("houses"), houses), first=_day(p.get("first")),
                     last=_day(p.get("last")))
            if p.get("optimal"):
                text += " " + _("Placing her would displace stays worth at least as much.")
            return text
        if code == "not_reached":
            return _("A %(type)s place is free at %(house)s from %(start)s; the search ended before placing her. "
                     "Run the planner again with more time.", type=label(STAY_TYPE, p.get("type")),
                     house=houses.get(p.get("house"), p.get("house")), start=_day(p.get("start")))
    except (TypeError, AttributeError, KeyError):
        pass
    return fallback or _("The planner gave no reason.")
