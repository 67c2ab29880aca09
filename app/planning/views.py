"""Coordinator pages: the queue, runs and their progress, the proposal, edits, publishing, exports."""
from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from app.database import json_list_holds
from app.extensions import db
from app.labels import DIMENSION, LANGUAGE, STAY_TYPE, URGENCY, label
from app.models import (
    Defender, House, PlanningRun, ProposedSession, ProposedStay, Stay, StayRequest, Therapist, local_today, utcnow,
)
from app.models.interviews import request_members
from app.planning import bp, bridge, browse, exports, figures, jobs, period, rules, session_list
from app.planning.forms import (
    DEFAULTS, WEIGHT_HELP, choices, AddSessionForm, DeclineForm, PublishForm, QueueFilterForm, RunForm, SessionTherapistForm,
    StayEditForm, VersionForm,
)
from app.planning.messages import MESSAGES
from app.refusals import Refused, refuse
from app.security import audit
from app.security.access import check_version, request_scope, roles_required
from app.security.sessions import recent_login_required

COORDINATORS = ("coordinator", "admin")


def default_start() -> dt.date:
    return local_today()


def _run(run_id: int) -> PlanningRun:
    run = db.session.get(PlanningRun, run_id)
    if run is None:
        abort(404)
    return run


def _stay(run: PlanningRun, stay_id: int) -> ProposedStay:
    stay = db.session.get(ProposedStay, stay_id)
    if stay is None or stay.run_id != run.id or not run.instance_json:
        abort(404)
    return stay


def _session(stay: ProposedStay, session_id: int) -> ProposedSession:
    session = db.session.get(ProposedSession, session_id)
    if session is None or session.stay_id != stay.id:
        abort(404)
    return session


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------

SORTS = {
    "urgency": lambda r: (-(r.urgency or 0), r.submitted_at or utcnow()),
    "waiting": lambda r: (r.submitted_at or utcnow(),),
    "window": lambda r: (r.earliest_start or dt.date.max, -(r.urgency or 0)),
}


def _queue_form(pending: Select) -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    form.urgency.choices = choices([("", _("Any urgency"))] + [(str(u), label(URGENCY, u)) for u in (3, 2, 1, 0)])
    form.stay_type.choices = choices([("", _("Any type"))] + [(t, label(STAY_TYPE, t)) for t in STAY_TYPE])
    langs = _languages_waiting(pending)
    form.language.choices = choices([("", _("Any language"))] + [(c, label(LANGUAGE, c)) for c in langs])
    form.sort.choices = choices([("urgency", _("Urgency first")), ("waiting", _("Longest waiting first")),
                                 ("window", _("Earliest window first"))])
    return form


def _languages_waiting(pending: Select) -> list[str]:
    """The languages spoken in the queue (by each request's defender and its collective's members), to filter by."""
    members = select(request_members.c.defender_id).where(
        request_members.c.request_id.in_(pending.with_only_columns(StayRequest.id)))
    speakers = select(Defender.languages).where(
        or_(Defender.id.in_(pending.with_only_columns(StayRequest.defender_id)), Defender.id.in_(members)))
    return sorted({code for languages in db.session.scalars(speakers) for code in languages or []})


def _queue_filters(form: QueueFilterForm) -> list:
    """The chosen filters as SQL conditions: urgency, stay types and languages are plain columns (none is
    encrypted), so the database leaves out what does not match instead of this process."""
    conditions = []
    urgency = form.urgency.data
    if urgency not in (None, ""):
        conditions.append(StayRequest.urgency == int(urgency) if urgency.isdigit() else false())
    if form.stay_type.data:
        conditions.append(json_list_holds(StayRequest.stay_types, form.stay_type.data))
    if form.language.data:
        speaker, member = aliased(Defender), aliased(Defender)
        conditions.append(or_(
            StayRequest.defender.of_type(speaker).has(json_list_holds(speaker.languages, form.language.data)),
            StayRequest.members.of_type(member).any(json_list_holds(member.languages, form.language.data))))
    return conditions


@bp.route("/")
@roles_required(*COORDINATORS)
def queue():
    pending = request_scope(current_user).where(StayRequest.status == "pending")
    form = _queue_form(pending)
    form.validate()
    rows = list(db.session.scalars(pending.where(*_queue_filters(form)).options(selectinload(StayRequest.members))))
    rows.sort(key=SORTS.get(form.sort.data or "urgency", SORTS["urgency"]))
    total = db.session.scalar(select(func.count()).select_from(pending.subquery()))
    today = default_start()
    return render_template("planning/queue.html", rows=rows, form=form, total=total, today=today,
                           problem=lambda r: bridge.unplannable_reason(r, today))


