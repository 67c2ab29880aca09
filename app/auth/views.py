"""Log in and out, accept an invitation, confirm the password, change it."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import bp, totp
from app.auth.accounts import (
    Throttled, accept_invitation, authenticate, change_password, confirm_password, find_invitation,
)
from app.auth.forms import (
    ChangePasswordForm, LoginForm, NewPasswordForm, ReauthForm, TotpCodeForm, TotpDisableForm,
)
from app.auth.messages import MESSAGES
from app.extensions import db
from app.refusals import Refused, refuse
from app.security.sessions import end_session, mark_fresh_login, start_session

def safe_next(target: str | None) -> str | None:
    """Only a local path is followed after login (security item 21)."""
    if not target:
        return None
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in target):
        return None  # CR, LF, TAB, DEL, C1...: urlsplit strips some, and a header refuses them (was a 500)
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
            if totp.second_factor_needed(user):
                # Password right, but not logged in yet: the code comes first (item 5).
                totp.begin_pending(user, safe_next(request.args.get("next")))
                return redirect(url_for("auth.totp_verify" if totp.is_enrolled(user) else "auth.totp_setup"))
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
        except Refused as error:
            refuse(error, MESSAGES, form, field="password")
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
        try:
            confirmed = confirm_password(current_user, form.password.data)
        except Throttled:
            return _throttled("auth/reauthenticate.html", form)
        db.session.commit()
        if confirmed:
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
        except Throttled:
            return _throttled("auth/password.html", form)
        except Refused as error:
            if error.code == "wrong_current":
                db.session.commit()  # only the failure is pending: keep it in the ledger (item 4)
            refuse(error, MESSAGES, form, field="current" if error.code == "wrong_current" else "password")
        else:
            user = current_user._get_current_object()
            db.session.commit()
            second_factor_done = totp.session_verified()
            start_session(user, began=session.get("login_at"))
            if second_factor_done:
                totp.mark_verified()
            flash(_("Your password was changed. Other sessions have ended."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


# ---------------------------------------------------------------- two-step login (security item 5)

TOTP_OPEN_ENDPOINTS = ("auth.totp_verify", "auth.totp_setup", "auth.logout", "auth.leave", "auth.leave_now", "static")


@bp.before_app_request
def require_second_factor():
    """A logged-in user who owes a code (enrolled, or required to enrol) reaches no page first.

    This also covers sessions started without the code step (an invitation or
    reset link, or a session from before REQUIRE_TOTP was switched on).
    """
    if not current_user.is_authenticated or request.endpoint in TOTP_OPEN_ENDPOINTS:
        return None
    if totp.session_verified():
        return None
    if totp.is_enrolled(current_user):
        return redirect(url_for("auth.totp_verify"))
    if totp.is_required(current_user):
        return redirect(url_for("auth.totp_setup"))
    return None


def _code_user():
    """Who is giving a code: the half-logged-in user, or the logged-in one."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    user = totp.pending_user()
    return user, user is not None


def _finish_second_factor(user, pending: bool):
    next_url = totp.pending_next() if pending else ""
    if pending:
        start_session(user)
    totp.mark_verified()
    return redirect(safe_next(next_url) or url_for("main.home"))


def _throttled(template: str, status_form, **context):
    db.session.rollback()
    flash(_("Too many attempts. Please wait a few minutes and try again."), "error")
    return render_template(template, form=status_form, **context), 429


@bp.route("/login/code", methods=["GET", "POST"])
def totp_verify():
    user, pending = _code_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    if not totp.is_enrolled(user):
        return redirect(url_for("auth.totp_setup"))
    if not pending and totp.session_verified():
        return redirect(url_for("main.home"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            accepted = totp.check_code(user, form.code.data)
        except totp.TotpThrottled:
            return _throttled("auth/totp_verify.html", form)
        db.session.commit()
        if accepted:
            return _finish_second_factor(user, pending)
        form.code.errors = [_("This code is not right, or it was already used. Wait for a new code and try again.")]
    return render_template("auth/totp_verify.html", form=form), 400 if form.errors else 200


@bp.route("/account/two-step", methods=["GET", "POST"])
def totp_setup():
    user, pending = _code_user()
    if user is None:  # nobody logged in, and no half-login (or it expired: an app can take a while to set up)
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.path))
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    if not totp.can_enrol(user):
        abort(404)
    if totp.is_enrolled(user):
        if pending:
            return redirect(url_for("auth.totp_verify"))
        return render_template("auth/totp_status.html", form=TotpDisableForm(), required=totp.is_required(user))
    if request.method == "POST" and user.totp_secret_ct is None:
        return redirect(url_for("auth.totp_setup"))  # a code for a key she was never shown
    secret = totp.start_enrolment(user)
    db.session.commit()
    form = TotpCodeForm()
    context = {"secret": totp.grouped(secret), "uri": totp.provisioning_uri(user, secret),
               "required": totp.is_required(user)}
    if form.validate_on_submit():
        try:
            accepted = totp.check_code(user, form.code.data)
        except totp.TotpThrottled:
            return _throttled("auth/totp_setup.html", form, **context)
        db.session.commit()
        if accepted:
            flash(_("Two-step login is on. From now on you will be asked for a code after your password."),
                  "success")
            return _finish_second_factor(user, pending)
        form.code.errors = [_("This code is not right. Check the time on your phone and try the newest code.")]
    return render_template("auth/totp_setup.html", form=form, **context), 400 if form.errors else 200


@bp.route("/account/two-step/disable", methods=["POST"])
@login_required
def totp_disable():
    user = current_user._get_current_object()
    if not totp.can_enrol(user) or not totp.is_enrolled(user):
        abort(404)
    form = TotpDisableForm()
    required = totp.is_required(user)
    if required:
        form.password.errors = [_("Two-step login is required for your role and cannot be switched off.")]
    elif form.validate_on_submit():
        try:
            confirmed = confirm_password(user, form.password.data)
        except Throttled:
            return _throttled("auth/totp_status.html", form, required=required)
        db.session.commit()
        if not confirmed:
            form.password.errors = [_("The password is not right.")]
        else:
            try:
                accepted = totp.check_code(user, form.code.data)
            except totp.TotpThrottled:
                return _throttled("auth/totp_status.html", form, required=required)
            if accepted:
                totp.disable(user)
                db.session.commit()
                flash(_("Two-step login is off."), "info")
                return redirect(url_for("main.home"))
            db.session.commit()
            form.code.errors = [_("This code is not right, or it was already used. Wait for a new code and try again.")]
    return render_template("auth/totp_status.html", form=form, required=required), 400
