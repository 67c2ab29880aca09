"""How a plan shares the work: therapists' weekly loads and how a stay's sessions sit in its days.

Read by the engine's second stage (to report before and after), the tests
and the web app's proposal page. Weeks are calendar weeks, Monday to Sunday.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from statistics import median

from .model import Instance, Stay


@dataclass(frozen=True)
class Spread:
    """`top_week`: the most sessions a therapist gives in one week (`top_therapist`, `top_monday` say whose
    and which); `median_week`: the median over the therapist-weeks with any session; `edge_days`: a stay's
    empty days before its first and after its last session, summed over stays with sessions (`worst_edge`
    the most at one end of one stay); `doubled_days`: stay-days with more than one session."""

    top_week: int = 0
    median_week: float = 0
    top_therapist: str = ""
    top_monday: dt.date | None = None
    edge_days: int = 0
    worst_edge: int = 0
    doubled_days: int = 0

    def as_dict(self) -> dict:
        return {"top_week": self.top_week, "median_week": self.median_week, "edge_days": self.edge_days,
                "worst_edge": self.worst_edge, "doubled_days": self.doubled_days}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def edge_runs(instance: Instance, stay: Stay) -> tuple[int, int]:
    """Empty days of a stay before its first session and after its last (0, 0 without sessions)."""
    if not stay.sessions:
        return 0, 0
    length = instance.house_by_id[stay.house].stay_length[stay.type]
    last = stay.start + dt.timedelta(days=length - 1)
    return (min(s.day for s in stay.sessions) - stay.start).days, (last - max(s.day for s in stay.sessions)).days


def spread_of(instance: Instance, stays: list[Stay]) -> Spread:
    weeks: Counter = Counter()
    edge = worst = doubled = 0
    for stay in stays:
        for s in stay.sessions:
            weeks[s.therapist, monday(s.day)] += 1
        lead, trail = edge_runs(instance, stay)
        edge += lead + trail
        worst = max(worst, lead, trail)
        doubled += sum(1 for n in Counter(s.day for s in stay.sessions).values() if n > 1)
    if not weeks:
        return Spread(edge_days=edge, worst_edge=worst, doubled_days=doubled)
    (tid, mon), top = max(weeks.items(), key=lambda kv: (kv[1], kv[0][1], kv[0][0]))
    return Spread(top_week=top, median_week=median(weeks.values()), top_therapist=tid, top_monday=mon,
                  edge_days=edge, worst_edge=worst, doubled_days=doubled)
