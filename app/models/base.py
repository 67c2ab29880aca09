"""Shared column helpers and mixins for the models."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Naive UTC now: every timestamp is stored as naive UTC on every database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
