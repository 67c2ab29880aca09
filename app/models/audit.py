"""The audit trail: who read or exported what, and when — never the content."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UidMixin, utcnow
from app.security.crypto import Encrypted


class AuditEvent(UidMixin, db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))  # e.g. interview.read, export.csv, defender.reveal
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    defender_id: Mapped[int | None] = mapped_column(ForeignKey("defenders.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # ids and counts, never field values or reasons
    reason_ct: Mapped[str | None] = mapped_column(Text)  # why (a reveal's reason), encrypted

    # A reason about her is hers (under her key, shredded with her data); any other under the master keys.
    reason = Encrypted("reason_ct", owner="defender")

    actor = relationship("User")
    defender = relationship("Defender")
