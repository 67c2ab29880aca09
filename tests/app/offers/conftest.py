"""Published stays and their offers: a planned run (the engine in process) or stays made directly."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app

from app.extensions import db
from app.models import PlanningRun
from app.planning import jobs, rules
from app.planning.bridge import Settings

START = dt.date(2027, 2, 1)  # a Monday
TODAY = dt.date(2027, 1, 10)


class Clock:
    """The network's 'today' for these tests (the clock is set, through app.models.base.utc_clock)."""

    def __init__(self, day: dt.date):
        self.day = day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(18, 0), tzinfo=dt.UTC)  # noon in Mexico City


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    import app.models.base as base

    clock = Clock(TODAY)
    monkeypatch.setattr(base, "utc_clock", clock.now)
    return clock


def plan(user, settings, time_limit=2) -> PlanningRun:
    run = rules.start_run(user, settings, time_limit)
    run_id = run.id
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    return db.session.get(PlanningRun, run_id)


@pytest.fixture
def world(app, make_house, make_therapist, make_request, make_defender, make_user):
    serena = make_house(code="serena", name="Casa La Serena", country="MX", beds=6, max_concurrent_stays=2,
                        arrival_weekdays=[0, 1, 2, 3, 4, 5, 6], turnover_days=1)
    year = [(dt.date(2027, 1, 1), dt.date(2027, 12, 31))]
    make_therapist(name="Rosa Méndez", houses=[serena], available=year, dimensions=["emotional", "physical"])
    make_therapist(name="Lucía Pérez", houses=[serena], available=year, dimensions=["emotional", "mental"])
    women = [make_defender(alias="Ceiba", country="MX"), make_defender(alias="Jacaranda", country="MX"),
             make_defender(alias="Guayacán", country="GT")]
    requests = [
        make_request(women[0], urgency=3, earliest_start=START, latest_start=START + dt.timedelta(days=20),
                     needs={"emotional": 3, "physical": 2}),
        make_request(women[1], urgency=1, earliest_start=START, latest_start=START + dt.timedelta(days=40),
                     needs={"mental": 1, "emotional": 1}),
        make_request(women[2], urgency=2, earliest_start=START + dt.timedelta(days=5),
                     latest_start=START + dt.timedelta(days=30), needs={"emotional": 2}),
    ]
    users = [make_user("defender", defender=w) for w in women[:2]]  # the third is assisted: no account
    coordinator = make_user("coordinator", email="coord@example.org")
    team = make_user("team", house=serena, email="team@example.org")
    return {"house": serena, "women": women, "requests": requests, "users": users, "coordinator": coordinator,
            "team": team}


@pytest.fixture
def run(world):
    run = plan(world["coordinator"], Settings(horizon_start=START, horizon_days=90))
    assert run.status == "done", run.error
    assert len(run.stays) == 3, [s.key for s in run.stays]
    return run
