"""Healing houses and their closures."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin, version_column
from app.security.crypto import Encrypted

CLOSURE_REASONS = ("water", "repairs", "rest", "other")


DEFAULT_SLOT_TIMES = ("09:30", "11:30", "16:00", "18:00")


class House(TimestampMixin, db.Model):
    """A house, with every field of the `respite-stays/1` house."""

    __tablename__ = "houses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the spec's house id
    name: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2))
    beds: Mapped[int] = mapped_column(Integer)
    max_concurrent_stays: Mapped[int] = mapped_column(Integer)
    family_units: Mapped[int] = mapped_column(Integer, default=1)
    stay_types: Mapped[list] = mapped_column(JSON, default=list)
    stay_length: Mapped[dict] = mapped_column(JSON, default=dict)
    collective_min: Mapped[int] = mapped_column(Integer, default=3)
    collective_max: Mapped[int] = mapped_column(Integer, default=8)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    turnover_days: Mapped[int] = mapped_column(Integer, default=0)
    arrival_weekdays: Mapped[list] = mapped_column(JSON, default=lambda: list(range(7)))
    # The clock time of each session slot of the day (spec rule 11), "HH:MM", earliest first.
    slot_times: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_SLOT_TIMES))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = version_column()

    closures = relationship("Closure", back_populates="house", cascade="all, delete-orphan",
                            order_by="Closure.start")

    __mapper_args__ = {"version_id_col": version}

    def slot_time(self, slot: int | None) -> str:
        """The clock time ("HH:MM") of a session slot here; "" for a slot the house has no time for."""
        times = list(self.slot_times or DEFAULT_SLOT_TIMES)
        return times[slot] if slot is not None and 0 <= slot < len(times) else ""


class Closure(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20), default="other")
    note_ct: Mapped[str | None] = mapped_column(Text)

    note = Encrypted("note_ct", empty="")  # the network's, under the master data keys

    house = relationship("House", back_populates="closures")
