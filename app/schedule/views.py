"""Schedule pages: a published stay (change, cancel, programme, what happened), repairs, a therapist
falling ill, freed places refilled from the queue. Thin: rules in app/schedule/rules.py."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.labels import DIMENSION, STAY_TYPE, label
from app.models import ATTENDANCE, House, PlanningRun, Stay, StayRequest, Therapist, local_today
from app.planning import bridge, session_list
from app.planning.forms import choices
from app.refusals import Refused, refuse
from app.schedule import bp, rules
from app.schedule.changes import snapshot
from app.schedule.forms import (
    AddSessionForm, AttendanceForm, CancelForm, ChangeForm, FillForm, SessionForm, UnavailableForm, VersionForm,
)
from app.schedule.messages import MESSAGES
from app.security.access import get_stay, roles_required

COORDINATORS = ("coordinator", "admin")


def _attendance_label(code: str) -> str:
    words = {"arrived": _("Arrived"), "no_show": _("Did not come"), "left_early": _("Left early"),
             "completed": _("Completed")}
    return words.get(code, code)


def _kind_label(code: str) -> str:
    words = {"change": _("Changed"), "cancel": _("Cancelled"), "repair": _("Repaired"),
             "programme_repair": _("Programme repaired"), "fill": _("Fills a freed place"),
             "refilled": _("Freed place filled"), "arrived": _("Arrived"), "no_show": _("Did not come"),
             "left_early": _("Left early"), "completed": _("Completed")}
    return words.get(code, code)


# ----------------------------------------------------------------- reading a snapshot

def describe(snap: dict | None) -> dict | None:
    """A change record's snapshot in words: house name, dates, type, people by alias, sessions."""
    if not snap:
        return None
    house = db.session.get(House, snap.get("house"))
    people = []
    for rid in snap.get("requests", []):
        req = db.session.get(StayRequest, rid)
        if req is not None:
            people += [d.alias for d in req.all_defenders if d is not None]
    therapists = {t.id: t.name for t in db.session.scalars(select(Therapist).where(
        Therapist.id.in_({s["therapist"] for s in snap.get("sessions", [])})))}
    sessions = [(dt.date.fromisoformat(s["day"]), label(DIMENSION, s["dimension"]),
                 therapists.get(s["therapist"], "?")) for s in snap.get("sessions", [])]
    released = snap.get("released_from")
    return {"house": house.name if house else "?", "start": dt.date.fromisoformat(snap["start"]),
            "end": dt.date.fromisoformat(snap["end"]), "type": label(STAY_TYPE, snap.get("type")),
            "people": people, "sessions": sessions, "cancelled": snap.get("cancelled"),
            "released_from": dt.date.fromisoformat(released) if released else None}


# ----------------------------------------------------------------- the stay's page

def _therapist_choices():
    """Every therapist: what a posted therapist is checked against (the rules then say who fits)."""
    rows = db.session.scalars(select(Therapist))
    return choices(sorted(((t.id, t.name) for t in rows), key=lambda pair: pair[1].casefold()))  # names are encrypted


def _programme_forms(stay: Stay, add=None, sessions=None):
    """The programme's forms: each session's therapist select and adding a session, each offering only the
    therapists who can give it (`session_list`), beside every other published stay as it stands."""
    today = local_today()
    instance, solution, _key = rules.as_planned(stay)
    forms = session_list.programme_forms(
        instance, solution, solution.stays[-1], {int(t.id[1:]): t.name for t in instance.therapists}, stay.sessions,
        add=add, make_add=lambda: AddSessionForm(formdata=None, version=stay.version),
        make_row=lambda s: (sessions or {}).get(s.id) or SessionForm(formdata=None, prefix=f"s{s.id}",
                                                                     version=stay.version, therapist=s.therapist_id),
        first_day=max(stay.start, today), last_day=stay.end, today=today)
    urls = {s.id: (url_for("schedule.session_therapist", stay_id=stay.id, session_id=s.id),
                   url_for("schedule.session_remove", stay_id=stay.id, session_id=s.id)) for s in stay.sessions}
    return {"pick": forms.pick, "add": forms.add, "adding": forms.adding, "rows": forms.rows, "urls": urls,
            "complete": forms.complete, "remove": VersionForm(formdata=None, version=stay.version)}


