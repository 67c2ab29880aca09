"""A therapist's session sheet: her coming sessions at one house, which the house team prints and hands to her.

Therapists are not users: they read nothing in the app. The sheet lists, for
each coming session, its day, time, stay (`labels.stay_name`), dimension and
the people of the stay by alias only. Under each person, what she wrote about
THAT session's dimension appears only when she chose to share her words with
her therapists (`DiagnosticInterview.share_with_therapists`, issue 14 item 6)
AND the reader may read her words (`access.may_read_narrative`: the team of
one of her houses, with her "narrative" consent). Otherwise a neutral line
says why nothing is shown. Each interview whose words the sheet shows is an
audited read (`interview.read`, as on the team's review page), which she sees
in "Who opened my file".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.interviews.rules import dimension_answers
from app.models import DiagnosticInterview, House, Session, Stay, Therapist
from app.security import access, audit


@dataclass
class Person:
    alias: str
    with_her: list[str] = field(default_factory=list)  # other defenders of her group (their aliases)
    words: dict | None = None  # her answers about the session's dimension, when shown
    withheld: str = "not_shared"  # why no words: "not_shared" (her choice) or "not_reader" (not this reader's)


@dataclass
class Line:
    session: Session
    people: list[Person]


def coming_sessions(house: House, therapist: Therapist, today: dt.date) -> list[Session]:
    """Her sessions from today on, at this house, in stays that were not cancelled."""
    return list(db.session.scalars(
        select(Session).join(Stay, Stay.id == Session.stay_id)
        .where(Stay.house_id == house.id, Stay.cancelled_at.is_(None), Session.therapist_id == therapist.id,
               Session.day >= today)
        .order_by(Session.day, Session.slot, Session.id)))


def _person(reader, stay_request, dimension: str, shown: dict) -> Person:
    person = Person(alias=stay_request.defender.alias, with_her=[m.alias for m in stay_request.members])
    interview = stay_request.interview
    if interview is None or not interview.share_with_therapists or interview.consent_scope != "narrative":
        return person  # her choice (therapists yes needs her words shared: rules.save_consent)
    if not access.may_read_narrative(reader, interview):
        person.withheld = "not_reader"
        return person
    person.words = dimension_answers(interview, dimension)
    shown[interview.id] = (interview, stay_request)
    return person


def sheet(reader, house: House, therapist: Therapist, today: dt.date) -> list[Line]:
    """The sheet's lines; records one audited read per interview whose words it shows (the view commits)."""
    shown: dict[int, tuple] = {}
    lines = [Line(session, [_person(reader, r, session.dimension, shown) for r in session.stay.requests])
             for session in coming_sessions(house, therapist, today)]
    for interview, stay_request in shown.values():
        audit.record(reader, "interview.read", target=interview, defender_id=interview.defender_id,
                     request_id=stay_request.id, therapist_id=therapist.id)
    return lines
