"""Fit an urgent case: the best few places for one waiting request in the latest proposal.

The page of a request (GET) shows who she is and a button. Looking for
places is a POST that writes nothing: it builds the instance as the data
stands now (published stays locked, stays locked in the proposal kept), takes
the latest proposal as the plan, and asks `matching.recommend` through the
bridge for the best few places, each with what it costs the others and who
would move (aliases only). Choosing one (POST) makes that option again and
records it as a new proposal run, audited, which the coordinator publishes
as any other.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.extensions import db
from app.models import House, PlanningRun, StayRequest, utcnow
from app.planning import bp, bridge
from app.planning.messages import MESSAGES
from app.refusals import Refused, refuse
from app.security import audit
from app.security.access import check_version, request_scope, roles_required

COORDINATORS = ("coordinator", "admin")
TOP = 3


class LookForm(FlaskForm):
    """Look for places in this run's proposal."""

    run = IntegerField(validators=[InputRequired()])


class FitForm(FlaskForm):
    """Make the chosen option a new proposal."""

    run = IntegerField(validators=[InputRequired()])
    version = HiddenField(validators=[DataRequired()])
    house = StringField(validators=[DataRequired(), Length(max=64)])
    type = StringField(validators=[DataRequired(), Length(max=16)])
    start = DateField(validators=[DataRequired()])


@dataclass
class Move:
    aliases: list[str]
    from_house: str
    from_start: dt.date
    to_house: str | None
    to_start: dt.date | None


@dataclass
class Shown:
    """One option as the page shows it."""

    house: House
    type: str
    start: dt.date
    end: dt.date
    joins: list[str]  # aliases of those already in the collective she joins
    sessions: dict[str, int]  # dimension -> sessions
    therapists: int
    objective_delta: int
    others_delta: int
    moves: list[Move]


def _request(request_id: int) -> StayRequest:
    req = db.session.scalar(request_scope(current_user).where(StayRequest.id == request_id))
    if req is None:
        abort(404)
    return req


def latest_run() -> PlanningRun | None:
    """The latest run with a proposal."""
    return db.session.scalar(select(PlanningRun).where(PlanningRun.status.in_(("done", "published")),
                                                       PlanningRun.instance_json_ct.is_not(None))
                             .order_by(PlanningRun.id.desc()).limit(1))


def _base(run: PlanningRun, req: StayRequest):
    """(settings, instance, plan): the data as it stands now, and the run's proposal fitted to it.

    The run's horizon grows, when it must, to hold a stay starting on the last day of her window.
    """
    carried = tuple(dict(bridge.stay_dict(bridge.spec_stay(s)), id=f"k{s.id}")
                    for s in run.stays if s.locked and s.status != "published")
    settings = replace(bridge.settings_of(run), carried=carried)
    if req.latest_start and req.latest_start >= settings.horizon_start:
        longest = max((int(n or 0) for h in db.session.scalars(select(House))
                       for n in (h.stay_length or {}).values()), default=1)
        needed = (req.latest_start - settings.horizon_start).days + max(1, longest)
        settings = replace(settings, horizon_days=max(settings.horizon_days, needed))
    try:
        instance = bridge.build_instance(settings)
    except bridge.InstanceError as exc:
        raise Refused("cannot_plan", detail=str(exc)) from exc
    return settings, instance, bridge.urgent_plan(run, instance)


def _ask(req: StayRequest, run: PlanningRun, place=None):
    """(settings, instance, plan, recommendation), or Refused."""
    settings, instance, plan = _base(run, req)
    limit = float(current_app.config.get("PLANNING_URGENT_TIME_LIMIT", 2.0))
    try:
        rec = bridge.recommend(instance, plan, req.spec_id, top=TOP, time_limit=limit, place=place,
                               workers=int(current_app.config.get("PLANNING_SOLVER_WORKERS", 2)))
    except bridge.RecommendError as exc:
        if exc.code == "already_placed":
            raise Refused("already_placed", run=run.id) from exc
        if exc.code == "invalid_plan":
            raise Refused("invalid_plan") from exc
        raise Refused("not_plannable") from exc
    return settings, instance, plan, rec


def _aliases(spec_ids, requests: dict[str, StayRequest]) -> list[str]:
    return [d.alias for rid in spec_ids if rid in requests for d in requests[rid].all_defenders if d]


def _shown(rec, instance) -> list[Shown]:
    houses = {h.code: h for h in db.session.scalars(select(House).where(
        House.code.in_([h.id for h in instance.houses])))}
    ids = {m_rid for o in rec.options for m in o.moves for m_rid in m.requests}
    ids |= {rid for o in rec.options for rid in o.joins}
    rows = db.session.scalars(select(StayRequest).where(StayRequest.id.in_(
        [int(r[1:]) for r in ids if r[1:].isdigit()]))).all()
    requests = {r.spec_id: r for r in rows}
    out = []
    for o in rec.options:
        sessions: dict[str, int] = {}
        for s in o.programme:
            sessions[s.dimension] = sessions.get(s.dimension, 0) + 1
        out.append(Shown(
            house=houses[o.house], type=o.type, start=o.start, end=o.end, joins=_aliases(o.joins, requests),
            sessions=sessions, therapists=len({s.therapist for s in o.programme}),
            objective_delta=o.objective_delta, others_delta=o.others_delta,
            moves=[Move(_aliases(m.requests, requests), houses[m.from_house].name, m.from_start,
                        houses[m.to_house].name if m.to_house else None, m.to_start) for m in o.moves]))
    return out


