"""A published schedule to change: two houses, three therapists, a published stay with sessions, a queue."""
from __future__ import annotations

import datetime as dt

import pytest

START = dt.date(2027, 2, 1)  # a Monday, after "today" (December 2026)
YEAR = [(dt.date(2027, 1, 1), dt.date(2027, 12, 31))]


@pytest.fixture
def sched(app, make_house, make_therapist, make_request, make_defender, make_user, make_stay):
    app.config["PLANNING_DEFAULT_TIME_LIMIT"] = 3
    app.config["PLANNING_HORIZON_DAYS"] = 120
    serena = make_house(code="serena", name="Casa La Serena", country="MX", beds=6, max_concurrent_stays=2,
                        arrival_weekdays=[0, 1, 2, 3, 4, 5, 6], turnover_days=1)
    siguata = make_house(code="siguata", name="Casa La Siguata", country="HN", beds=4, max_concurrent_stays=1,
                         arrival_weekdays=[0, 1, 2, 3, 4, 5, 6], turnover_days=0, accessible=False)
    rosa = make_therapist(name="Rosa Méndez", houses=[serena], available=YEAR, dimensions=["emotional", "physical"])
    lucia = make_therapist(name="Lucía Pérez", houses=[serena, siguata], available=YEAR,
                           dimensions=["emotional", "physical"])
    marta = make_therapist(name="Marta Gómez", houses=[siguata], available=YEAR, dimensions=["physical", "emotional"])
    stay = make_stay(serena, START, sessions=[(START, "emotional", rosa, 0), (START + dt.timedelta(days=2), "emotional", rosa, 0),
                                              (START + dt.timedelta(days=3), "physical", rosa, 0)])
    req = stay.requests[0]
    req.earliest_start, req.latest_start = START, START + dt.timedelta(days=20)
    other = make_stay(siguata, START + dt.timedelta(days=3))
    other.requests[0].earliest_start = other.requests[0].latest_start = START + dt.timedelta(days=3)
    waiting = make_request(make_defender(country="GT", alias="Ceiba Espera"), urgency=2,
                           earliest_start=START, latest_start=START + dt.timedelta(days=30),
                           needs={"emotional": 2, "physical": 1})
    coordinator = make_user("coordinator")
    team = make_user("team", house=serena)
    from app.extensions import db

    db.session.commit()
    return {"serena": serena, "siguata": siguata, "rosa": rosa, "lucia": lucia, "marta": marta, "stay": stay,
            "other": other, "waiting": waiting, "coordinator": coordinator, "team": team}


@pytest.fixture
def clock(monkeypatch):
    """Set the network's today (the one clock `local_today` reads)."""
    from app.models import base

    def set_today(day: dt.date):
        monkeypatch.setattr(base, "utc_clock", lambda: dt.datetime(day.year, day.month, day.day, 18, 0, tzinfo=dt.UTC))

    return set_today


@pytest.fixture
def unchanged():
    """`unchanged()` -> a snapshot of every row of every table but the login ledger; compare two to show a
    refusal changed nothing."""
    from sqlalchemy import select

    from app.extensions import db

    def rows():
        db.session.expire_all()
        return {t.name: [tuple(r) for r in db.session.execute(select(t).order_by(*t.primary_key.columns)).all()]
                for t in db.metadata.sorted_tables if t.name not in ("login_attempts",)}

    return rows
