"""After the stay: when her follow-ups open, and saving one. Plain rules: they only flush.

- "end": opens on the last day of her stay, until the second one opens;
- "later": opens three months after the last day, for three months.

She answers for herself, or the house team of the stay answers with her
(assisted, she agrees). A follow-up is answered once. Only the lead
defender of a request (the one whose interview it is) is asked: her levels
before come from that interview. The words are hers: encrypted, read by the
team only with her "narrative" consent, deleted by the retention run with
her interview's period (`app.ops`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import DIMENSIONS, FOLLOW_UP_KINDS, Defender, FollowUp, Stay, StayRequest, utcnow
from app.ops import add_months
from app.refusals import Refused

WORDS_MAX = 4000


@dataclass
class Due:
    """One follow-up of a request: when it opens and closes, and its answer if given."""

    request: StayRequest
    kind: str
    opens: dt.date
    closes: dt.date  # last day it can be answered
    answer: FollowUp | None

    def is_open(self, today: dt.date) -> bool:
        return self.answer is None and self.opens <= today <= self.closes


def window(stay_end: dt.date, kind: str) -> tuple[dt.date, dt.date]:
    later = add_months(stay_end, 3)
    if kind == "end":
        return stay_end, later - dt.timedelta(days=1)
    return later, add_months(stay_end, 6)


def dues(stay_request: StayRequest) -> list[Due]:
    """Both follow-ups of a published request with its stay (none otherwise)."""
    stay = stay_request.stay
    if stay_request.status != "published" or stay is None or stay_request.defender.deleted_at is not None:
        return []
    answers = {f.kind: f for f in db.session.scalars(
        select(FollowUp).where(FollowUp.request_id == stay_request.id,
                               FollowUp.defender_id == stay_request.defender_id))}
    return [Due(stay_request, kind, *window(stay.end, kind), answers.get(kind)) for kind in FOLLOW_UP_KINDS]


def open_for(defender: Defender, today: dt.date) -> list[Due]:
    """Her follow-ups open today (for her home page)."""
    requests = db.session.scalars(select(StayRequest).where(StayRequest.defender_id == defender.id,
                                                            StayRequest.status == "published",
                                                            StayRequest.stay_id.is_not(None))
                                  .order_by(StayRequest.id)).all()
    return [d for r in requests for d in dues(r) if d.is_open(today)]


def house_dues(house_id: int, today: dt.date) -> list[Due]:
    """Follow-ups of the stays at a house that have ended (open or answered), newest stay first."""
    requests = db.session.scalars(select(StayRequest).join(Stay, Stay.id == StayRequest.stay_id)
                                  .where(Stay.house_id == house_id, Stay.end <= today,
                                         StayRequest.status == "published")
                                  .order_by(Stay.end.desc(), StayRequest.id)).all()
    return [d for r in requests for d in dues(r) if d.answer is not None or d.opens <= today]


def save(due: Due, *, levels: dict, words: str, today: dt.date, by, assisted: bool, agreed: bool) -> FollowUp:
    """Record her answer; refuse (changing nothing) when it is not open, already given or incomplete."""
    if due.answer is not None:
        raise Refused("answered")
    if not due.opens <= today <= due.closes:
        raise Refused("not_open")
    if assisted and not agreed:
        raise Refused("agreement", "agreed")
    clean = {}
    for name in DIMENSIONS:
        value = levels.get(name)
        if value not in range(4):
            raise Refused("level_missing", name)
        clean[name] = int(value)
    words = (words or "").strip()
    if len(words) > WORDS_MAX:
        raise Refused("too_long", "words", max=WORDS_MAX)
    stay_request = due.request
    follow_up = FollowUp(defender_id=stay_request.defender_id, request_id=stay_request.id,
                         stay_id=stay_request.stay_id, kind=due.kind, opened_on=due.opens, levels=clean,
                         filled_by_id=getattr(by, "id", None), assisted=assisted, answered_at=utcnow())
    follow_up.words = words or None
    db.session.add(follow_up)
    db.session.flush()
    due.answer = follow_up
    return follow_up


def levels_before(stay_request: StayRequest) -> dict[str, int | None]:
    """Her own levels in the interview of this request (0..3, or None where she gave none)."""
    interview = stay_request.interview
    if interview is None:
        return {name: None for name in DIMENSIONS}
    rows = {row.dimension: row.self_level for row in interview.dimensions}
    return {name: rows.get(name) for name in DIMENSIONS}
