"""Item 10: 30 minutes idle or 12 hours in total ends a session."""
import time

from .conftest import set_session


def test_item_10_thirty_one_minutes_idle_ends_the_session(client, make_user, login):
    login(make_user("defender"))
    set_session(client, seen_at=int(time.time()) - 31 * 60)
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location


def test_item_10_twenty_nine_minutes_idle_keeps_it(client, make_user, login):
    login(make_user("defender"))
    set_session(client, seen_at=int(time.time()) - 29 * 60)
    assert client.get("/home").status_code == 200


def test_item_10_twelve_hours_in_total_ends_it_even_when_active(client, make_user, login):
    login(make_user("coordinator"))
    set_session(client, login_at=int(time.time()) - 12 * 3600 - 60, seen_at=int(time.time()))
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location


def test_item_10_the_limits_are_30_minutes_and_12_hours(app):
    assert app.config["SESSION_IDLE_TIMEOUT"].total_seconds() == 30 * 60
    assert app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() == 12 * 3600


def test_item_10_confirming_the_password_does_not_stretch_the_twelve_hours(client, make_user, login, monkeypatch):
    from types import SimpleNamespace

    from app.security import sessions
    from tests.conftest import PASSWORD

    login(make_user("coordinator"))
    now = int(time.time())
    set_session(client, login_at=now - 11 * 3600 - 30 * 60, seen_at=now)
    assert client.post("/confirm-password", data={"password": PASSWORD}).status_code == 302
    later = now + 3600  # an hour on, active all along: 12 h 30 min since she logged in
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: later))
    set_session(client, seen_at=later - 60)
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location


def test_item_10_changing_the_password_does_not_stretch_the_twelve_hours(client, make_user, login, monkeypatch):
    from types import SimpleNamespace

    from app.security import sessions
    from tests.conftest import PASSWORD

    login(make_user("team"))
    now = int(time.time())
    set_session(client, login_at=now - 11 * 3600 - 30 * 60, seen_at=now)
    changed = client.post("/account/password", data={"current": PASSWORD, "password": "a brand new phrase",
                                                      "confirm": "a brand new phrase"})
    assert changed.status_code == 302
    assert client.get("/home").status_code == 200  # she stays logged in on this device
    later = now + 3600
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: later))
    set_session(client, seen_at=later - 60)
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location
