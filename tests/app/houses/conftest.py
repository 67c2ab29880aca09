"""A published stay at a house, with its requests and sessions (shared by the house-team tests)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db


@pytest.fixture
def make_stay(app, make_request, make_defender):
    from app.models import Session, Stay

    def make(house, start: dt.date, *, type: str = "individual", length: int | None = None, defenders: int = 1,
             companions: int = 0, sessions=(), needs_accessible: bool = False, languages=("es",)) -> Stay:
        length = length or house.stay_length[type]
        stay = Stay(house=house, start=start, end=start + dt.timedelta(days=length - 1), type=type)
        db.session.add(stay)
        for _ in range(defenders if type == "collective" else 1):
            defender = make_defender(needs_accessible=needs_accessible, languages=list(languages))
            request = make_request(defender, status="published", stay_types=[type],
                                   companions=companions if type == "family" else 0)
            request.stay = stay
        for day, dimension, therapist, slot in sessions:
            stay.sessions.append(Session(day=day, dimension=dimension, therapist_id=therapist.id, slot=slot))
        db.session.commit()
        return stay

    return make
