"""Command line for operations and checks: `flask --app wsgi plan …` and `flask --app wsgi worker`."""
from __future__ import annotations

import datetime as dt
import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from app.extensions import db
from app.planning.messages import MESSAGES
from app.refusals import Refused, refuse

plan = AppGroup("plan", help="Planning runs: export instances and solutions, run the planner.")


def _settings(start: dt.datetime | None, days: int | None, houses: tuple[str, ...]):
    from sqlalchemy import select

    from app.models import House
    from app.planning.bridge import Settings
    from app.planning.views import default_start

    begin = start.date() if start else default_start()
    ids = ()
    if houses:
        rows = db.session.scalars(select(House).where(House.code.in_(houses))).all()
        missing = set(houses) - {h.code for h in rows}
        if missing:
            raise click.ClickException(f"unknown house code(s): {', '.join(sorted(missing))}")
        ids = tuple(sorted(h.id for h in rows))
    return Settings(horizon_start=begin, horizon_days=days or current_app.config.get("PLANNING_HORIZON_DAYS", 182),
                    house_ids=ids)


def _write(output: str, text: str) -> None:
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc


def _options(f):
    f = click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]),
                     help="first day of the horizon (YYYY-MM-DD); default today")(f)
    f = click.option("--days", type=click.IntRange(1, 1096), help="days in the horizon")(f)
    return click.option("--house", "houses", multiple=True, help="house code (repeat); default all active")(f)


@plan.command("export-instance")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@_options
def export_instance(output: str, start: dt.datetime | None, days: int | None, houses: tuple[str, ...]) -> None:
    """Write the respite-stays/1 instance a run would solve now."""
    from app.planning import bridge, rules

    settings = _settings(start, days, houses)
    try:
        with force_locale("en"):  # the command line speaks English (outside a request the default is Spanish)
            rules.check_horizon(settings)
        instance = bridge.build_instance(settings)
    except Refused as exc:
        with force_locale("en"):
            raise click.ClickException("; ".join(refuse(exc, MESSAGES))) from exc
    except bridge.InstanceError as exc:
        raise click.ClickException(f"the data cannot be planned as it is: {exc}") from exc
    _write(output, bridge.instance_json(instance))
    click.echo(f"instance written to {output}: {len(instance.requests)} requests, {len(instance.houses)} houses, "
               f"{len(instance.therapists)} therapists, {len(instance.locked)} locked stays")


@plan.command("run")
@click.option("--time-limit", type=click.IntRange(1, 86400), default=None, help="seconds for the solver")
@click.option("--wait/--no-wait", default=False, help="block until it finishes and print the figures")
@_options
def run_command(time_limit: int | None, wait: bool, start: dt.datetime | None, days: int | None,
                houses: tuple[str, ...]) -> None:
    """Start a planning run (on the configured job back end)."""
    from app.planning import jobs, rules

    limit = time_limit or current_app.config.get("PLANNING_DEFAULT_TIME_LIMIT", 30)
    settings = _settings(start, days, houses)
    try:
        with force_locale("en"):  # the command line speaks English (outside a request the default is Spanish)
            run = rules.start_run(None, settings, limit)
    except Refused as exc:
        with force_locale("en"):
            raise click.ClickException("; ".join(refuse(exc, MESSAGES))) from exc
    run_id, job_id = run.id, run.job_id
    db.session.commit()
    if wait and jobs.backend_name() == "thread":
        jobs.execute_run(current_app._get_current_object(), run_id)  # same as a worker thread, joined
    else:
        if not jobs.submit(run_id, job_id):
            raise click.ClickException(f"run {run_id} failed: the job queue (REDIS_URL) cannot be reached")
    if not wait:
        click.echo(f"run {run_id} queued")
        return
    run = jobs.wait(run_id, timeout=limit + 3600)
    gap = f"{run.gap:.2f}%" if run.gap is not None else "-"
    click.echo(f"run {run.id} {run.status}: objective {run.objective} bound {run.bound} gap {gap}"
               + (" (stale: the data changed while it ran)" if run.stale else ""))
    if run.status != "done":
        raise click.exceptions.Exit(1)


@plan.command("export-solution")
@click.argument("run_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def export_solution(run_id: int, output: str) -> None:
    """Write a run's solution (its proposal as it stands, edits included)."""
    from app.models import PlanningRun
    from app.planning import bridge

    run = db.session.get(PlanningRun, run_id)
    if run is None or not run.instance_json or run.status not in ("done", "published"):
        raise click.ClickException(f"run {run_id} has no solution")
    _write(output, json.dumps(bridge.solution_dict(run), ensure_ascii=False))
    click.echo(f"solution of run {run_id} written to {output}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--queue", "queue", default=None, help="queue name (default JOBS_QUEUE or respiro-planning)")
@with_appcontext
def worker(burst: bool, queue: str | None) -> None:
    """Run an RQ worker for planning jobs (needs REDIS_URL)."""
    from rq import Queue, SimpleWorker

    from app.planning import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: runs go to in-process threads, no worker is needed")
    connection = jobs.redis_connection()
    name = queue or jobs.queue_name()
    click.echo(f"worker listening on {name}")
    SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=burst)
