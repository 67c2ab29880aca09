"""Accounts administration: staff invitations and deactivation."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.admin.forms import InviteForm
from app.auth.accounts import create_invitation, deactivate
from app.auth.messages import MESSAGES
from app.extensions import db
from app.models import House, User
from app.refusals import Refused, refuse
from app.security.access import roles_required


def _invite_form() -> InviteForm:
    form = InviteForm()
    houses = db.session.scalars(select(House).order_by(House.name))
    form.house_id.choices = [SelectChoice(0, "—")] + [SelectChoice(h.id, h.name) for h in houses]
    return form


def _accounts() -> list[User]:
    """Every account by role, then address: sorted here, as the addresses are encrypted in the database."""
    return sorted(db.session.scalars(select(User)), key=lambda user: (user.role, user.email or ""))


@bp.route("/users")
@roles_required("admin")
def users():
    return render_template("admin/users.html", users=_accounts(), form=_invite_form())


@bp.route("/invitations", methods=["POST"])
@roles_required("admin")
def invite():
    form = _invite_form()
    if form.validate_on_submit():
        try:
            _invitation, token = create_invitation(email=form.email.data, role=form.role.data,
                                                   house_id=form.house_id.data or None, created_by=current_user)
        except Refused as error:
            refuse(error, MESSAGES, form, field="email")
        else:
            db.session.commit()
            link = url_for("auth.invitation", token=token, _external=True)
            return render_template("admin/invitation_created.html", link=link, email=form.email.data)
    return render_template("admin/users.html", users=_accounts(), form=form), 400


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def deactivate_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    deactivate(user)
    db.session.commit()
    flash(_("The account was deactivated and its sessions ended."), "success")
    return redirect(url_for("admin.users"))
