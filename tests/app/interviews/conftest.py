"""Helpers for the defender journey: a defender and a team member, and the answers of every step."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import DIMENSIONS, DiagnosticInterview, StayRequest, utcnow

NARRATIVE = "Vengo de meses muy duros acompañando a mi comunidad"


def in_days(n: int) -> dt.date:
    return utcnow().date() + dt.timedelta(days=n)


def dimension_answers(name: str, level: int = 2) -> dict:
    return {"how": f"Cansada en lo {name}", "work_on": f"Quiero cuidar lo {name}",
            "practices": f"Caminar ({name})", "self_level": str(level)}


def logistics_answers(**overrides) -> dict:
    data = {"type_1": "individual", "type_2": "collective", "type_3": "",
            "earliest_start": in_days(30).isoformat(), "latest_start": in_days(60).isoformat(),
            "companions": "0", "companions_note": "", "languages": ["es", "zap"], "barred_countries": ["HN"],
            "accessibility_notes": "", "food_notes": "Sin gluten, por favor", "urgency_self": "2"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def step_url(interview_id: int, step: str) -> str:
    return f"/interviews/{interview_id}/{step}"


def version_of(interview_id: int) -> int:
    db.session.expire_all()
    return db.session.get(DiagnosticInterview, interview_id).version


class Journey:
    """Walk the interview through the test client, as she would."""

    def __init__(self, client):
        self.client = client
        self.interview_id: int | None = None

    def start(self) -> int:
        response = self.client.post("/interviews/start")
        assert response.status_code == 302, response.text
        self.interview_id = int(response.headers["Location"].split("/interviews/")[1].split("/")[0])
        return self.interview_id

    def post(self, step: str, data: dict, action: str = "next"):
        payload = dict(data, version=str(version_of(self.interview_id)), action=action)
        return self.client.post(step_url(self.interview_id, step), data=payload)

    def fill_all(self, *, consent: str = "levels", narrative: str = NARRATIVE, logistics: dict | None = None):
        for name in DIMENSIONS:
            assert self.post(name, dimension_answers(name)).status_code == 302
        assert self.post("life", {"narrative": narrative}).status_code == 302
        response = self.post("logistics", logistics or logistics_answers())
        assert response.status_code == 302, response.text
        assert self.post("consent", {"consent_scope": consent, "retention_months": "6"}).status_code == 302

    def submit(self, **extra):
        return self.client.post(f"/interviews/{self.interview_id}/submit",
                                data=dict(extra, version=str(version_of(self.interview_id))))

    def request(self) -> StayRequest:
        db.session.expire_all()
        return db.session.scalar(db.select(StayRequest).where(StayRequest.interview_id == self.interview_id))

    def interview(self) -> DiagnosticInterview:
        db.session.expire_all()
        return db.session.get(DiagnosticInterview, self.interview_id)


@pytest.fixture
def defender_user(make_user, make_defender):
    return make_user("defender", defender=make_defender(alias="Ceiba", country="GT", barred_countries=[]))


@pytest.fixture
def team_user(make_user, make_house):
    return make_user("team", house=make_house(country="MX", name="Casa La Serena"))


@pytest.fixture
def journey(client, login, defender_user):
    login(defender_user)
    return Journey(client)


@pytest.fixture
def submitted(app, journey):
    """A defender's interview, filled and sent; her client is logged out after."""
    journey.start()
    journey.fill_all()
    assert journey.submit().status_code == 302
    journey.client.post("/logout")
    return journey


def consider_at(stay_request, house) -> None:
    """A planning proposal considers her request at `house`: its team is now one of her house teams
    (app/security/her_houses.py), the only teams that may read her words when she consents."""
    from app.models import PlanningRun, ProposedStay

    run = PlanningRun(horizon_start=stay_request.earliest_start, horizon_days=90, status="done",
                      house_ids=[house.id])
    proposed = ProposedStay(run=run, key=f"consider-{stay_request.id}-{house.id}", house=house,
                            start=stay_request.earliest_start,
                            end=stay_request.earliest_start + dt.timedelta(days=9), type="individual")
    proposed.requests.append(stay_request)
    db.session.add_all([run, proposed])
    db.session.commit()
