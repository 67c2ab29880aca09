"""The diagnostic interview and the stay request."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin, version_column
from app.security.crypto import Encrypted

DIMENSIONS = ("physical", "mental", "emotional", "spiritual", "energetic")
INTERVIEW_STATUSES = ("draft", "submitted", "confirmed")
REQUEST_STATUSES = ("draft", "submitted", "pending", "published", "withdrawn", "declined")
STAY_TYPES = ("individual", "collective", "family")
CONSENT_SCOPES = ("levels", "narrative")  # what the house team may read


class DiagnosticInterview(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    step: Mapped[str] = mapped_column(String(20), default="physical")  # where she left off
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    defender_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    narrative_ct: Mapped[str | None] = mapped_column(Text)  # where she is in life, what she wants to work on
    risk_notes_ct: Mapped[str | None] = mapped_column(Text)
    consent_scope: Mapped[str] = mapped_column(String(12), default="levels")
    # consent per purpose (issue 14, item 6), opt-in: nobody was asked before these existed
    share_with_therapists: Mapped[bool] = mapped_column(Boolean, default=False)  # her words on a therapist's sheet
    count_in_statistics: Mapped[bool] = mapped_column(Boolean, default=False)  # counted in the network's reports
    retention_months: Mapped[int] = mapped_column(Integer, default=6)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmation_reason_ct: Mapped[str | None] = mapped_column(Text)
    narrative_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = version_column()

    # hers, under her own key (crypto-shredding: app/security/defender_keys.py)
    narrative = Encrypted("narrative_ct", owner="defender")
    risk_notes = Encrypted("risk_notes_ct", owner="defender")
    confirmation_reason = Encrypted("confirmation_reason_ct", owner="defender", empty="")

    defender = relationship("Defender", back_populates="interviews")
    dimensions = relationship("InterviewDimension", back_populates="interview", cascade="all, delete-orphan",
                              order_by="InterviewDimension.position")
    filled_by = relationship("User", foreign_keys=[filled_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    __mapper_args__ = {"version_id_col": version}

    def dimension(self, name: str) -> "InterviewDimension":
        """Return the row for one dimension, creating it when missing."""
        for row in self.dimensions:
            if row.dimension == name:
                return row
        row = InterviewDimension(dimension=name, position=DIMENSIONS.index(name))
        self.dimensions.append(row)
        return row

    def need_levels(self) -> dict[str, int]:
        """Confirmed need levels (or her own, before confirmation) per dimension."""
        levels = {d: 0 for d in DIMENSIONS}
        for row in self.dimensions:
            level = row.need_level if row.need_level is not None else row.self_level
            levels[row.dimension] = level or 0
        return levels


class InterviewDimension(UidMixin, db.Model):
    """One care dimension of an interview: her answers (encrypted) and the need level."""

    __tablename__ = "interview_dimensions"
    __table_args__ = (UniqueConstraint("interview_id", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(Integer, default=0)
    answers_ct: Mapped[str | None] = mapped_column(Text)  # JSON: how, work_on, practices
    self_level: Mapped[int | None] = mapped_column(Integer)  # her own sense, 0..3
    need_level: Mapped[int | None] = mapped_column(Integer)  # confirmed by the house team, 0..3

    answers = Encrypted("answers_ct", owner="interview.defender")

    interview = relationship("DiagnosticInterview", back_populates="dimensions")


request_members = Table(
    "request_members",
    db.metadata,
    Column("request_id", ForeignKey("stay_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("defender_id", ForeignKey("defenders.id", ondelete="CASCADE"), primary_key=True, unique=True),
)


class StayRequest(UidMixin, TimestampMixin, db.Model):
    """One request for one stay: one defender, one family, or a formed collective."""

    __tablename__ = "stay_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    defender_id: Mapped[int] = mapped_column(ForeignKey("defenders.id"), index=True)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id"))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    stay_types: Mapped[list] = mapped_column(JSON, default=list)  # in order of preference
    earliest_start: Mapped[dt.date | None] = mapped_column(Date)
    latest_start: Mapped[dt.date | None] = mapped_column(Date)
    companions: Mapped[int] = mapped_column(Integer, default=0)
    companions_note_ct: Mapped[str | None] = mapped_column(Text)
    food_notes_ct: Mapped[str | None] = mapped_column(Text)
    urgency_self: Mapped[int | None] = mapped_column(Integer)
    urgency: Mapped[int | None] = mapped_column(Integer)  # confirmed by the team, 0..3
    urgency_reason_ct: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decline_reason_ct: Mapped[str | None] = mapped_column(Text)
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    version: Mapped[int] = version_column()

    # hers, under her own key (crypto-shredding: app/security/defender_keys.py)
    companions_note = Encrypted("companions_note_ct", owner="defender")
    food_notes = Encrypted("food_notes_ct", owner="defender")
    urgency_reason = Encrypted("urgency_reason_ct", owner="defender", empty="")
    decline_reason = Encrypted("decline_reason_ct", owner="defender", empty="")

    defender = relationship("Defender", back_populates="requests", foreign_keys=[defender_id])
    members = relationship("Defender", secondary=request_members)
    interview = relationship("DiagnosticInterview")
    stay = relationship("Stay", back_populates="requests")

    __mapper_args__ = {"version_id_col": version}

    @property
    def spec_id(self) -> str:
        return f"r{self.id}"

    @property
    def all_defenders(self) -> list:
        return [self.defender, *self.members]
