"""Issue 14 part 3: a team member writes risk notes, encrypted under her key, with the same
consent and retention rules as her words."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import DIMENSIONS
from app.ops import run_retention

from .conftest import consider_at

NOTES = "Amenazas por su labor contra la minera; no publicar su llegada."


@pytest.fixture
def sent(journey):
    def send(consent: str):
        journey.start()
        journey.fill_all(consent=consent)
        assert journey.submit().status_code == 302
        journey.client.post("/logout")
        return journey
    return send


def _confirm(client, stay_request, **extra):
    data = {f"need_{d}": "1" for d in DIMENSIONS}
    data.update(urgency="2", reason="Amenazas recientes; necesita descanso pronto.", version=str(stay_request.version))
    data.update(extra)
    return client.post(f"/interviews/team/requests/{stay_request.id}", data=data)


def test_the_team_writes_risk_notes_encrypted_under_her_key_and_reads_them_where_she_shares_her_words(
        sent, client, login, team_user):
    journey = sent("narrative")
    login(team_user)
    stay_request = journey.request()
    form = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert 'name="risk_notes"' in form.text
    assert _confirm(client, stay_request, risk_notes=NOTES).status_code == 302
    interview = journey.interview()
    assert interview.risk_notes == NOTES
    raw = db.session.execute(text("SELECT risk_notes_ct FROM interviews WHERE id = :id"),
                             {"id": interview.id}).scalar_one()
    assert raw.startswith("d1.") and "minera" not in raw
    page = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert "minera" not in page.text  # her words reach only the teams of houses she is considered for
    consider_at(stay_request, team_user.house)
    page = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert "Notas de riesgo" in page.text and "minera" in page.text


def test_risk_notes_are_not_shown_to_the_team_when_she_shares_only_her_levels(sent, client, login, team_user):
    journey = sent("levels")
    login(team_user)
    stay_request = journey.request()
    assert _confirm(client, stay_request, risk_notes=NOTES).status_code == 302
    assert journey.interview().risk_notes == NOTES
    page = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert page.status_code == 200 and "minera" not in page.text


def test_risk_notes_are_deleted_with_her_words_after_her_retention_period(sent, client, login, team_user):
    journey = sent("narrative")
    login(team_user)
    stay_request = journey.request()
    assert _confirm(client, stay_request, risk_notes=NOTES).status_code == 302
    stay_request = journey.request()
    stay_request.status = "withdrawn"
    db.session.commit()
    run_retention(today=dt.date.today() + dt.timedelta(days=31 * 13))
    db.session.commit()
    interview = journey.interview()
    assert interview.risk_notes is None and interview.narrative is None


def test_too_long_risk_notes_are_refused_and_nothing_is_confirmed(sent, client, login, team_user):
    journey = sent("narrative")
    login(team_user)
    stay_request = journey.request()
    response = _confirm(client, stay_request, risk_notes="x" * 4001)
    assert response.status_code == 400 and "4000" in response.text
    assert journey.interview().risk_notes is None and journey.request().status == "submitted"
