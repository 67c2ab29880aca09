"""Feeds found from outside (issue 14, item 7): scoped to the maker's house, a neutral word the
network sets, opaque UIDs different per feed, and a feed ends with its maker's account."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from .test_feeds import events, link_from

D = dt.date


@pytest.fixture
def two_houses(make_house):
    days = {"individual": 3, "collective": 3, "family": 3}
    return (make_house(name="Casa La Serena", stay_length=days, arrival_weekdays=list(range(7))),
            make_house(name="Casa Siguata", stay_length=days, arrival_weekdays=list(range(7))))


@pytest.fixture
def rosa(make_therapist, two_houses):
    return make_therapist(name="Rosa Ventura", houses=list(two_houses))


@pytest.fixture
def stays(make_stay, two_houses, rosa):
    serena, siguata = two_houses
    return (make_stay(serena, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 0)]),
            make_stay(siguata, D(2027, 4, 1), sessions=[(D(2027, 4, 2), "physical", rosa, 1)]))


def test_a_house_teams_therapist_feed_shows_only_her_sessions_at_that_house(client, make_user, login, two_houses,
                                                                            rosa, stays):
    login(make_user("team", house=two_houses[0]))
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    [session] = events(client.get(url).data)
    assert session.decoded("DTSTART").date() == D(2027, 3, 2)  # Serena's; not Siguata's 2 April


def test_a_coordinators_feed_shows_the_whole_network_and_a_teams_link_does_not_end_it(app, client, make_user, login,
                                                                                     two_houses, rosa, stays):
    login(make_user("coordinator"))
    network = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    team = app.test_client()
    login(make_user("team", house=two_houses[1]), target=team)
    house_link = link_from(team.post(f"/calendar/therapists/{rosa.id}/create"), team)
    assert len(events(client.get(network).data)) == 2
    [only] = events(client.get(house_link).data)
    assert only.decoded("DTSTART").date() == D(2027, 4, 2)


def test_titles_and_the_calendar_name_use_the_networks_word_never_respiro(app, client, make_user, login,
                                                                         two_houses, stays):
    app.config["CALENDAR_WORD"] = "Citas"
    login(make_user("team", house=two_houses[0]))
    body = client.get(link_from(client.post(f"/calendar/houses/{two_houses[0].id}/create"), client)).data
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Citas: estancias"
    assert [str(e["SUMMARY"]) for e in events(body)] == ["Citas: estancia (1 persona)"]
    assert b"respiro" not in body.lower()


def test_event_uids_are_opaque_and_differ_from_feed_to_feed(app, client, make_user, login, two_houses, stays):
    serena_stay = stays[0]
    defender = serena_stay.requests[0].defender
    login(make_user("defender", defender=defender))
    mine = {str(e["UID"]) for e in events(client.get(link_from(client.post("/calendar/mine/create"), client)).data)}
    team = app.test_client()
    login(make_user("team", house=two_houses[0]), target=team)
    house_url = link_from(team.post(f"/calendar/houses/{two_houses[0].id}/create"), team)
    house = {str(e["UID"]) for e in events(team.get(house_url).data)}
    again_url = link_from(team.post(f"/calendar/houses/{two_houses[0].id}/create"), team)  # a new link: new ids
    again = {str(e["UID"]) for e in events(team.get(again_url).data)}
    assert mine and house and again
    assert not mine & house and not house & again
    for uid in mine | house:
        local, _at, domain = uid.partition("@")
        assert re.fullmatch(r"[0-9a-f]{32}", local) and domain == "calendar", uid  # nothing readable


def test_a_feed_ends_with_the_account_of_the_person_who_made_it(app, client, make_user, login, two_houses, rosa,
                                                                stays):
    maker = make_user("team", house=two_houses[0])
    login(maker)
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    assert client.get(url).status_code == 200
    admin = app.test_client()
    login(make_user("admin"), target=admin)
    assert admin.post(f"/admin/users/{maker.id}/deactivate").status_code == 302
    assert app.test_client().get(url).status_code == 404


def test_a_feed_whose_maker_is_inactive_answers_404_even_if_not_revoked(client, make_user, login, two_houses, rosa):
    from app.extensions import db

    maker = make_user("team", house=two_houses[0])
    login(maker)
    url = link_from(client.post(f"/calendar/therapists/{rosa.id}/create"), client)
    maker.is_active_user = False  # not through deactivate(): the feed still checks its maker
    db.session.commit()
    assert client.get(url).status_code == 404
