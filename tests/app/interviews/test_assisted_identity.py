"""Issue 14 part 3: in the assisted flow the team records her real name and a contact,
encrypted under her own key, seen only through a coordinator's recorded reveal."""
from __future__ import annotations

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent, Defender

from .conftest import Journey

REAL = "Rigoberta Ixcot Tum"
CONTACT = "Signal +502 5555 0199"


def _create(client, **overrides):
    data = {"alias": "Jacaranda", "country": "GT", "languages": ["es"], "barred_countries": [],
            "defender_agreed": "y", "real_name": REAL, "contact": CONTACT}
    data.update(overrides)
    return client.post("/interviews/team/assisted", data=data)


def test_the_team_records_her_name_and_contact_encrypted_under_her_key_and_no_page_shows_them(
        client, login, team_user):
    login(team_user)
    form = client.get("/interviews/team/assisted")
    assert 'name="real_name"' in form.text and 'name="contact"' in form.text
    created = _create(client)
    assert created.status_code == 302
    defender = db.session.scalar(select(Defender))
    assert (defender.real_name, defender.contact) == (REAL, CONTACT)
    raw = db.session.execute(text("SELECT * FROM defenders WHERE id = :id"), {"id": defender.id}).mappings().one()
    assert raw["real_name_ct"].startswith("d1.") and raw["contact_ct"].startswith("d1.")
    assert REAL not in str(dict(raw)) and "5555" not in str(dict(raw))
    step = client.get(created.headers["Location"])
    assert step.status_code == 200 and REAL not in step.text and "5555" not in step.text
    journey = Journey(client)
    journey.interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    journey.fill_all(logistics=None)
    assert journey.submit(agreed="y").status_code == 302
    for url in ("/interviews/team", f"/interviews/team/requests/{journey.request().id}"):
        page = client.get(url)
        assert page.status_code == 200 and REAL not in page.text and "5555" not in page.text, url


def test_a_coordinator_sees_them_only_through_the_reveal_with_a_reason_she_is_shown(
        client, app, login, team_user, make_user):
    login(team_user)
    assert _create(client).status_code == 302
    defender = db.session.scalar(select(Defender))
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    shown = coordinator.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": "Coordinar su traslado seguro"})
    assert shown.status_code == 200 and REAL in shown.text and CONTACT in shown.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.reveal"))
    assert event.reason == "Coordinar su traslado seguro" and event.reason_ct.startswith("d1.")


def test_name_and_contact_stay_optional_and_too_long_is_refused_in_her_language(client, login, team_user):
    login(team_user)
    refused = _create(client, real_name="x" * 201)
    assert refused.status_code == 400 and db.session.scalar(select(Defender)) is None
    assert "200" in refused.text
    assert _create(client, real_name="", contact="").status_code == 302
    defender = db.session.scalar(select(Defender))
    assert (defender.real_name_ct, defender.contact_ct) == (None, None)


# ---------------------------------------------------------------- on her file (the team's page for her request)

def _her_request(make_request, team_user, make_defender):
    defender = make_defender(alias="Guayacán", country="GT", barred_countries=[])
    return make_request(defender, status="submitted")


def test_the_team_records_her_identity_on_her_file_write_only_and_audited(client, login, team_user, make_defender,
                                                                          make_request):
    stay_request = _her_request(make_request, team_user, make_defender)
    defender_id = stay_request.defender_id
    login(team_user)
    page = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert page.status_code == 200 and "Su identidad" in page.text
    saved = client.post(f"/interviews/team/requests/{stay_request.id}/identity",
                        data={"real_name": REAL, "contact": CONTACT})
    assert saved.status_code == 302
    defender = db.session.get(Defender, defender_id)
    assert (defender.real_name, defender.contact) == (REAL, CONTACT)
    assert defender.real_name_ct.startswith("d1.") and defender.contact_ct.startswith("d1.")
    again = client.get(f"/interviews/team/requests/{stay_request.id}")
    assert REAL not in again.text and "5555" not in again.text and "Nombre real: registrado" in again.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.identity_recorded"))
    assert event.defender_id == defender_id and REAL not in str(event.details)


def test_an_empty_identity_is_refused_in_her_language_and_changes_nothing(client, login, team_user, make_defender,
                                                                          make_request):
    stay_request = _her_request(make_request, team_user, make_defender)
    stay_request.defender.real_name = "Nombre anterior"
    db.session.commit()
    login(team_user)
    refused = client.post(f"/interviews/team/requests/{stay_request.id}/identity", data={"real_name": " "})
    assert refused.status_code == 400 and "Escribe su nombre real, un contacto, o ambos." in refused.text
    too_long = client.post(f"/interviews/team/requests/{stay_request.id}/identity", data={"contact": "x" * 201})
    assert too_long.status_code == 400
    db.session.expire_all()
    assert db.session.get(Defender, stay_request.defender_id).real_name == "Nombre anterior"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.identity_recorded")) is None


def test_a_house_that_may_not_see_her_cannot_record_her_identity(client, login, make_user, make_house, make_defender,
                                                                 make_request):
    # the same scoping as her review page (access.get_request): here, a house in a country she cannot enter
    stay_request = make_request(make_defender(alias="Guayacán", country="GT", barred_countries=["CR"]),
                                status="submitted")
    login(make_user("team", house=make_house(country="CR")))
    response = client.post(f"/interviews/team/requests/{stay_request.id}/identity", data={"real_name": REAL})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Defender, stay_request.defender_id).real_name_ct is not None  # the factory's, unchanged
    assert db.session.get(Defender, stay_request.defender_id).real_name != REAL
