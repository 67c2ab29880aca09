"""A closure over a published stay: listed on the coordinator's home with the broken rule, a run is never
INFEASIBLE because of it, and a repair moves her as little as it can while every other stay stays put."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, PlanningRun, Stay, StayChange

START = dt.date(2027, 2, 1)


def _close(house, first, last):
    from app.houses.rules import ClosureData, save_closure

    save_closure(house, None, ClosureData(first, last, "water"), confirm_replan=True, today=dt.date(2026, 12, 5))
    db.session.commit()


def _snapshot(stay):
    return (stay.house_id, stay.start, stay.end, stay.type, [r.id for r in stay.requests],
            sorted((s.day, s.dimension, s.therapist_id) for s in stay.sessions))


def test_a_flagged_stay_is_listed_on_the_home_page_with_the_broken_rule_in_words(client, login, sched):
    _close(sched["serena"], START, START + dt.timedelta(days=9))
    login(sched["coordinator"])
    home = client.get("/home")
    assert home.status_code == 200
    assert "Estancias publicadas por reparar" in home.text
    assert "Regla 5" in home.text and "Reparar estas estancias" in home.text
    assert db.session.scalar(select(func.count()).select_from(StayChange)) == 0  # a GET writes nothing


def test_a_run_with_a_closure_over_a_published_stay_is_not_infeasible_and_plans_everyone_else(app, sched):
    from app.planning import bridge, jobs, rules

    _close(sched["serena"], START, START + dt.timedelta(days=9))
    settings = bridge.Settings(horizon_start=START - dt.timedelta(days=7), horizon_days=90)
    instance = bridge.build_instance(settings)
    assert f"p{sched['stay'].id}" not in {s.id for s in instance.locked}  # the broken stay is no lock
    assert f"p{sched['other'].id}" in {s.id for s in instance.locked}
    run = rules.start_run(sched["coordinator"], settings, 3)
    db.session.commit()
    jobs.submit(run.id, run.job_id)
    run = jobs.wait(run.id, timeout=60)
    assert run.status == "done"
    assert run.progress.get("solver_status") != "INFEASIBLE" and not run.progress.get("problems")
    placed = {r.id for s in run.stays for r in s.requests}
    assert sched["waiting"].id in placed  # everyone else is still planned
    repair = [s for s in run.stays if s.status == "repair"]
    assert [r.id for s in repair for r in s.requests] == [sched["stay"].requests[0].id]


def test_the_proposal_of_a_run_names_the_repaired_stay_and_leads_to_the_repair(client, login, sched):
    from app.planning import jobs

    _close(sched["serena"], START, START + dt.timedelta(days=9))
    login(sched["coordinator"])
    started = client.post("/schedule/repair", data={"version": "1"})
    run_id = int(started.headers["Location"].rstrip("/").split("/")[-2])
    jobs.wait(run_id, timeout=60)
    page = client.get(f"/planning/runs/{run_id}")
    assert page.status_code == 200
    assert "Reparación de una estancia publicada" in page.text
    assert "Estancias publicadas que esta ejecución volvió a planificar" in page.text
    assert sched["stay"].requests[0].defender.alias in page.text
    assert f"/schedule/runs/{run_id}/repair" in page.text


def test_a_broken_stay_nobody_flagged_is_also_planned_again_not_locked(client, login, sched):
    """A member's country newly barred: nothing flags the stay, validate finds it, the run does not fail."""
    from app.planning import bridge

    other = sched["other"]
    other.requests[0].defender.barred_countries = ["HN"]
    db.session.commit()
    login(sched["coordinator"])
    home = client.get("/home").text
    assert "Regla 4" in home and "Casa La Siguata" in home[home.index("Estancias publicadas por reparar"):]
    instance = bridge.build_instance(bridge.Settings(horizon_start=START - dt.timedelta(days=7), horizon_days=90))
    assert f"p{other.id}" not in {s.id for s in instance.locked}
    assert other.requests[0].spec_id in instance.request_by_id


