"""Logging in and out, as a person does it through the pages."""
import datetime as dt

from sqlalchemy import func, select

from app.auth.throttle import account_key
from app.extensions import db
from app.models import LoginAttempt, User

HOME = "/home"


def test_a_user_logs_in_and_lands_on_her_home_page(client, make_user, login):
    user = make_user("coordinator")
    response = login(user)
    assert response.location.endswith("/home")
    page = client.get(HOME)
    assert page.status_code == 200 and "Coordinación" in page.text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, make_user):
    user = make_user("team")
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert "El correo o la contraseña no son correctos." in wrong.text
    assert "El correo o la contraseña no son correctos." in unknown.text


def test_the_sixth_failed_login_is_refused_even_with_the_right_password(client, make_user):
    user = make_user("coordinator")
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong guess"}).status_code == 401
    blocked = client.post("/login", data={"email": user.email, "password": "a long and quiet river"})
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.text
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.key == account_key(user.email))) == 5


def test_failures_outside_the_window_do_not_count(client, make_user, login):
    user = make_user("coordinator")
    old = dt.datetime(2020, 1, 1)
    db.session.add_all([LoginAttempt(key=account_key(user.email), at=old) for _ in range(10)])
    db.session.commit()
    login(user)


def test_a_successful_login_clears_the_failures(client, make_user, login):
    user = make_user("coordinator")
    client.post("/login", data={"email": user.email, "password": "wrong guess"})
    login(user)
    # her account's failures go; the client's stays (one account of its own must not reset a sprayer's count)
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.key == account_key(user.email))) == 0


def test_a_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("team", is_active_user=False)
    response = client.post("/login", data={"email": user.email, "password": "a long and quiet river"})
    assert response.status_code == 401


def test_logout_is_a_post_and_the_old_cookie_is_anonymous_afterwards(app, client, make_user, login):
    user = make_user("coordinator")
    login(user)
    assert client.get("/logout").status_code == 405
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="respiro.test").value
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen, domain="respiro.test")
    response = replay.get(HOME)
    assert response.status_code == 302 and "/login" in response.location


def test_logout_without_a_csrf_token_is_refused(client, make_user, login):
    user = make_user("coordinator")
    login(user)
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get(HOME).status_code == 200


def test_next_to_another_site_lands_on_the_home_page(client, make_user):
    user = make_user("coordinator")
    for target in ("https://elsewhere.example/", "//elsewhere.example", "/\\elsewhere.example"):
        response = client.post(f"/login?next={target}",
                               data={"email": user.email, "password": "a long and quiet river"})
        assert response.location.endswith("/home"), target
        client.post("/logout")


def test_next_to_a_local_page_is_followed(client, make_user):
    user = make_user("admin")
    response = client.post("/login?next=/admin/users", data={"email": user.email, "password": "a long and quiet river"})
    assert response.location.endswith("/admin/users")


def test_a_password_change_needs_the_current_one_and_ends_other_sessions(app, client, make_user, login):
    user = make_user("coordinator")
    other = app.test_client()
    login(user)
    login(user, target=other)
    refused = client.post("/account/password", data={"current": "not it", "password": "a brand new passphrase",
                                                     "confirm": "a brand new passphrase"})
    assert refused.status_code == 400 and "La contraseña actual no es correcta." in refused.text
    changed = client.post("/account/password", data={"current": "a long and quiet river",
                                                     "password": "a brand new passphrase",
                                                     "confirm": "a brand new passphrase"})
    assert changed.status_code == 302
    assert client.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 302


def test_a_common_password_is_refused(client, make_user, login):
    user = make_user("coordinator")
    login(user)
    response = client.post("/account/password", data={"current": "a long and quiet river",
                                                      "password": "password123", "confirm": "password123"})
    assert response.status_code == 400 and "muy común" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash
