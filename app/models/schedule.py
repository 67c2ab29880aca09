"""The life of a published stay: every checked change (old and new side by side) and what happened."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UidMixin, utcnow
from app.security.crypto import Encrypted

CHANGE_KINDS = ("change", "cancel", "repair", "programme_repair", "fill", "refilled", "arrived", "no_show",
                "left_early", "completed")
ATTENDANCE = ("arrived", "no_show", "left_early", "completed")


class StayChange(UidMixin, db.Model):
    """One recorded change of a published stay: what it was, what it became, who, when and why.

    `old` and `new` are snapshots (house, dates, type, request ids, sessions); `people` the
    defenders it touches (for notices). Rows are never edited.
    """

    __tablename__ = "stay_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reason_ct: Mapped[str | None] = mapped_column(Text)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    people: Mapped[list] = mapped_column(JSON, default=list)  # defender ids it touches
    run_id: Mapped[int | None] = mapped_column(ForeignKey("planning_runs.id", ondelete="SET NULL"))

    reason = Encrypted("reason_ct", empty="")  # the coordinator's words: under the network's keys

    stay = relationship("Stay")
    actor = relationship("User")


class StayAttendance(db.Model):
    """What a house team recorded: arrived, no-show, left early (on `day`), completed."""

    __tablename__ = "stay_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stay = relationship("Stay")
    recorded_by = relationship("User")
