"""How she is after her stay: a short follow-up at the end of the stay and about three months later.

She (or the house team with her) gives her level in each of the five
dimensions now, on the same 0..3 scale as her own levels in the interview,
and may add words. Her words are encrypted like her interview answers and
follow the same consent (the house team reads them only with "narrative")
and the same retention period (`app.ops.run_retention` deletes them).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin
from app.security.crypto import Encrypted

FOLLOW_UP_KINDS = ("end", "later")  # at the end of the stay; about three months later


class FollowUp(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("request_id", "defender_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    opened_on: Mapped[dt.date] = mapped_column(Date)  # the day it opened (stay end, or three months later)
    levels: Mapped[dict] = mapped_column(JSON, default=dict)  # dimension -> 0..3, her level now
    words_ct: Mapped[str | None] = mapped_column(Text)
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    words_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    words = Encrypted("words_ct", owner="defender")  # under her key

    defender = relationship("Defender")
    request = relationship("StayRequest")
    stay = relationship("Stay")
    filled_by = relationship("User")
