"""Consent after sending (issue 14, item 6): from "My data" she changes each choice, either way, at any time;
a withdrawal takes effect at once for every reader, and each change is an audit row she sees as hers."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DiagnosticInterview, local_today
from tests.conftest import PASSWORD

from .conftest import NARRATIVE, consider_at, version_of

MY_DATA = "/interviews/my-data"
EVERYTHING = {"consent_scope": "narrative", "share_with_therapists": "yes", "count_in_statistics": "yes",
              "retention_months": "12"}
NOTHING = {"consent_scope": "levels", "share_with_therapists": "no", "count_in_statistics": "no",
           "retention_months": "3"}


def choices(interview_id: int) -> tuple:
    db.session.expire_all()
    i = db.session.get(DiagnosticInterview, interview_id)
    return i.consent_scope, i.share_with_therapists, i.count_in_statistics, i.retention_months


def change(client, interview_id: int, answers: dict, version: int | None = None):
    """Post her consent form of "My data" for one interview (its fields are named per interview)."""
    prefix = f"consent{interview_id}"
    data = {f"{prefix}-{name}": value for name, value in answers.items()}
    data[f"{prefix}-version"] = str(version_of(interview_id) if version is None else version)
    data[f"{prefix}-csrf_token"] = client.csrf_token()
    return client.post(f"/interviews/my-data/consent/{interview_id}", data=data)


def checked(interview_id: int, value: str) -> str:
    """Her scope choice, checked, as the form on "My data" shows it."""
    prefix, index = f"consent{interview_id}", ("levels", "narrative").index(value)
    return (f'<input checked id="{prefix}-consent_scope-{index}" name="{prefix}-consent_scope" required type="radio" '
            f'value="{value}">')


def logged_in_long_ago(client) -> None:
    """Her login is an hour old: still logged in, but not recently (security item 11)."""
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - 3600
        session.pop("confirmed_at", None)


def changes() -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "consent.changed")
                              .order_by(AuditEvent.id)).all()


@pytest.fixture
def sent(journey):
    """Her interview, sent with everything allowed (her words for the team and her therapists, counted)."""
    journey.start()
    journey.fill_all(consent="narrative")
    assert journey.post("consent", EVERYTHING).status_code == 302
    assert journey.submit().status_code == 302
    return journey


def test_my_data_shows_her_choices_with_a_form_per_sent_interview(sent):
    page = sent.client.get(MY_DATA).text
    assert "Mis permisos" in page and f'id="consent-{sent.interview_id}"' in page
    assert 'class="consent-therapists">sí<' in page and 'class="consent-statistics">sí<' in page
    assert f'action="/interviews/my-data/consent/{sent.interview_id}"' in page
    assert checked(sent.interview_id, "narrative") in page
    assert f'<option selected value="12">' in page


def test_she_gives_less_at_once_without_her_password_and_more_after_confirming_it(sent):
    client, interview_id = sent.client, sent.interview_id
    logged_in_long_ago(client)
    narrowed = change(client, interview_id, NOTHING)
    assert narrowed.status_code == 302 and narrowed.location.startswith(MY_DATA)
    assert choices(interview_id) == ("levels", False, False, 3)
    # giving more again: her password first, then her choices come back to save
    asked = change(client, interview_id, EVERYTHING)
    assert asked.status_code == 302 and "/confirm-password" in asked.location
    assert choices(interview_id) == ("levels", False, False, 3)
    back = client.post(asked.location, data={"password": PASSWORD})
    assert back.status_code == 302 and back.location.startswith(MY_DATA)
    page = client.get(back.location).text
    assert checked(interview_id, "narrative") in page and "<details open>" in page  # kept, to save again
    assert choices(interview_id) == ("levels", False, False, 3)  # nothing written by the way back
    widened = change(client, interview_id, EVERYTHING)
    assert widened.status_code == 302 and widened.location.startswith(MY_DATA)
    assert choices(interview_id) == ("narrative", True, True, 12)
    assert [e.details for e in changes()] == [
        {"consent_scope": "levels", "share_with_therapists": False, "count_in_statistics": False,
         "retention_months": 3},
        {"consent_scope": "narrative", "share_with_therapists": True, "count_in_statistics": True,
         "retention_months": 12}]


def test_each_change_is_an_audit_row_of_codes_she_sees_as_hers(sent, defender_user):
    assert change(sent.client, sent.interview_id, {**EVERYTHING, "count_in_statistics": "no"}).status_code == 302
    [event] = changes()
    assert (event.actor_id, event.defender_id, event.target_type, event.target_id) == (
        defender_user.id, defender_user.defender_id, "DiagnosticInterview", sent.interview_id)
    assert event.reason is None and set(event.details) == {"consent_scope", "share_with_therapists",
                                                           "count_in_statistics", "retention_months"}
    page = sent.client.get(MY_DATA).text
    [row] = [row for row in page.split("<tr")[1:] if "Cambiaste tus permisos" in row]
    assert "<td>Tú</td>" in row
    exported = json.loads(sent.client.get("/interviews/my-data/export.json").text)
    assert exported["interviews"][0]["count_in_statistics"] is False


def test_the_same_choices_change_nothing_and_write_no_audit_row(sent):
    before = version_of(sent.interview_id)
    response = change(sent.client, sent.interview_id, EVERYTHING)
    assert response.status_code == 302
    assert "No cambió nada" in sent.client.get(response.location).text
    assert version_of(sent.interview_id) == before and changes() == []


def test_a_link_cannot_fill_her_form_in(sent):
    """Only her own post, kept in her session while she confirms her password, comes back to her form."""
    page = sent.client.get(f"{MY_DATA}?consent{sent.interview_id}-consent_scope=levels"
                           f"&consent{sent.interview_id}-version={version_of(sent.interview_id)}").text
    assert checked(sent.interview_id, "narrative") in page and "<details open>" not in page


def test_therapists_without_her_words_is_refused_on_the_field_and_nothing_changes(sent):
    before = version_of(sent.interview_id)
    response = change(sent.client, sent.interview_id, {**NOTHING, "share_with_therapists": "yes"})
    assert response.status_code == 400
    prefix = f"consent{sent.interview_id}"
    field = response.text.split(f'id="{prefix}-share_with_therapists-error"')[1].split("</p>")[0]
    assert "Tus terapeutas solo pueden ver tus palabras si el equipo de la casa también puede leerlas" in field
    assert choices(sent.interview_id) == ("narrative", True, True, 12)
    assert version_of(sent.interview_id) == before and changes() == []
    # what she posted is kept on the page, to correct
    assert checked(sent.interview_id, "levels") in response.text


def test_a_draft_changes_its_consent_only_in_its_wizard_step(journey):
    journey.start()
    journey.fill_all(consent="narrative")
    response = change(journey.client, journey.interview_id, NOTHING)
    assert response.status_code == 400
    assert "Esta entrevista todavía no se ha enviado" in response.text
    assert choices(journey.interview_id)[0] == "narrative" and changes() == []


def test_a_stale_form_is_refused(sent):
    """Another tab changed her consent first: the older form would give back what she just withdrew."""
    seen = version_of(sent.interview_id)
    assert change(sent.client, sent.interview_id, NOTHING).status_code == 302
    assert change(sent.client, sent.interview_id, EVERYTHING, version=seen).status_code == 409
    assert choices(sent.interview_id) == ("levels", False, False, 3)


def test_after_she_withdraws_her_words_her_house_team_no_longer_reads_them(app, sent, login, make_user,
                                                                            make_house):
    house = make_house(country="MX")
    stay_request = sent.request()
    consider_at(stay_request, house)
    team = app.test_client()
    login(make_user("team", house=house), target=team)
    url = f"/interviews/team/requests/{stay_request.id}"
    assert NARRATIVE in team.get(url).text
    assert change(sent.client, sent.interview_id, NOTHING).status_code == 302
    page = team.get(url)
    assert page.status_code == 200 and NARRATIVE not in page.text
    assert "Cansada en lo emotional" not in page.text  # her answers about each dimension too
    # the team can never change it: the route is hers alone
    refused = change(team, sent.interview_id, EVERYTHING)
    assert refused.status_code == 404 and choices(sent.interview_id)[0] == "levels"


WORDS = "Duermo poco desde la última amenaza"


def test_after_she_withdraws_her_therapists_the_sheet_shows_the_neutral_line(app, client, login, make_house,
                                                                             make_therapist, make_stay, make_user):
    house = make_house(name="Casa La Serena", country="MX")
    rosa = make_therapist(houses=[house], name="Rosa")
    start = local_today() + dt.timedelta(days=7)
    stay = make_stay(house, start, sessions=[(start + dt.timedelta(days=1), "emotional", rosa, 0)])
    interview = stay.requests[0].interview
    interview.consent_scope, interview.share_with_therapists = "narrative", True
    interview.dimension("emotional").answers = json.dumps({"how": WORDS, "work_on": "", "practices": ""})
    db.session.commit()
    login(make_user("defender", defender=interview.defender))
    team = app.test_client()
    login(make_user("team", house=house), target=team)
    url = f"/houses/{house.id}/therapists/{rosa.id}/sheet"
    assert WORDS in team.get(url).text
    assert change(client, interview.id, {"consent_scope": "narrative", "share_with_therapists": "no",
                                         "count_in_statistics": "no", "retention_months": "6"}).status_code == 302
    page = team.get(url).text
    assert WORDS not in page and "Eligió no compartir sus palabras con las terapeutas." in page


def test_after_she_withdraws_from_the_statistics_the_reports_no_longer_count_her(
        app, client, login, make_house, make_stay, make_user):
    house = make_house(name="Casa Uno", country="MX")
    stay = make_stay(house, dt.date(2027, 3, 2))
    stay_request = stay.requests[0]
    stay_request.defender.country = "NI"
    stay_request.interview.count_in_statistics = True
    db.session.commit()
    login(make_user("defender", defender=stay_request.defender))
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    url = "/reports/served?lang=en&start=2027-03&months=1"
    page = coordinator.get(url).text
    assert "Nicaragua" in page and "Left out because she did not agree: 0." in page
    assert change(client, stay_request.interview_id, {"consent_scope": "levels", "share_with_therapists": "no",
                                                      "count_in_statistics": "no",
                                                      "retention_months": "6"}).status_code == 302
    page = coordinator.get(url).text
    assert "Nicaragua" not in page and "Left out because she did not agree: &lt;5." in page


def test_another_defender_or_a_coordinator_cannot_change_hers(app, sent, login, make_user, make_defender):
    before = choices(sent.interview_id)
    other = app.test_client()
    login(make_user("defender", defender=make_defender(alias="Otra")), target=other)
    assert change(other, sent.interview_id, NOTHING).status_code == 404
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    assert change(coordinator, sent.interview_id, NOTHING).status_code == 404
    assert choices(sent.interview_id) == before and changes() == []


def test_opening_my_data_writes_nothing(sent, sql_statements):
    sql_statements.clear()
    assert sent.client.get(MY_DATA).status_code == 200
    writes = [s for s in sql_statements if s.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
