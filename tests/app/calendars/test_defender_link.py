"""A defender finds her own calendar link on her home page."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from app.extensions import db
from app.models import CalendarToken, User

D = dt.date
FEED = re.compile(r"(/calendar/[A-Za-z0-9_\-]+\.ics)")


def test_a_defender_with_a_published_stay_makes_and_sees_her_link(client, make_user, login, make_house, make_stay):
    stay = make_stay(make_house(), D(2027, 3, 1))
    login(make_user("defender", defender=stay.requests[0].defender))
    page = client.get("/home").text
    assert "Mi calendario" in page
    assert "títulos neutros" in page
    assert 'action="/calendar/mine/create"' in page and "Hacer un enlace de calendario" in page
    assert 'action="/calendar/mine/revoke"' not in page

    response = client.post("/calendar/mine/create")
    assert response.status_code == 200 and FEED.search(response.text), "her new link is shown once"
    assert "Se muestra solo una vez." in response.text and 'href="/home"' in response.text
    with client.session_transaction() as session:
        assert not any(FEED.search(str(m)) for m in session.get("_flashes", [])), "never in her cookie"
    page = client.get("/home").text
    assert 'action="/calendar/mine/revoke"' in page
    again = client.get("/home").text
    assert not FEED.search(again), "the link is not shown a second time"
    assert 'action="/calendar/mine/revoke"' in again


def test_a_defender_without_a_stay_gets_no_button(client, make_user, login):
    login(make_user("defender"))
    page = client.get("/home").text
    assert "/calendar/mine/create" not in page


def test_an_account_with_no_defender_record_gets_no_button(client, make_user, login, make_house, make_stay):
    make_stay(make_house(), D(2027, 3, 1))
    user = make_user("defender")
    user.defender_id = None
    db.session.commit()
    login(user)
    response = client.get("/home")
    assert "/calendar/mine/create" not in response.text
    assert client.post("/calendar/mine/create").status_code == 404
    assert db.session.scalar(select(CalendarToken)) is None
