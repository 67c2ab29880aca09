"""The job queue: worker threads and RQ on a real Redis; a dead worker leaves a failed run, never half a proposal."""
from __future__ import annotations

import json

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import PlanningRun, ProposedStay, UnassignedRequest
from app.planning import bridge, jobs, rules

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/13"


def rows() -> int:
    return (db.session.scalar(select(func.count(ProposedStay.id)))
            + db.session.scalar(select(func.count(UnassignedRequest.id))))


def queued(world, settings, time_limit=2) -> tuple[int, str]:
    run = rules.start_run(world["coordinator"], settings, time_limit)
    ids = run.id, run.job_id
    db.session.commit()
    return ids


def until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        db.session.commit()  # never sit on SQLite's write lock while a worker wants it
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def status(run_id: int) -> PlanningRun:
    run = db.session.get(PlanningRun, run_id)
    db.session.refresh(run)
    return run


def start_from_the_form(client, world, settings):
    """Post the new-run form as a coordinator does: 90 days, every house, the default weights."""
    return client.post("/planning/runs/new", data={
        "horizon_start": settings.horizon_start.isoformat(), "horizon_days": "90", "time_limit": "2",
        "houses": [str(h.id) for h in world["houses"]], "serve": "10000", "wait": "10", "type_rank": "100",
        "away": "200", "session": "20", "switch": "5", "urgency_0": "1", "urgency_1": "2", "urgency_2": "4",
        "urgency_3": "8"})


# ----------------------------------------------------------------- threads

def test_a_run_goes_to_a_worker_thread_and_comes_back_with_a_proposal(app, world, settings, client, login):
    app.config["JOBS_BACKEND"] = "thread"
    login(world["coordinator"])
    response = start_from_the_form(client, world, settings)
    assert response.status_code == 302
    run_id = int(response.location.rstrip("/").split("/")[-1])
    db.session.commit()
    run = jobs.wait(run_id, timeout=60)
    assert run.status == "done" and run.objective is not None and run.progress.get("elapsed") is not None
    assert rows() > 0


def test_a_job_that_breaks_mid_run_leaves_the_run_failed_and_nothing_written(app, world, settings, monkeypatch):
    app.config["JOBS_BACKEND"] = "thread"

    def broken(instance, *, on_progress=None, **kwargs):
        on_progress(0.1, 100, 200)
        time.sleep(1.5)  # long enough for a heartbeat to write progress
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(bridge, "solve", broken)
    run_id, job_id = queued(world, settings)
    jobs.submit(run_id, job_id)
    run = jobs.wait(run_id, timeout=30)
    assert run.status == "failed" and run.error == "RuntimeError"
    assert rows() == 0


def test_a_run_whose_thread_is_gone_is_marked_failed(app, world, settings, client, login):
    run_id, _ = queued(world, settings)
    run = db.session.get(PlanningRun, run_id)
    run.status = "running"
    run.job_id = "run-from-a-process-that-died"
    run.progress = {"heartbeat": time.time() - 600, "elapsed": 3}
    db.session.commit()
    login(world["coordinator"])
    page = client.get(f"/planning/runs/{run_id}")
    assert page.status_code == 200 and "se detuvo antes de terminar" in page.text
    assert status(run_id).status == "failed" and rows() == 0


def test_a_coordinator_can_cancel_a_running_run(app, world, settings, client, login, monkeypatch):
    app.config["JOBS_BACKEND"] = "thread"
    real = bridge.solve

    def patient(instance, *, stop=None, on_progress=None, **kwargs):
        on_progress(0.1, 100, 200)
        stop.wait(30)  # a long search that only the cancel ends
        return real(instance, time_limit=1)

    monkeypatch.setattr(bridge, "solve", patient)
    run_id, job_id = queued(world, settings, time_limit=60)
    login(world["coordinator"])
    db.session.commit()
    started = time.monotonic()
    jobs.submit(run_id, job_id)
    until(lambda: status(run_id).status == "running")
    page = client.get(f"/planning/runs/{run_id}")
    assert 'http-equiv="refresh"' in page.text and "data-auto-refresh" in page.text and "Cancelar la corrida" in page.text
    db.session.commit()
    assert client.post(f"/planning/runs/{run_id}/cancel", data={"version": "1"}).status_code == 302
    db.session.commit()
    run = jobs.wait(run_id, timeout=60)
    assert run.status == "cancelled" and rows() == 0
    assert time.monotonic() - started < 30