def _forms(stay: Stay, change=None, cancel=None, attend=None, add=None, sessions=None):
    """The page's forms. A house team's page gets the attendance form alone: the queue, the houses and the
    therapists the change forms offer are read for coordinators only."""
    if current_user.role not in COORDINATORS:
        attend = attend or AttendanceForm(formdata=None, version=stay.version)
        attend.status.choices = choices([(c, _attendance_label(c)) for c in ATTENDANCE])
        return {"attend": attend}
    houses = db.session.scalars(select(House).where(House.active.is_(True)).order_by(House.name)).all()
    change = change or ChangeForm(formdata=None, version=stay.version, house=stay.house_id, start=stay.start,
                                  type=stay.type, keep=[r.id for r in stay.requests], keep_programme=True)
    change.house.choices = choices([(h.id, h.name) for h in houses])
    change.type.choices = choices([(t, label(STAY_TYPE, t)) for t in STAY_TYPE])
    change.keep.choices = choices([(r.id, ", ".join(d.alias for d in r.all_defenders if d)) for r in stay.requests])
    waiting = db.session.scalars(select(StayRequest).where(StayRequest.status == "pending").order_by(StayRequest.id))
    change.add.choices = choices([("", _("Nobody"))] + [
        (str(r.id), ", ".join(d.alias for d in r.all_defenders if d)) for r in waiting])
    cancel = cancel or CancelForm(formdata=None, version=stay.version)
    cancel.reason.id = cancel.reason.label.field_id = "cancel-reason"  # the change form has a `reason` too
    attend = attend or AttendanceForm(formdata=None, version=stay.version)
    attend.status.choices = choices([(c, _attendance_label(c)) for c in ATTENDANCE])
    programme = {}
    if not stay.cancelled_at and stay.end >= local_today():
        try:
            programme = _programme_forms(stay, add, sessions)
        except bridge.InstanceError:  # the rules cannot be asked about this stay: say so, offer no session form
            programme = {"unplannable": True}
    return {"change": change, "cancel": cancel, "attend": attend, **programme}


def _page(stay: Stay, status: int = 200, messages=None, conflict: bool = False, **forms):
    coordinator = current_user.role in COORDINATORS
    changes = [(c, describe(c.old), describe(c.new)) for c in rules.history(stay)]
    return render_template("schedule/stay.html", stay=stay, forms=_forms(stay, **forms), changes=changes,
                           attendance=rules.attendance(stay), coordinator=coordinator, messages=messages or [],
                           conflict=conflict, today=local_today(), kind_label=_kind_label,
                           attendance_label=_attendance_label, now=describe(snapshot(stay))), status


def _stay(stay_id: int) -> Stay:
    return get_stay(current_user, stay_id)


def _stale(stay: Stay, submitted) -> bool:
    try:
        return int(submitted) != stay.version
    except (TypeError, ValueError):
        return True


def _conflict(stay_id: int):
    """Someone changed the stay since this page was shown: say so, show it as it is now, change nothing."""
    db.session.rollback()
    return _page(_stay(stay_id), 409, [_("Another person changed this stay while you were looking at it. "
                                         "Here it is as it is now: check it and make your change again.")],
                 conflict=True)


def _act(stay_id: int, action, done: str, **forms):
    try:
        action()
    except Refused as exc:
        return _page(_stay(stay_id), 400, refuse(exc, MESSAGES), **forms)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("schedule.stay", stay_id=stay_id))


@bp.route("/stays/<int:stay_id>")
@roles_required("coordinator", "admin", "team")
def stay(stay_id: int):
    return _page(_stay(stay_id))


@bp.route("/stays/<int:stay_id>/change", methods=["POST"])
@roles_required(*COORDINATORS)
def change(stay_id: int):
    stay = _stay(stay_id)
    form = ChangeForm()
    _forms(stay, change=form)  # the choices the posted values are checked against
    if not form.validate_on_submit():
        return _page(stay, 400, change=form)
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    house = db.session.get(House, form.house.data)
    keep = [r for r in stay.requests if r.id in set(form.keep.data or [])]
    add = []
    if form.add.data:
        joining = db.session.get(StayRequest, int(form.add.data)) if form.add.data.isdigit() else None
        add = [joining] if joining is not None else []
    return _act(stay_id, lambda: rules.change_stay(current_user, stay, house=house, start=form.start.data,
                                                   stay_type=form.type.data, keep=keep, add=add,
                                                   keep_programme=form.keep_programme.data,
                                                   reason=form.reason.data or ""),
                _("The stay was changed. Every rule still holds, and the change is recorded."), change=form)


