"""Account rules as plain functions: they only flush; the view commits.

A refused change raises `app.refusals.Refused` with a code; the words are in `app.auth.messages`.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.auth import throttle
from app.auth.throttle import Throttled  # noqa: F401  (the views catch it from here)
from app.models import ROLES, Invitation, User, utcnow
from app.refusals import Refused
from app.security.blind_index import normalise_email
from app.security.tokens import new_token, token_hash
from app.security.passwords import hash_password, needs_rehash, password_problem, verify_password


def create_user(*, email: str, password: str, role: str, house_id: int | None = None,
                defender_id: int | None = None) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise Refused("bad_role")
    if "@" not in email or len(email) > 254:
        raise Refused("bad_email")
    if db.session.scalar(User.by_email(email)) is not None:
        raise Refused("email_taken")
    if role == "defender" and defender_id is not None \
            and db.session.scalar(select(User.id).where(User.defender_id == defender_id)) is not None:
        raise Refused("invitation_invalid")  # her record has an account already (another link was used)
    problem = password_problem(password)
    if problem:
        raise Refused(problem)
    user = User(email=email, password_hash=hash_password(password), role=role,
                house_id=house_id if role == "team" else None,
                defender_id=defender_id if role == "defender" else None)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user for good credentials, None otherwise; raise Throttled.

    An unknown email and a wrong password get the same answer and cost the
    same time. The attempt is reserved in the ledger (app/auth/throttle.py,
    by account and by client, committed) before the deliberately slow hash
    check, so concurrent attempts never check more than the limit and no
    write lock is held while argon2 works.
    """
    email = normalise_email(email)[:254]
    attempt = throttle.begin(email)
    user = db.session.scalar(User.by_email(email))
    stored, active, user_id = (user.password_hash, user.is_active, user.id) if user else (None, False, None)
    db.session.rollback()
    if not verify_password(stored, password) or not active:
        return None  # the reserved rows are the failure
    user = db.session.get(User, user_id)
    throttle.succeeded(attempt)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def confirm_password(user: User, password: str) -> bool:
    """Check a logged-in user's password again (to confirm it is her, to change it, to
    switch off two-step login); raise Throttled.

    Wrong guesses count in the same ledger as the login form, so a session left
    open gives no unlimited guesses.
    """
    email, stored = user.email, user.password_hash
    attempt = throttle.begin(email)
    if not verify_password(stored, password):
        return False
    throttle.succeeded(attempt)
    return True


def change_password(user: User, current: str, new: str) -> None:
    """Change a password; the current one is required and other sessions end.

    A wrong current password raises Refused("wrong_current") with its
    failure flushed to the ledger: the view commits it rather than rolling back.
    """
    if not confirm_password(user, current):
        raise Refused("wrong_current")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    problem = password_problem(new)
    if problem:
        raise Refused(problem)
    user.password_hash = hash_password(new)
    user.end_all_sessions()
    db.session.flush()


def deactivate(user: User) -> None:
    """Her account stops: her sessions end, and the calendar links she made with it."""
    from app.calendars.feeds import revoke_made_by

    user.is_active_user = False
    user.end_all_sessions()
    revoke_made_by(user)
    db.session.flush()


def create_invitation(*, email: str, role: str, created_by: User | None, house_id: int | None = None,
                      defender_id: int | None = None, purpose: str = "signup",
                      say_if_taken: bool = True) -> tuple[Invitation, str]:
    """Make a one-time link token; return the row and the token (shown once).

    `say_if_taken=False`: an address that already has an account is not refused here, so the
    answer does not tell whether it has one (a house team inviting a defender must not learn
    that); such a link then fails at use like any spent link.
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise Refused("bad_role")
    if "@" not in email or len(email) > 254:
        raise Refused("bad_email")
    if say_if_taken and purpose == "signup" and db.session.scalar(User.by_email(email)) is not None:
        raise Refused("email_taken")
    if role == "team" and not house_id:
        raise Refused("team_needs_house")
    if defender_id is not None:
        # A new link for her replaces any earlier one (say, sent to a wrong or unsafe address).
        db.session.execute(update(Invitation).where(Invitation.defender_id == defender_id,
                                                    Invitation.used_at.is_(None)).values(expires_at=utcnow()))
    token, hashed = new_token()
    invitation = Invitation(token_hash=hashed, email=email, role=role, house_id=house_id,
                            defender_id=defender_id, created_by_id=getattr(created_by, "id", None),
                            purpose=purpose,
                            expires_at=utcnow() + current_app.config["INVITATION_LIFETIME"])
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The usable invitation for a token, or None (unknown, used or expired)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token or "")))
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Use an invitation once: create the account, or reset its password."""
    if invitation.purpose == "reset":
        user = db.session.scalar(User.by_email(invitation.email))
        if user is None:
            raise Refused("invitation_invalid")
        set_password(user, password)
    else:
        try:
            user = create_user(email=invitation.email, password=password, role=invitation.role,
                               house_id=invitation.house_id, defender_id=invitation.defender_id)
        except Refused as error:
            if error.code == "email_taken":  # said like any spent link: no account is confirmed to exist
                raise Refused("invitation_invalid") from error
            raise
    invitation.used_at = utcnow()
    db.session.flush()
    return user

