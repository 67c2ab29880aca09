"""Who may open what: another defender, a house she cannot enter, other roles all get 404."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Stay

from .conftest import NARRATIVE, Journey, consider_at, in_days, step_url


def test_another_defender_cannot_open_her_interview_request_or_stay(submitted, client, login, make_user,
                                                                    make_house):
    stay_request = submitted.request()
    stay = Stay(house=make_house(), start=in_days(40), end=in_days(49), type="individual")
    stay_request.stay = stay
    stay_request.status = "published"
    db.session.commit()
    login(make_user("defender"))
    assert client.get(step_url(submitted.interview_id, "physical")).status_code == 404
    assert client.get(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 404
    assert client.post(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 404
    assert client.get(f"/interviews/stays/{stay.id}").status_code == 404
    assert client.post(f"/interviews/{submitted.interview_id}/submit").status_code == 404
    assert submitted.request().status == "published"


def test_another_defender_cannot_write_into_her_draft(journey, app, login, make_user):
    journey.start()
    other = app.test_client()
    login(make_user("defender"), target=other)
    response = other.post(step_url(journey.interview_id, "physical"), data={"how": "intrusa", "version": "1"})
    assert response.status_code == 404


def test_a_house_in_a_country_she_cannot_enter_sees_nothing_of_her(submitted, client, login, make_user,
                                                                   make_house):
    honduras_team = make_user("team", house=make_house(country="HN", name="Casa La Siguata"))
    login(honduras_team)
    stay_request = submitted.request()
    assert "Ceiba" not in client.get("/interviews/team").text
    assert client.get(f"/interviews/team/requests/{stay_request.id}").status_code == 404
    assert db.session.scalar(select(AuditEvent)) is None


@pytest.mark.parametrize("role", ["coordinator", "admin", "defender"])
def test_team_pages_are_only_for_house_teams(submitted, client, login, make_user, role):
    login(make_user(role))
    assert client.get("/interviews/team").status_code == 404
    assert client.get(f"/interviews/team/requests/{submitted.request().id}").status_code == 404
    assert client.get("/interviews/team/assisted").status_code == 404


@pytest.mark.parametrize("role", ["team", "coordinator", "admin"])
def test_her_pages_are_only_for_defenders(client, login, make_user, role):
    login(make_user(role))
    for url in ("/interviews/", "/interviews/my-data", "/interviews/my-data/export.json"):
        assert client.get(url).status_code == 404


def test_a_team_cannot_fill_a_draft_she_started_herself(journey, app, login, make_user):
    journey.start()
    team_client = app.test_client()
    login(make_user("team"), target=team_client)
    assert team_client.get(step_url(journey.interview_id, "physical")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/interviews/").status_code == 302
    assert client.get("/interviews/team").status_code == 302


def test_with_levels_only_no_team_page_shows_her_words(submitted, client, login, team_user):
    login(team_user)
    stay_request = submitted.request()
    pages = [client.get("/interviews/team"), client.get(f"/interviews/team/requests/{stay_request.id}")]
    for page in pages:
        assert NARRATIVE not in page.text and "Cansada en lo" not in page.text and "Caminar" not in page.text
    assert "solo sus niveles de cuidado" in pages[1].text
    assert "Mucho" in pages[1].text  # the levels are there


def test_with_narrative_consent_the_team_reads_her_words(journey, client, login, team_user):
    journey.start()
    journey.fill_all(consent="narrative")
    journey.submit()
    client.post("/logout")
    login(team_user)
    url = f"/interviews/team/requests/{journey.request().id}"
    page = client.get(url)  # not yet one of her houses: her levels only
    assert NARRATIVE not in page.text and "Cansada en lo emotional" not in page.text
    consider_at(journey.request(), team_user.house)
    page = client.get(url)
    assert NARRATIVE in page.text and "Cansada en lo emotional" in page.text


def test_her_own_json_has_her_words_but_the_audit_trail_never_does(submitted, client, login, defender_user,
                                                                   team_user):
    login(team_user)
    client.get(f"/interviews/team/requests/{submitted.request().id}")
    client.post("/logout")
    login(defender_user)
    data = json.loads(client.get("/interviews/my-data/export.json").data)
    assert data["interviews"][0]["consent_scope"] == "levels"
    trail = json.dumps(data["access_log"]) + json.dumps([e.details for e in db.session.scalars(select(AuditEvent))])
    assert NARRATIVE not in trail and team_user.email not in trail
    assert {"by_role": "team", "by_house": "Casa La Serena"}.items() <= data["access_log"][-1].items()


def test_a_draft_she_withdrew_before_sending_stays_unseen_by_the_house_teams(journey, app, client, login, make_user,
                                                                             make_house):
    journey.start()
    journey.fill_all(consent="narrative")
    stay_request = journey.request()
    assert client.post(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 302
    team = app.test_client()
    login(make_user("team", house=make_house(country="MX")), target=team)
    assert team.get(f"/interviews/team/requests/{stay_request.id}").status_code == 404
    assert "Ceiba" not in team.get("/interviews/team").text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.read")) is None


@pytest.mark.parametrize("consent", ["levels", "narrative"])
@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_admins_never_may_read_her_words_whatever_she_chose(submitted, make_user, role, consent):
    """Her consent answers what the house team may read: it grants nothing to anyone else."""
    from app.security import access

    interview = submitted.request().interview
    interview.consent_scope = consent
    assert not access.may_read_narrative(make_user(role), interview)
    team = make_user("team")
    consider_at(submitted.request(), team.house)
    assert access.may_read_narrative(team, interview) is (consent == "narrative")


def test_only_the_teams_of_her_houses_read_her_words_not_every_team_in_the_network(submitted, app, login,
                                                                                   make_user, make_house,
                                                                                   make_stay):
    """Her consent says "the house team": the team of a house that is placing or considering her, or
    that filled the interview with her; any other team in the network sees her levels only."""
    from app.security import access

    stay_request = submitted.request()
    interview = stay_request.interview
    interview.consent_scope = "narrative"
    db.session.commit()
    considering, placing, elsewhere = (make_house(country="MX") for _ in range(3))
    teams = {name: make_user("team", house=house) for name, house in
             (("considering", considering), ("placing", placing), ("elsewhere", elsewhere))}
    consider_at(stay_request, considering)
    assert {name: access.may_read_narrative(team, interview) for name, team in teams.items()} == {
        "considering": True, "placing": False, "elsewhere": False}
    placed = make_stay(placing, dt.date(2027, 3, 1))
    stay_request.stay = placed
    db.session.commit()
    assert access.may_read_narrative(teams["placing"], interview)
    other = app.test_client()
    login(teams["elsewhere"], target=other)
    page = other.get(f"/interviews/team/requests/{stay_request.id}")
    assert page.status_code == 200 and NARRATIVE not in page.text and "Cansada en lo" not in page.text
