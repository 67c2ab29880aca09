"""Locking, editing by hand, re-planning and publishing a proposal."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Closure, PlanningRun, ProposedStay, Session, Stay, StayRequest, User
from app.planning import bridge, jobs, rules

from .conftest import START


def plan(user, settings, time_limit=2) -> PlanningRun:
    run = rules.start_run(user, settings, time_limit)
    run_id = run.id
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    return db.session.get(PlanningRun, run_id)


def snapshot(stay: ProposedStay) -> tuple:
    db.session.refresh(stay)
    return (stay.house_id, stay.start, stay.end, stay.type, stay.version,
            tuple((s.dimension, s.day, s.therapist_id) for s in stay.sessions))


@pytest.fixture
def proposal(world, settings, client, login):
    serena = world["houses"][0]
    serena.closures.append(Closure(start=START + dt.timedelta(days=45), end=START + dt.timedelta(days=50), reason="water"))
    db.session.commit()
    run = plan(world["coordinator"], settings)
    assert run.status == "done", run.error
    login(world["coordinator"])
    barred = world["requests"][3]
    stay = next(s for s in run.stays if barred in s.requests)
    return {"run": run, "stay": stay, "barred": barred, **world}


def edit(client, proposal, **fields):
    run, stay = proposal["run"], proposal["stay"]
    data = {"version": stay.version, "house": stay.house_id, "start": stay.start.isoformat(), "type": stay.type,
            "keep_programme": "y"}
    data.update(fields)
    return client.post(f"/planning/runs/{run.id}/stays/{stay.id}/edit", data=data)


@pytest.mark.parametrize("change, rule", [
    (lambda p: {"start": (p["barred"].latest_start + dt.timedelta(days=3)).isoformat()}, "Regla 4"),
    (lambda p: {"start": (START + dt.timedelta(days=44)).isoformat()}, "Regla 5"),
    (lambda p: {"house": p["houses"][1].id}, "Regla 4"),
    (lambda p: {"type": "collective"}, "Regla 2"),
], ids=["outside her window", "into a closure", "to a country she cannot enter", "a type she did not ask for"])
def test_an_edit_that_breaks_a_rule_is_refused_naming_the_rule(client, proposal, change, rule):
    before = snapshot(proposal["stay"])
    objective = proposal["run"].objective
    response = edit(client, proposal, **change(proposal))
    assert response.status_code == 400
    assert rule in response.text and "no se guardó" in response.text
    assert snapshot(proposal["stay"]) == before
    db.session.refresh(proposal["run"])
    assert proposal["run"].objective == objective


def test_a_therapist_who_does_not_work_at_the_house_cannot_take_a_session(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    marta = proposal["therapists"][2]  # only at La Siguata
    session = stay.sessions[0]
    before = snapshot(stay)
    response = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}",
                           data={f"s{session.id}-version": stay.version, f"s{session.id}-therapist": marta.id})
    assert response.status_code == 400 and "Regla 7" in response.text
    assert snapshot(stay) == before


def test_a_session_she_does_not_need_is_refused(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    lucia = proposal["therapists"][1]
    before = snapshot(stay)
    response = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions",
                           data={"version": stay.version, "dimension": "mental", "day": stay.start.isoformat(),
                                 "therapist": lucia.id, "slot": 3})
    assert response.status_code == 400 and "Regla 8" in response.text
    assert snapshot(stay) == before


def test_an_overbooking_edit_is_refused(client, proposal, world):
    run = proposal["run"]
    others = [s for s in run.stays if s.house_id == world["houses"][1].id]
    if not others:
        pytest.skip("the plan put nobody at La Siguata")
    target = others[0]
    mover = next((s for s in run.stays if s.house_id != target.house_id and s is not proposal["stay"]
                  and world["houses"][1].country not in (s.requests[0].defender.barred_countries or [])), None)
    if mover is None:
        pytest.skip("no stay to move")
    before = snapshot(mover)
    response = client.post(f"/planning/runs/{run.id}/stays/{mover.id}/edit",
                           data={"version": mover.version, "house": target.house_id, "start": target.start.isoformat(),
                                 "type": mover.type})
    assert response.status_code == 400 and "Regla" in response.text
    assert snapshot(mover) == before


def test_a_valid_edit_is_saved_and_rescored(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    new_start = stay.start + dt.timedelta(days=1)
    if new_start > proposal["barred"].latest_start:
        new_start = stay.start - dt.timedelta(days=1)
    response = edit(client, proposal, start=new_start.isoformat())
    assert response.status_code == 302, response.text
    db.session.refresh(stay)
    db.session.refresh(run)
    assert stay.start == new_start
    instance = bridge.instance_from_json(run.instance_json)
    assert run.objective == bridge.score(instance, bridge.proposal_solution(run, instance)).total
    assert not bridge.validate(instance, bridge.proposal_solution(run, instance))


def test_an_edit_from_an_old_page_is_a_conflict(client, proposal):
    stay = proposal["stay"]
    before = snapshot(stay)
    response = edit(client, proposal, version=stay.version - 1 if stay.version > 1 else 99)
    assert response.status_code == 409
    assert snapshot(stay) == before


def test_a_locked_stay_survives_a_re_plan_unchanged(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    assert client.post(f"/planning/runs/{run.id}/stays/{stay.id}/lock", data={"version": stay.version}).status_code == 302
    db.session.refresh(stay)
    assert stay.locked
    refused = edit(client, proposal)
    assert refused.status_code == 400 and "fijada" in refused.text
    response = client.post(f"/planning/runs/{run.id}/rerun", data={"version": run.version})
    assert response.status_code == 302
    new = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    assert new.id != run.id and new.status == "done"
    kept = [s for s in new.stays if s.locked]
    assert len(kept) == 1
    assert bridge.spec_stay(kept[0]).sessions == bridge.spec_stay(stay).sessions
    assert (kept[0].house_id, kept[0].start, kept[0].type, kept[0].requests) == (
        stay.house_id, stay.start, stay.type, stay.requests)


def test_publishing_makes_stays_and_sessions_people_can_see(client, proposal):
    run = proposal["run"]
    chosen = [s.id for s in run.stays]
    response = client.post(f"/planning/runs/{run.id}/publish", data={"version": run.version, "stays": chosen})
    assert response.status_code == 302
    stays = db.session.scalars(select(Stay)).all()
    assert len(stays) == len(chosen)
    assert db.session.scalar(select(func.count(Session.id))) == sum(len(s.sessions) for s in run.stays)
    for stay in stays:
        assert all(r.status == "published" and r.stay_id == stay.id for r in stay.requests)
    db.session.refresh(run)
    assert run.status == "published" and run.published_by_id == proposal["coordinator"].id
    again = client.post(f"/planning/runs/{run.id}/publish", data={"version": run.version, "stays": chosen})
    assert again.status_code == 409


def test_a_stale_run_cannot_be_published(client, proposal):
    run = proposal["run"]
    proposal["requests"][1].latest_start += dt.timedelta(days=2)
    db.session.commit()
    response = client.post(f"/planning/runs/{run.id}/publish",
                           data={"version": run.version, "stays": [s.id for s in run.stays]})
    assert response.status_code == 303
    page = client.get(response.location)
    assert "Desactualizada" in page.text
    db.session.refresh(run)
    assert run.stale and run.status == "done"
    assert db.session.scalar(select(func.count(Stay.id))) == 0


def test_a_run_whose_data_changed_while_it_ran_finishes_stale(world, settings):
    run = rules.start_run(world["coordinator"], settings, 1)
    run_id = run.id
    db.session.commit()
    world["requests"][0].urgency = 2
    db.session.commit()
    jobs.execute_run(current_app._get_current_object(), run_id)
    run = db.session.get(PlanningRun, run_id)
    assert run.status == "done" and run.stale
    with pytest.raises(rules.StaleRun):
        rules.publish(world["coordinator"], run, {s.id for s in run.stays})


def test_two_coordinators_approving_at_once_cannot_overbook(app, world, settings, make_user):
    first = plan(world["coordinator"], settings)
    second = plan(make_user("coordinator"), settings)
    ids = [(first.id, first.created_by_id), (second.id, second.created_by_id)]
    db.session.commit()
    barrier = threading.Barrier(2)
    results = []

    def approve(run_id, user_id):
        with app.app_context():
            run = db.session.get(PlanningRun, run_id)
            user = db.session.get(User, user_id)
            chosen = {s.id for s in run.stays}
            db.session.commit()
            barrier.wait()
            try:
                rules.publish(user, run, chosen)
                db.session.commit()
                results.append(("won", run_id))
            except (rules.StaleRun, rules.NotInThatState, rules.Refused):
                db.session.rollback()
                results.append(("lost", run_id))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=pair) for pair in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r for r, _ in results) == ["lost", "won"]
    winner = next(run_id for r, run_id in results if r == "won")
    stays = db.session.scalars(select(Stay)).all()
    assert stays and {s.run_id for s in stays} == {winner}
    published = db.session.scalars(select(StayRequest).where(StayRequest.status == "published")).all()
    assert len(published) == sum(len(s.requests) for s in stays)


def test_a_re_plan_of_unchanged_data_keeps_every_stay_where_it_was(client, proposal):
    run = proposal["run"]
    response = client.post(f"/planning/runs/{run.id}/rerun", data={"version": run.version})
    assert response.status_code == 302
    new = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    assert new.hint_run_id == run.id and new.status == "done"

    def placed(r):
        return sorted((s.house_id, s.start, s.type, tuple(q.id for q in s.requests)) for s in r.stays)

    assert placed(new) == placed(run)


def test_moving_a_stay_to_a_day_past_the_calendar_is_refused_in_her_language(client, proposal):
    before = snapshot(proposal["stay"])
    response = edit(client, proposal, start="9999-12-31")
    assert response.status_code == 400
    assert "Regla 5" in response.text and "no se guardó" in response.text
    assert snapshot(proposal["stay"]) == before


def test_a_programme_edit_from_an_old_page_is_a_conflict(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    rosa, lucia = proposal["therapists"][:2]
    session = next(s for s in stay.sessions if s.dimension == "emotional")
    seen = stay.version  # both coordinators opened the stay at this version
    first = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}",
                        data={f"s{session.id}-version": seen,
                              f"s{session.id}-therapist": lucia.id if session.therapist_id == rosa.id else rosa.id})
    assert first.status_code == 302, first.text
    after_first = snapshot(stay)
    second = client.post(f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id}/remove",
                         data={"version": seen})
    assert second.status_code == 409
    assert snapshot(stay) == after_first


def test_a_re_run_does_not_carry_a_lock_whose_stay_was_published_meanwhile(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    assert client.post(f"/planning/runs/{run.id}/stays/{stay.id}/lock", data={"version": stay.version}).status_code == 302
    assert client.post(f"/planning/runs/{run.id}/rerun", data={"version": run.version}).status_code == 302
    second = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    db.session.refresh(run)
    published = client.post(f"/planning/runs/{run.id}/publish", data={"version": run.version, "stays": [stay.id]})
    assert published.status_code == 302
    db.session.refresh(second)
    assert client.post(f"/planning/runs/{second.id}/rerun", data={"version": second.version}).status_code == 302
    third = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    assert third.status == "done" and not (third.progress or {}).get("problems")
    holding = [s for s in third.stays if proposal["barred"] in s.requests]
    assert [(s.status, s.published_stay_id) for s in holding] == [("published", stay.published_stay_id)]
    instance = bridge.instance_from_json(third.instance_json)
    assert not bridge.validate(instance, bridge.proposal_solution(third, instance))


def test_publishing_after_the_data_no_longer_fits_the_run_says_it_is_stale(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    assert stay.sessions
    assert client.post(f"/planning/runs/{run.id}/stays/{stay.id}/lock", data={"version": stay.version}).status_code == 302
    assert client.post(f"/planning/runs/{run.id}/rerun", data={"version": run.version}).status_code == 302
    second = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
    therapist = stay.sessions[0].therapist
    therapist.active = False  # she left the network: the carried lock names her
    db.session.commit()
    response = client.post(f"/planning/runs/{second.id}/publish",
                           data={"version": second.version, "stays": [s.id for s in second.stays]})
    assert response.status_code == 303
    db.session.refresh(second)
    assert second.stale and second.status == "done"
    assert db.session.scalar(select(func.count(Stay.id))) == 0


def test_publishing_one_stay_says_so_in_the_singular(client, proposal):
    run, stay = proposal["run"], proposal["stay"]
    response = client.post(f"/planning/runs/{run.id}/publish", data={"version": run.version, "stays": [stay.id]},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Se publicó 1 estancia." in response.text
