"""Read the rows the reports count into plain facts (`app.reports.counts`), a few queries each.

Only numbers and codes are read: statuses, dates, counts, countries, levels.
No free text (no note, reason, narrative or name of a defender) is ever
selected, so none can reach a report. Defenders whose data were deleted keep
their anonymous counts (their country is empty: "unknown").

Consent for statistics (issue 14, item 6): a request counts only when its
interview says she agreed that her anonymous answers count in the network's
statistics (`COUNTED`, applied in SQL here, the one place the reports read
requests, stays and follow-ups; the pages, the CSV downloads and the command
line all build on these functions). Her place among the people staying and
her follow-up levels go with her request; the beds a stay holds do not (the
house's occupancy is the house's figure: without her bed it would read free). The therapists' load counts sessions,
the therapists' work, and names no defender. Those who did not agree are
only counted as a number, for the note on each page (`not_counted`).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import false, func, select

from app.extensions import db
from app.models import (
    Availability, Defender, DiagnosticInterview, FollowUp, House, InterviewDimension, Session, Stay, StayRequest,
    Therapist,
)
from app.models.interviews import request_members
from app.models.network import therapist_houses
from app.reports.counts import FollowUpFact, HouseFact, RequestFact, SessionFact, StayFact, TherapistFact


# her request counts when its interview says she agreed (no interview: nobody asked her, so not)
COUNTED = DiagnosticInterview.count_in_statistics.is_(True)
NOT_COUNTED = func.coalesce(DiagnosticInterview.count_in_statistics, false()).is_(False)


def houses() -> list[HouseFact]:
    rows = db.session.execute(select(House.id, House.name, House.country, House.beds, House.turnover_days,
                                     House.stay_types, House.stay_length, House.accessible)
                              .order_by(House.name, House.id)).all()
    closures: dict[int, list] = defaultdict(list)
    from app.models import Closure

    for house_id, start, end in db.session.execute(select(Closure.house_id, Closure.start, Closure.end)):
        closures[house_id].append((start, end))
    return [HouseFact(id=r.id, name=r.name, country=r.country, beds=r.beds, turnover_days=r.turnover_days or 0,
                      stay_types=tuple(r.stay_types or ()), stay_length=dict(r.stay_length or {}),
                      accessible=bool(r.accessible), closures=tuple(sorted(closures[r.id]))) for r in rows]


def requests(where=None, *, counted: bool = True) -> list[RequestFact]:
    """Every request past the draft whose defender agreed to be counted (and matching `where`, a condition
    on StayRequest or Stay, to read only what a report counts), with its defenders' countries and its stay,
    if any. `counted=False` reads the others instead, only to say how many were left out."""
    members: dict[int, list[tuple[str, list, bool]]] = defaultdict(list)
    for request_id, country, barred, accessible in db.session.execute(
            select(request_members.c.request_id, Defender.country, Defender.barred_countries,
                   Defender.needs_accessible).join(Defender, Defender.id == request_members.c.defender_id)
            .order_by(request_members.c.request_id, Defender.id)):
        members[request_id].append((country or "", barred or [], bool(accessible)))
    query = (select(StayRequest.id, StayRequest.status, StayRequest.earliest_start, StayRequest.latest_start,
                    StayRequest.companions, StayRequest.urgency, StayRequest.stay_types, Defender.country,
                    Defender.barred_countries, Defender.needs_accessible, DiagnosticInterview.confirmed_at,
                    Stay.house_id, Stay.start, Stay.end, Stay.type)
             .join(Defender, Defender.id == StayRequest.defender_id)
             .outerjoin(DiagnosticInterview, DiagnosticInterview.id == StayRequest.interview_id)
             .outerjoin(Stay, Stay.id == StayRequest.stay_id)
             .where(StayRequest.status != "draft", COUNTED if counted else NOT_COUNTED).order_by(StayRequest.id))
    if where is not None:
        query = query.where(where)
    out = []
    for r in db.session.execute(query):
        group = [(r.country or "", r.barred_countries or [], bool(r.needs_accessible)), *members.get(r.id, [])]
        out.append(RequestFact(
            id=r.id, status=r.status, earliest=r.earliest_start, latest=r.latest_start,
            countries=tuple(c for c, _b, _a in group), companions=r.companions or 0, urgency=r.urgency,
            stay_types=tuple(r.stay_types or ()),
            confirmed_on=r.confirmed_at.date() if r.confirmed_at else None,
            barred=tuple(sorted({b for _c, barred, _a in group for b in barred})),
            needs_accessible=any(a for _c, _b, a in group),
            stay_house=r.house_id, stay_start=r.start, stay_end=r.end, stay_type=r.type))
    return out


def stays(first: dt.date, last: dt.date) -> list[StayFact]:
    """Published stays held between `first` and `last` (a week's margin for turnover), with their people:
    `people` only those of requests counted (`COUNTED`), `beds` everyone (the house's occupancy, used and
    turnover beds, is the house's own figure, not her answers, and would read as free beds without her)."""
    rows = db.session.execute(select(Stay.id, Stay.house_id, Stay.start, Stay.end, Stay.type)
                              .where(Stay.start <= last, Stay.end >= first - dt.timedelta(days=31))).all()
    counted: dict[int, int] = defaultdict(int)
    beds: dict[int, int] = defaultdict(int)
    ids = [r.id for r in rows]
    if ids:
        agreed = func.coalesce(DiagnosticInterview.count_in_statistics, false()).label("agreed")
        for stay_id, companions, yes in db.session.execute(
                select(StayRequest.stay_id, StayRequest.companions, agreed).outerjoin(StayRequest.interview)
                .where(StayRequest.stay_id.in_(ids))):
            for tally in (beds, counted) if yes else (beds,):
                tally[stay_id] += 1 + (companions or 0)
        for stay_id, yes in db.session.execute(
                select(StayRequest.stay_id, agreed)
                .join(request_members, request_members.c.request_id == StayRequest.id)
                .outerjoin(StayRequest.interview).where(StayRequest.stay_id.in_(ids))):
            for tally in (beds, counted) if yes else (beds,):
                tally[stay_id] += 1
    return [StayFact(id=r.id, house_id=r.house_id, start=r.start, end=r.end, type=r.type, people=counted[r.id],
                     beds=beds[r.id]) for r in rows]


def therapists(house_ids: list[int] | None) -> list[TherapistFact]:
    """Active therapists working at the houses (all when `house_ids` is None), named as the network pages name them."""
    query = select(Therapist).where(Therapist.active.is_(True))
    if house_ids is not None:
        query = query.where(Therapist.id.in_(select(therapist_houses.c.therapist_id)
                                              .where(therapist_houses.c.house_id.in_(house_ids))))
    # names are encrypted at rest: read through the model, ordered here
    rows = sorted(db.session.scalars(query), key=lambda t: (t.name.casefold(), t.id))
    availability: dict[int, list] = defaultdict(list)
    for therapist_id, start, end in db.session.execute(select(Availability.therapist_id, Availability.start,
                                                              Availability.end)):
        availability[therapist_id].append((start, end))
    return [TherapistFact(id=r.id, label=r.name, availability=tuple(availability[r.id])) for r in rows]


def sessions(house_ids: list[int] | None, first: dt.date, last: dt.date) -> list[SessionFact]:
    query = (select(Session.therapist_id, Session.day).join(Stay, Stay.id == Session.stay_id)
             .where(Session.day >= first, Session.day <= last))
    if house_ids is not None:
        query = query.where(Stay.house_id.in_(house_ids))
    return [SessionFact(therapist_id=t, day=d) for t, d in db.session.execute(query)]


def follow_ups(house_ids: list[int] | None, *, counted: bool = True) -> list[FollowUpFact]:
    """Answered follow-ups with her own levels from the interview of the same request (levels only), of
    requests counted (`counted=False`: the others, only to say how many were left out)."""
    query = (select(FollowUp.kind, FollowUp.levels, Stay.type, StayRequest.interview_id, FollowUp.defender_id,
                    StayRequest.defender_id.label("lead"))
             .join(Stay, Stay.id == FollowUp.stay_id).join(StayRequest, StayRequest.id == FollowUp.request_id)
             .outerjoin(DiagnosticInterview, DiagnosticInterview.id == StayRequest.interview_id)
             .where(COUNTED if counted else NOT_COUNTED))
    if house_ids is not None:
        query = query.where(Stay.house_id.in_(house_ids))
    rows = db.session.execute(query).all()
    interview_ids = {r.interview_id for r in rows if r.interview_id}
    before: dict[int, dict] = defaultdict(dict)
    if interview_ids:
        for interview_id, dimension, level in db.session.execute(
                select(InterviewDimension.interview_id, InterviewDimension.dimension, InterviewDimension.self_level)
                .where(InterviewDimension.interview_id.in_(interview_ids))):
            if level is not None:
                before[interview_id][dimension] = level
    # the interview is the lead's: her own levels before, hers after
    return [FollowUpFact(kind=r.kind, stay_type=r.type, before=before.get(r.interview_id, {}),
                         after=dict(r.levels or {})) for r in rows if r.defender_id == r.lead]
