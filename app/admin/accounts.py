"""Reset links and reactivation, from the pages (issue 14, item 4); the rules are in app/auth/resets.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.auth import resets
from app.auth.messages import MESSAGES
from app.extensions import db
from app.models import User
from app.refusals import Refused, refuse
from app.security.access import roles_required


@bp.app_template_global("may_reset_account")
def may_reset_account(person: User | None) -> bool:
    """Whether the logged-in person may issue a reset link for `person` (pages that offer the button)."""
    return person is not None and current_user.is_authenticated and resets.may_manage(current_user, person)


def _person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not resets.may_manage(current_user, person):
        abort(404)
    return person


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@roles_required("admin", "team")
def reset_link(user_id: int):
    person = _person(user_id)
    try:
        token = resets.issue_reset_link(person, current_user._get_current_object())
    except Refused as error:
        refuse(error, MESSAGES, flash_as="error")
        return redirect(url_for("admin.users") if current_user.role == "admin" else url_for("main.home"))
    db.session.commit()
    link = url_for("auth.invitation", token=token, _external=True)
    return render_template("admin/reset_link.html", link=link, person=person)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate_user(user_id: int):
    person = _person(user_id)
    try:
        resets.reactivate(person, current_user._get_current_object())
    except Refused as error:
        refuse(error, MESSAGES, flash_as="info")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(_("The account is active again. She logs in with her password, or with a reset link."), "success")
    return redirect(url_for("admin.users"))