def test_repair_moves_the_flagged_stay_out_of_the_closure_and_keeps_every_other_stay(client, login, sched):
    stay, other = sched["stay"], sched["other"]
    _close(sched["serena"], START, START + dt.timedelta(days=9))
    before_other = _snapshot(other)
    login(sched["coordinator"])
    started = client.post("/schedule/repair", data={"version": "1"})
    assert started.status_code == 302
    run_id = int(started.headers["Location"].rstrip("/").split("/")[-2])
    from app.planning import jobs

    run = jobs.wait(run_id, timeout=60)
    assert run.status == "done"
    page = client.get(f"/schedule/runs/{run_id}/repair")
    assert page.status_code == 200 and "Aplicar la reparación" in page.text
    applied = client.post(f"/schedule/runs/{run_id}/repair", data={"version": str(run.version)})
    assert applied.status_code == 302, applied.text
    db.session.expire_all()
    stay = db.session.get(Stay, stay.id)
    assert not stay.needs_replan
    assert stay.start > START + dt.timedelta(days=9) or stay.house_id != sched["serena"].id
    assert _snapshot(db.session.get(Stay, other.id)) == before_other
    change = db.session.scalar(select(StayChange).where(StayChange.kind == "repair"))
    assert change.old["start"] == START.isoformat() and change.run_id == run_id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stay.repair")) is not None
    home = client.get("/home").text
    assert "Todas las estancias publicadas cumplen todas las reglas." in home
    again = client.post(f"/schedule/runs/{run_id}/repair", data={"version": str(db.session.get(PlanningRun, run_id).version)})
    assert again.status_code == 400 and "ninguna reparación pendiente" in again.text


def test_repair_with_nothing_flagged_is_refused_with_a_message(client, login, sched):
    login(sched["coordinator"])
    answer = client.post("/schedule/repair", data={"version": "1"}, follow_redirects=True)
    assert "Ninguna estancia publicada necesita reparación." in answer.text
    assert db.session.scalar(select(func.count()).select_from(PlanningRun)) == 0


def test_a_flagged_stay_can_be_cancelled_instead_of_repaired(client, login, sched):
    stay = sched["stay"]
    _close(sched["serena"], START, START + dt.timedelta(days=9))
    login(sched["coordinator"])
    answer = client.post(f"/schedule/stays/{stay.id}/cancel", data={"version": str(db.session.get(Stay, stay.id).version),
                                                                    "reason": "La casa cierra"})
    assert answer.status_code == 302
    assert "Todas las estancias publicadas cumplen todas las reglas." in client.get("/home").text


def test_a_flagged_stay_keeps_its_beds_until_repaired_publishing_over_it_is_refused(client, login, sched):
    """A run plans a flagged stay again, but publishing another stay into its still-held place is refused."""
    from app.models import ProposedStay
    from app.planning import bridge, jobs, rules

    other = sched["other"]  # La Siguata takes one stay at a time
    other.needs_replan, other.replan_reason = True, "request withdrawn"
    db.session.commit()
    run = rules.start_run(sched["coordinator"], bridge.Settings(horizon_start=START, horizon_days=60), 2)
    db.session.commit()
    jobs.submit(run.id, run.job_id)
    run = jobs.wait(run.id, timeout=60)
    waiting = sched["waiting"]
    for s in list(run.stays):
        if waiting in s.requests:
            s.requests.remove(waiting)
    overlap = ProposedStay(run=run, key="by-hand", house_id=sched["siguata"].id, start=other.start,
                           end=other.start + dt.timedelta(days=9), type="individual", status="proposed")
    overlap.requests = [waiting]
    db.session.add(overlap)
    db.session.commit()
    login(sched["coordinator"])
    answer = client.post(f"/planning/runs/{run.id}/publish", data={"version": str(run.version), "stays": [str(overlap.id)]})
    assert answer.status_code == 400 and "Regla 6" in answer.text
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).status == "pending"


def test_a_stay_whose_only_request_was_withdrawn_asks_to_be_cancelled_and_its_place_is_offered(client, login, sched):
    from app.interviews.rules import withdraw

    stay = sched["stay"]
    withdraw(stay.requests[0])
    db.session.commit()
    login(sched["coordinator"])
    home = client.get("/home").text
    assert "Ya no queda nadie en esta estancia" in home
    answer = client.post(f"/schedule/stays/{stay.id}/cancel",
                         data={"version": str(db.session.get(Stay, stay.id).version), "reason": "Retiró su solicitud"})
    assert answer.status_code == 302
    home = client.get("/home").text
    assert "Ya no queda nadie" not in home
    freed = home[home.index("Lugares liberados"):]
    assert "Ceiba Espera" in freed and "Darle este lugar" in freed
