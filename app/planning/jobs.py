"""The job queue: one interface, three back ends.

- `thread` (the default of the embedded setup): a worker thread in this process;
- `rq` (when `REDIS_URL` is set): RQ on Redis, workers started by `flask --app wsgi worker`;
- `inline` (tests): the job runs at once in the caller.

A job claims its run (queued -> running), solves off the request thread with
a heartbeat that writes progress at most about once a second and honours
`cancel_requested`, then writes the whole proposal in ONE transaction. A run
whose job died leaves no proposal rows: `refresh` marks it failed when its
heartbeat stops, its thread is gone or RQ reports the job lost.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid

from flask import Flask, current_app, has_app_context
from sqlalchemy import select, update

from app.extensions import db
from app.models import PlanningRun, utcnow

HEARTBEAT_SECONDS = 1.0
_THREADS: dict[str, threading.Thread] = {}
_TABLE = PlanningRun.__table__


# ----------------------------------------------------------------- settings

def backend_name(app: Flask | None = None) -> str:
    app = app or current_app
    name = app.config.get("JOBS_BACKEND") or os.environ.get("JOBS_BACKEND")
    if name in ("inline", "thread", "rq"):
        return name
    return "rq" if app.config.get("REDIS_URL") else "thread"


def queue_name(app: Flask | None = None) -> str:
    app = app or current_app
    return app.config.get("JOBS_QUEUE") or os.environ.get("JOBS_QUEUE") or "respiro-planning"


def heartbeat_timeout(app: Flask | None = None) -> float:
    return float((app or current_app).config.get("PLANNING_HEARTBEAT_TIMEOUT", 30))


def redis_connection(app: Flask | None = None):
    """A Redis client that gives up after `REDIS_TIMEOUT` seconds, connecting or waiting for a reply."""
    from redis import Redis

    config = (app or current_app).config
    timeout = float(config.get("REDIS_TIMEOUT") or 5)
    return Redis.from_url(config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout)


def new_job_id(run_id: int) -> str:
    return f"run-{run_id}-{uuid.uuid4().hex[:12]}"


# ----------------------------------------------------------------- submitting

def submit(run_id: int, job_id: str) -> bool:
    """Start the job of a committed, queued run on the configured back end.

    False when the queue cannot be reached: the run is then failed at once, not left waiting forever.
    """
    app = current_app._get_current_object()
    backend = backend_name(app)
    if backend == "inline":
        execute_run(app, run_id)
    elif backend == "thread":
        thread = threading.Thread(target=execute_run, args=(app, run_id), name=job_id, daemon=True)
        _THREADS[job_id] = thread
        thread.start()
    else:
        from rq import Queue

        limit = db.session.scalar(select(PlanningRun.time_limit).where(PlanningRun.id == run_id)) or 60
        db.session.commit()
        try:
            Queue(queue_name(app), connection=redis_connection(app)).enqueue_call(
                "app.planning.jobs.rq_execute", args=(run_id,), job_id=job_id, timeout=int(limit) + 600,
                result_ttl=3600, failure_ttl=7 * 86400)
        except Exception as exc:  # noqa: BLE001 - Redis down: nobody would ever claim the run
            app.logger.error("planning queue unreachable (%s)", type(exc).__name__)
            _fail_queued(run_id, "queue_unreachable")
            return False
    return True


def cancel_queued(job_id: str | None) -> None:
    """Drop a job that has not started yet from RQ (threads claim at once; nothing to do)."""
    if not job_id or backend_name() != "rq":
        return
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    with contextlib.suppress(NoSuchJobError, Exception):
        Job.fetch(job_id, connection=redis_connection()).cancel()


def wait(run_id: int, timeout: float = 3600, poll: float = 0.5) -> PlanningRun:
    """Block until the run has finished one way or another, and return it."""
    db.session.commit()
    deadline = time.monotonic() + timeout
    while True:
        run = db.session.get(PlanningRun, run_id)
        db.session.refresh(run)
        thread = _THREADS.get(run.job_id or "")
        if thread is not None and thread.is_alive() and run.status in ("queued", "running"):
            db.session.commit()
            thread.join(min(poll, max(0.0, deadline - time.monotonic())))
        refresh(run)
        db.session.commit()
        if run.status not in ("queued", "running") or time.monotonic() > deadline:
            return run
        time.sleep(poll)


# ----------------------------------------------------------------- liveness

def refresh(run: PlanningRun) -> bool:
    """Mark a run failed when its job is dead (flushes only). True when it changed."""
    if run.status not in ("queued", "running"):
        return False
    reason = _death(run)
    if not reason:
        return False
    run.status = "failed"
    run.error = reason
    run.finished_at = utcnow()
    db.session.flush()
    return True


def _death(run: PlanningRun) -> str:
    beat = (run.progress or {}).get("heartbeat")
    timeout = heartbeat_timeout()
    silent = time.time() - beat if beat else (utcnow() - (run.started_at or run.created_at)).total_seconds()
    thread = _THREADS.get(run.job_id or "")
    if thread is not None:
        return "worker_lost" if not thread.is_alive() else ""
    if run.status == "running":
        return "worker_lost" if silent > timeout else ""
    if (run.job_id or "").startswith("run-") and backend_name() == "rq":
        return _rq_death(run.job_id)
    return "worker_lost" if silent > timeout else ""


def _rq_death(job_id: str) -> str:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        status = Job.fetch(job_id, connection=redis_connection()).get_status()
    except NoSuchJobError:
        return "worker_lost"
    except Exception:  # Redis unreachable: say nothing rather than guess
        return ""
    return "worker_lost" if str(getattr(status, "value", status)) in ("failed", "stopped", "canceled") else ""


# ----------------------------------------------------------------- the job

def rq_execute(run_id: int) -> str:
    """RQ entry point: run inside the worker's app (or a fresh one)."""
    if has_app_context():
        app = current_app._get_current_object()
    else:
        from app import create_app

        app = create_app()
    execute_run(app, run_id)
    return "ok"


