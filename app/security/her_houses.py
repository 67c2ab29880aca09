"""Her houses: the houses whose team is hers (issue 14, item 7 "who reads her words"; item 4).

A house is hers when she is placed there (a stay of one of her requests), when
a planning proposal considers her there (a proposed stay holding one of her
requests), or when its team filled an interview with her (assisted mode).
Every other house team in the network sees her levels and logistics at most,
whatever she consented to.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import DiagnosticInterview, ProposedStay, Stay, StayRequest, User
from app.models.planning import proposed_stay_requests


def houses_for(defender_id: int | None) -> set[int]:
    if defender_id is None:
        return set()
    placed = select(Stay.house_id).join(StayRequest, StayRequest.stay_id == Stay.id) \
        .where(StayRequest.defender_id == defender_id)
    considered = select(ProposedStay.house_id) \
        .join(proposed_stay_requests, proposed_stay_requests.c.proposed_stay_id == ProposedStay.id) \
        .join(StayRequest, StayRequest.id == proposed_stay_requests.c.request_id) \
        .where(StayRequest.defender_id == defender_id)
    filled = select(User.house_id).join(DiagnosticInterview, DiagnosticInterview.filled_by_id == User.id) \
        .where(DiagnosticInterview.defender_id == defender_id, User.house_id.is_not(None))
    return set(db.session.scalars(placed)) | set(db.session.scalars(considered)) | set(db.session.scalars(filled))
