"""A house team records what happened; a no-show or an early departure frees beds and sessions from that day,
and the freed place is offered to the queue, best fitting first."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.extensions import db
from app.models import Stay, StayAttendance, StayChange, StayRequest

START = dt.date(2027, 2, 1)


def _post(client, stay, **data):
    return client.post(f"/schedule/stays/{stay.id}/attendance",
                       data={"version": str(db.session.get(Stay, stay.id).version), **data})


def test_a_team_records_arrival_then_completion(client, login, sched, clock):
    stay = sched["stay"]
    clock(START)
    login(sched["team"])
    assert _post(client, stay, status="arrived").status_code == 302
    clock(stay.end)
    assert _post(client, stay, status="completed").status_code == 302
    rows = db.session.scalars(select(StayAttendance).order_by(StayAttendance.id)).all()
    assert [r.status for r in rows] == ["arrived", "completed"]
    again = _post(client, stay, status="left_early", day=(START + dt.timedelta(days=3)).isoformat())
    assert again.status_code == 400 and "ya está registrado" in again.text


def test_no_show_frees_the_beds_and_sessions_from_her_first_day(client, login, sched, clock):
    from app.planning import bridge

    stay = sched["stay"]
    clock(START)
    login(sched["team"])
    answer = _post(client, stay, status="no_show")
    assert answer.status_code == 302
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.released_from == START and stay.sessions == []
    change = db.session.scalar(select(StayChange).where(StayChange.kind == "no_show"))
    assert len(change.old["sessions"]) == 3 and change.new["sessions"] == []
    instance = bridge.build_instance(bridge.Settings(horizon_start=START, horizon_days=60))
    assert f"p{stay.id}" not in {s.id for s in instance.locked}  # its beds no longer count
    from app.houses.rules import live_stays, load_of

    assert stay not in live_stays(sched["serena"], START)  # a closure no longer asks about it
    assert load_of(stay).end < START  # the occupancy picture shows her beds free


def test_no_show_before_the_stay_begins_is_refused_and_changes_nothing(client, login, sched, clock):
    clock(START - dt.timedelta(days=2))
    login(sched["team"])
    answer = _post(client, sched["stay"], status="no_show")
    assert answer.status_code == 400 and "aún no empieza" in answer.text
    assert db.session.scalar(select(func.count()).select_from(StayAttendance)) == 0


def test_left_early_drops_sessions_from_that_day_and_refuses_a_day_outside_the_stay(client, login, sched, clock):
    stay = sched["stay"]
    clock(START + dt.timedelta(days=3))
    login(sched["team"])
    outside = _post(client, stay, status="left_early", day=(START + dt.timedelta(days=15)).isoformat())
    assert outside.status_code == 400 and "debe caer después del primer día" in outside.text
    future = _post(client, stay, status="left_early", day=(START + dt.timedelta(days=5)).isoformat())
    assert future.status_code == 400 and "no puede ser futuro" in future.text
    missing = _post(client, stay, status="left_early")
    assert missing.status_code == 400 and "Indica el día" in missing.text
    ok = _post(client, stay, status="left_early", day=(START + dt.timedelta(days=3)).isoformat())
    assert ok.status_code == 302
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert stay.released_from == START + dt.timedelta(days=3)
    assert sorted(s.day for s in stay.sessions) == [START, START + dt.timedelta(days=2)]


def test_a_team_of_another_house_cannot_record_attendance(client, login, sched, make_user, clock):
    clock(START)
    login(make_user("team", house=sched["siguata"]))
    assert _post(client, sched["stay"], status="arrived").status_code == 404


def test_a_cancelled_place_is_offered_to_the_best_fitting_request_and_filled(client, login, sched, make_request,
                                                                              make_defender):
    stay = sched["stay"]
    low = make_request(make_defender(alias="Ceiba Baja"), urgency=0, earliest_start=START,
                       latest_start=START + dt.timedelta(days=30), needs={"emotional": 1})
    barred = make_request(make_defender(alias="Ceiba Vetada", barred_countries=["MX"]), urgency=3,
                          earliest_start=START, latest_start=START + dt.timedelta(days=30))
    login(sched["coordinator"])
    client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": "Se enfermó"})
    home = client.get("/home").text
    assert "Lugares liberados" in home
    freed_part = home[home.index("Lugares liberados"):]
    assert "Ceiba Espera" in freed_part and "Ceiba Baja" in freed_part
    assert freed_part.index("Ceiba Espera") < freed_part.index("Ceiba Baja")  # higher urgency fits best
    assert "Ceiba Vetada" not in freed_part  # she cannot enter Mexico
    waiting = sched["waiting"]
    answer = client.post(f"/schedule/stays/{stay.id}/fill",
                         data={"version": str(db.session.get(Stay, stay.id).version), "request": str(waiting.id),
                               "type": "individual", "start": START.isoformat()})
    assert answer.status_code == 302, answer.text
    db.session.expire_all()
    waiting = db.session.get(StayRequest, waiting.id)
    assert waiting.status == "published" and waiting.stay.house_id == sched["serena"].id
    assert waiting.stay.sessions  # a programme planned by matching's programme step
    assert all(s.slot is not None for s in waiting.stay.sessions)  # and timed in the same step (rule 11)
    assert db.session.scalar(select(StayChange).where(StayChange.kind == "refilled")).stay_id == stay.id
    assert "Ningún lugar liberado." in client.get("/home").text
    twice = client.post(f"/schedule/stays/{stay.id}/fill",
                        data={"version": str(db.session.get(Stay, stay.id).version), "request": str(low.id),
                              "type": "individual", "start": START.isoformat()}, follow_redirects=True)
    assert "Este lugar ya se ocupó." in twice.text
    assert db.session.get(StayRequest, low.id).status == "pending"
    assert barred.status == "pending"


def test_a_second_fill_from_an_older_page_is_refused_and_changes_nothing(client, login, sched):
    stay = sched["stay"]
    login(sched["coordinator"])
    client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(stay.version), "reason": "Se enfermó"})
    seen = str(db.session.get(Stay, stay.id).version)
    waiting = sched["waiting"]
    first = client.post(f"/schedule/stays/{stay.id}/fill", data={"version": seen, "request": str(waiting.id),
                                                                 "type": "individual", "start": START.isoformat()})
    assert first.status_code == 302
    stays = db.session.scalar(select(func.count()).select_from(Stay))
    second = client.post(f"/schedule/stays/{stay.id}/fill", data={"version": seen, "request": str(waiting.id),
                                                                  "type": "individual", "start": START.isoformat()},
                         follow_redirects=True)
    assert "Este lugar cambió mientras tanto" in second.text
    assert db.session.scalar(select(func.count()).select_from(Stay)) == stays
