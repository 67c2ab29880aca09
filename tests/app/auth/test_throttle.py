"""Guessing passwords and codes (issue 14, item 7): throttle keys no input can reach,
throttling by account and by client, slowed not locked, no race, nothing typed kept."""
from __future__ import annotations

import datetime as dt
import threading

import pyotp
from sqlalchemy import func, select

from app.auth import throttle, totp
from app.extensions import db
from app.models import LoginAttempt, User

from tests.conftest import PASSWORD

WRONG = "wrong wrong wrong"


def _ledger() -> list[LoginAttempt]:
    db.session.expire_all()
    return db.session.scalars(select(LoginAttempt)).all()


def _enrolled(user: User) -> str:
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_last_step = 1
    db.session.commit()
    return secret


def test_anonymous_posts_naming_a_two_step_key_lock_nobody_out(client, make_user):
    staff = make_user("coordinator")
    secret = _enrolled(staff)
    for _ in range(8):
        response = client.post("/login", data={"email": f"totp:{staff.id}", "password": WRONG})
        assert response.status_code == 400
        assert "Por favor, escribe un correo electrónico válido." in response.text
    assert _ledger() == []
    # her own login and code still work
    assert client.post("/login", data={"email": staff.email, "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert totp.check_code(db.session.get(User, staff.id), pyotp.TOTP(secret).now()) is True


def test_no_typed_address_can_name_another_key(app, client, make_user):
    user = make_user("coordinator")
    for typed in (f"totp:{user.id}@x.org", throttle.account_key(user.email) + "@x.org"):
        client.post("/login", data={"email": typed, "password": WRONG})
    keys = {row.key for row in _ledger()}
    assert all(key.startswith(("acct:", "client:")) for key in keys)
    assert throttle.account_key(user.email) not in keys and throttle.totp_key(user.id) not in keys


def test_spraying_one_password_across_many_accounts_stops_at_the_client_limit(app, client, make_user):
    limit = app.config["LOGIN_CLIENT_LIMIT"]
    for n in range(limit):
        assert client.post("/login", data={"email": f"someone{n}@example.org", "password": WRONG}).status_code == 401
    fresh = make_user("team")
    assert client.post("/login", data={"email": fresh.email, "password": WRONG}).status_code == 429
    # she, from another client, is not refused
    other = app.test_client()
    response = other.post("/login", data={"email": fresh.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302


def test_after_five_wrong_guesses_her_right_password_opens_once_the_short_slowdown_has_passed(app, client, make_user):
    user = make_user("defender")
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": WRONG}).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    # a minute later (not fifteen): the slowdown is over, her password opens
    for row in _ledger():  # (in Python: SQLite cannot subtract an interval from a stored datetime)
        row.at -= app.config["LOGIN_SLOWDOWN_MAX"]
    db.session.commit()
    assert throttle.failures(throttle.account_key(user.email))[0] == 5  # still in the window: slowed, not forgotten
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert not any(row.key == throttle.account_key(user.email) for row in _ledger())


def test_concurrent_guesses_never_check_more_than_the_limit(app, make_app, make_user):
    email = make_user("coordinator").email
    db.session.commit()
    db.session.remove()
    start, answers = threading.Barrier(10), []

    def guess():
        worker = make_app()
        with worker.app_context():
            client = worker.test_client()
            token = client.csrf_token()
            start.wait()
            response = client.post("/login", data={"email": email, "password": WRONG, "csrf_token": token})
            answers.append(response.status_code)

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [401] * 5 + [429] * 5


def test_failures_older_than_the_window_are_purged(app, client, make_user):
    user = make_user("team")
    old = dt.datetime(2020, 1, 1)
    db.session.add_all([LoginAttempt(key=throttle.account_key(user.email), at=old) for _ in range(3)])
    db.session.commit()
    client.post("/login", data={"email": "nobody@example.org", "password": WRONG})
    assert all(row.at > old for row in _ledger())
    assert len(_ledger()) == 2  # this attempt's account row and client row


def test_an_address_with_no_account_is_not_kept(client):
    client.post("/login", data={"email": "Mi.Correo.Personal@example.org", "password": WRONG})
    rows = _ledger()
    assert rows
    assert not any("correo" in row.key.lower() or "example" in row.key for row in rows)


def test_two_step_codes_have_their_own_limit_under_their_own_key(app, make_user):
    user = make_user("admin")
    _enrolled(user)
    for _ in range(5):
        assert totp.check_code(user, "000000", now=1_000_000_000) is False
    db.session.commit()
    assert {row.key for row in _ledger()} == {f"totp:{user.id}"}
    try:
        totp.check_code(user, "000000", now=1_000_000_000)
    except totp.TotpThrottled:
        pass
    else:
        raise AssertionError("the sixth wrong code was checked")
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 5
