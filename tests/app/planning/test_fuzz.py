"""Whatever is posted to the run and edit forms: never a 500, and a refused post changes nothing."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from hypothesis import HealthCheck, given, settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import PlanningRun
from app.planning import jobs, rules

FUZZ = hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(st.text(max_size=12), st.integers(-10**7, 10**7).map(str), st.dates().map(dt.date.isoformat),
                 st.just(""))


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["horizon_start", "horizon_days", "time_limit", "houses", "serve",
                                               "wait", "urgency_3", "away", "role", "created_by_id"]), junk))
def test_the_run_form_never_fails(client, login, world, monkeypatch, fields):
    monkeypatch.setattr(jobs, "submit", lambda run_id, job_id: None)
    login(world["coordinator"])
    before = db.session.scalar(select(func.count(PlanningRun.id)))
    response = client.post("/planning/runs/new", data=fields)
    assert response.status_code in (302, 400)
    after = db.session.scalar(select(func.count(PlanningRun.id)))
    assert after == before + (response.status_code == 302)
    if response.status_code == 302:
        run = db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc())).first()
        assert run.created_by_id == world["coordinator"].id


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={"house": junk, "start": junk, "type": junk, "version": junk,
                                                  "keep_programme": junk, "dimension": junk, "day": junk,
                                                  "therapist": junk}),
       target=st.sampled_from(["edit", "add", "swap", "lock", "publish"]))
def test_the_edit_forms_never_fail(client, login, world, settings, fields, target):
    run = db.session.scalars(select(PlanningRun)).first()
    if run is None:
        run = rules.start_run(world["coordinator"], settings, 1)
        run_id = run.id
        db.session.commit()
        jobs.execute_run(current_app._get_current_object(), run_id)
        run = db.session.get(PlanningRun, run_id)
    login(world["coordinator"])
    stay = run.stays[0]
    session = stay.sessions[0] if stay.sessions else None
    before = [(s.house_id, s.start, s.type, s.version, s.locked, s.status,
               tuple((x.day, x.therapist_id) for x in s.sessions)) for s in run.stays]
    paths = {"edit": f"/planning/runs/{run.id}/stays/{stay.id}/edit",
             "add": f"/planning/runs/{run.id}/stays/{stay.id}/sessions",
             "swap": f"/planning/runs/{run.id}/stays/{stay.id}/sessions/{session.id if session else 0}",
             "lock": f"/planning/runs/{run.id}/stays/{stay.id}/lock",
             "publish": f"/planning/runs/{run.id}/publish"}
    data = dict(fields)
    if target == "swap" and session:
        data = {f"s{session.id}-{k}": v for k, v in fields.items()}
    response = client.post(paths[target], data=data)
    assert response.status_code in (302, 303, 400, 404, 409), response.status_code
    if response.status_code >= 400:
        db.session.expire_all()
        after = [(s.house_id, s.start, s.type, s.version, s.locked, s.status,
                  tuple((x.day, x.therapist_id) for x in s.sessions)) for s in run.stays]
        assert after == before
