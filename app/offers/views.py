"""Offer pages: the publishing confirmation, her answer, the house team's answer for her, withdrawing, the diff."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.models import Offer, PlanningRun, ProposedStay, Stay, local_today
from app.offers import bp, diff, service
from app.offers.forms import AnswerForm, ConfirmPublishForm, DeclineForm, DiffForm, UnpublishForm
from app.offers.messages import MESSAGES
from app.planning import rules
from app.planning.views import stale_run
from app.refusals import Refused, refuse
from app.security.access import check_version, roles_required

COORDINATORS = ("coordinator", "admin")
ROLES = ("defender", "team", "coordinator", "admin")


def _offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or not _may_see(offer):
        abort(404)
    return offer


def _may_see(offer: Offer) -> bool:
    role = current_user.role
    if role in COORDINATORS:
        return True
    if role == "team":
        return current_user.house_id == offer.stay.house_id
    return service.answers_for_herself(current_user, offer)


# ------------------------------------------------------------------ her offers

@bp.route("/")
@roles_required(*ROLES)
def index():
    rows = service.offers_of(current_user)
    return render_template("offers/index.html", offers=rows, today=local_today(),
                           coordinator=current_user.role in COORDINATORS)


@bp.route("/<int:offer_id>")
@roles_required(*ROLES)
def show(offer_id: int, decline_form=None, messages=None, status=200):
    offer = _offer(offer_id)
    today = local_today()
    can = offer.status == service.OPEN and not offer.lapsed_on(today) and service.may_answer(current_user, offer)
    return render_template(
        "offers/show.html", offer=offer, today=today, can_answer=can,
        on_behalf=service.answers_on_behalf(current_user, offer),
        sees_reason=current_user.role in COORDINATORS or offer.answered_by_id == current_user.id,
        accept_form=AnswerForm(version=offer.version),
        decline_form=decline_form or DeclineForm(formdata=None, version=offer.version),
        messages=messages or []), status


def _answer(offer_id: int, accept: bool):
    offer = _offer(offer_id)
    form = AnswerForm() if accept else DeclineForm()
    if not form.validate_on_submit():
        return show(offer_id, decline_form=None if accept else form, status=400)
    if not service.may_answer(current_user, offer):
        abort(404)
    check_version(offer, form.version.data)
    try:
        service.answer(current_user, offer, accept=accept, reason="" if accept else form.reason.data)
    except Refused as exc:
        return show(offer_id, decline_form=None if accept else form, messages=refuse(exc, MESSAGES), status=400)
    db.session.commit()
    if accept:
        flash(_("Thank you: you accepted the stay. The house team is expecting you."), "success")
    else:
        flash(_("You declined the stay. Your request is back in the queue; the coordination will look for "
                "another stay for you."), "success")
    return redirect(url_for("offers.show", offer_id=offer_id))


@bp.route("/<int:offer_id>/accept", methods=["POST"])
@roles_required("defender", "team")
def accept(offer_id: int):
    return _answer(offer_id, True)


@bp.route("/<int:offer_id>/decline", methods=["POST"])
@roles_required("defender", "team")
def decline(offer_id: int):
    return _answer(offer_id, False)


# ------------------------------------------------------------------ publishing, with a confirmation

def _run(run_id: int) -> PlanningRun:
    run = db.session.get(PlanningRun, run_id)
    if run is None or not run.instance_json:
        abort(404)
    return run


def _publish_form(run: PlanningRun, formdata=True) -> tuple[ConfirmPublishForm, list[ProposedStay]]:
    proposed = sorted((s for s in run.stays if s.status == "proposed"), key=lambda s: (s.house.name, s.start, s.id))
    form = ConfirmPublishForm() if formdata else ConfirmPublishForm(formdata=None)
    form.stays.choices = [(s.id, s.key) for s in proposed]
    return form, proposed


def _confirmation(run: PlanningRun, form: ConfirmPublishForm, proposed, status=200, messages=None):
    chosen_ids = set(form.stays.data or [])
    chosen = [s for s in proposed if s.id in chosen_ids]
    today = local_today()
    try:
        deadline = service.check_deadline(form.deadline.data, today)
    except Refused:
        deadline = service.default_deadline(today)
    if not form.deadline.data:
        form.deadline.data = deadline
    deadlines = {s.id: service.deadline_for(s.start, deadline, today) for s in chosen}
    people = sorted({d.alias for s in chosen for r in s.requests for d in r.all_defenders if d})
    empty = [s for s in chosen if not s.sessions]  # a hand edit may have left one without a programme
    return render_template("offers/confirm.html", run=run, form=form, chosen=chosen, deadlines=deadlines,
                           people=people, empty=empty, messages=messages or [], view=_view_args()), status


def _view_args() -> dict:
    return {k: request.args[k][:40] for k in ("house", "month", "page") if request.args.get(k)}


@bp.route("/runs/<int:run_id>/confirm", methods=["POST"])
@roles_required(*COORDINATORS)
def confirm(run_id: int):
    """What publishing would do: the stays and the people it touches, and the deadline. Writes nothing."""
    run = _run(run_id)
    if not rules.can_publish(run):
        abort(409)
    form, proposed = _publish_form(run)
    form.deadline.data = None
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(e, "error")
        return redirect(url_for("planning.run", run_id=run_id, _anchor="publish-h", **_view_args())), 303
    check_version(run, form.version.data)
    return _confirmation(run, form, proposed)


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@roles_required(*COORDINATORS)
def publish(run_id: int):
    run = _run(run_id)
    if not rules.can_publish(run):
        abort(409)
    form, proposed = _publish_form(run)
    if not form.validate_on_submit():
        return _confirmation(run, form, proposed, 400)
    check_version(run, form.version.data)
    try:
        stays = rules.publish(current_user, run, set(form.stays.data), deadline=form.deadline.data)
    except rules.StaleRun:
        return stale_run(run_id, _view_args())
    except Refused as exc:
        messages = refuse(exc, MESSAGES)
        run = _run(run_id)
        form.version.data = run.version
        return _confirmation(run, form, _publish_form(run)[1], 400, messages)
    count = len(stays)
    db.session.commit()
    flash(ngettext("%(num)s stay was published and offered to her; she answers before the deadline.",
                   "%(num)s stays were published and offered to the women in them; they answer before the "
                   "deadline.", count), "success")
    return redirect(url_for("planning.run", run_id=run_id, **_view_args()))


# ------------------------------------------------------------------ withdrawing a stay nobody answered

@bp.route("/stays/<int:stay_id>/unpublish", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def unpublish(stay_id: int):
    stay = db.session.get(Stay, stay_id)
    if stay is None or not stay.requests:
        abort(404)
    form = UnpublishForm()
    offers = list(db.session.scalars(select(Offer).where(Offer.stay_id == stay.id).order_by(Offer.id)))
    if request.method == "GET":
        form.version.data = stay.version
        return render_template("offers/unpublish.html", stay=stay, form=form, offers=offers,
                               allowed=service.withdrawable(stay))
    if form.validate_on_submit():
        check_version(stay, form.version.data)
        try:
            service.unpublish(current_user, stay, form.reason.data)
        except Refused as exc:
            refuse(exc, MESSAGES, form, field="reason")
        else:
            db.session.commit()
            flash(_("The stay was withdrawn. Her request is back in the queue, and she was told."), "success")
            return redirect(url_for("offers.index"))
    stay = db.session.get(Stay, stay_id)
    return render_template("offers/unpublish.html", stay=stay, form=form, offers=offers,
                           allowed=service.withdrawable(stay)), 400


# ------------------------------------------------------------------ the per-stay diff

def _sources() -> list[tuple[str, str]]:
    runs = db.session.scalars(select(PlanningRun).where(PlanningRun.status.in_(("done", "published")))
                              .order_by(PlanningRun.id.desc()).limit(100))
    return [(diff.PUBLISHED, _("The published schedule"))] + [(f"run-{r.id}", _("Run %(id)s", id=r.id)) for r in runs]


def _side(value: str, other: str):
    if value == diff.PUBLISHED:
        run = _run_of(other)
        return diff.published_like(run) if run is not None else diff.published()
    run = _run_of(value)
    if run is None:
        return None
    return diff.of_run(run)


def _run_of(value: str) -> PlanningRun | None:
    if not value.startswith("run-") or not value[4:].isdigit() or len(value) > 14:
        return None
    run = db.session.get(PlanningRun, int(value[4:]))
    return run if run is not None and run.status in ("done", "published") else None


@bp.route("/diff")
@roles_required(*COORDINATORS)
def compare():
    form = DiffForm(request.args)
    sources = _sources()
    form.before.choices = form.after.choices = sources
    rows = same = None
    if request.args:
        if form.validate() and form.before.data != form.after.data:
            before = _side(form.before.data, form.after.data)
            after = _side(form.after.data, form.before.data)
            rows, same = diff.compare(before, after)
        elif form.before.data and form.before.data == form.after.data:
            form.after.errors = [_("Choose two different schedules.")]
        return render_template("offers/diff.html", form=form, rows=rows, same=same), (200 if rows is not None else 400)
    return render_template("offers/diff.html", form=form, rows=rows, same=same)
