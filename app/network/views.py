"""Network pages: the list with search and filters, a therapist's page, availability, CSV, the month view.

Scoping: a team member sees and edits the therapists of her house only
(`access.therapist_scope`); coordinators and admins the whole network.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from app.extensions import db
from app.houses.forms import choices
from app.houses.occupancy import shift_month
from app.houses.views import stay_name
from app.labels import LANGUAGE
from app.models import Availability, House, Therapist, local_today
from app.network import bp
from app.web import arg_id
from app.network import csvio
from app.network.forms import AvailabilityForm, FilterForm, ImportForm, TherapistForm
from app.network.messages import MESSAGES
from app.network.rules import (
    Filters, TherapistData, calendar_weeks, covered, delete_availability, matches,
    network_month, save_availability, save_therapist,
)
from app.refusals import Refused, message_for, refuse
from app.security import access, audit
from app.security.access import STAFF, check_version, get_house, get_therapist, roles_required
from app.security.sessions import recent_login_required


def today() -> dt.date:
    return local_today()


def stays_named(stays: list) -> str:
    """Name the stays at houses she may see; only count the others (another house's dates are not hers to see)."""
    visible = {h.id for h in _houses()}
    named = [stay_name(s) for s in stays if s.house_id in visible]
    others = sum(1 for s in stays if s.house_id not in visible)
    if others:
        named.append(ngettext("%(num)s stay at another house", "%(num)s stays at other houses", others))
    return "; ".join(named)


def wording(clash) -> dict:
    """The stays of a refusal named as she may see them."""
    return {"stays": stays_named(getattr(clash, "stays", ()))}


def describe(clash) -> str:
    """One reason in her words (the CSV import words each reason of a bad line with it)."""
    return message_for(clash, MESSAGES, **wording(clash))


def worded_rows(rows: list[tuple[int, object]]) -> list[tuple[int, str]]:
    """The import's bad lines in her words: each line's reasons (a row's rule problems together) said once."""
    return [(line, " ".join(describe(r) for r in getattr(reason, "reasons", [reason]))) for line, reason in rows]


def _visible_therapists() -> list[Therapist]:
    # names are encrypted: sorted here, not in SQL
    return sorted(db.session.scalars(access.therapist_scope(current_user)), key=lambda t: (t.name.casefold(), t.id))


def _houses() -> list[House]:
    return list(db.session.scalars(access.house_scope(current_user)))


# ------------------------------------------------------------------ list


@bp.route("/")
@roles_required(*STAFF)
def index():
    houses = _houses()
    form = FilterForm(request.args)
    form.house.choices = choices([("", _("Any"))] + [(str(h.id), h.name) for h in houses])
    form.validate()
    filters = Filters(q=(form.q.data or "").strip() if not form.q.errors else "",
                      dimension=form.dimension.data if not form.dimension.errors else "",
                      language=form.language.data if not form.language.errors else "",
                      house_id=int(form.house.data) if form.house.data and not form.house.errors else None,
                      on=form.on.data if not form.on.errors else None)
    rows = [t for t in _visible_therapists() if matches(t, filters)]
    return render_template("network/index.html", form=form, therapists=rows, houses=houses)


# ------------------------------------------------------------------ one therapist


def _therapist_form(therapist: Therapist | None) -> TherapistForm:
    if request.method != "GET":
        form = TherapistForm()
    elif therapist is None:
        own = [current_user.house_id] if current_user.role == "team" else []
        form = TherapistForm(data={"houses": own, "active": True, "max_sessions_per_day": 3, "languages": ["es"]})
    else:
        form = TherapistForm(data={"name": therapist.name, "kind": therapist.kind, "dimensions": therapist.dimensions,
                                   "techniques": therapist.techniques, "languages": therapist.languages,
                                   "houses": [h.id for h in therapist.houses],
                                   "max_sessions_per_day": therapist.max_sessions_per_day,
                                   "max_sessions_per_week": therapist.max_sessions_per_week,
                                   "contact": therapist.contact or "", "active": therapist.active,
                                   "version": therapist.version})
    form.houses.choices = choices((h.id, h.name) for h in _houses())
    return form


def _data(form: TherapistForm) -> TherapistData:
    return TherapistData(name=form.name.data or "", kind=form.kind.data, dimensions=list(form.dimensions.data or []),
                         techniques=form.techniques.data or "", languages=list(form.languages.data or []),
                         house_ids=set(form.houses.data or []), max_sessions_per_day=form.max_sessions_per_day.data,
                         active=bool(form.active.data), contact=form.contact.data or "",
                         max_sessions_per_week=form.max_sessions_per_week.data or None)


def _edit(therapist: Therapist | None):
    form = _therapist_form(therapist)
    refusals: list[str] = []
    if form.validate_on_submit():
        if therapist is not None:
            check_version(therapist, form.version.data)
        try:
            saved = save_therapist(therapist, _data(form), current_user, today())
        except Refused as error:
            refusals = refuse(error, MESSAGES, wording=wording)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if db.session.scalar(access.therapist_scope(current_user).where(Therapist.id == saved.id)) is None:
                flash(_("She no longer works at your house, so she is no longer in your list."), "info")
                return redirect(url_for("network.index"))
            return redirect(url_for("network.show", therapist_id=saved.id))
    other_houses = [h for h in therapist.houses if h.id not in {c.value for c in form.houses.choices}] if therapist else []
    status = 400 if request.method == "POST" else 200
    return render_template("network/form.html", form=form, therapist=therapist, refusals=refusals,
                           other_houses=other_houses), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    return _edit(None)


@bp.route("/<int:therapist_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(therapist_id: int):
    return _edit(get_therapist(current_user, therapist_id))


def _month_arg(value: str | None, fallback: dt.date) -> dt.date:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return fallback.replace(day=1)


def _date_arg(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _show(therapist: Therapist, form: AvailabilityForm, refusals: list[str], status: int = 200):
    first = _month_arg(request.args.get("month"), today())
    pick_from = _date_arg(request.args.get("from"))
    pick_to = _date_arg(request.args.get("to"))
    if pick_from and pick_to and pick_to < pick_from:
        pick_to = None
    if pick_from and request.method == "GET":
        form.start.data = pick_from
        form.end.data = pick_to or pick_from
    ranges = [(a.start, a.end) for a in therapist.availability]
    weeks = [[{"day": d, "available": d is not None and covered(d, ranges)} for d in week]
             for week in calendar_weeks(first)]
    return render_template("network/show.html", therapist=therapist, form=form, refusals=refusals, weeks=weeks,
                           first=first, prev=shift_month(first, -1), next=shift_month(first, 1),
                           pick_from=pick_from, pick_to=pick_to), status


@bp.route("/<int:therapist_id>")
@roles_required(*STAFF)
def show(therapist_id: int):
    return _show(get_therapist(current_user, therapist_id), AvailabilityForm(), [])


@bp.route("/<int:therapist_id>/availability", methods=["POST"])
@roles_required(*STAFF)
def availability_add(therapist_id: int):
    therapist = get_therapist(current_user, therapist_id)
    form = AvailabilityForm()
    if not form.validate_on_submit():
        return _show(therapist, form, [], 400)
    try:
        save_availability(therapist, None, form.start.data, form.end.data, today())
    except Refused as error:
        return _show(therapist, form, refuse(error, MESSAGES, wording=wording), 400)
    db.session.commit()
    flash(_("The availability was added."), "success")
    return redirect(url_for("network.show", therapist_id=therapist.id, month=form.start.data.strftime("%Y-%m")))


def _range(therapist: Therapist, availability_id: int) -> Availability:
    row = db.session.get(Availability, availability_id)
    if row is None or row.therapist_id != therapist.id:
        abort(404)
    return row


@bp.route("/<int:therapist_id>/availability/<int:availability_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def availability_edit(therapist_id: int, availability_id: int):
    therapist = get_therapist(current_user, therapist_id)
    row = _range(therapist, availability_id)
    form = AvailabilityForm(data={"start": row.start, "end": row.end} if request.method == "GET" else None)
    refusals: list[str] = []
    if form.validate_on_submit():
        try:
            save_availability(therapist, row, form.start.data, form.end.data, today())
        except Refused as error:
            refusals = refuse(error, MESSAGES, wording=wording)
        else:
            db.session.commit()
            flash(_("The availability was changed."), "success")
            return redirect(url_for("network.show", therapist_id=therapist.id))
    status = 400 if request.method == "POST" else 200
    return render_template("network/availability_edit.html", therapist=therapist, row=row, form=form,
                           refusals=refusals), status


@bp.route("/<int:therapist_id>/availability/<int:availability_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def availability_delete(therapist_id: int, availability_id: int):
    therapist = get_therapist(current_user, therapist_id)
    row = _range(therapist, availability_id)
    try:
        delete_availability(therapist, row, today())
    except Refused as error:
        refuse(error, MESSAGES, flash_as="error", wording=wording)
        return redirect(url_for("network.show", therapist_id=therapist.id))
    db.session.commit()
    flash(_("The availability was removed."), "success")
    return redirect(url_for("network.show", therapist_id=therapist.id))


# ------------------------------------------------------------------ the network's month at a house


@bp.route("/month")
@roles_required(*STAFF)
def month():
    houses = _houses()
    if not houses:
        abort(404)
    house_id = arg_id("house")
    house = get_house(current_user, house_id) if house_id else houses[0]
    first = _month_arg(request.args.get("month"), today())
    therapists = [t for t in _visible_therapists() if t.active and house in t.houses]
    grid = network_month(therapists, first)
    closed = [any(c.start <= day <= c.end for c in house.closures) for day in grid["days"]]
    return render_template("network/month.html", house=house, houses=houses, grid=grid, first=first, closed=closed,
                           prev=shift_month(first, -1), next=shift_month(first, 1))


# ------------------------------------------------------------------ CSV


def _csv_response(text: str, name: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_scope() -> list[Therapist]:
    house_id = arg_id("house")
    rows = _visible_therapists()
    if house_id:
        house = get_house(current_user, house_id)
        rows = [t for t in rows if house in t.houses]
    return rows


@bp.route("/export/therapists.csv")
@roles_required(*STAFF)
@recent_login_required
def export_therapists():
    rows = _export_scope()
    audit.record(current_user, "network.export_therapists", rows=len(rows), house_id=arg_id("house"))
    db.session.commit()
    return _csv_response(csvio.export_therapists(rows), "respiro-therapists.csv")


@bp.route("/export/availability.csv")
@roles_required(*STAFF)
@recent_login_required
def export_availability():
    rows = _export_scope()
    audit.record(current_user, "network.export_availability", rows=len(rows),
                 house_id=arg_id("house"))
    db.session.commit()
    return _csv_response(csvio.export_availability(rows), "respiro-availability.csv")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_csv():
    form = ImportForm()
    errors: list[tuple[int, object]] = []  # (line, reason), worded when the page is drawn
    if form.validate_on_submit():
        limit = current_app.config["CSV_MAX_BYTES"]
        raw = form.file.data.stream.read(limit + 1)
        if len(raw) > limit:
            errors = [(0, Refused("file_too_large", kb=limit // 1024))]
        else:
            try:
                if form.what.data == "therapists":
                    added, updated = csvio.import_therapists(raw, current_user, _visible_therapists(), today())
                else:
                    added, updated = csvio.import_availability(raw, _visible_therapists(), today())
            except Refused as refused:
                db.session.rollback()
                errors = refused.params["rows"]
            else:
                audit.record(current_user, f"network.import_{form.what.data}", added=added, updated=updated)
                db.session.commit()
                flash(_("Imported: %(added)s new rows, %(updated)s changed rows.", added=added, updated=updated),
                      "success")
                return redirect(url_for("network.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("network/import.html", form=form, errors=worded_rows(errors),
                           therapist_columns=csvio.THERAPIST_COLUMNS, availability_columns=csvio.AVAILABILITY_COLUMNS,
                           language_codes=sorted(LANGUAGE)), status
