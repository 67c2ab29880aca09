"""Each refusal shows its reason in Spanish, keeps what she typed, and changes nothing."""
from __future__ import annotations

import pytest

from app.extensions import db

from .conftest import in_days, logistics_answers


def snapshot(journey) -> tuple:
    stay_request = journey.request()
    defender = stay_request.defender
    return (stay_request.stay_types, stay_request.earliest_start, stay_request.latest_start, stay_request.companions,
            stay_request.food_notes, defender.languages, defender.barred_countries, stay_request.version)


@pytest.mark.parametrize("answers, message", [
    (dict(earliest_start=in_days(40).isoformat(), latest_start=in_days(20).isoformat()),
     "queda antes del primero"),
    (dict(earliest_start=in_days(-5).isoformat(), latest_start=in_days(20).isoformat()), "Esta fecha ya pasó"),
    (dict(type_1="individual", type_2="", companions="2"), "Una estancia individual es solo para ti"),
    (dict(type_1="family", type_2="collective", companions="1"), "Una estancia colectiva se comparte"),
    (dict(type_1="family", type_2="family"), "se puede elegir una sola vez"),
])
def test_an_impossible_request_is_refused_with_its_reason_and_nothing_changes(journey, answers, message):
    journey.start()
    before = snapshot(journey)
    typed = logistics_answers(food_notes="Sin chile, gracias", **answers)
    response = journey.post("logistics", typed)
    assert response.status_code == 400
    assert message in response.text
    assert "Sin chile, gracias" in response.text  # what she typed is still there
    assert snapshot(journey) == before


def test_a_family_stay_with_a_second_defender_is_refused(app, client, login, make_user, make_request, make_defender):
    team = make_user("team")
    other = make_defender(alias="Guayacán")
    make_request(other, status="submitted")
    login(team)
    created = client.post("/interviews/team/assisted", data={
        "alias": "Jacaranda", "country": "MX", "languages": ["es"], "defender_agreed": "y"})
    interview_id = int(created.headers["Location"].split("/interviews/")[1].split("/")[0])
    from .conftest import Journey

    journey = Journey(client)
    journey.interview_id = interview_id
    before = snapshot(journey)
    response = journey.post("logistics", logistics_answers(type_1="family", type_2="", companions="1",
                                                           members=[str(other.id)]))
    assert response.status_code == 400
    assert "Otra defensora no puede sumarse" in response.text
    assert snapshot(journey) == before and journey.request().members == []


def test_a_window_that_passed_since_she_saved_it_is_refused_at_submission(journey):
    journey.start()
    journey.fill_all()
    stay_request = journey.request()
    stay_request.earliest_start = in_days(-3)
    db.session.commit()
    response = journey.submit()
    assert response.status_code == 400 and "Esta fecha ya pasó" in response.text
    assert journey.request().status == "draft"
