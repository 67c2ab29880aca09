"""People who log in: users, invitations and the login-attempt ledger."""
from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin, utcnow
from app.security.blind_index import IndexedEmail, email_index
from app.security.crypto import Encrypted

ROLES = ("defender", "team", "coordinator", "admin")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UidMixin, TimestampMixin, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # her address, encrypted (under her own key for a defender); found by its blind index (unique)
    email_ct: Mapped[str | None] = mapped_column(Text)
    email_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"))
    defender_id: Mapped[int | None] = mapped_column(ForeignKey("defenders.id"), unique=True)
    is_active_user: Mapped[bool] = mapped_column("active", Boolean, default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    totp_secret_ct: Mapped[str | None] = mapped_column(String(255))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    totp_secret = Encrypted("totp_secret_ct")
    email = IndexedEmail("email_ct", "email_index", owner="defender", owner_optional=True)

    house = relationship("House")
    defender = relationship("Defender", back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_user

    def get_id(self) -> str:
        """Flask-Login id: the row id and the token of the session being started.

        The token lives only in her (signed) session cookie; the database keeps
        its SHA-256 (`UserSession`), so a backup cannot be used to impersonate
        anyone. `app.security.sessions.start_session` sets it.
        """
        raw = getattr(self, "_session_raw", None)
        if not raw:
            raise RuntimeError("no session is being started for this user (use sessions.start_session)")
        return f"{self.id}:{raw}"

    def end_all_sessions(self) -> None:
        """End every session of hers (security items 8, 9): their rows go, and so does a half-done two-step login."""
        from sqlalchemy import delete

        db.session.execute(delete(UserSession).where(UserSession.user_id == self.id))
        self.session_token = new_session_token()  # a generation marker for the two-step wait; never a credential

    @classmethod
    def by_email(cls, email: str):
        """The account with this address (any case or spacing): one look-up on the unique blind index."""
        return select(cls).where(cls.email_index == email_index(email))


class UserSession(db.Model):
    """One logged-in session: only the SHA-256 of its token, which only her cookie holds."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Invitation(UidMixin, TimestampMixin, db.Model):
    """A one-time sign-up link; only the hash of its token is stored.

    Its address is encrypted as the account's will be: under her own key when
    the link is for a defender, so deleting her makes it unreadable too.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email_ct: Mapped[str | None] = mapped_column(Text)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"))
    defender_id: Mapped[int | None] = mapped_column(ForeignKey("defenders.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    purpose: Mapped[str] = mapped_column(String(10), default="signup")  # signup | reset

    email = IndexedEmail("email_ct", "email_index", owner="defender", owner_optional=True)
    defender = relationship("Defender")

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        return self.used_at is None and (now or utcnow()) < self.expires_at


class LoginAttempt(db.Model):
    """Failed logins and two-step codes, counted in the database so every worker shares them.

    `key` is built by app/auth/throttle.py only, never from what was typed: `acct:` and `client:`
    followed by a keyed hash (of the address given, of the client), `totp:` followed by a user id.
    Rows older than the window are purged (throttle.purge_expired).
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
