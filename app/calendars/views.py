"""The feed itself (by private token) and the routes that make and end links."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calendars import bp, feeds
from app.extensions import db
from app.security.access import STAFF, get_house, get_therapist, roles_required


@bp.app_template_global("calendar_feed_active")
def calendar_feed_active(kind: str, target_id: int) -> bool:
    """Whether a target has a live private link (for pages that offer make / end buttons)."""
    return feeds.active_token(kind, target_id) is not None


@bp.route("/<token>.ics")
def feed(token: str):
    row = feeds.find_token(token)
    body = feeds.render_feed(row) if row is not None else None
    if body is None:
        abort(404)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline; filename=respiro.ics"
    return response


def _made(kind: str, target_id: int) -> None:
    raw = feeds.new_token(kind, target_id)
    db.session.commit()
    flash(_("Your private calendar link (copy it now into your calendar app: it is shown only once, "
            "and anyone who has it sees the dates): %(url)s", url=feeds.feed_url(raw)), "success")


def _ended(kind: str, target_id: int) -> None:
    count = feeds.revoke(kind, target_id)
    db.session.commit()
    if count:
        flash(_("The calendar link was ended. Calendars that used it show nothing more."), "success")


@bp.route("/therapists/<int:therapist_id>/create", methods=["POST"])
@roles_required(*STAFF)
def therapist_feed_create(therapist_id: int):
    therapist = get_therapist(current_user, therapist_id)
    _made("therapist", therapist.id)
    return redirect(url_for("network.show", therapist_id=therapist.id))


@bp.route("/therapists/<int:therapist_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def therapist_feed_revoke(therapist_id: int):
    therapist = get_therapist(current_user, therapist_id)
    _ended("therapist", therapist.id)
    return redirect(url_for("network.show", therapist_id=therapist.id))


@bp.route("/houses/<int:house_id>/create", methods=["POST"])
@roles_required(*STAFF)
def house_feed_create(house_id: int):
    house = get_house(current_user, house_id)
    _made("house", house.id)
    return redirect(url_for("houses.show", house_id=house.id))


@bp.route("/houses/<int:house_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def house_feed_revoke(house_id: int):
    house = get_house(current_user, house_id)
    _ended("house", house.id)
    return redirect(url_for("houses.show", house_id=house.id))


@bp.route("/mine/create", methods=["POST"])
@roles_required("defender")
def defender_feed_create():
    if not current_user.defender_id:
        abort(404)
    _made("defender", current_user.defender_id)
    return redirect(url_for("main.home"))


@bp.route("/mine/revoke", methods=["POST"])
@roles_required("defender")
def defender_feed_revoke():
    if not current_user.defender_id:
        abort(404)
    _ended("defender", current_user.defender_id)
    return redirect(url_for("main.home"))
