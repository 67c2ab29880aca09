"""Shared column helpers and mixins for the models."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Naive UTC now: every timestamp is stored as naive UTC on every database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_today(zone: str | None = None) -> dt.date:
    """Today where the network lives (config TIMEZONE, or `zone`): the date turns at local midnight, not UTC's.

    At 19:00 in Oaxaca it is already tomorrow in UTC; a form, a queue or the
    retention run that took UTC's date would act six hours early.
    """
    from zoneinfo import ZoneInfo

    if zone is None:
        from flask import current_app

        zone = current_app.config.get("TIMEZONE", "UTC") if current_app else "UTC"
    return utc_clock().astimezone(ZoneInfo(zone)).date()


def utc_clock() -> dt.datetime:
    """The aware UTC time now (one place to read the clock, so a test can set it)."""
    return dt.datetime.now(dt.UTC)


def new_uid() -> str:
    return secrets.token_hex(16)


class UidMixin:
    """A random row id, bound into encrypted values as associated data."""

    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


def version_column() -> Mapped[int]:
    """Optimistic-locking counter for rows two people edit (security item 35).

    Use as `version = version_column()` plus
    `__mapper_args__ = {"version_id_col": version}`: SQLAlchemy then adds
    `WHERE version = :old` to each UPDATE and raises StaleDataError when
    another edit came first. Forms also carry the version they showed.
    """
    return mapped_column(Integer, nullable=False, default=1)
