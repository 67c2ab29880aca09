"""A therapist falls ill: unavailable from a day even with published sessions; a programme repair gives her
sessions to other therapists where they can, otherwise fewer sessions, each shown. Stays are untouched."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.extensions import db
from app.models import Availability, Stay, StayChange

START = dt.date(2027, 2, 1)


def _programme(stay_id):
    stay = db.session.get(Stay, stay_id)
    return sorted((s.day, s.dimension, s.therapist_id) for s in stay.sessions)


def test_replace_ill_therapist_sessions_go_to_another_therapist_and_the_stay_is_untouched(client, login, sched):
    stay, rosa, lucia = sched["stay"], sched["rosa"], sched["lucia"]
    first = START + dt.timedelta(days=1)
    login(sched["coordinator"])
    preview = client.get(f"/schedule/therapists/{rosa.id}/unavailable?first={first.isoformat()}")
    assert preview.status_code == 200
    assert "Sesiones publicadas afectadas" in preview.text and "3 feb 2027" in preview.text
    assert "1 feb 2027 · Emocional" not in preview.text  # the session before that day is not affected
    unconfirmed = client.post(f"/schedule/therapists/{rosa.id}/unavailable", data={"first": first.isoformat()})
    assert unconfirmed.status_code == 400 and "Confirma que leíste" in unconfirmed.text
    assert db.session.scalar(select(func.count()).select_from(StayChange)) == 0
    answer = client.post(f"/schedule/therapists/{rosa.id}/unavailable", data={"first": first.isoformat(), "confirm": "y"})
    assert answer.status_code == 200, answer.text
    assert "Sesiones dadas en su lugar" in answer.text and "Lucía Pérez" in answer.text
    db.session.expire_all()
    assert all(t != rosa.id for d, _, t in _programme(stay.id) if d >= first)
    assert len(_programme(stay.id)) == 3 and (START, "emotional", rosa.id) in _programme(stay.id)
    assert {t for d, _, t in _programme(stay.id) if d >= first} == {lucia.id}
    s = db.session.get(Stay, stay.id)
    assert (s.house_id, s.start, s.end) == (sched["serena"].id, START, START + dt.timedelta(days=9))
    ranges = db.session.scalars(select(Availability).where(Availability.therapist_id == rosa.id)).all()
    assert [(a.start, a.end) for a in ranges] == [(dt.date(2027, 1, 1), START)]
    change = db.session.scalar(select(StayChange).where(StayChange.kind == "programme_repair"))
    assert change.stay_id == stay.id and "no está disponible" in change.reason


def test_replace_therapist_when_nobody_else_can_gives_fewer_sessions_each_shown(client, login, sched):
    stay, rosa, lucia = sched["stay"], sched["rosa"], sched["lucia"]
    lucia.houses = [sched["siguata"]]
    db.session.commit()
    first = START + dt.timedelta(days=1)
    login(sched["coordinator"])
    answer = client.post(f"/schedule/therapists/{rosa.id}/unavailable", data={"first": first.isoformat(), "confirm": "y"})
    assert answer.status_code == 200
    assert "Sesiones quitadas" in answer.text and "Ninguna: menos sesiones" in answer.text
    db.session.expire_all()
    assert _programme(stay.id) == [(START, "emotional", rosa.id)]


def test_unavailable_from_a_past_day_is_refused_and_changes_nothing(client, login, sched):
    rosa = sched["rosa"]
    login(sched["coordinator"])
    answer = client.post(f"/schedule/therapists/{rosa.id}/unavailable", data={"first": "2026-01-01", "confirm": "y"})
    assert answer.status_code == 400 and "no puede haber pasado" in answer.text
    db.session.expire_all()
    assert [(a.start, a.end) for a in db.session.get(type(rosa), rosa.id).availability] == [
        (dt.date(2027, 1, 1), dt.date(2027, 12, 31))]


def test_the_network_page_leads_to_the_illness_flow_and_teams_cannot_use_it(client, login, sched):
    rosa = sched["rosa"]
    login(sched["coordinator"])
    assert f"/schedule/therapists/{rosa.id}/unavailable" in client.get(f"/network/{rosa.id}").text
    assert client.get(f"/schedule/therapists/{rosa.id}/unavailable").status_code == 200
    assert client.get("/schedule/therapists/99999/unavailable").status_code == 404
    client.post("/logout")
    login(sched["team"])
    assert client.get(f"/schedule/therapists/{rosa.id}/unavailable").status_code == 404
