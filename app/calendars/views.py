"""The feed itself (by private token) and the routes that make and end links."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calendars import bp, feeds
from app.extensions import db
from app.security.access import STAFF, get_house, get_therapist, roles_required


@bp.app_template_global("calendar_feed_active")
def calendar_feed_active(kind: str, target_id: int) -> bool:
    """Whether a target has a live private link (for pages that offer make / end buttons)."""
    return feeds.active_token(kind, target_id, target_id if kind == "house" else feeds.scope_of(current_user)) \
        is not None


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


def _made(kind: str, target_id: int, back: str):
    """Show the new link on this one page, never again: not in a flash, which travels in her cookie."""
    raw = feeds.new_token(kind, target_id, current_user._get_current_object())
    db.session.commit()
    response = Response(render_template("calendars/link_made.html", url=feeds.feed_url(raw), back=back))
    response.headers["Cache-Control"] = "no-store"
    return response


def _ended(kind: str, target_id: int, back: str):
    count = feeds.revoke(kind, target_id, target_id if kind == "house" else feeds.scope_of(current_user))
    db.session.commit()
    if count:
        flash(_("The calendar link was ended. Calendars that used it show nothing more."), "success")
    return redirect(back)


def _own_defender_id() -> int:
    if not current_user.defender_id:
        abort(404)
    return current_user.defender_id


# The targets a link is made for: kind, the URL part naming it, who may make or end its link, how to
# find it in her scope (404 outside it) and the page to go back to.
TARGETS = (
    ("therapist", "/therapists/<int:therapist_id>", STAFF,
     lambda therapist_id: get_therapist(current_user, therapist_id).id,
     lambda target_id: url_for("network.show", therapist_id=target_id)),
    ("house", "/houses/<int:house_id>", STAFF,
     lambda house_id: get_house(current_user, house_id).id,
     lambda target_id: url_for("houses.show", house_id=target_id)),
    ("defender", "/mine", ("defender",), _own_defender_id,
     lambda target_id: url_for("main.home")),
)


def _link_view(kind: str, roles: tuple[str, ...], act, find, back):
    """A POST view that finds the target in her scope and makes (or ends) its link; its page is the way back."""

    @roles_required(*roles)
    def view(**ids):
        target_id = find(**ids)
        return act(kind, target_id, back(target_id))

    return view


def _register_link_routes() -> None:
    """Two routes a target, `<kind>_feed_create` and `<kind>_feed_revoke`, both POST (CSRF-checked)."""
    for kind, rule, roles, find, back in TARGETS:
        for action, act in (("create", _made), ("revoke", _ended)):
            bp.add_url_rule(f"{rule}/{action}", f"{kind}_feed_{action}", _link_view(kind, roles, act, find, back),
                            methods=["POST"])


_register_link_routes()
