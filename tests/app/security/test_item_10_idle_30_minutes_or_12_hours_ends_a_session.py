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
