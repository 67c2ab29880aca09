"""Report pages (with SVG charts and a print style), their audited CSV downloads, and the follow-ups.

Coordinators and admins see the whole network (or one house they choose);
a house team sees its own house only (another house is a 404).
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.models import DIMENSIONS, FOLLOW_UP_KINDS, StayRequest, local_today
from app.refusals import Refused, message_for, refuse
from app.reports import bp, followup, service
from app.reports.cli import render_csv
from app.reports.forms import FollowUpForm
from app.reports.messages import MESSAGES
from app.reports.tables import REPORTS
from app.security import access, audit
from app.security.access import STAFF, get_house, roles_required

MAX_MONTHS = 36


def today() -> dt.date:
    return local_today()


def titles() -> dict[str, str]:
    return {"demand": _("Demand against capacity"), "waiting": _("Waiting by urgency"),
            "load": _("Therapists' load"), "served": _("People served, year against year"),
            "after": _("After the stay")}


def _choices(name: str) -> tuple[int, dt.date, int | None, list[str]]:
    """Months, first month and house from the query, with a notice for each value that was not usable."""
    notices = []
    raw = request.args.get("months", "")
    months = 12
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= MAX_MONTHS:
            months = int(raw)
        else:
            notices.append(_("The number of months must be between 1 and %(max)s; showing 12.", max=MAX_MONTHS))
    start = service.default_start(name, months, today())
    raw = request.args.get("start", "")
    if raw:
        try:
            parsed = dt.datetime.strptime(raw, "%Y-%m").date()
            if not 2000 <= parsed.year <= 2100:
                raise ValueError(raw)
            start = parsed
        except ValueError:
            notices.append(_("The first month must look like 2027-03; showing the default months."))
    house_id = None
    raw = request.args.get("house", "")
    if current_user.role == "team":
        if not current_user.house_id:
            abort(404)
        house_id = current_user.house_id
        if raw and raw != str(house_id):
            abort(404)
    elif raw:
        if not raw.isdigit():
            abort(404)
        house_id = get_house(current_user, int(raw)).id
    return months, start, house_id, notices


def _report(name: str):
    if name not in REPORTS:
        abort(404)
    months, start, house_id, notices = _choices(name)
    built = service.build(name, start=start, months=months, today=today(),
                          house_ids=None if house_id is None else [house_id])
    return built, months, start, house_id, notices


@bp.route("/")
@roles_required(*STAFF)
def index():
    return render_template("reports/index.html", titles=titles())


@bp.route("/<name>")
@roles_required(*STAFF)
def show(name: str):
    built, months, start, house_id, notices = _report(name)
    houses = db.session.scalars(access.house_scope(current_user)).all()
    return render_template(f"reports/{name}.html", report=built, name=name, title=titles()[name], months=months,
                           start=start, house_id=house_id, houses=houses, notices=notices,
                           dimensions=DIMENSIONS)


@bp.route("/<name>.csv")
@roles_required(*STAFF)
def download(name: str):
    built, months, start, house_id, _notices = _report(name)
    audit.record(current_user, "report.csv", report=name, months=months, start=start.isoformat(), house_id=house_id,
                 rows=len(built.csv_rows))
    db.session.commit()
    response = Response(render_csv(built.csv_header, built.csv_rows).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=respiro-{name}-{start:%Y-%m}-{months}m.csv"
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ follow-ups


def _due(request_id: int, kind: str) -> followup.Due:
    """Her follow-up (a defender: her own request; a team: a request whose stay is at its house)."""
    if kind not in FOLLOW_UP_KINDS:
        abort(404)
    stay_request = _request(request_id)
    due = next((d for d in followup.dues(stay_request) if d.kind == kind), None)
    if due is None:
        abort(404)
    return due


def _request(request_id: int) -> StayRequest:
    stay_request = access.get_request(current_user, request_id)
    if current_user.role == "defender" and stay_request.defender_id != current_user.defender_id:
        abort(404)  # a member of a group: the follow-up is the lead's (her interview)
    if current_user.role == "team" and (stay_request.stay is None or stay_request.stay.house_id != current_user.house_id):
        abort(404)
    if current_user.role not in ("defender", "team"):
        abort(404)
    return stay_request


@bp.route("/follow-up/<int:request_id>/<kind>", methods=["GET", "POST"])
@login_required
def answer(request_id: int, kind: str):
    due = _due(request_id, kind)
    assisted = current_user.role == "team"
    form = FollowUpForm()
    refusal = None
    status = 200
    if not due.is_open(today()):
        refusal = message_for(Refused("answered" if due.answer else "not_open"), MESSAGES)
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = followup.save(due, levels=form.levels(), words=form.words.data or "", today=today(),
                                      by=current_user, assisted=assisted, agreed=bool(form.agreed.data))
            except Refused as error:
                refusal = refuse(error, MESSAGES)[0]
            else:
                audit.record(current_user, "follow_up.answer", target=saved, defender_id=saved.defender_id,
                             kind=kind, assisted=assisted)
                db.session.commit()
                flash(_("Thank you. Your answer was saved."), "success")
                if assisted:
                    return redirect(url_for("reports.follow_up", request_id=request_id))
                return redirect(url_for("main.home"))
        status = 400
    return render_template("reports/follow_up_form.html", due=due, form=form, refusal=refusal, assisted=assisted,
                           kind=kind, is_open=due.is_open(today())), status


@bp.route("/follow-ups")
@roles_required("team")
def follow_ups():
    if not current_user.house_id:
        abort(404)
    dues = [d for d in followup.house_dues(current_user.house_id, today())
            if access.can_see_defender(current_user, d.request.defender)]
    return render_template("reports/follow_ups.html", dues=dues, today=today())


@bp.route("/follow-ups/<int:request_id>")
@roles_required("team")
def follow_up(request_id: int):
    """Before and after for her: her levels always (her consent covers them), her words only with 'narrative'."""
    stay_request = _request(request_id)
    dues = followup.dues(stay_request)
    if not dues:
        abort(404)
    interview = stay_request.interview
    words = interview is not None and access.may_read_narrative(current_user, interview)
    audit.record(current_user, "follow_up.read", target=stay_request, defender_id=stay_request.defender_id)
    db.session.commit()
    return render_template("reports/follow_up.html", stay_request=stay_request, dues=dues, words=words,
                           before=followup.levels_before(stay_request), dimensions=DIMENSIONS, today=today())