@bp.route("/stays/<int:stay_id>/cancel", methods=["POST"])
@roles_required(*COORDINATORS)
def cancel(stay_id: int):
    stay = _stay(stay_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _page(stay, 400, cancel=form)
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    return _act(stay_id, lambda: rules.cancel_stay(current_user, stay, form.reason.data),
                _("The stay was cancelled. Her request is back in the queue and the place is free."), cancel=form)


@bp.route("/stays/<int:stay_id>/attendance", methods=["POST"])
@roles_required("coordinator", "admin", "team")
def attendance(stay_id: int):
    stay = _stay(stay_id)
    form = AttendanceForm()
    form.status.choices = choices([(c, _attendance_label(c)) for c in ATTENDANCE])
    if not form.validate_on_submit():
        return _page(stay, 400, attend=form)
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    return _act(stay_id, lambda: rules.record_attendance(current_user, stay, form.status.data, form.day.data),
                _("Recorded."), attend=form)


def _programme(stay: Stay):
    return [(s.day, s.dimension, s.therapist_id) for s in stay.sessions]


@bp.route("/stays/<int:stay_id>/sessions/<int:session_id>", methods=["POST"])
@roles_required(*COORDINATORS)
def session_therapist(stay_id: int, session_id: int):
    stay = _stay(stay_id)
    target = next((s for s in stay.sessions if s.id == session_id), None)
    if target is None:
        abort(404)
    form = SessionForm(prefix=f"s{session_id}")
    form.therapist.choices = _therapist_choices()
    if not form.validate_on_submit():
        return _page(stay, 400, sessions={session_id: form})
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    sessions = [(s.day, s.dimension, form.therapist.data if s.id == session_id else s.therapist_id)
                for s in stay.sessions]
    return _act(stay_id, lambda: rules.change_programme(current_user, stay, sessions),
                _("The session was given to another therapist."), sessions={session_id: form})


@bp.route("/stays/<int:stay_id>/sessions/<int:session_id>/remove", methods=["POST"])
@roles_required(*COORDINATORS)
def session_remove(stay_id: int, session_id: int):
    stay = _stay(stay_id)
    if not any(s.id == session_id for s in stay.sessions):
        abort(404)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    sessions = [(s.day, s.dimension, s.therapist_id) for s in stay.sessions if s.id != session_id]
    return _act(stay_id, lambda: rules.change_programme(current_user, stay, sessions), _("The session was removed."))


@bp.route("/stays/<int:stay_id>/sessions", methods=["POST"])
@roles_required(*COORDINATORS)
def session_add(stay_id: int):
    stay = _stay(stay_id)
    form = AddSessionForm()
    form.dimension.choices = choices([(d, label(DIMENSION, d)) for d in DIMENSION])
    form.therapist.choices = _therapist_choices()
    if not form.validate_on_submit():
        return _page(stay, 400, add=form)
    if _stale(stay, form.version.data):
        return _conflict(stay_id)
    sessions = _programme(stay) + [(form.day.data, form.dimension.data, form.therapist.data)]
    return _act(stay_id, lambda: rules.change_programme(current_user, stay, sessions), _("The session was added."),
                add=form)


# ----------------------------------------------------------------- repair

@bp.route("/repair", methods=["POST"])
@roles_required(*COORDINATORS)
def repair():
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    from app.planning import jobs
    from app.planning.rules import AlreadyRunning

    try:
        run = rules.start_repair(current_user)
    except AlreadyRunning as twin:
        run_id = twin.run.id
        db.session.commit()
        return redirect(url_for("schedule.repair_run", run_id=run_id))
    except Refused as exc:
        refuse(exc, MESSAGES, flash_as="error")
        return redirect(url_for("main.home"))
    run_id, job_id = run.id, run.job_id
    db.session.commit()
    jobs.submit(run_id, job_id)
    return redirect(url_for("schedule.repair_run", run_id=run_id))


def _run(run_id: int) -> PlanningRun:
    run = db.session.get(PlanningRun, run_id)
    if run is None:
        abort(404)
    return run


@bp.route("/runs/<int:run_id>/repair", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def repair_run(run_id: int):
    from app.planning import jobs

    run = _run(run_id)
    if request.method == "POST":
        form = VersionForm()
        if not form.validate_on_submit():
            abort(400)
        if _stale(run, form.version.data):
            db.session.rollback()
            return render_template("schedule/repair.html", run=run, rows=rules.repair_rows(run), form=VersionForm(
                version=run.version), messages=[_("This run changed in the meantime. Check it again.")]), 409
        try:
            changes = rules.apply_repair(current_user, run)
        except Refused as exc:
            messages = refuse(exc, MESSAGES)
            run = _run(run_id)
            return render_template("schedule/repair.html", run=run, rows=rules.repair_rows(run),
                                   form=VersionForm(version=run.version), messages=messages), 400
        db.session.commit()
        flash(ngettext("The repair was applied to %(num)s stay. Every other published stay is as it was.",
                       "The repair was applied to %(num)s stays. Every other published stay is as it was.",
                       len(changes)),
              "success")
        return redirect(url_for("schedule.repair_run", run_id=run_id))
    if jobs.refresh(run):
        db.session.commit()
    return render_template("schedule/repair.html", run=run, rows=rules.repair_rows(run),
                           form=VersionForm(version=run.version), messages=[])


# ----------------------------------------------------------------- a therapist falls ill

@bp.route("/therapists/<int:therapist_id>/unavailable", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def unavailable(therapist_id: int):
    therapist = db.session.get(Therapist, therapist_id)
    if therapist is None:
        abort(404)
    if request.method == "GET":
        form = UnavailableForm(request.args, meta={"csrf": False})
        first = form.first.data if request.args.get("first") and form.first.validate(form) else None
        if first is None:
            form = UnavailableForm(formdata=None, first=local_today())
        affected = rules.affected_sessions(therapist, first) if first else []
        return render_template("schedule/unavailable.html", therapist=therapist, form=form, first=first,
                               affected=affected, results=None, messages=[])
    form = UnavailableForm()
    if not form.validate_on_submit() or not form.confirm.data:
        first = form.first.data
        affected = rules.affected_sessions(therapist, first) if first else []
        messages = [] if form.errors else [_("Please confirm you have read the sessions this affects.")]
        return render_template("schedule/unavailable.html", therapist=therapist, form=form, first=first,
                               affected=affected, results=None, messages=messages), 400
    try:
        results = rules.mark_unavailable(current_user, therapist, form.first.data)
    except Refused as exc:
        return render_template("schedule/unavailable.html", therapist=therapist, form=form, first=None,
                               affected=[], results=None, messages=refuse(exc, MESSAGES)), 400
    names = {t.id: t.name for t in db.session.scalars(select(Therapist))}
    shown = [(r.stay, [(d, label(DIMENSION, dim), names.get(int(t[1:]), t)) for d, dim, t in r.lost],
              [(d, label(DIMENSION, dim), names.get(int(t[1:]), t)) for d, dim, t in r.added]) for r in results]
    db.session.commit()
    return render_template("schedule/unavailable.html", therapist=therapist, form=form, first=form.first.data,
                           affected=[], results=shown, messages=[])


# ----------------------------------------------------------------- freed places

@bp.route("/stays/<int:stay_id>/fill", methods=["POST"])
@roles_required(*COORDINATORS)
def fill(stay_id: int):
    freed = _stay(stay_id)
    form = FillForm()
    if not form.validate_on_submit():
        abort(400)
    if _stale(freed, form.version.data):
        flash(_("This place changed in the meantime. Here are the places as they are now."), "error")
        return redirect(url_for("main.home")), 303
    req = db.session.get(StayRequest, form.request.data)
    if req is None:
        abort(404)
    try:
        new = rules.fill(current_user, freed, req, form.type.data, form.start.data)
    except Refused as exc:
        refuse(exc, MESSAGES, flash_as="error")
        return redirect(url_for("main.home")), 303
    new_id = new.id
    db.session.commit()
    flash(_("The freed place was given to her. The new stay is published."), "success")
    return redirect(url_for("schedule.stay", stay_id=new_id))
