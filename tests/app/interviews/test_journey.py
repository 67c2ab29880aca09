"""The whole defender journey through the test client, step by step."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, text

from app.extensions import db
from app.models import (
    DIMENSIONS, AuditEvent, Defender, DiagnosticInterview, Session, Stay, StayRequest, User, utcnow,
)

from .conftest import NARRATIVE, Journey, dimension_answers, in_days, logistics_answers, step_url


def test_her_home_offers_the_interview_and_the_first_step_opens(journey):
    page = journey.client.get("/interviews/")
    assert "Empezar mi entrevista" in page.text
    interview_id = journey.start()
    first = journey.client.get(step_url(interview_id, "physical"))
    assert first.status_code == 200
    assert "Paso 1 de 9" in first.text
    assert 'class="progress' in first.text
    assert "Salir de esta página" in first.text or "quick-exit" in first.text


def test_every_step_saves_and_the_review_shows_all_she_said(journey):
    journey.start()
    journey.fill_all()
    review = journey.client.get(step_url(journey.interview_id, "review"))
    assert review.status_code == 200
    assert "Cansada en lo emotional" in review.text
    assert NARRATIVE in review.text
    assert "Sin gluten, por favor" in review.text
    assert "Todavía falta" not in review.text


def test_next_leads_to_the_following_step_and_back_to_the_previous(journey):
    journey.start()
    forward = journey.post("physical", dimension_answers("physical"))
    assert forward.headers["Location"].endswith(step_url(journey.interview_id, "mental"))
    backward = journey.post("mental", dimension_answers("mental", 1), action="back")
    assert backward.headers["Location"].endswith(step_url(journey.interview_id, "physical"))


def test_back_and_next_never_lose_an_answer(journey):
    journey.start()
    journey.post("physical", dimension_answers("physical"))
    journey.post("mental", {"how": "Muchas preocupaciones"}, action="back")
    physical = journey.client.get(step_url(journey.interview_id, "physical"))
    assert "Cansada en lo physical" in physical.text
    mental = journey.client.get(step_url(journey.interview_id, "mental"))
    assert "Muchas preocupaciones" in mental.text


def test_save_and_leave_then_resume_from_another_device(app, journey, defender_user, login):
    journey.start()
    journey.post("physical", dimension_answers("physical"))
    journey.post("mental", dimension_answers("mental"))
    left = journey.post("emotional", {"how": "Lloro seguido"}, action="save")
    assert left.headers["Location"].endswith("/interviews/")
    assert journey.interview().step == "emotional"

    other_device = app.test_client()
    login(defender_user, target=other_device)
    home = other_device.get("/interviews/")
    assert "Seguir donde me quedé" in home.text
    assert step_url(journey.interview_id, "emotional") in home.text
    assert "Lloro seguido" in other_device.get(step_url(journey.interview_id, "emotional")).text


def test_answers_are_encrypted_in_the_database(journey):
    journey.start()
    journey.fill_all(consent="narrative")
    raw = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM interview_dimensions")) for v in row)
    raw += " ".join(str(v) for row in db.session.execute(text("SELECT * FROM interviews")) for v in row)
    raw += " ".join(str(v) for row in db.session.execute(text("SELECT * FROM stay_requests")) for v in row)
    assert "Cansada" not in raw and "comunidad" not in raw and "gluten" not in raw


def test_submission_sends_interview_and_request(journey):
    journey.start()
    journey.fill_all()
    response = journey.submit()
    assert response.status_code == 302
    assert journey.interview().status == "submitted"
    stay_request = journey.request()
    assert stay_request.status == "submitted" and stay_request.submitted_at is not None
    assert stay_request.stay_types == ["individual", "collective"]
    assert stay_request.urgency_self == 2
    assert journey.request().defender.languages == ["es", "zap"]
    assert "Tu entrevista se envió" in journey.client.get("/interviews/").text


def test_a_sent_interview_cannot_be_changed(journey):
    journey.start()
    journey.fill_all()
    journey.submit()
    page = journey.client.get(step_url(journey.interview_id, "physical"))
    assert "ya se envió" in page.text and 'name="how"' not in page.text


def test_an_incomplete_interview_is_not_sent_and_says_what_is_missing(journey):
    journey.start()
    journey.post("physical", dimension_answers("physical"))
    response = journey.submit()
    assert response.status_code == 400
    assert "Todavía faltan algunas respuestas" in response.text
    assert "Cuánto sientes que necesitas cuidado aquí" in response.text
    assert journey.interview().status == "draft" and journey.request().status == "draft"


def test_a_second_request_cannot_start_while_one_is_on_its_way(journey):
    journey.start()
    journey.fill_all()
    journey.submit()
    response = journey.client.post("/interviews/start", follow_redirects=True)
    assert "Ya tienes una solicitud en camino" in response.text
    assert db.session.scalar(select(db.func.count()).select_from(DiagnosticInterview)) == 1


def test_team_confirms_levels_and_urgency_and_the_request_becomes_pending(submitted, client, login, team_user):
    login(team_user)
    queue = client.get("/interviews/team")
    assert "Ceiba" in queue.text
    stay_request = submitted.request()
    review = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert review.status_code == 200
    data = {f"need_{d}": "1" for d in DIMENSIONS}
    data.update(need_emotional="3", urgency="2", reason="Amenazas recientes; necesita descanso pronto.",
                version=str(stay_request.version))
    response = client.post(f"/interviews/team/requests/{stay_request.id}", data=data)
    assert response.status_code == 302
    stay_request = submitted.request()
    interview = submitted.interview()
    assert stay_request.status == "pending" and stay_request.urgency == 2
    assert interview.status == "confirmed" and interview.confirmed_by_id == team_user.id
    assert interview.need_levels()["emotional"] == 3 and interview.need_levels()["physical"] == 1
    assert "Amenazas recientes" in stay_request.urgency_reason
    queue = client.get("/interviews/team").text  # she left "waiting", and can be found again
    confirmed = queue[queue.index('id="confirmed-h"'):]
    assert "Ceiba" in confirmed and f"/interviews/team/requests/{stay_request.id}" in confirmed
    assert "Lista para planificar" in confirmed


def test_confirmation_needs_a_reason_and_changes_nothing_without(submitted, client, login, team_user):
    login(team_user)
    stay_request = submitted.request()
    data = {f"need_{d}": "1" for d in DIMENSIONS}
    data.update(urgency="2", reason="", version=str(stay_request.version))
    response = client.post(f"/interviews/team/requests/{stay_request.id}", data=data)
    assert response.status_code == 400
    assert "escribe un motivo breve" in response.text
    assert submitted.request().status == "submitted"


def test_confirming_from_an_old_page_is_a_conflict(submitted, client, login, team_user):
    login(team_user)
    stay_request = submitted.request()
    data = {f"need_{d}": "1" for d in DIMENSIONS}
    data.update(urgency="2", reason="ok", version=str(stay_request.version - 1))
    assert client.post(f"/interviews/team/requests/{stay_request.id}", data=data).status_code == 409
    assert submitted.request().status == "submitted"


def test_reading_an_interview_writes_an_audit_row_without_content(submitted, client, login, team_user):
    login(team_user)
    stay_request = submitted.request()
    client.get(f"/interviews/team/requests/{stay_request.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.read"))
    assert event.actor_id == team_user.id and event.defender_id == stay_request.defender_id
    assert "Cansada" not in json.dumps(event.details)


def test_reading_a_whole_interview_needs_a_recent_login(submitted, client, login, team_user):
    login(team_user)
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 3600
    response = client.get(f"/interviews/team/requests/{submitted.request().id}")
    assert response.status_code == 302 and "confirm-password" in response.headers["Location"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.read")) is None


def test_she_withdraws_a_request(submitted, client, login, defender_user):
    login(defender_user)
    stay_request = submitted.request()
    assert "¿Retirar esta solicitud?" in client.get(f"/interviews/requests/{stay_request.id}/withdraw").text
    response = client.post(f"/interviews/requests/{stay_request.id}/withdraw")
    assert response.status_code == 302
    assert submitted.request().status == "withdrawn"
    again = client.post(f"/interviews/requests/{stay_request.id}/withdraw")
    assert again.status_code == 400 and "ya no se puede retirar" in again.text


def _published_stay(stay_request, make_house, make_therapist) -> Stay:
    house = make_house(name="Casa La Siguata", country="HN")
    therapist = make_therapist(houses=[house], name="Rosa María López")
    stay = Stay(house=house, start=in_days(40), end=in_days(49), type="individual")
    stay.sessions = [Session(dimension="emotional", day=in_days(41), slot=0, therapist=therapist),
                     Session(dimension="physical", day=in_days(41), slot=1, therapist=therapist),
                     Session(dimension="spiritual", day=in_days(43), slot=0, therapist=therapist)]
    stay_request.status = "published"
    stay_request.stay = stay
    db.session.add(stay)
    db.session.commit()
    return stay


def test_her_stay_page_shows_the_programme_day_by_day_with_first_names(
        client, login, defender_user, make_request, make_house, make_therapist):
    stay = _published_stay(make_request(defender_user.defender), make_house, make_therapist)
    login(defender_user)
    page = client.get(f"/interviews/stays/{stay.id}")
    assert page.status_code == 200
    assert "Casa La Siguata" in page.text
    assert "09:30" in page.text and "11:30" in page.text  # the house's session times (default)
    assert "con Rosa" in page.text and "López" not in page.text
    assert "Emocional" in page.text


def test_withdrawing_a_published_stay_flags_it_for_the_coordinator(
        client, login, defender_user, make_request, make_house, make_therapist):
    stay_request = make_request(defender_user.defender)
    stay = _published_stay(stay_request, make_house, make_therapist)
    login(defender_user)
    assert client.post(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 302
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.needs_replan and f"r{stay_request.id}" in stay.replan_reason
    assert db.session.get(StayRequest, stay_request.id).status == "withdrawn"


def test_she_downloads_everything_as_json_and_it_is_audited(submitted, client, login, defender_user):
    login(defender_user)
    response = client.get("/interviews/my-data/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["person"]["alias"] == "Ceiba"
    assert data["interviews"][0]["narrative"] == NARRATIVE
    assert data["interviews"][0]["dimensions"]["physical"]["how"] == "Cansada en lo physical"
    assert data["requests"][0]["food_notes"] == "Sin gluten, por favor"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.json")).actor_id == defender_user.id


def test_downloading_needs_a_recent_login(client, login, defender_user):
    login(defender_user)
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 3600
    response = client.get("/interviews/my-data/export.json")
    assert response.status_code == 302 and "confirm-password" in response.headers["Location"]
    assert db.session.scalar(select(AuditEvent)) is None


def test_she_sees_who_opened_her_file_by_role_and_house_not_email(submitted, app, client, login, defender_user,
                                                                  team_user):
    login(team_user)
    client.get(f"/interviews/team/requests/{submitted.request().id}")
    client.post("/logout")
    login(defender_user)
    page = client.get("/interviews/my-data")
    assert "Leyó tu entrevista" in page.text
    assert "Casa La Serena" in page.text
    assert team_user.email not in page.text


def test_deletion_removes_her_personal_data_and_keeps_anonymous_counts(submitted, client, login, defender_user):
    login(defender_user)
    stay_request = submitted.request()
    refused = client.post("/interviews/my-data/delete", data={})
    assert refused.status_code == 400 and "marca la casilla" in refused.text
    assert db.session.get(Defender, defender_user.defender_id).deleted_at is None

    response = client.post("/interviews/my-data/delete", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    defender = db.session.get(Defender, defender_user.defender_id)
    assert defender.deleted_at is not None and defender.alias != "Ceiba"
    assert defender.real_name is None and defender.languages == []
    interview = submitted.interview()
    assert interview.narrative is None and interview.dimensions == []
    kept = db.session.get(StayRequest, stay_request.id)
    assert kept.status == "withdrawn" and kept.earliest_start is not None and kept.food_notes is None
    user = db.session.get(User, defender_user.id)
    assert not user.is_active and user.email is None and user.email_ct is None and user.email_index is None
    assert client.get("/interviews/").status_code in (302, 401)
    assert client.post("/login", data={"email": defender_user.email, "password": "x"}).status_code != 302


def test_a_withdrawn_draft_stays_withdrawn_and_cannot_be_sent_later(journey, client):
    journey.start()
    journey.fill_all()
    stay_request = journey.request()
    assert client.post(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 302
    mine = client.get("/interviews/")
    assert "Seguir donde me quedé" not in mine.text  # no draft left to continue
    assert client.get(step_url(journey.interview_id, "review")).status_code == 404
    response = journey.submit()
    assert response.status_code == 404
    assert journey.request().status == "withdrawn"
    # she can start afresh
    assert client.post("/interviews/start").status_code == 302
