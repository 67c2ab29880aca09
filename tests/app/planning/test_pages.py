"""A coordinator reads the queue, starts a run, reads the proposal; nobody else sees any of it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, House, PlanningRun, ProposedStay, StayRequest

from .conftest import START


def start_run(client, world, **fields):
    data = {"horizon_start": START.isoformat(), "horizon_days": "90", "time_limit": "2",
            "houses": [str(h.id) for h in world["houses"]], "serve": "10000", "wait": "10", "type_rank": "100",
            "away": "200", "session": "20", "switch": "5", "urgency_0": "1", "urgency_1": "2", "urgency_2": "4",
            "urgency_3": "8"}
    data.update(fields)
    return client.post("/planning/runs/new", data=data)


def test_the_queue_shows_pending_requests_with_imminent_risk_standing_out(client, login, world):
    login(world["coordinator"])
    page = client.get("/planning/")
    assert page.status_code == 200
    text = page.text
    for req in world["requests"]:
        assert req.defender.alias in text
    assert "queue__row--imminent" in text and "Riesgo inminente" in text
    only_high = client.get("/planning/?urgency=3")
    assert world["requests"][0].defender.alias in only_high.text
    assert world["requests"][1].defender.alias not in only_high.text
    assert client.get("/planning/?sort=window&language=es&stay_type=individual").status_code == 200


def test_the_run_form_shows_the_default_weights_and_explains_them(client, login, world):
    login(world["coordinator"])
    page = client.get("/planning/runs/new").text
    assert 'value="10000"' in page and 'value="200"' in page
    assert "Puntos por cada defensora que recibe una estancia" in page


def test_a_run_goes_from_the_form_to_a_proposal(client, login, world):
    login(world["coordinator"])
    response = start_run(client, world)
    assert response.status_code == 302
    run = db.session.scalars(select(PlanningRun)).one()
    assert run.status == "done" and run.objective and run.created_by_id == world["coordinator"].id
    page = client.get(response.location)
    assert page.status_code == 200
    assert "<svg" in page.text and "Casa La Serena" in page.text
    assert "Defensoras atendidas por urgencia" in page.text
    history = client.get("/planning/runs")
    assert f"Corrida {run.id}" in history.text


def test_a_refused_run_form_keeps_what_she_typed_and_saves_nothing(client, login, world):
    login(world["coordinator"])
    response = start_run(client, world, horizon_days="3", wait="17")
    assert response.status_code == 400
    assert 'value="17"' in response.text
    assert db.session.scalar(select(func.count(PlanningRun.id))) == 0


def test_declining_a_request_gives_her_the_reason(client, login, world):
    login(world["coordinator"])
    req = world["requests"][3]
    empty = client.post(f"/planning/requests/{req.id}/decline", data={"reason": "  ", "version": req.version})
    assert empty.status_code == 400 and "Escribe el motivo" in empty.text
    db.session.refresh(req)
    assert req.status == "pending"
    done = client.post(f"/planning/requests/{req.id}/decline",
                       data={"reason": "No hay lugar este año.", "version": req.version})
    assert done.status_code == 302
    db.session.refresh(req)
    assert req.status == "declined" and req.decline_reason == "No hay lugar este año."


def test_exports_are_audited(client, login, world):
    login(world["coordinator"])
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    for path in (f"/planning/runs/{run.id}/instance.json", f"/planning/runs/{run.id}/solution.json",
                 f"/planning/runs/{run.id}/schedule.csv", "/planning/schedule.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "attachment" in response.headers["Content-Disposition"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "planning.export")) == 4


def test_exports_need_a_recent_login(app, client, login, world):
    login(world["coordinator"])
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    with client.session_transaction() as session:
        session["login_at"] -= 3600
    response = client.get(f"/planning/runs/{run.id}/instance.json")
    assert response.status_code == 302 and "confirm-password" in response.location


@pytest.mark.parametrize("role", ["defender", "team", None])
def test_nobody_but_coordinators_sees_planning(client, login, world, make_user, role):
    login(world["coordinator"])
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    stay = db.session.scalars(select(ProposedStay)).first()
    session = stay.sessions[0]
    req = world["requests"][0]
    client.post("/logout")
    if role:
        login(make_user(role))
    gets = ["/planning/", "/planning/runs", "/planning/runs/new", f"/planning/runs/{run.id}",
            f"/planning/runs/{run.id}/stays/{stay.id}/edit", f"/planning/requests/{req.id}/decline",
            f"/planning/runs/{run.id}/instance.json", f"/planning/runs/{run.id}/solution.json",
            f"/planning/runs/{run.id}/schedule.csv", "/planning/schedule.csv"]
    posts = [f"/planning/runs/{run.id}/cancel", f"/planning/runs/{run.id}/rerun",
             f"/planning/runs/{run.id}/stays/{stay.id}/lock", f"/planning/runs/{run.id}/publish",
             f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}",
             f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}/remove",
             f"/planning/runs/{run.id}/stays/{stay.id}/sessions", "/planning/runs/new",
             f"/planning/requests/{req.id}/decline"]
    for path in gets:
        response = client.get(path)
        assert response.status_code == (404 if role else 302), path
    for path in posts:
        response = client.post(path, data={"version": "1"})
        assert response.status_code == (404 if role else 302), path
    db.session.refresh(stay)
    assert not stay.locked and stay.status == "proposed"
    assert db.session.scalar(select(func.count(PlanningRun.id))) == 1
    assert db.session.get(StayRequest, req.id).status == "pending"


def test_a_run_of_another_id_is_not_found(client, login, world):
    login(world["coordinator"])
    assert client.get("/planning/runs/999").status_code == 404
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    assert client.get(f"/planning/runs/{run.id}/stays/999/edit").status_code == 404


def test_a_run_without_a_stored_instance_answers_404_not_500(client, make_user, login, make_house):
    from app.models import PlanningRun, ProposedStay

    house = make_house()
    run = PlanningRun(status="done", horizon_start=dt.date(2027, 2, 1), horizon_days=30, house_ids=[house.id])
    run.stays.append(ProposedStay(key="s1", house_id=house.id, start=dt.date(2027, 2, 1), end=dt.date(2027, 2, 10),
                                  type="individual"))
    db.session.add(run)
    db.session.commit()
    login(make_user("coordinator"))
    stay = run.stays[0]
    assert client.get(f"/planning/runs/{run.id}/stays/{stay.id}/edit").status_code == 404
    assert client.get(f"/planning/runs/{run.id}/solution.json").status_code == 404


@pytest.mark.parametrize("first_day", ["9999-12-30", "0001-01-01"])
def test_a_horizon_off_the_calendar_is_refused_in_her_language(client, login, world, first_day):
    login(world["coordinator"])
    response = start_run(client, world, horizon_start=first_day, horizon_days="7")
    assert response.status_code == 400
    assert "El periodo debe quedar entre" in response.text
    assert db.session.scalar(select(func.count(PlanningRun.id))) == 0


def test_the_schedule_csv_speaks_her_language_with_a_bom_and_json_keeps_the_codes(client, login, world):
    login(world["coordinator"])
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    stay = db.session.scalars(select(ProposedStay).order_by(ProposedStay.start)).first()
    stay.requests[0].defender.alias = "Xóchitl"
    db.session.commit()
    raw = client.get(f"/planning/runs/{run.id}/schedule.csv")
    assert raw.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.data.startswith("\ufeff".encode("utf-8"))
    text = raw.data.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header == "Estancia,Casa,Tipo,Primer día,Último día,Estado,Defensoras,Día de la sesión,Dimensión,Terapeuta"
    assert "Xóchitl" in text and "Propuesta" in text
    assert "individual" not in text.replace("Individual", "") and "emotional" not in text and "s1," not in text
    assert first.startswith(f'"{stay_name_es(stay)}"') or first.startswith(stay_name_es(stay))
    data = client.get(f"/planning/runs/{run.id}/schedule.json").get_json()
    kinds = {s["type"] for s in data["stays"]}
    assert kinds <= {"individual", "collective", "family"} and data["stays"][0]["status"] == "proposed"
    assert client.get(f"/planning/runs/{run.id}/schedule.csv?lang=en").data.decode("utf-8-sig").startswith(
        "Stay,House,Type,First day")


def stay_name_es(stay) -> str:
    from babel.dates import format_date

    kind = {"individual": "Individual", "collective": "Colectiva", "family": "Familiar"}[stay.type]
    return f"{kind}, {format_date(stay.start, 'medium', locale='es')}, {stay.house.name}"


def test_gantt_bars_say_type_and_people_never_a_name_and_link_to_their_row(client, login, world):
    import re

    login(world["coordinator"])
    start_run(client, world)
    run = db.session.scalars(select(PlanningRun)).one()
    page = client.get(f"/planning/runs/{run.id}").text
    labels = re.findall(r'<text [^>]*class="gantt__label"[^>]*>([^<]*)</text>', page)
    assert labels and all(re.fullmatch(r"(Individual|Colectiva|Familiar) · \d+|[ICF]·\d+", t) for t in labels)
    aliases = {d.alias for r in world["requests"] for d in [r.defender]}
    assert not any(a in t for a in aliases for t in labels)
    stay = db.session.scalars(select(ProposedStay).order_by(ProposedStay.start)).first()
    assert f'#stay-{stay.id}"' in page and f'id="stay-{stay.id}"' in client.get(
        f"/planning/runs/{run.id}?house={stay.house.code}&month={stay.start:%Y-%m}").text


def test_the_run_form_says_how_many_ready_requests_fall_outside_the_period(client, login, world):
    import datetime as dt

    from app.planning.period import outside
    from app.models import local_today

    login(world["coordinator"])
    ready = db.session.scalars(select(StayRequest).where(StayRequest.status == "pending")).all()
    houses = db.session.scalars(select(House)).all()
    today = local_today()
    far = today + dt.timedelta(days=3000)
    counted = outside(ready, houses, far, 30)
    assert counted.before == len(ready) and counted.after == 0
    soon = outside(ready, houses, today - dt.timedelta(days=400), 7)
    assert soon.total == len(ready)
    answer = client.get(f"/planning/runs/period?start={far.isoformat()}&days=30").get_json()
    assert answer["before"] == len(ready) and "fall outside this period" not in answer["sentence"]
    assert "quedan fuera de este periodo" in answer["sentence"] or "queda fuera de este periodo" in answer["sentence"]
    assert client.get("/planning/runs/period?start=nope&days=30").status_code == 400
    page = client.get("/planning/runs/new").text
    assert 'id="period-check"' in page


def test_shortest_stay_and_the_period_edge_by_hand(world):
    import datetime as dt
    from types import SimpleNamespace as R

    from app.planning.period import outside

    house = R(stay_length={"individual": 10, "collective": 10, "family": 7})
    start = dt.date(2027, 3, 1)  # the period is 1-30 March
    fits = R(earliest_start=dt.date(2027, 3, 21), latest_start=dt.date(2027, 4, 1), stay_types=["individual"])
    late = R(earliest_start=dt.date(2027, 3, 22), latest_start=dt.date(2027, 4, 1), stay_types=["individual"])
    family = R(earliest_start=dt.date(2027, 3, 22), latest_start=dt.date(2027, 4, 1), stay_types=["family"])
    gone = R(earliest_start=dt.date(2027, 2, 1), latest_start=dt.date(2027, 2, 28), stay_types=["individual"])
    assert outside([fits], [house], start, 30).total == 0       # 21-30 March: the last day is the period's last
    assert outside([late], [house], start, 30).after == 1       # 22 March + 10 days ends on 31 March
    assert outside([family], [house], start, 30).total == 0     # a family stay of 7 days still fits
    assert outside([gone], [house], start, 30).before == 1


def test_one_word_for_the_arrival_window_on_every_page(client, login, world):
    login(world["coordinator"])
    queue = client.get("/planning/").text
    assert "Llegada entre" in queue and "Fechas posibles" not in queue
