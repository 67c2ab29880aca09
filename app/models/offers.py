"""Offers: a published stay offered to each woman in it, answered before a deadline."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UidMixin, utcnow, version_column
from app.security.crypto import Encrypted

OFFER_STATUSES = ("open", "accepted", "declined", "lapsed", "withdrawn")


class Offer(UidMixin, db.Model):
    """One request's place in one published stay, waiting for her answer.

    `open` until she (or, for an assisted defender with no account, her house
    team on her behalf) accepts or declines, the deadline lapses, or the
    coordinator withdraws it. A declined, lapsed or withdrawn offer keeps the
    row: it is the history her request carries back into the queue.
    """

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("stay_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    deadline: Mapped[dt.date] = mapped_column(Date)  # the last day she can answer
    offered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)  # the house team answered for her
    reason_ct: Mapped[str | None] = mapped_column(Text)  # her optional reason, or the coordinator's
    warned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # "deadline near" notice sent
    version: Mapped[int] = version_column()

    reason = Encrypted("reason_ct", owner="request.defender", empty="")  # under her key

    stay = relationship("Stay")
    request = relationship("StayRequest")
    offered_by = relationship("User", foreign_keys=[offered_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    __mapper_args__ = {"version_id_col": version}

    def lapsed_on(self, today: dt.date) -> bool:
        """Open, and the deadline has passed (the job records it; a page only reads it)."""
        return self.status == "open" and today > self.deadline
