"""Item 9: a password change, reset or deactivation ends that user's other sessions."""
from app.auth.accounts import create_invitation
from app.extensions import db

from tests.conftest import PASSWORD


def _logged_in(app, login, user):
    other = app.test_client()
    login(user, target=other)
    assert other.get("/home").status_code == 200
    return other


def test_item_09_a_password_change_ends_her_other_sessions_but_not_this_one(app, client, make_user, login):
    user = make_user("team")
    login(user)
    laptop = _logged_in(app, login, user)
    response = client.post("/account/password", data={"current": PASSWORD, "password": "another calm phrase",
                                                       "confirm": "another calm phrase"})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert laptop.get("/home").status_code == 302


def test_item_09_a_reset_link_ends_her_other_sessions(app, client, make_user, login):
    user = make_user("coordinator")
    laptop = _logged_in(app, login, user)
    _row, token = create_invitation(email=user.email, role=user.role, created_by=None, purpose="reset")
    db.session.commit()
    client.post(f"/invitation/{token}", data={"password": "another calm phrase", "confirm": "another calm phrase"})
    assert laptop.get("/home").status_code == 302


def test_item_09_deactivation_ends_her_sessions(app, client, make_user, login):
    admin = make_user("admin")
    user = make_user("team")
    phone = _logged_in(app, login, user)
    login(admin)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert phone.get("/home").status_code == 302
