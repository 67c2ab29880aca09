"""Log in and out, accept an invitation, confirm the password, change it."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth import bp
from app.auth.accounts import (
    AccountError, Throttled, accept_invitation, authenticate, change_password, find_invitation,
)
from app.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ReauthForm
from app.extensions import db
from app.security.passwords import verify_password
from app.security.sessions import end_session, mark_fresh_login, start_session

ACCOUNT_MESSAGES = {
    "too_short": _l("The password needs at least 8 characters."),
    "too_long": _l("The password is too long (at most 128 characters)."),
    "common": _l("This password is too common and easy to guess. Please choose another one."),
    "wrong_current": _l("The current password is not right."),
    "email_taken": _l("There is already an account with this email."),
    "bad_email": _l("Please give a valid email address."),
    "bad_role": _l("Unknown role."),
    "team_needs_house": _l("A house team member needs a house."),
    "invitation_invalid": _l("This link is not valid any more."),
}


def account_message(error: AccountError) -> str:
    return str(ACCOUNT_MESSAGES.get(error.code, _l("This change is not possible.")))


def safe_next(target: str | None) -> str | None:
    """Only a local path is followed after login (security item 21)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except Throttled:
            db.session.rollback()
            flash(_("Too many attempts. Please wait a few minutes and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        flash(_("The email or the password is not right."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.end_all_sessions()
    db.session.commit()
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    invite = find_invitation(token)
    if invite is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(invite, form.password.data)
        except AccountError as error:
            db.session.rollback()
            form.password.errors = [account_message(error)]
        else:
            db.session.commit()
            start_session(user)
            flash(_("Welcome to Respiro."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/invitation.html", form=form, invitation=invite), 400 if form.errors else 200


@bp.route("/confirm-password", methods=["GET", "POST"])
@login_required
def reauthenticate():
    form = ReauthForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            mark_fresh_login()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors = [_("The password is not right.")]
    return render_template("auth/reauthenticate.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.password.data)
        except AccountError as error:
            db.session.rollback()
            target = form.current if error.code == "wrong_current" else form.password
            target.errors = [account_message(error)]
        else:
            user = current_user._get_current_object()
            db.session.commit()
            start_session(user)
            flash(_("Your password was changed. Other sessions have ended."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