# ----------------------------------------------------------------- RQ on Redis

@pytest.fixture
def redis_queue(app):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    name = f"respiro-test-{uuid.uuid4().hex[:8]}"
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=name)
    yield name, connection
    from rq import Queue

    queue = Queue(name, connection=connection)
    queue.empty()
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


def test_a_run_goes_through_redis_to_an_rq_worker(app, world, settings, redis_queue):
    from rq import Queue, SimpleWorker

    name, connection = redis_queue
    run_id, job_id = queued(world, settings)
    jobs.submit(run_id, job_id)
    assert status(run_id).status == "queued"
    db.session.commit()
    SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=True)
    run = status(run_id)
    assert run.status == "done", run.error
    assert rows() > 0


def test_an_rq_worker_killed_mid_run_leaves_the_run_failed_and_nothing_written(app, world, settings, redis_queue,
                                                                             client, login, tmp_path):
    import matching

    name, _connection = redis_queue
    app.config["PLANNING_HEARTBEAT_TIMEOUT"] = 3
    coordinator = world["coordinator"]
    run_id, job_id = queued(world, settings, time_limit=120)
    # A run that is still solving when the worker dies: a large generated instance, far from solved in a second.
    big = matching.generate(houses=6, requests=800, therapists=100, seed=7)
    db.session.get(PlanningRun, run_id).instance_json = json.dumps(matching.instance_to_dict(big))
    db.session.commit()
    jobs.submit(run_id, job_id)
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"],
               DATA_KEYS=app.config["DATA_KEYS"], REDIS_URL=REDIS_URL, JOBS_QUEUE=name)
    with open(tmp_path / "worker.log", "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                                  stdout=log, stderr=log, start_new_session=True)
        try:
            until(lambda: (status(run_id).progress or {}).get("elapsed", 0) >= 1, timeout=60)
            assert status(run_id).status == "running"
            db.session.commit()
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    login(coordinator)
    db.session.commit()
    until(lambda: client.get(f"/planning/runs/{run_id}") and status(run_id).status == "failed", timeout=20)
    assert status(run_id).error == "worker_lost"
    assert rows() == 0


def test_a_job_lost_by_redis_fails_its_queued_run(app, world, settings, redis_queue):
    run_id, job_id = queued(world, settings)
    jobs.submit(run_id, job_id)
    from rq.job import Job

    Job.fetch(job_id, connection=jobs.redis_connection()).delete()
    run = status(run_id)
    assert jobs.refresh(run) and run.status == "failed"


def test_a_run_that_cannot_reach_redis_fails_at_once_instead_of_waiting_forever(app, world, settings, client, login):
    pytest.importorskip("rq")
    app.config.update(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    login(world["coordinator"])
    response = start_from_the_form(client, world, settings)
    assert response.status_code == 302
    run = db.session.scalars(select(PlanningRun)).one()
    db.session.refresh(run)
    assert run.status == "failed" and run.error == "queue_unreachable"
    page = client.get(response.location)
    assert page.status_code == 200 and "se detuvo antes de terminar" in page.text
    assert rows() == 0


# ----------------------------------------------------------------- Redis timeouts

def test_the_redis_connection_carries_the_timeouts_from_config(app):
    pytest.importorskip("redis")
    assert app.config["REDIS_TIMEOUT"] == 5
    app.config.update(REDIS_URL="redis://192.0.2.1:6379/0", REDIS_TIMEOUT=2.5)
    connection = jobs.redis_connection(app)
    kwargs = connection.connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == 2.5 and kwargs["socket_timeout"] == 2.5
