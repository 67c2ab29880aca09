"""A double click on "Start the run" or "Run again" queues one run, not two."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import PlanningRun, User
from app.planning import jobs, rules

from .conftest import START


def form(world, **fields):
    data = {"horizon_start": START.isoformat(), "horizon_days": "90", "time_limit": "2",
            "houses": [str(h.id) for h in world["houses"]], "serve": "10000", "wait": "10", "type_rank": "100",
            "away": "200", "session": "20", "switch": "5", "urgency_0": "1", "urgency_1": "2", "urgency_2": "4",
            "urgency_3": "8"}
    data.update(fields)
    return data


def runs() -> int:
    return db.session.scalar(select(func.count()).select_from(PlanningRun))


def hold_jobs(monkeypatch):
    """Jobs stay queued (as on a real worker that has not picked them up yet)."""
    monkeypatch.setattr(jobs, "submit", lambda run_id, job_id: True)


def test_starting_the_same_run_twice_quickly_makes_one_run(client, login, world, monkeypatch):
    hold_jobs(monkeypatch)
    login(world["coordinator"])
    first = client.post("/planning/runs/new", data=form(world))
    assert first.status_code == 302
    second = client.post("/planning/runs/new", data=form(world))
    assert second.status_code == 302
    assert runs() == 1
    assert second.location == first.location
    page = client.get(second.location).text
    assert "Esta misma corrida ya está en marcha" in page


def test_other_settings_or_a_finished_run_still_start_a_new_run(client, login, world, monkeypatch):
    login(world["coordinator"])
    client.post("/planning/runs/new", data=form(world))  # runs at once: done
    hold_jobs(monkeypatch)
    client.post("/planning/runs/new", data=form(world))
    assert runs() == 2
    client.post("/planning/runs/new", data=form(world, time_limit="3"))
    assert runs() == 3


def test_run_again_twice_quickly_makes_one_run(client, login, world, monkeypatch):
    login(world["coordinator"])
    client.post("/planning/runs/new", data=form(world))
    done = db.session.scalars(select(PlanningRun)).one()
    assert done.status == "done"
    hold_jobs(monkeypatch)
    first = client.post(f"/planning/runs/{done.id}/rerun", data={"version": done.version})
    second = client.post(f"/planning/runs/{done.id}/rerun", data={"version": done.version})
    assert first.status_code == second.status_code == 302
    assert runs() == 2
    again = db.session.scalars(select(PlanningRun).where(PlanningRun.id != done.id)).one()
    assert first.location.endswith(f"/planning/runs/{again.id}") and second.location == first.location
    assert "Esta misma corrida ya está en marcha" in client.get(second.location).text


def test_two_clicks_at_the_same_moment_make_one_run(app, world, settings, monkeypatch):
    """The second request waits for the first to be recorded, then finds it (PostgreSQL: a row lock;
    SQLite: every transaction is BEGIN IMMEDIATE already)."""
    hold_jobs(monkeypatch)
    coordinator_id = world["coordinator"].id
    db.session.commit()
    recorded, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        with app.app_context():
            try:
                rules.start_run(db.session.get(User, coordinator_id), settings, 2)
                recorded.set()
                release.wait(30)
                db.session.commit()
            finally:
                db.session.remove()

    def second():
        with app.app_context():
            try:
                rules.start_run(db.session.get(User, coordinator_id), settings, 2)
                db.session.commit()
                outcome["second"] = "a new run"
            except rules.AlreadyRunning:
                db.session.rollback()
                outcome["second"] = "the same run"
            finally:
                db.session.remove()

    a = threading.Thread(target=first)
    a.start()
    assert recorded.wait(30)
    b = threading.Thread(target=second)
    b.start()
    b.join(1.5)
    waited = b.is_alive()
    release.set()
    a.join(30)
    b.join(30)
    assert waited, "the second click must wait until the first run is recorded"
    assert outcome["second"] == "the same run"
    assert runs() == 1
