"""Two-step login with a time-based code (TOTP, RFC 6238) — security item 5.

Team members, coordinators and admins can enrol; `REQUIRE_TOTP` makes it
mandatory for them. The secret is stored encrypted (`User.totp_secret`).
A code is accepted once: the time step it matched is remembered in
`User.totp_last_step` and any code of that step or an earlier one fails, so a
code seen over someone's shoulder cannot be replayed. Wrong codes are counted
in the login-attempt ledger (in the database, shared by every worker) under
the key `totp:<user id>`, and the sixth failure in the window is refused.

Enrolment state, without a model change:
- not enrolled: no secret;
- enrolment started: a secret but no `totp_last_step` (never confirmed);
- enrolled: a secret and a `totp_last_step` (a code was confirmed).

Between the password and the code she is *not* logged in: the session only
holds `totp_pending` (user id, her session token, when, where to go next).
These functions only flush; the views commit.
"""
from __future__ import annotations

import hmac
import time

import pyotp
from flask import current_app, session
from sqlalchemy import delete

from app.auth import throttle

from app.extensions import db
from app.models import LoginAttempt, User

ENROL_ROLES = ("team", "coordinator", "admin")
ISSUER = "Respiro"
PENDING_KEY = "totp_pending"
VERIFIED_KEY = "totp_ok"
PENDING_LIFETIME = 300  # seconds between the password and the code
VALID_WINDOW = 1  # one 30-second step either side, for clock drift


class TotpThrottled(Exception):
    """Too many wrong codes for this account in the window."""


def can_enrol(user) -> bool:
    return getattr(user, "role", None) in ENROL_ROLES


def is_required(user) -> bool:
    return bool(current_app.config.get("REQUIRE_TOTP")) and can_enrol(user)


def is_enrolled(user) -> bool:
    return user.totp_secret_ct is not None and user.totp_last_step is not None


def second_factor_needed(user) -> bool:
    """After a good password: does she still need a code (or to enrol)?"""
    return is_enrolled(user) or is_required(user)


# ------------------------------------------------------------------ secrets

def start_enrolment(user: User) -> str:
    """Give her a fresh secret (kept encrypted) unless one is already waiting."""
    if is_enrolled(user):
        raise ValueError("already enrolled")
    if user.totp_secret_ct is None:
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        db.session.flush()
    return user.totp_secret


def grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    db.session.flush()


# ------------------------------------------------------------------ codes

def _key(user: User) -> str:
    return throttle.totp_key(user.id)  # its own namespace: no typed text can name it


def _failures(user: User) -> int:
    throttle.lock_ledger()  # count and record under one lock: concurrent codes never pass the limit
    return throttle.failures(_key(user))[0]


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (within the drift window), or None."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():  # str.isdigit() also takes "١" or "６"
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now if now is not None else time.time())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, now: float | None = None) -> bool:
    """Accept a code once; count failures; raise TotpThrottled past the limit.

    A good code of a step at or before the last accepted one is a replay and
    fails like a wrong code. On success `totp_last_step` moves forward, which
    also completes an enrolment.
    """
    if _failures(user) >= current_app.config["LOGIN_FAILURE_LIMIT"]:
        raise TotpThrottled()
    secret = user.totp_secret
    step = matching_step(secret, code, now) if secret else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        db.session.add(LoginAttempt(key=_key(user)))
        db.session.flush()
        return False
    user.totp_last_step = step
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == _key(user)))
    db.session.flush()
    return True


# ------------------------------------------------------------------ the half-logged-in state

def begin_pending(user: User, next_url: str | None) -> None:
    """Password accepted: remember her for the code step, on a fresh session."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {"uid": user.id, "tok": user.session_token, "at": int(time.time()),
                            "next": next_url or ""}


def pending_user() -> User | None:
    """The user between password and code, or None (absent, expired or ended)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("uid") or 0)
    if user is None or not user.is_active or user.session_token != pending.get("tok"):
        session.pop(PENDING_KEY, None)
        return None
    return user


def pending_next() -> str:
    pending = session.get(PENDING_KEY)
    return pending.get("next", "") if isinstance(pending, dict) else ""


def mark_verified() -> None:
    session.pop(PENDING_KEY, None)
    session[VERIFIED_KEY] = True


def session_verified() -> bool:
    return bool(session.get(VERIFIED_KEY))
