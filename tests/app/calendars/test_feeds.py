"""Private calendar feeds: neutral titles, revocable tokens, scoped creation."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarToken

D = dt.date
FEED = re.compile(r"(/calendar/[A-Za-z0-9_\-]+\.ics)")


@pytest.fixture
def house(make_house):
    return make_house(name="Casa La Serena", stay_length={"individual": 3, "collective": 3, "family": 3},
                      arrival_weekdays=list(range(7)))


@pytest.fixture
def rosa(make_therapist, house):
    return make_therapist(name="Rosa Ventura", houses=[house])


@pytest.fixture
def stay(make_stay, house, rosa, make_therapist):
    marta = make_therapist(name="Marta", houses=[house])
    return make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 0),
                                                     (D(2027, 3, 3), "physical", marta, 1)])


def link_from(response, client) -> str:
    """Read the private link from the page that shows it once (not a flash: it would travel in her cookie)."""
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert "Se muestra solo una vez." in page and "data-copy" in page
    match = FEED.search(page)
    assert match, "the page shows the new link once"
    return match.group(1)


def events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def assert_neutral(body: bytes, *names):
    for event in events(body):
        title = str(event["SUMMARY"])
        assert title.startswith("Agenda: ") and "respiro" not in title.lower()
        for name in names:
            assert name.lower() not in title.lower()
    text = body.decode()
    for name in names:
        assert name not in text


def test_a_therapist_feed_shows_her_sessions_with_neutral_titles(client, make_user, login, house, rosa, stay):
    login(make_user("team", house=house))
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    client.post("/logout")
    response = client.get(url)  # a calendar app has no session
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    [session] = events(response.data)
    assert str(session["SUMMARY"]) == "Agenda: sesión (emocional)"
    assert session.decoded("DTSTART") == dt.datetime(2027, 3, 2, 9, 30, tzinfo=ZoneInfo("America/Mexico_City"))
    assert_neutral(response.data, "Rosa", "Ventura", "Serena", stay.requests[0].defender.alias, "Marta")


def test_session_times_are_the_houses_in_the_networks_zone_not_floating(client, make_user, login, house, rosa, stay,
                                                                        app):
    """A calendar app in another zone shows the house's clock time converted, never as its own local 09:30."""
    house.slot_times = ["08:15", "12:00", "17:00"]
    db.session.commit()
    login(make_user("team", house=house))
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    body = client.get(url).data
    assert b"DTSTART;TZID=America/Mexico_City:20270302T081500" in body
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:America/Mexico_City" in body
    [session] = events(body)
    start = session.decoded("DTSTART")
    assert start.tzinfo is not None and start.astimezone(dt.UTC) == dt.datetime(2027, 3, 2, 14, 15, tzinfo=dt.UTC)
    assert session.decoded("DTEND") - start == dt.timedelta(minutes=60)


def test_a_slot_the_house_has_no_time_for_is_an_all_day_event(client, make_user, login, house, rosa, stay):
    stay.sessions[0].slot = 7
    db.session.commit()
    login(make_user("team", house=house))
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    [session] = events(client.get(url).data)
    assert session.decoded("DTSTART") == dt.date(2027, 3, 2)


def test_a_revoked_or_replaced_link_answers_404(client, make_user, login, house, rosa):
    login(make_user("coordinator"))
    first = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    second = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(f"/calendar/therapists/{rosa.id}/revoke")
    assert client.get(second).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_only_the_hash_of_the_token_is_stored(client, make_user, login, house, rosa):
    login(make_user("coordinator"))
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    raw = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = db.session.scalar(select(CalendarToken))
    assert stored.token_hash != raw and raw not in stored.token_hash and len(stored.token_hash) == 64


def test_a_house_feed_shows_its_stays_without_names(client, make_user, login, house, stay):
    login(make_user("team", house=house))
    url = link_from(client.post(f"/calendar/houses/{house.id}/create"), client)
    response = client.get(url)
    [event] = events(response.data)
    assert str(event["SUMMARY"]) == "Agenda: estancia (1 persona)"
    assert event.decoded("DTSTART") == D(2027, 3, 1) and event.decoded("DTEND") == D(2027, 3, 4)
    assert_neutral(response.data, "Serena", stay.requests[0].defender.alias, "Rosa")


def test_a_defender_feed_shows_her_own_stay_and_sessions(client, make_user, login, house, stay, make_defender):
    defender = stay.requests[0].defender
    login(make_user("defender", defender=defender))
    url = link_from(client.post("/calendar/mine/create"), client)
    response = client.get(url)
    titles = sorted(str(e["SUMMARY"]) for e in events(response.data))
    assert titles == ["Agenda: estancia", "Agenda: sesión", "Agenda: sesión"]
    assert_neutral(response.data, "Serena", defender.alias, "Rosa", "Marta")
    client.post("/calendar/mine/revoke")
    assert client.get(url).status_code == 404


def test_another_defender_feed_does_not_show_her_stay(client, make_user, login, stay):
    login(make_user("defender"))
    url = link_from(client.post("/calendar/mine/create"), client)
    assert events(client.get(url).data) == []


def test_team_of_another_house_cannot_make_or_end_its_links(client, make_user, login, make_house, rosa, house):
    login(make_user("team", house=make_house()))
    for url in (f"/calendar/therapists/{rosa.id}/create", f"/calendar/therapists/{rosa.id}/revoke",
                f"/calendar/houses/{house.id}/create", f"/calendar/houses/{house.id}/revoke",
                "/calendar/mine/create"):
        assert client.post(url).status_code == 404, url
    assert db.session.scalar(select(CalendarToken)) is None


def test_making_a_link_needs_the_form_token(client, make_user, login, house, rosa):
    login(make_user("coordinator"))
    assert client.post(f"/calendar/therapists/{rosa.id}/create", csrf=False).status_code == 400
    assert db.session.scalar(select(CalendarToken)) is None