def _page(req: StayRequest, run: PlanningRun | None, status: int = 200, **extra):
    return render_template("planning/urgent.html", req=req, run=run, look=LookForm(run=run.id if run else None),
                           **extra), status


@bp.route("/requests/<int:request_id>/urgent")
@roles_required(*COORDINATORS)
def urgent(request_id: int):
    req = _request(request_id)
    return _page(req, latest_run())


@bp.route("/requests/<int:request_id>/urgent/look", methods=["POST"])
@roles_required(*COORDINATORS)
def urgent_look(request_id: int):
    """Look for places (writes nothing)."""
    req = _request(request_id)
    form = LookForm()
    if not form.validate_on_submit():
        abort(400)
    run = db.session.get(PlanningRun, form.run.data)
    if run is None or run.status not in ("done", "published") or not run.instance_json:
        return _page(req, latest_run(), 400, messages=[_("That proposal is gone. Look again in the latest one.")])
    try:
        _, instance, _plan, rec = _ask(req, run)
    except Refused as exc:
        return _page(req, run, 400, messages=refuse(exc, MESSAGES))
    db.session.rollback()  # nothing of this is kept
    shown = _shown(rec, instance)
    fit_forms = [FitForm(formdata=None, run=run.id, version=run.version, house=o.house.code, type=o.type,
                         start=o.start) for o in shown]
    reasons = []
    if not rec.options:
        from app.planning import figures

        names = {h.id: h.name for h in instance.houses}
        reasons = [figures.reason_text(u.code, dict(u.params or {}), u.reason, names) for u in rec.reasons]
    return _page(req, run, options=list(zip(shown, fit_forms)), reasons=reasons, looked=True,
                 seconds=rec.stats.get("seconds"))


@bp.route("/requests/<int:request_id>/urgent/fit", methods=["POST"])
@roles_required(*COORDINATORS)
def urgent_fit(request_id: int):
    """Make the chosen option a new proposal run (audited)."""
    req = _request(request_id)
    form = FitForm()
    if not form.validate_on_submit():
        return _page(req, latest_run(), 400, messages=[e for errors in form.errors.values() for e in errors])
    run = db.session.get(PlanningRun, form.run.data)
    if run is None or run.status not in ("done", "published") or not run.instance_json:
        abort(404)
    check_version(run, form.version.data)
    try:
        settings, instance, plan, rec = _ask(req, run, place=(form.house.data, form.type.data, form.start.data))
    except Refused as exc:
        return _page(req, run, 400, messages=refuse(exc, MESSAGES))
    if not rec.options:
        db.session.rollback()
        return _page(req, run, 400, messages=[_("That place is no longer free. Look for places again.")])
    option = rec.options[0]
    new = record_run(current_user, run, settings, instance, option, req)
    new_id = new.id
    db.session.commit()
    flash(_("A new proposal places %(who)s. Check it and publish it.", who=req.defender.alias), "success")
    return redirect(url_for("planning.run", run_id=new_id))


def record_run(user, base: PlanningRun, settings, instance, option, req: StayRequest) -> PlanningRun:
    """A finished proposal run holding `option`'s whole solution (flushes only)."""
    solution = option.solution
    now = utcnow()
    run = PlanningRun(created_by_id=getattr(user, "id", None), status="done",
                      horizon_start=settings.horizon_start, horizon_days=settings.horizon_days,
                      house_ids=list(settings.house_ids), time_limit=base.time_limit, weights=dict(settings.weights),
                      input_fingerprint=bridge.fingerprint(instance), instance_json=bridge.instance_json(instance),
                      solution_json=bridge.solution_json(solution), objective=solution.objective, bound=None,
                      progress={"objective": solution.objective, "bound": None,
                                "solver_objective": solution.objective, "solver_status": "URGENT",
                                "problems": [],
                                "urgent": {"request": req.id, "from_run": base.id, "house": option.house,
                                           "type": option.type, "start": option.start.isoformat(),
                                           "objective_delta": option.objective_delta,
                                           "moved": [m.stay for m in option.moves]}},
                      hint_run_id=base.id, started_at=now, finished_at=now)
    db.session.add(run)
    db.session.flush()
    bridge.write_proposal(run, instance, solution)
    audit.record(user, "planning.urgent", target=run, request_id=req.id, from_run=base.id,
                 objective_delta=option.objective_delta, moved=len(option.moves))
    db.session.flush()
    return run


