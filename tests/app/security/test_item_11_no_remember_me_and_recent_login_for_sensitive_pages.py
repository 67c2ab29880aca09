"""Item 11: no remember-me cookie; revealing a real identity (like reading a
whole interview or exporting) needs a login from the last few minutes."""
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent

from tests.conftest import PASSWORD
from .conftest import set_session


def test_item_11_login_sets_no_remember_cookie_and_the_form_offers_none(client, make_user):
    user = make_user("defender")
    assert "remember" not in client.get("/login").text.lower()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert not any("remember_token" in c for c in response.headers.getlist("Set-Cookie"))


def test_item_11_an_old_login_must_confirm_the_password_before_a_reveal(client, make_user, make_defender, login):
    defender = make_defender()
    login(make_user("coordinator"))
    set_session(client, login_at=int(time.time()) - 3600)
    response = client.get(f"/admin/defenders/{defender.id}/reveal")
    assert response.status_code == 302 and "/confirm-password" in response.location
    response = client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": "Need to call her lawyer now"})
    assert response.status_code == 302 and "/confirm-password" in response.location
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    client.post(response.location, data={"password": PASSWORD})
    assert client.get(f"/admin/defenders/{defender.id}/reveal").status_code == 200
