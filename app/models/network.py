"""The network of therapists, healers and activists, and their availability."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin, version_column
from app.security.crypto import Encrypted

KINDS = ("therapist", "healer", "activist")

therapist_houses = Table(
    "therapist_houses",
    db.metadata,
    Column("therapist_id", ForeignKey("therapists.id", ondelete="CASCADE"), primary_key=True),
    Column("house_id", ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True),
)


class Therapist(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ct: Mapped[str | None] = mapped_column(Text)  # first name or public name; shown to defenders
    kind: Mapped[str] = mapped_column(String(20), default="therapist")
    dimensions: Mapped[list] = mapped_column(JSON, default=list)
    techniques: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list] = mapped_column(JSON, default=list)
    max_sessions_per_day: Mapped[int] = mapped_column(Integer, default=3)
    max_sessions_per_week: Mapped[int | None] = mapped_column(Integer)  # none: no weekly cap
    contact_ct: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = version_column()

    name = Encrypted("name_ct", empty="")  # the network's, under the master data keys
    contact = Encrypted("contact_ct")

    houses = relationship("House", secondary=therapist_houses, order_by="House.name")
    availability = relationship("Availability", back_populates="therapist", cascade="all, delete-orphan",
                                order_by="Availability.start")

    __mapper_args__ = {"version_id_col": version}

    @property
    def spec_id(self) -> str:
        return f"t{self.id}"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else ""


class Availability(db.Model):
    __tablename__ = "availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)

    therapist = relationship("Therapist", back_populates="availability")
