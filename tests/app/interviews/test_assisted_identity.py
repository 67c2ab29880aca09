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
