"""House pages: settings, closures, occupancy picture, programmes.

A team member works on her own house only; coordinators and admins on every
house (and may add one). A house outside her scope answers 404.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.houses import bp
from app.houses import occupancy as occ
from app.houses import sheet as sheets
from app.houses.forms import ClosureForm, HouseSettingsForm, NewHouseForm, PeriodForm
from app.houses.messages import MESSAGES
from app.houses.rules import ClosureData, HouseSettings, apply_settings, create_house, delete_closure, save_closure
from app.labels import CLOSURE_REASON, DIMENSION, STAY_TYPE, WEEKDAY, label
from app.models import DEFAULT_SLOT_TIMES, Closure, House, Stay, Therapist, local_today
from app.refusals import Refused, refuse
from app.security import access
from app.security.access import STAFF, check_version, get_house, roles_required


def today() -> dt.date:
    return local_today()


# ------------------------------------------------------------------ messages


def stay_name(stay: Stay) -> str:
    """A stay named without any alias: its type, its dates and its number."""
    return _("%(type)s stay no. %(id)s, %(start)s to %(end)s", type=label(STAY_TYPE, stay.type).lower(), id=stay.id,
             start=format_date(stay.start), end=format_date(stay.end))


def wording(clash) -> dict:
    """What only the page can word in a refusal: the stays named, the stay type and the weekday in her language."""
    words = {"stays": "; ".join(stay_name(s) for s in getattr(clash, "stays", ()))}
    if "type" in clash.params:
        words["type"] = label(STAY_TYPE, clash.params["type"]).lower()
    if "weekday" in clash.params:
        words["day"] = label(WEEKDAY, clash.params["weekday"]).lower()
    return words


# ------------------------------------------------------------------ list and overview


@bp.route("/")
@roles_required(*STAFF)
def index():
    if current_user.role == "team":
        if not current_user.house_id:
            abort(404)
        return redirect(url_for("houses.show", house_id=current_user.house_id))
    houses = db.session.scalars(access.house_scope(current_user)).all()
    return render_template("houses/index.html", houses=houses)


@bp.route("/<int:house_id>")
@roles_required(*STAFF)
def show(house_id: int):
    house = get_house(current_user, house_id)
    now = today()
    upcoming = db.session.scalars(select(Stay).where(Stay.house_id == house.id, Stay.end >= now)
                                  .order_by(Stay.start).limit(10)).all()
    closures = [c for c in house.closures if c.end >= now][:5]
    return render_template("houses/show.html", house=house, upcoming=upcoming, closures=closures)


# ------------------------------------------------------------------ settings


def _settings(form: HouseSettingsForm) -> HouseSettings:
    return HouseSettings(beds=form.beds.data, max_concurrent_stays=form.max_concurrent_stays.data,
                         family_units=form.family_units.data, stay_types=list(form.stay_types.data or []),
                         stay_length=form.lengths(), collective_min=form.collective_min.data,
                         collective_max=form.collective_max.data, accessible=bool(form.accessible.data),
                         turnover_days=form.turnover_days.data,
                         arrival_weekdays=list(form.arrival_weekdays.data or []),
                         slot_times=list(form.slot_times.data or DEFAULT_SLOT_TIMES))


def _settings_data(house: House) -> dict:
    data = {f: getattr(house, f) for f in ("beds", "max_concurrent_stays", "family_units", "stay_types",
                                           "collective_min", "collective_max", "accessible", "turnover_days",
                                           "arrival_weekdays", "slot_times", "version")}
    for stay_type, length in (house.stay_length or {}).items():
        data[f"length_{stay_type}"] = length
    return data


@bp.route("/<int:house_id>/settings", methods=["GET", "POST"])
@roles_required(*STAFF)
def settings(house_id: int):
    house = get_house(current_user, house_id)
    form = HouseSettingsForm(data=_settings_data(house) if request.method == "GET" else None)
    refusals: list[str] = []
    if form.validate_on_submit():
        check_version(house, form.version.data)
        try:
            apply_settings(house, _settings(form), today())
        except Refused as error:
            refusals = refuse(error, MESSAGES, wording=wording)
        else:
            db.session.commit()
            flash(_("The house settings were saved."), "success")
            return redirect(url_for("houses.show", house_id=house.id))
    status = 400 if request.method == "POST" else 200
    return render_template("houses/settings.html", house=house, form=form, refusals=refusals), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required("coordinator", "admin")
def new():
    form = NewHouseForm(data={"beds": 6, "max_concurrent_stays": 2, "family_units": 1, "collective_min": 3,
                              "collective_max": 8, "turnover_days": 1, "stay_types": ["individual"],
                              "length_individual": 10, "arrival_weekdays": list(range(7)),
                              "slot_times": list(DEFAULT_SLOT_TIMES)})
    refusals: list[str] = []
    if form.validate_on_submit():
        try:
            house = create_house(code=form.code.data, name=form.name.data.strip(), place=(form.place.data or "").strip(),
                                 country=form.country.data, settings=_settings(form))
        except Refused as error:
            refusals = refuse(error, MESSAGES, wording=wording)
        else:
            db.session.commit()
            flash(_("The house was added."), "success")
            return redirect(url_for("houses.show", house_id=house.id))
    status = 400 if request.method == "POST" else 200
    return render_template("houses/settings.html", house=None, form=form, refusals=refusals), status


# ------------------------------------------------------------------ closures


def _closure_data(form: ClosureForm) -> ClosureData:
    return ClosureData(start=form.start.data, end=form.end.data, reason=form.reason.data, note=form.note.data or "")


def _replan_reason(data: ClosureData) -> str:
    return _("Closure (%(reason)s) from %(start)s to %(end)s", reason=label(CLOSURE_REASON, data.reason).lower(),
             start=data.start.isoformat(), end=data.end.isoformat())


def _replan_reasons(closure: Closure) -> set[str]:
    """The reason `closure` as saved gave the stays it flagged, in each language (it is written in hers)."""
    data = ClosureData(start=closure.start, end=closure.end, reason=closure.reason, note=closure.note)
    reasons = set()
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            reasons.add(_replan_reason(data))
    return reasons


def _save_closure(house: House, closure: Closure | None, form: ClosureForm) -> list[str] | None:
    """Save from a valid form; return None when saved and committed, else the refusals no field holds.

    On a change, only stays the closure newly covers need her confirmation
    (see `save_closure`); `flagged` counts only those.
    """
    data = _closure_data(form)
    previous = _replan_reasons(closure) if closure is not None else set()
    try:
        _row, flagged = save_closure(house, closure, data, confirm_replan=bool(form.confirm_replan.data),
                                     today=today(), replan_reason=_replan_reason(data), previous_reasons=previous)
    except Refused as error:
        return refuse(error, MESSAGES, form, wording=wording)
    db.session.commit()
    flash(_("The closure was saved."), "success")
    if flagged:
        flash(ngettext("%(num)s published stay was flagged for the coordinator to re-plan.",
                       "%(num)s published stays were flagged for the coordinator to re-plan.", len(flagged)), "info")
    return None


@bp.route("/<int:house_id>/closures", methods=["GET", "POST"])
@roles_required(*STAFF)
def closures(house_id: int):
    house = get_house(current_user, house_id)
    form = ClosureForm()
    refusals: list[str] | None = []
    if form.validate_on_submit():
        refusals = _save_closure(house, None, form)
        if refusals is None:
            return redirect(url_for("houses.closures", house_id=house.id))
    status = 400 if request.method == "POST" else 200
    return render_template("houses/closures.html", house=house, form=form, refusals=refusals), status


def _closure(house: House, closure_id: int) -> Closure:
    closure = db.session.get(Closure, closure_id)
    if closure is None or closure.house_id != house.id:
        abort(404)
    return closure


@bp.route("/<int:house_id>/closures/<int:closure_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def closure_edit(house_id: int, closure_id: int):
    house = get_house(current_user, house_id)
    closure = _closure(house, closure_id)
    form = ClosureForm(data={"start": closure.start, "end": closure.end, "reason": closure.reason,
                             "note": closure.note} if request.method == "GET" else None)
    refusals: list[str] | None = []
    if form.validate_on_submit():
        refusals = _save_closure(house, closure, form)
        if refusals is None:
            return redirect(url_for("houses.closures", house_id=house.id))
    status = 400 if request.method == "POST" else 200
    return render_template("houses/closure_edit.html", house=house, closure=closure, form=form,
                           refusals=refusals), status


@bp.route("/<int:house_id>/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def closure_delete(house_id: int, closure_id: int):
    """Remove a closure once she confirmed it on the page that asks (a bare POST only asks)."""
    house = get_house(current_user, house_id)
    closure = _closure(house, closure_id)
    if request.form.get("confirm") != "yes":
        return redirect(url_for("houses.closure_confirm_delete", house_id=house.id, closure_id=closure.id))
    delete_closure(closure)
    db.session.commit()
    flash(_("The closure was removed."), "success")
    return redirect(url_for("houses.closures", house_id=house.id))


@bp.route("/<int:house_id>/closures/<int:closure_id>/remove")
@roles_required(*STAFF)
def closure_confirm_delete(house_id: int, closure_id: int):
    house = get_house(current_user, house_id)
    return render_template("houses/closure_delete.html", house=house, closure=_closure(house, closure_id))


# ------------------------------------------------------------------ occupancy


def _period(form: PeriodForm, house) -> tuple[str, dt.date]:
    """The period asked for; without a valid month, the first month worth showing (found only then)."""
    kind = form.period.data if form.period.data in occ.PERIODS else "month"
    if form.start.data and not form.start.errors:
        year, month = (int(p) for p in form.start.data.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return kind, dt.date(year, month, 1)
    return kind, occ.first_month_to_show(house, today())


@bp.route("/<int:house_id>/occupancy")
@roles_required(*STAFF)
def occupancy(house_id: int):
    house = get_house(current_user, house_id)
    form = PeriodForm(request.args)
    form.validate()
    kind, first = _period(form, house)
    start, end = occ.period_bounds(kind, first)
    stays, closures = occ.house_period(house, start, end)
    pic = occ.picture(house, stays, closures, start, end)
    step = 3 if kind == "quarter" else 1
    nav = {"prev": occ.shift_month(first, -step).strftime("%Y-%m"), "next": occ.shift_month(first, step).strftime("%Y-%m"),
           "this": first.strftime("%Y-%m")}
    return render_template("houses/occupancy.html", house=house, form=form, pic=pic, start=start, end=end,
                           kind=kind, nav=nav, printing=request.args.get("view") == "print")


# ------------------------------------------------------------------ programmes


@bp.route("/<int:house_id>/programmes")
@roles_required(*STAFF)
def programmes(house_id: int):
    house = get_house(current_user, house_id)
    stays = db.session.scalars(select(Stay).where(Stay.house_id == house.id).order_by(Stay.start.desc())).all()
    therapists = sorted(db.session.scalars(access.therapist_scope(current_user)
                                           .where(Therapist.houses.any(House.id == house.id))),
                        key=lambda t: (t.name.casefold(), t.id))  # names are encrypted: sorted here
    return render_template("houses/programmes.html", house=house, stays=stays, therapists=therapists, today=today())


def programme_days(stay: Stay) -> list[dict]:
    """Each stay day with its sessions: time, dimension, therapist (by first name)."""
    by_day: dict[dt.date, list] = {}
    for session in stay.sessions:
        by_day.setdefault(session.day, []).append(session)
    out = []
    day = stay.start
    while day <= stay.end:
        rows = [{"time": stay.house.slot_time(s.slot), "dimension": label(DIMENSION, s.dimension),
                 "therapist": s.therapist.name if s.therapist else "—"}
                for s in sorted(by_day.get(day, []), key=lambda s: (s.slot, s.id))]
        out.append({"day": day, "sessions": rows})
        day += dt.timedelta(days=1)
    return out


@bp.route("/<int:house_id>/programmes/<int:stay_id>")
@roles_required(*STAFF)
def programme(house_id: int, stay_id: int):
    house = get_house(current_user, house_id)
    stay = db.session.scalar(select(Stay).where(Stay.id == stay_id, Stay.house_id == house.id))
    if stay is None:
        abort(404)
    template = "houses/programme_print.html" if request.args.get("print") == "1" else "houses/programme.html"
    return render_template(template, house=house, stay=stay, days=programme_days(stay))


# ------------------------------------------------------------------ a therapist's session sheet


@bp.route("/<int:house_id>/therapists/<int:therapist_id>/sheet")
@roles_required(*STAFF)
def therapist_sheet(house_id: int, therapist_id: int):
    """Her coming sessions at this house, to print and hand to her; her clients' words only where each chose
    to share them with her therapists and the reader may read them (app/houses/sheet.py, audited)."""
    house = get_house(current_user, house_id)
    therapist = access.get_therapist(current_user, therapist_id)
    if house not in therapist.houses:
        abort(404)
    lines = sheets.sheet(current_user, house, therapist, today())
    db.session.commit()  # the audited reads of her words
    return render_template("houses/therapist_sheet.html", house=house, therapist=therapist, lines=lines,
                           slot_time=house.slot_time)
