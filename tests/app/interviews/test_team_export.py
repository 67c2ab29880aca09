"""A house team member downloads a defender's file as JSON for her: only what the team may see, audited."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.interviews.privacy import export_filename
from app.models import AuditEvent, Stay

from tests.conftest import PASSWORD
from .conftest import NARRATIVE, consider_at, in_days

CONTACT = "+52 951 000 1234, calle Reforma 12"


def export_url(defender_id: int) -> str:
    return f"/interviews/team/defenders/{defender_id}/export.json"


def audit_rows(action: str = "defender.export") -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def her(submitted, defender_user):
    """The defender who sent her interview (levels only), with a contact on file."""
    defender = defender_user.defender
    defender.contact = CONTACT
    db.session.commit()
    return defender


def test_a_team_member_downloads_her_file_as_json_with_the_expected_keys(her, client, login, team_user):
    login(team_user)
    response = client.get(export_url(her.id))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="respiro-ceiba.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert set(data) == {"format", "exported_at", "person", "prepared_by", "interviews", "requests"}
    assert data["prepared_by"] == {"role": "team", "house": "Casa La Serena"}
    assert data["person"]["alias"] == "Ceiba" and data["person"]["languages"] == ["es", "zap"]
    interview = data["interviews"][0]
    assert interview["consent_scope"] == "levels"
    assert interview["dimensions"]["physical"] == {"self_level": 2, "need_level": None}
    assert data["requests"][0]["stay_types"] == ["individual", "collective"]
    assert data["requests"][0]["food_notes"] == "Sin gluten, por favor"  # logistics, as on her team page


def test_the_team_file_never_holds_her_real_name_contact_account_or_who_opened_her_file(
        her, client, login, team_user, defender_user):
    login(team_user)
    response = client.get(export_url(her.id))
    data = json.loads(response.data)
    assert her.real_name not in response.text and CONTACT not in response.text
    assert defender_user.email not in response.text and team_user.email not in response.text
    assert not {"real_name", "contact"} & set(data["person"])
    assert "account" not in data and "access_log" not in data
    assert "risk_notes" not in data["interviews"][0] and "confirmation_reason" not in data["interviews"][0]


def test_with_levels_only_her_own_words_are_not_in_the_team_file(her, client, login, team_user):
    login(team_user)
    response = client.get(export_url(her.id))
    assert NARRATIVE not in response.text
    assert "Cansada en lo" not in response.text and "Quiero cuidar" not in response.text
    assert "Caminar" not in response.text
    interview = json.loads(response.data)["interviews"][0]
    assert "narrative" not in interview
    assert all(set(row) == {"self_level", "need_level"} for row in interview["dimensions"].values())


def test_with_narrative_consent_the_team_file_carries_her_words(journey, client, login, team_user):
    journey.start()
    journey.fill_all(consent="narrative")
    journey.submit()
    consider_at(journey.request(), team_user.house)
    client.post("/logout")
    login(team_user)
    interview = json.loads(client.get(export_url(journey.request().defender_id)).data)["interviews"][0]
    assert interview["narrative"] == NARRATIVE
    assert interview["dimensions"]["emotional"]["how"] == "Cansada en lo emotional"


def test_her_own_download_still_holds_everything_she_wrote(her, client, login, defender_user):
    login(defender_user)
    data = json.loads(client.get("/interviews/my-data/export.json").data)
    assert data["person"]["real_name"] == her.real_name and data["account"]["email"] == defender_user.email
    assert data["interviews"][0]["narrative"] == NARRATIVE and "access_log" in data


def test_a_stay_at_another_house_stays_out_of_the_team_file(her, submitted, client, login, team_user, make_house,
                                                            make_user):
    other_house = make_house(country="MX", name="Casa Otra")
    stay_request = submitted.request()
    stay_request.stay = Stay(house=other_house, start=in_days(40), end=in_days(49), type="individual")
    stay_request.status = "published"
    db.session.commit()
    login(team_user)
    response = client.get(export_url(her.id))
    assert json.loads(response.data)["requests"][0]["stay"] is None and "Casa Otra" not in response.text
    client.post("/logout")
    login(make_user("team", house=other_house))
    assert json.loads(client.get(export_url(her.id)).data)["requests"][0]["stay"]["house"] == "Casa Otra"


def test_what_she_has_not_sent_yet_stays_out_of_the_team_file(her, client, login, team_user, make_request):
    unsent = make_request(her, status="draft")
    login(team_user)
    data = json.loads(client.get(export_url(her.id)).data)
    assert unsent.id not in [r["id"] for r in data["requests"]] and len(data["requests"]) == 1
    assert unsent.interview_id not in [i["id"] for i in data["interviews"]] and len(data["interviews"]) == 1


def test_a_house_team_in_a_country_she_cannot_enter_gets_404_and_nothing_is_recorded(her, client, login, make_user,
                                                                                      make_house):
    login(make_user("team", house=make_house(country="HN", name="Casa La Siguata")))
    response = client.get(export_url(her.id))
    assert response.status_code == 404 and "Ceiba" not in response.text
    assert audit_rows() == []


def test_a_defender_who_does_not_exist_is_the_same_404(client, login, team_user):
    login(team_user)
    assert client.get(export_url(999_999)).status_code == 404


@pytest.mark.parametrize("role", ["defender", "coordinator", "admin"])
def test_only_house_teams_can_use_the_team_download(her, client, login, make_user, role):
    login(make_user(role))
    assert client.get(export_url(her.id)).status_code == 404
    assert audit_rows() == []


def test_a_defender_cannot_use_the_team_route_even_for_her_own_file(her, client, login, defender_user):
    login(defender_user)
    assert client.get(export_url(her.id)).status_code == 404


def test_without_a_recent_login_she_is_asked_to_confirm_her_password_first(her, client, login, team_user):
    login(team_user)
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 3600
    response = client.get(export_url(her.id))
    assert response.status_code == 302 and "/confirm-password" in response.location
    assert audit_rows() == []
    client.post(response.location, data={"password": PASSWORD})
    assert client.get(export_url(her.id)).status_code == 200


def test_the_download_is_recorded_once_with_ids_never_content(her, client, login, team_user):
    login(team_user)
    client.get(export_url(her.id))
    [row] = audit_rows()
    assert (row.actor_id, row.defender_id, row.target_type, row.target_id) == (team_user.id, her.id, "Defender",
                                                                                  her.id)
    assert row.details == {}


def test_she_sees_the_download_in_who_opened_her_file_by_role_and_house_not_email(her, client, login, team_user,
                                                                                   defender_user):
    login(team_user)
    client.get(export_url(her.id))
    client.post("/logout")
    login(defender_user)
    log = client.get("/interviews/my-data").text.split('id="log-h"')[1]
    assert "Descargó una copia de tu expediente" in log
    assert "Equipo de la casa · Casa La Serena" in log
    assert team_user.email not in log


def test_her_team_page_links_to_the_download(her, submitted, client, login, team_user):
    login(team_user)
    page = client.get(f"/interviews/team/requests/{submitted.request().id}")
    assert f'href="{export_url(her.id)}"' in page.text and "Descargar su expediente" in page.text
    assert "Download her file" in client.get(f"/interviews/team/requests/{submitted.request().id}?lang=en").text


@pytest.mark.parametrize("alias, name", [
    ("Ceiba", "respiro-ceiba.json"), ("Ñandú del Río", "respiro-nandu-del-rio.json"),
    ('x"; filename=evil.sh', "respiro-x-filename-evil-sh.json"), ("حرية", "respiro-file-7.json"),
    ("a" * 39 + " b", "respiro-" + "a" * 39 + ".json"),
])
def test_the_file_name_is_her_alias_in_plain_letters(alias, name):
    assert export_filename(SimpleNamespace(id=7, alias=alias)) == name
