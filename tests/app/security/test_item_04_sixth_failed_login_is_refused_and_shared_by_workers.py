"""Item 4: the sixth failed login for one account within the window is refused,
counted in the database so that every worker shares it; an unknown user and a
wrong password get the same answer."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginAttempt, User

from tests.conftest import PASSWORD
from .conftest import without_csrf_tokens


def test_item_04_sixth_failed_login_is_refused_even_with_the_right_password(client, make_user):
    user = make_user("coordinator")
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"}).status_code == 401
    sixth = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert sixth.status_code == 429
    assert "Demasiados intentos" in sixth.text
    assert client.get("/home").status_code == 302  # not logged in


def test_item_04_the_count_is_in_the_database_so_another_worker_refuses_too(app, make_app, make_user):
    email = make_user("team").email
    first_worker = app.test_client()
    for _ in range(5):
        first_worker.post("/login", data={"email": email, "password": "wrong wrong wrong"})
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.key.like("acct:%"))) == 5
    db.session.rollback()  # every SQLite transaction here is BEGIN IMMEDIATE: end ours first
    other = make_app()  # a second gunicorn worker: its own process memory, same database
    with other.app_context():
        answer = other.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 429


def test_item_04_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, make_user):
    user = make_user("admin")
    wrong = client.post("/login", data={"email": user.email, "password": "wrong wrong wrong"})
    unknown = client.post("/login", data={"email": "nadie@example.org", "password": "wrong wrong wrong"})
    assert wrong.status_code == unknown.status_code == 401
    same = lambda r: without_csrf_tokens(r.text).replace(user.email, "E").replace("nadie@example.org", "E")
    assert same(wrong) == same(unknown)


def test_item_04_an_unknown_user_is_throttled_too(client):
    for _ in range(5):
        client.post("/login", data={"email": "nadie@example.org", "password": "wrong wrong wrong"})
    assert client.post("/login", data={"email": "nadie@example.org", "password": "x" * 9}).status_code == 429


def _wrong_then_right(client, url, wrong: dict, right: dict):
    for _ in range(5):
        assert client.post(url, data=wrong).status_code == 400
    return client.post(url, data=right)


def test_item_04_guessing_at_the_password_confirmation_is_throttled_too(client, make_user, login):
    # someone at an unlocked, logged-in screen must not get unlimited guesses at her password
    login(make_user("coordinator"))
    sixth = _wrong_then_right(client, "/confirm-password", {"password": "wrong wrong wrong"}, {"password": PASSWORD})
    assert sixth.status_code == 429 and "Demasiados intentos" in sixth.text


def test_item_04_guessing_at_the_password_change_is_throttled_too(client, make_user, login):
    user = make_user("team")
    before = user.password_hash
    login(user)
    new = {"password": "a brand new phrase", "confirm": "a brand new phrase"}
    sixth = _wrong_then_right(client, "/account/password", dict(new, current="wrong wrong wrong"),
                              dict(new, current=PASSWORD))
    assert sixth.status_code == 429 and "Demasiados intentos" in sixth.text
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_item_04_guesses_at_the_confirmation_count_towards_the_login_limit(app, client, make_user, login):
    user = make_user("admin")
    login(user)
    for _ in range(5):
        client.post("/confirm-password", data={"password": "wrong wrong wrong"})
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
