"""Sign-up is by invitation only: one-time links that expire within 24 hours."""
import datetime as dt

from sqlalchemy import select

from app.auth.accounts import create_invitation
from app.extensions import db
from app.models import Invitation, User


def invite(role="coordinator", **kwargs):
    invitation, token = create_invitation(email=kwargs.pop("email", "new@example.org"), role=role,
                                          created_by=None, **kwargs)
    db.session.commit()
    return invitation, token


def test_an_invitation_creates_the_account_and_logs_her_in(client):
    _invitation, token = invite()
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200 and "new@example.org" in page.text
    response = client.post(f"/invitation/{token}", data={"password": "a garden after rain", "confirm": "a garden after rain"})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert db.session.scalar(User.by_email("new@example.org")).role == "coordinator"


def test_an_invitation_works_once(client):
    _invitation, token = invite()
    client.post(f"/invitation/{token}", data={"password": "a garden after rain", "confirm": "a garden after rain"})
    client.post("/logout")
    again = client.post(f"/invitation/{token}", data={"password": "another garden", "confirm": "another garden"})
    assert again.status_code == 404 and "ya no es válido" in again.text


def test_an_expired_invitation_is_refused(client):
    invitation, token = invite()
    invitation.expires_at = dt.datetime(2020, 1, 1)
    db.session.commit()
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 404
    assert db.session.scalar(User.by_email("new@example.org")) is None


def test_an_invitation_expires_within_24_hours(app):
    invitation, _token = invite()
    assert invitation.expires_at - invitation.created_at <= dt.timedelta(hours=24, seconds=1)


def test_only_the_hash_of_the_token_is_stored(app):
    _invitation, token = invite()
    assert token not in " ".join(str(v) for v in db.session.execute(select(Invitation.__table__)).one())


def test_a_weak_password_is_refused_and_the_invitation_stays_usable(client):
    invitation, token = invite()
    response = client.post(f"/invitation/{token}", data={"password": "short", "confirm": "short"})
    assert response.status_code == 400 and "al menos 8 caracteres" in response.text
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).used_at is None
    assert db.session.scalar(select(User)) is None


def test_a_new_database_has_no_default_admin(app):
    assert db.session.scalar(select(User)) is None


def test_the_first_admin_comes_from_the_cli(runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "First@Example.org",
                                 "--password", "a long first passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role) == ("first@example.org", "admin")


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "a@example.org", "--password", "123456"])
    assert result.exit_code != 0
    assert db.session.scalar(select(User)) is None


def test_an_admin_invites_a_team_member_and_sees_the_link_once(client, make_user, make_house, login):
    admin = make_user("admin")
    house = make_house()
    login(admin)
    response = client.post("/admin/invitations", data={"email": "equipo@example.org", "role": "team",
                                                       "house_id": house.id})
    assert response.status_code == 200 and "/invitation/" in response.text
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.role, invitation.house_id) == ("team", house.id)


def test_a_team_invitation_without_a_house_is_refused(client, make_user, login):
    login(make_user("admin"))
    response = client.post("/admin/invitations", data={"email": "equipo@example.org", "role": "team", "house_id": 0})
    assert response.status_code == 400 and "necesita una casa" in response.text
    assert db.session.scalar(select(Invitation)) is None


def test_only_admins_reach_the_accounts_page(client, make_user, login):
    login(make_user("coordinator"))
    assert client.get("/admin/users").status_code == 404


def test_deactivating_a_user_ends_her_sessions(app, client, make_user, login):
    admin = make_user("admin")
    team = make_user("team")
    other = app.test_client()
    login(team, target=other)
    login(admin)
    assert client.post(f"/admin/users/{team.id}/deactivate").status_code == 302
    assert other.get("/home").status_code == 302


def test_the_accounts_page_names_a_defender_by_her_alias_not_her_email(client, make_user, make_defender, login):
    # her login address can identify her; her identity is shown only through a reveal with a reason
    her = make_user("defender", defender=make_defender(alias="Ceiba Azul"), email="juana.perez@example.org")
    team = make_user("team")
    login(make_user("admin"))
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert her.email not in page.text and "Ceiba Azul" in page.text
    assert team.email in page.text
    assert f"/admin/users/{her.id}/deactivate" in page.text


def test_the_users_page_says_its_column_holds_an_alias_for_a_defender(client, login, make_user, make_defender):
    admin = make_user("admin")
    make_user("defender", defender=make_defender(alias="Guayacán"))
    login(admin)
    page = client.get("/admin/users").text
    assert "Correo electrónico, o alias de la defensora" in page and "Guayacán" in page