@bp.route("/requests/<int:request_id>/decline", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def decline(request_id: int):
    req = db.session.scalar(request_scope(current_user).where(StayRequest.id == request_id))
    if req is None or req.status not in ("pending", "submitted"):
        abort(404)
    form = DeclineForm()
    if request.method == "GET":
        form.version.data = req.version
        return render_template("planning/decline.html", req=req, form=form)
    if form.validate_on_submit():
        check_version(req, form.version.data)
        try:
            rules.decline(current_user, req, form.reason.data)
        except Refused as exc:
            refuse(exc, MESSAGES, form)
        else:
            db.session.commit()
            flash(_("The request was declined. She will see your reason."), "success")
            return redirect(url_for("planning.queue"))
    return render_template("planning/decline.html", req=req, form=form), 400


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------

@bp.route("/runs")
@roles_required(*COORDINATORS)
def runs():
    rows = list(db.session.scalars(select(PlanningRun).order_by(PlanningRun.id.desc()).limit(200)))
    changed = [r for r in rows if jobs.refresh(r)]
    if changed:
        db.session.commit()
    houses = {h.id: h.name for h in db.session.scalars(select(House))}
    served = {r.id: len(figures.added(r)) for r in rows}
    left = {r.id: len(r.unassigned) for r in rows}
    return render_template("planning/runs.html", runs=rows, houses=houses, served=served, left=left)


def _run_form() -> RunForm:
    form = RunForm()
    houses = db.session.scalars(select(House).where(House.active.is_(True)).order_by(House.name)).all()
    form.houses.choices = choices([(h.id, h.name) for h in houses])
    if request.method == "GET":
        form.horizon_start.data = default_start()
        form.houses.data = [h.id for h in houses]
        form.time_limit.data = int(_config("PLANNING_DEFAULT_TIME_LIMIT", 30))
        form.horizon_days.data = int(_config("PLANNING_HORIZON_DAYS", 182))
    return form


def _config(key: str, default):
    from flask import current_app

    return current_app.config.get(key, default)


@bp.route("/runs/new", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def new_run():
    form = _run_form()
    if request.method == "POST":
        if form.validate_on_submit():
            settings = bridge.Settings(horizon_start=form.horizon_start.data, horizon_days=form.horizon_days.data,
                                       house_ids=tuple(sorted(form.houses.data)), weights=form.weights())
            try:
                run = rules.start_run(current_user, settings, form.time_limit.data)
            except rules.AlreadyRunning as twin:
                return _already_running(twin.run)
            except Refused as exc:
                refuse(exc, MESSAGES, form, field="horizon_start")
            else:
                return _launch(run)
        return _new_run_page(form), 400
    return _new_run_page(form)


def _new_run_page(form: RunForm) -> str:
    """The form, with how many ready requests the period it shows leaves out."""
    outside = None
    if form.horizon_start.data and form.horizon_days.data and not form.horizon_days.errors:
        days = min(max(int(form.horizon_days.data), 1), 731)
        outside = period.outside_for(form.horizon_start.data, days, form.houses.data or [])
    return render_template("planning/new_run.html", form=form, help=WEIGHT_HELP, defaults=DEFAULTS, outside=outside)


@bp.route("/runs/period")
@roles_required(*COORDINATORS)
def period_check():
    """How many ready requests a period leaves out (the run form asks as she changes the dates). Reads only."""
    try:
        start = dt.date.fromisoformat(request.args.get("start", ""))
        days = int(request.args.get("days", ""))
    except ValueError:
        return {"error": _("Give a first day and a number of days.")}, 400
    if not 7 <= days <= 731:
        return {"error": _("From 7 to 731 days.")}, 400
    houses = [int(v) for v in request.args.getlist("house") if v.isdigit()]
    outside = period.outside_for(start, days, houses)
    return {"before": outside.before, "after": outside.after, "total": outside.total, "sentence": outside.sentence()}


def _already_running(run: PlanningRun, **view):
    """A second click on the same run: go to the one already on its way, queue nothing more."""
    run_id = run.id
    db.session.commit()  # keeps only what refreshing her runs found (a dead job marked failed)
    flash(_("This same run is already on its way: here it is."), "info")
    return redirect(url_for("planning.run", run_id=run_id, **view))


def _launch(run: PlanningRun, **view):
    run_id, job_id = run.id, run.job_id
    db.session.commit()
    jobs.submit(run_id, job_id)
    return redirect(url_for("planning.run", run_id=run_id, **view))


def _view_args(*keys: str) -> dict:
    """The proposal's filter from this request's query string, to carry into a link or a redirect.

    Passed on as it came (shortened): the proposal page checks it and explains a bad value.
    """
    return {k: request.args[k][:40] for k in keys or browse.FILTER_KEYS if request.args.get(k)}


@bp.route("/runs/<int:run_id>")
@roles_required(*COORDINATORS)
def run(run_id: int):
    run = _run(run_id)
    if jobs.refresh(run):
        db.session.commit()
    if run.status in ("queued", "running"):
        return render_template("planning/progress.html", run=run, progress=run.progress or {},
                               form=VersionForm(version=run.version))
    if run.status in ("failed", "cancelled") or not run.instance_json:
        return render_template("planning/ended.html", run=run, form=VersionForm(version=run.version))
    return _proposal(run)


def _proposal(run: PlanningRun, status: int = 200, messages: list[str] | None = None):
    """The proposal, one screen of it: the summary, then the stays of the house and month she chose."""
    instance = bridge.instance_from_json(run.instance_json)
    house_ids = {s.house_id for s in run.stays} | set(run.house_ids or [])
    houses = db.session.scalars(select(House).where(
        (House.id.in_(house_ids)) | (House.code.in_([h.id for h in instance.houses]))).order_by(House.name)).all()
    names = {h.code: h.name for h in houses}
    months = browse.horizon_months(instance.horizon_start, instance.horizon_end, run.stays)
    view, notices = browse.parse(request.args, names, months)
    screen = browse.screen(run.stays, view, months, int(_config("PLANNING_PAGE_SIZE", 10)), notices)
    shown_houses = [h for h in houses if not view.house or h.code == view.house]
    counts, together = browse.summary(run.stays, houses)
    to_publish = sorted((s for s in run.stays if s.status == "proposed"), key=lambda s: (s.house.name, s.start, s.id))
    publish_form = PublishForm(version=run.version)
    publish_form.stays.choices = choices([(s.id, s.key) for s in to_publish])
    if request.method == "GET":
        publish_form.stays.data = [s.id for s in to_publish]
    fig = figures.figures(run, instance)
    spread = bridge.proposal_spread(run, instance)
    busiest = instance.therapist_by_id.get(spread.top_therapist)
    return render_template(
        "planning/proposal.html", run=run, instance=instance, houses=houses, shown_houses=shown_houses,
        spread=spread, busiest=busiest.name if busiest else "",
        median_week=format_decimal(round(float(spread.median_week), 1)),
        gantts={h.id: figures.gantt(run, instance, h) for h in shown_houses}, fig=fig,
        bars=figures.histogram_bars(fig.load), changes=figures.changes(run, instance),
        reasons={u.id: figures.reason_text(u.code, u.params, u.reason, names) for u in run.unassigned},
        imminent=sum(1 for u in run.unassigned if u.request.urgency == 3),
        problems=rules.problem_texts(run, instance), screen=screen, view=screen.view, counts=counts,
        together=together, to_publish=to_publish, publish_form=publish_form, lock_form=VersionForm(),
        messages=messages or [], has_calendars=_has_endpoint("calendars.feed")), status


def _has_endpoint(name: str) -> bool:
    from flask import current_app

    return name in current_app.view_functions


@bp.route("/runs/<int:run_id>/cancel", methods=["POST"])
@roles_required(*COORDINATORS)
def cancel(run_id: int):
    run = _run(run_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    rules.request_cancel(run)
    db.session.commit()
    flash(_("The run is being cancelled."), "info")
    return redirect(url_for("planning.run", run_id=run_id))


@bp.route("/runs/<int:run_id>/rerun", methods=["POST"])
@roles_required(*COORDINATORS)
def rerun(run_id: int):
    run = _run(run_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if run.status not in ("done", "failed", "cancelled", "published"):
        abort(409)
    try:
        new = rules.rerun(current_user, run)
    except rules.AlreadyRunning as twin:
        return _already_running(twin.run, **_view_args("house", "month"))
    except Refused as exc:
        refuse(exc, MESSAGES, flash_as="error")
        return redirect(url_for("planning.run", run_id=run_id, **_view_args()))
    return _launch(new, **_view_args("house", "month"))


# --------------------------------------------------------------------------
# Locks and edits
# --------------------------------------------------------------------------

@bp.route("/runs/<int:run_id>/stays/<int:stay_id>/lock", methods=["POST"])
@roles_required(*COORDINATORS)
def lock(run_id: int, stay_id: int):
    run = _run(run_id)
    stay = _stay(run, stay_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    check_version(stay, form.version.data)
    try:
        rules.set_lock(run, stay, not stay.locked)
    except Refused as exc:
        messages = refuse(exc, MESSAGES)
        return _proposal(_run(run_id), 400, messages)
    locked = stay.locked
    db.session.commit()
    flash(_("Stay locked: a re-run keeps it as it is.") if locked else _("Stay unlocked."), "success")
    return redirect(url_for("planning.run", run_id=run_id, _anchor=f"stay-{stay_id}", **_view_args()))


def _therapist_names(instance) -> dict[int, str]:
    """The names of the run's therapists, by id."""
    ids = [int(t.id[1:]) for t in instance.therapists]
    return {t.id: t.name for t in db.session.scalars(select(Therapist).where(Therapist.id.in_(ids)))}


def _therapist_choices(run: PlanningRun) -> list[tuple[int, str]]:
    """Every therapist of the run: what a posted therapist is checked against (the rules then say who fits)."""
    names = _therapist_names(bridge.instance_from_json(run.instance_json))
    return sorted(names.items(), key=lambda choice: (choice[1].casefold(), choice[0]))


def _slot_choices(run: PlanningRun, stay: ProposedStay) -> list[tuple[int, str]]:
    """The times of day a session of this stay can take: the run's slots, at the house's clock times."""
    slots = bridge.instance_from_json(run.instance_json).day_slots
    return [(n, stay.house.slot_time(n) or _("Time %(n)s", n=n + 1)) for n in range(slots)]


def _edit_forms(run: PlanningRun, stay: ProposedStay, stay_form=None, add_form=None, session_forms=None):
    instance = bridge.instance_from_json(run.instance_json)
    houses = db.session.scalars(select(House).where(House.code.in_([h.id for h in instance.houses]))
                                .order_by(House.name)).all()
    stay_form = stay_form or StayEditForm(formdata=None, version=stay.version, house=stay.house_id, start=stay.start,
                                          type=stay.type, keep_programme=True)
    stay_form.house.choices = choices([(h.id, h.name) for h in houses])
    stay_form.type.choices = choices([(t, label(STAY_TYPE, t)) for t in STAY_TYPE])
    solution = bridge.proposal_solution(run, instance)
    slots = _slot_choices(run, stay)
    forms = session_list.programme_forms(
        instance, solution, bridge.spec_stay(stay), _therapist_names(instance), stay.sessions, add=add_form,
        make_add=lambda: AddSessionForm(formdata=None, version=stay.version),
        make_row=lambda s: (session_forms or {}).get(s.id) or SessionTherapistForm(
            formdata=None, prefix=f"s{s.id}", version=stay.version, therapist=s.therapist_id),
        first_day=stay.start, last_day=stay.end, slots=slots)
    return stay_form, forms, dict(slots).get(forms.values["slot"])


def _render_edit(run, stay, status=200, messages=None, **forms):
    stay_form, programme_forms, time_label = _edit_forms(run, stay, **forms)
    back = _view_args()
    urls = {s.id: (url_for("planning.change_session", run_id=run.id, stay_id=stay.id, session_id=s.id, **back),
                   url_for("planning.remove_session", run_id=run.id, stay_id=stay.id, session_id=s.id, **back))
            for s in stay.sessions}
    return render_template("planning/edit_stay.html", run=run, stay=stay, form=stay_form,
                           programme_forms=programme_forms, time_label=time_label, urls=urls,
                           remove_form=VersionForm(version=stay.version), messages=messages or [], back=back), status


def _refused(run_id: int, stay_id: int, exc: Refused, **forms):
    messages = refuse(exc, MESSAGES)
    run = _run(run_id)
    return _render_edit(run, _stay(run, stay_id), 400, messages, **forms)


def _edit(run_id: int, stay_id: int, change, done, **forms):
    """Apply one hand edit: saved and back to the stay, or refused with what she chose kept (400). `done` is
    what the page then says, or a function of what `change` returned giving it and its flash category."""
    try:
        result = change()
    except Refused as exc:
        return _refused(run_id, stay_id, exc, **forms)
    db.session.commit()
    flash(*((done, "success") if isinstance(done, str) else done(result)))
    return redirect(url_for("planning.edit_stay", run_id=run_id, stay_id=stay_id, **_view_args()))


@bp.route("/runs/<int:run_id>/stays/<int:stay_id>/edit", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def edit_stay(run_id: int, stay_id: int):
    run = _run(run_id)
    stay = _stay(run, stay_id)
    if stay.status == "published" and stay.published_stay_id is not None:
        # A published stay changes only through the schedule's checked, recorded change (app/schedule).
        return redirect(url_for("schedule.stay", stay_id=stay.published_stay_id), 303)
    if request.method == "GET":
        return _render_edit(run, stay)
    form = StayEditForm()
    _edit_forms(run, stay, stay_form=form)
    if not form.validate_on_submit():
        return _render_edit(run, stay, 400, stay_form=form)
    check_version(stay, form.version.data)
    house = db.session.get(House, form.house.data)
    if house is None:
        return _refused(run_id, stay_id, Refused("house_not_in_plan"), stay_form=form)
    return _edit(run_id, stay_id, lambda: rules.edit_stay(run, stay, house=house, start=form.start.data,
                                                          stay_type=form.type.data,
                                                          keep_programme=form.keep_programme.data),
                 _programme_said, stay_form=form)


def _programme_said(programme: tuple[int, int]) -> tuple[str, str]:
    """What a saved move says: that every rule still holds, and when its programme falls short of what its
    people need (no therapist free on the new dates), how far, so it is not published empty unawares."""
    have, need = programme
    if have >= need:
        return _("The stay was changed. Every rule still holds."), "success"
    if have == 0:
        return _("The stay was changed and every rule still holds, but it has no sessions: no therapist can give "
                 "them on the new dates. Add them below or choose other dates before publishing."), "error"
    return ngettext("The stay was changed and every rule still holds, but its programme has %(num)s session of "
                    "the %(need)s its people need. Add the others below or choose other dates.",
                    "The stay was changed and every rule still holds, but its programme has %(num)s sessions of "
                    "the %(need)s its people need. Add the others below or choose other dates.",
                    have, need=need), "info"


@bp.route("/runs/<int:run_id>/stays/<int:stay_id>/sessions/<int:session_id>", methods=["POST"])
@roles_required(*COORDINATORS)
def change_session(run_id: int, stay_id: int, session_id: int):
    run = _run(run_id)
    stay = _stay(run, stay_id)
    session = _session(stay, session_id)
    form = SessionTherapistForm(prefix=f"s{session_id}")
    form.therapist.choices = choices(_therapist_choices(run))
    if not form.validate_on_submit():
        return _render_edit(run, stay, 400, session_forms={session_id: form})
    check_version(stay, form.version.data)
    therapist = db.session.get(Therapist, form.therapist.data)
    return _edit(run_id, stay_id, lambda: rules.change_session(run, session, therapist),
                 _("The session was given to %(name)s.", name=therapist.name), session_forms={session_id: form})


@bp.route("/runs/<int:run_id>/stays/<int:stay_id>/sessions/<int:session_id>/remove", methods=["POST"])
@roles_required(*COORDINATORS)
def remove_session(run_id: int, stay_id: int, session_id: int):
    run = _run(run_id)
    stay = _stay(run, stay_id)
    session = _session(stay, session_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    check_version(stay, form.version.data)
    return _edit(run_id, stay_id, lambda: rules.remove_session(run, session), _("The session was removed."))


@bp.route("/runs/<int:run_id>/stays/<int:stay_id>/sessions", methods=["POST"])
@roles_required(*COORDINATORS)
def add_session(run_id: int, stay_id: int):
    run = _run(run_id)
    stay = _stay(run, stay_id)
    form = AddSessionForm()
    form.dimension.choices = choices([(d, label(DIMENSION, d)) for d in DIMENSION])
    form.therapist.choices = choices(_therapist_choices(run))
    form.slot.choices = choices(_slot_choices(run, stay))
    if not form.validate_on_submit():
        return _render_edit(run, stay, 400, add_form=form)
    check_version(stay, form.version.data)
    therapist = db.session.get(Therapist, form.therapist.data)
    return _edit(run_id, stay_id, lambda: rules.add_session(run, stay, dimension=form.dimension.data,
                                                            day=form.day.data, therapist=therapist,
                                                            slot=form.slot.data),
                 _("The session was added."), add_form=form)


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------

def stale_run(run_id: int, view_args: dict):
    """Publishing found the run's data changed (`rules.StaleRun`): keep the stale mark, say so, back to the run.
    Both doors to publishing (this view and the offers' confirmation) answer alike."""
    db.session.commit()
    flash(_("The data changed since this run was made (a request, a house, a therapist or a published "
            "stay). It cannot be published: run the planner again."), "error")
    return redirect(url_for("planning.run", run_id=run_id, **view_args)), 303


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@roles_required(*COORDINATORS)
def publish(run_id: int):
    run = _run(run_id)
    form = PublishForm()
    form.stays.choices = choices([(s.id, s.key) for s in run.stays if s.status == "proposed"])
    if not rules.can_publish(run):
        abort(409)  # item 17; a partly published run may publish the rest
    if not form.validate_on_submit():
        messages = [e for errors in form.errors.values() for e in errors]
        return _proposal(run, 400, messages)
    check_version(run, form.version.data)
    try:
        stays = rules.publish(current_user, run, set(form.stays.data))
    except rules.StaleRun:
        return stale_run(run_id, _view_args())
    except Refused as exc:
        messages = refuse(exc, MESSAGES)
        return _proposal(_run(run_id), 400, messages)
    count = len(stays)
    db.session.commit()
    flash(ngettext("%(num)s stay was published. Those staying and the house team can see it now.",
                   "%(num)s stays were published. Defenders and house teams can see them now.", count), "success")
    return redirect(url_for("planning.run", run_id=run_id, **_view_args()))


# --------------------------------------------------------------------------
# Exports (role-checked, recent login, audited)
# --------------------------------------------------------------------------

def _download(body: str, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/runs/<int:run_id>/instance.json")
@roles_required(*COORDINATORS)
@recent_login_required
def export_instance(run_id: int):
    run = _run(run_id)
    if not run.instance_json:
        abort(404)
    audit.record(current_user, "planning.export", target=run, what="instance")
    db.session.commit()
    return _download(run.instance_json, f"respiro-run-{run_id}-instance.json", "application/json")


@bp.route("/runs/<int:run_id>/solution.json")
@roles_required(*COORDINATORS)
@recent_login_required
def export_solution(run_id: int):
    run = _run(run_id)
    if run.status not in ("done", "published") or not run.instance_json:
        abort(404)
    body = json.dumps(bridge.solution_dict(run), ensure_ascii=False)
    audit.record(current_user, "planning.export", target=run, what="solution")
    db.session.commit()
    return _download(body, f"respiro-run-{run_id}-solution.json", "application/json")


def _published_schedule():
    return [(f"p{s.id}", s, "published") for s in db.session.scalars(select(Stay).order_by(Stay.start, Stay.id))]


def _schedule_download(stays, name: str, fmt: str, **audited) -> Response:
    audit.record(current_user, "planning.export", format=fmt, stays=len(stays), **audited)
    db.session.commit()
    if fmt == "json":
        body = json.dumps({"stays": exports.schedule_json(stays)}, ensure_ascii=False)
        return _download(body, f"{name}.json", "application/json")
    return _download(exports.schedule_csv((stay, status) for _key, stay, status in stays), f"{name}.csv",
                     "text/csv")


@bp.route("/schedule.<any(csv, json):fmt>")
@roles_required(*COORDINATORS)
@recent_login_required
def export_schedule(fmt: str):
    return _schedule_download(_published_schedule(), "respiro-schedule", fmt, what="schedule")


@bp.route("/runs/<int:run_id>/schedule.<any(csv, json):fmt>")
@roles_required(*COORDINATORS)
@recent_login_required
def export_run_schedule(run_id: int, fmt: str):
    run = _run(run_id)
    stays = [(s.key, s, s.status) for s in run.stays]
    return _schedule_download(stays, f"respiro-run-{run_id}-schedule", fmt, what="proposal", run_id=run.id)
