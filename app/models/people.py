"""Defenders: shown by alias everywhere; real identity encrypted."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin
from app.security.crypto import Encrypted


class Defender(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "defenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(80))
    real_name_ct: Mapped[str | None] = mapped_column(Text)
    contact_ct: Mapped[str | None] = mapped_column(Text)
    accessibility_notes_ct: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    barred_countries: Mapped[list] = mapped_column(JSON, default=list)
    needs_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # hers, under her own key (crypto-shredding: app/security/defender_keys.py)
    real_name = Encrypted("real_name_ct", owner="self")
    contact = Encrypted("contact_ct", owner="self")
    accessibility_notes = Encrypted("accessibility_notes_ct", owner="self")

    user = relationship("User", back_populates="defender", uselist=False)
    interviews = relationship("DiagnosticInterview", back_populates="defender", cascade="all, delete-orphan")
    requests = relationship("StayRequest", back_populates="defender", cascade="all, delete-orphan",
                            foreign_keys="StayRequest.defender_id")

    @property
    def spec_id(self) -> str:
        return f"d{self.id}"
