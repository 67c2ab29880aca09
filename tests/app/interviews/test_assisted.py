"""Assisted mode: a team member fills the interview with her, records that she agreed, invites her."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Defender, DiagnosticInterview, Invitation, User

from .conftest import Journey


def _create(client, **overrides):
    data = {"alias": "Jacaranda", "country": "GT", "languages": ["es", "mam"], "barred_countries": ["HN"],
            "defender_agreed": "y"}
    data.update(overrides)
    return client.post("/interviews/team/assisted", data={k: v for k, v in data.items() if v is not None})


def test_without_her_agreement_no_record_is_created(client, login, team_user):
    login(team_user)
    response = _create(client, defender_agreed=None)
    assert response.status_code == 400 and "Hace falta su acuerdo" in response.text
    assert "Jacaranda" in response.text
    assert db.session.scalar(select(func.count()).select_from(Defender)) == 0


def test_a_team_member_fills_and_sends_the_interview_with_her(client, login, team_user):
    login(team_user)
    created = _create(client)
    assert created.status_code == 302
    journey = Journey(client)
    journey.interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    page = client.get(created.headers["Location"])
    assert "Se llena junto con Jacaranda" in page.text
    journey.fill_all(logistics=None)
    refused = journey.submit()
    assert refused.status_code == 400 and "Hace falta su acuerdo" in refused.text
    assert journey.interview().status == "draft"
    assert journey.submit(agreed="y").status_code == 302
    interview = journey.interview()
    assert interview.status == "submitted" and interview.assisted and interview.defender_agreed
    assert interview.filled_by_id == team_user.id
    queue = client.get("/interviews/team")
    assert "Jacaranda" in queue.text
    review = client.get(f"/interviews/team/requests/{journey.request().id}")
    assert "ella estuvo de acuerdo" in review.text


def test_the_team_invites_her_and_she_gets_her_own_account(app, client, login, team_user):
    login(team_user)
    created = _create(client)
    interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    response = client.post(f"/interviews/team/interviews/{interview_id}/invite", data={"email": "jaca@example.org"})
    assert response.status_code == 200
    link = response.text.split('class="link-box">')[1].split("<")[0]
    invitation = db.session.scalar(select(Invitation))
    assert invitation.role == "defender" and invitation.defender_id == db.session.get(
        DiagnosticInterview, interview_id).defender_id

    her = app.test_client()
    path = link.split("respiro.test")[1]
    accepted = her.post(path, data={"password": "una frase larga y tranquila", "confirm": "una frase larga y tranquila"})
    assert accepted.status_code == 302
    user = db.session.scalar(User.by_email("jaca@example.org"))
    assert user.role == "defender" and user.defender_id == invitation.defender_id
    assert her.get("/interviews/").status_code == 200


def test_another_house_cannot_continue_or_invite_for_her(app, client, login, team_user, make_user):
    login(team_user)
    created = _create(client)
    interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    other = app.test_client()
    login(make_user("team"), target=other)
    assert other.get(f"/interviews/{interview_id}/physical").status_code == 404
    assert other.get(f"/interviews/team/interviews/{interview_id}/invite").status_code == 404


def _invite(client, interview_id, email):
    response = client.post(f"/interviews/team/interviews/{interview_id}/invite", data={"email": email})
    assert response.status_code == 200
    return response.text.split('class="link-box">')[1].split("<")[0].split("respiro.test")[1]


def test_a_new_invitation_replaces_the_earlier_one_and_only_one_account_is_made(app, client, login, team_user):
    login(team_user)
    created = _create(client)
    interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    first = _invite(client, interview_id, "wrong-address@example.org")
    second = _invite(client, interview_id, "jaca@example.org")
    password = {"password": "una frase larga y tranquila", "confirm": "una frase larga y tranquila"}
    assert app.test_client().post(second, data=password).status_code == 302
    stale = app.test_client().post(first, data=password)
    assert stale.status_code == 404 and "ya no es válido" in stale.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # the team member and her


def test_an_invitation_for_a_defender_who_already_has_an_account_is_refused_clearly(client, make_user, make_defender):
    from app.auth.accounts import create_invitation

    defender = make_defender()
    make_user("defender", defender=defender)
    _invitation, token = create_invitation(email="other@example.org", role="defender", created_by=None,
                                           defender_id=defender.id)
    db.session.commit()
    response = client.post(f"/invitation/{token}", data={"password": "una frase larga y tranquila",
                                                          "confirm": "una frase larga y tranquila"})
    assert response.status_code == 400 and "ya no es válido" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_assisted_form_chooses_no_country_for_her(client, login, team_user):
    login(team_user)
    page = client.get("/interviews/team/assisted").text
    menu = page[page.index('<select id="country"'):]
    menu = menu[:menu.index("</select>")]
    assert menu.split("<option", 2)[1].startswith(' value="">Elige su país')  # first, and nothing else chosen
    assert "selected" not in menu
    response = _create(client, country=None)
    assert response.status_code == 400 and "Elige el país donde vive y trabaja" in response.text
    assert db.session.scalar(select(func.count()).select_from(Defender)) == 0


def test_she_cannot_be_barred_from_her_own_country(client, login, team_user):
    login(team_user)
    response = _create(client, country="GT", barred_countries=["GT", "HN"])
    assert response.status_code == 400 and "no puede ser uno al que no puede entrar" in response.text
    assert db.session.scalar(select(func.count()).select_from(Defender)) == 0
    assert _create(client, country="GT", barred_countries=["HN"]).status_code == 302


def test_nor_in_the_logistics_step(client, login, defender_user):
    from .conftest import logistics_answers

    login(defender_user)  # Ceiba lives in Guatemala
    journey = Journey(client)
    journey.start()
    refused = journey.post("logistics", logistics_answers(barred_countries=["GT"]))
    assert refused.status_code == 400 and "no puede ser uno al que no puede entrar" in refused.text
    assert journey.interview().defender.barred_countries == []
