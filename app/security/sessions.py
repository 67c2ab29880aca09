"""Sessions: the per-user token, idle and absolute timeouts, fresh logins.

Security items 8-11: the session cookie names the user *and* her current
session token; rotating the token ends every session. A session ends after
30 minutes idle or 12 hours in all. Reading a whole interview or exporting
needs a login from the last few minutes.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from sqlalchemy import delete, select

from app.extensions import db, login_manager
from app.models import User, UserSession, utcnow


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@login_manager.user_loader
def load_user(user_id: str):
    """The user of a session cookie `id:token`, if that session still exists (only its hash is stored)."""
    row_id, _sep, token = user_id.partition(":")
    if not row_id.isdigit() or not token or len(token) > 100:
        return None
    live = db.session.scalar(select(UserSession.id).where(UserSession.user_id == int(row_id),
                                                          UserSession.token_hash == token_hash(token)))
    if live is None:
        return None
    user = db.session.get(User, int(row_id))
    if user is None or not user.is_active:
        return None
    return user


def new_session_id(user: User) -> str:
    """Record a new session of hers (its hash only) and return the `id:token` her cookie will carry.

    Also drops her sessions older than the absolute limit (item 10), so rows do not pile up. Flushes.
    """
    limit = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.created_at < utcnow() - limit))
    raw = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(raw)))
    db.session.flush()
    user._session_raw = raw
    return user.get_id()


def start_session(user: User, *, began: int | None = None) -> None:
    """Log `user` in on a fresh session (no fixation, no remember-me).

    `began`: when the session being replaced began (a password change renews
    the session but not its 12 hours).
    """
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    new_session_id(user)
    db.session.commit()  # the session row (the caller has committed its own changes already)
    login_user(user, remember=False)
    now = int(time.time())
    session["login_at"] = began or now
    session["seen_at"] = now
    if began:
        session["confirmed_at"] = now  # she has just given her password
    # A defender's cookie is a session cookie: it goes when the browser closes (a shared phone).
    # Her 30 minutes idle and 12 hours in all are still counted here, on the server.
    session.permanent = user.role != "defender"


def end_session() -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def enforce_timeouts() -> None:
    """Before each request: end a session idle or old beyond its limits."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    if now - session.get("seen_at", 0) > idle or now - session.get("login_at", 0) > absolute:
        end_session()
        flash(_("Your session ended. Please log in again."), "info")
        return
    session["seen_at"] = now


def is_recent_login() -> bool:
    window = current_app.config["RECENT_LOGIN_WINDOW"].total_seconds()
    last = max(session.get("login_at", 0), session.get("confirmed_at", 0))
    return time.time() - last <= window


def recent_login_required(view):
    """Ask for the password again unless she logged in a few minutes ago (item 11)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not is_recent_login():
            flash(_("For your safety, please confirm your password to continue."), "info")
            return redirect(url_for("auth.reauthenticate", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def mark_fresh_login() -> None:
    """She confirmed her password: recent for item 11, but `login_at` stays, so
    the 12 hours of item 10 still count from when the session began."""
    session["confirmed_at"] = int(time.time())
