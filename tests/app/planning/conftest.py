"""A small world to plan: two houses, therapists, pending requests, a coordinator."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

START = dt.date(2027, 2, 1)  # a Monday
# The shared folder beside the repository, or where RESPIRO_SHARED says (e.g. from a git worktree).
CHECKER = (Path(os.environ.get("RESPIRO_SHARED") or Path(__file__).resolve().parents[3].parent / "shared")
           / "tools" / "check_solution.py")


@pytest.fixture
def world(app, make_house, make_therapist, make_request, make_defender, make_user):
    serena = make_house(code="serena", name="Casa La Serena", country="MX", beds=6, max_concurrent_stays=2,
                        arrival_weekdays=[0, 1, 2, 3, 4, 5, 6], turnover_days=1)
    siguata = make_house(code="siguata", name="Casa La Siguata", country="HN", beds=4, max_concurrent_stays=1,
                         arrival_weekdays=[0, 1, 2, 3, 4, 5, 6], turnover_days=0, accessible=False)
    year = [(dt.date(2027, 1, 1), dt.date(2027, 12, 31))]
    therapists = [
        make_therapist(name="Rosa Méndez", houses=[serena], available=year, dimensions=["emotional", "physical"]),
        make_therapist(name="Lucía Pérez", houses=[serena, siguata], available=year,
                       dimensions=["emotional", "spiritual", "mental"]),
        make_therapist(name="Marta Gómez", houses=[siguata], available=year, dimensions=["physical", "energetic"]),
    ]
    requests = [
        make_request(make_defender(country="MX"), urgency=3, earliest_start=START, latest_start=START + dt.timedelta(days=20),
                     needs={"emotional": 3, "physical": 2}),
        make_request(make_defender(country="HN"), urgency=1, earliest_start=START, latest_start=START + dt.timedelta(days=40),
                     needs={"spiritual": 2, "physical": 1}),
        make_request(make_defender(country="GT"), urgency=2, earliest_start=START + dt.timedelta(days=5),
                     latest_start=START + dt.timedelta(days=30), needs={"mental": 1, "emotional": 2}),
        make_request(make_defender(country="MX", barred_countries=["HN"]), urgency=0, earliest_start=START,
                     latest_start=START + dt.timedelta(days=60), needs={"emotional": 1}),
    ]
    coordinator = make_user("coordinator")
    return {"houses": [serena, siguata], "therapists": therapists, "requests": requests, "coordinator": coordinator}


@pytest.fixture
def settings():
    from app.planning.bridge import Settings

    return Settings(horizon_start=START, horizon_days=120)
