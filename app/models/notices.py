"""In-app notices, their optional e-mail, and each person's choice about e-mail."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

NOTICE_KINDS = ("offered", "changed", "cancelled", "deadline", "flagged", "freed", "answered", "on_behalf")
EMAIL_STATES = ("", "pending", "sending", "sent", "failed")


class Notice(db.Model):
    """One notice to one person. Its words are chosen by `kind` when read, in the reader's language;
    the row holds no name, house, date or place, only what it points at."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    target_type: Mapped[str] = mapped_column(String(20), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(200), default="")  # a path inside Respiro
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    email_state: Mapped[str] = mapped_column(String(8), default="", index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(Text, default="")
    email_next_try: Mapped[dt.datetime | None] = mapped_column(DateTime)
    email_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user = relationship("User")


class NoticeSetting(db.Model):
    """Her choice: notices by e-mail too (opt-in; off unless she turns it on)."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