@contextlib.contextmanager
def _app_context(app: Flask):
    if has_app_context() and current_app._get_current_object() is app:
        yield
    else:
        with app.app_context():
            yield


def execute_run(app: Flask, run_id: int) -> None:
    """Claim, solve and record one run; any failure leaves it failed, never half-written."""
    from app.planning import bridge, rules

    with _app_context(app):
        db.session.commit()
        if not _claim(run_id):
            return
        run = db.session.get(PlanningRun, run_id)
        instance = bridge.instance_from_json(run.instance_json)
        hint = bridge.run_hint(run, instance)
        time_limit = run.time_limit
        db.session.commit()  # hold no transaction while solving
        reporter = _Reporter(app, run_id)
        reporter.start()
        try:
            solution = bridge.solve(instance, time_limit=time_limit,
                                    workers=int(app.config.get("PLANNING_SOLVER_WORKERS", 2)),
                                    on_progress=reporter.update, stop=reporter.stop, hint=hint)
        except Exception as exc:  # noqa: BLE001 - recorded, never raised into the worker
            reporter.halt()
            _finish(run_id, "failed", error=type(exc).__name__)
            return
        reporter.halt()
        if reporter.cancelled:
            _finish(run_id, "cancelled")
            return
        try:
            rules.finish_run(run_id, instance, solution, reporter.progress())
            db.session.commit()
        except Exception as exc:  # noqa: BLE001
            db.session.rollback()
            _finish(run_id, "failed", error=type(exc).__name__)


def _claim(run_id: int) -> bool:
    now = utcnow()
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(_TABLE).where(_TABLE.c.id == run_id, _TABLE.c.status == "queued",
                                 _TABLE.c.cancel_requested.is_(False))
            .values(status="running", started_at=now, progress={"heartbeat": time.time(), "elapsed": 0})
        ).rowcount
        if not claimed:
            conn.execute(update(_TABLE).where(_TABLE.c.id == run_id, _TABLE.c.status == "queued")
                         .values(status="cancelled", finished_at=now))
    return bool(claimed)


def _fail_queued(run_id: int, error: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(_TABLE).where(_TABLE.c.id == run_id, _TABLE.c.status == "queued")
                     .values(status="failed", error=error, finished_at=utcnow()))


def _finish(run_id: int, status: str, error: str = "") -> None:
    with db.engine.begin() as conn:
        conn.execute(update(_TABLE).where(_TABLE.c.id == run_id, _TABLE.c.status == "running")
                     .values(status=status, error=error, finished_at=utcnow()))


class _Reporter:
    """Writes progress and a heartbeat about once a second; turns a cancel request into `stop`."""

    def __init__(self, app: Flask, run_id: int):
        self.app, self.run_id = app, run_id
        self.stop = threading.Event()
        self.cancelled = False
        self._halted = threading.Event()
        self._lock = threading.Lock()
        self._state: dict = {}
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{run_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def update(self, elapsed: float, objective, bound) -> None:
        """Called by the solver (from its own threads) as the search improves."""
        with self._lock:
            if objective is not None:
                self._state["objective"] = int(objective)
            if bound is not None:
                self._state["bound"] = int(bound)

    def progress(self) -> dict:
        with self._lock:
            return {**self._state, "elapsed": round(time.monotonic() - self._t0, 1), "heartbeat": time.time()}

    def halt(self) -> None:
        self._halted.set()
        self._thread.join(5)

    def _loop(self) -> None:
        with self.app.app_context():
            while not self._halted.wait(HEARTBEAT_SECONDS):
                with contextlib.suppress(Exception):
                    self._beat()

    def _beat(self) -> None:
        with db.engine.begin() as conn:
            conn.execute(update(_TABLE).where(_TABLE.c.id == self.run_id, _TABLE.c.status == "running")
                         .values(progress=self.progress()))
            cancel = conn.scalar(select(_TABLE.c.cancel_requested).where(_TABLE.c.id == self.run_id))
        if cancel:
            self.cancelled = True
            self.stop.set()
