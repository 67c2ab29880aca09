"""Planning runs, their proposals, and the published schedule."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UidMixin, utcnow, version_column
from app.security.crypto import Encrypted

RUN_STATUSES = ("queued", "running", "done", "failed", "cancelled", "published")

proposed_stay_requests = Table(
    "proposed_stay_requests",
    db.metadata,
    Column("proposed_stay_id", ForeignKey("proposed_stays.id", ondelete="CASCADE"), primary_key=True),
    Column("request_id", ForeignKey("stay_requests.id", ondelete="CASCADE"), primary_key=True),
)


class PlanningRun(UidMixin, TimestampMixin, db.Model):
    __tablename__ = "planning_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    horizon_start: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    house_ids: Mapped[list] = mapped_column(JSON, default=list)
    time_limit: Mapped[int] = mapped_column(Integer, default=30)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    input_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    instance_json_ct: Mapped[str | None] = mapped_column(Text)  # holds therapists' names: encrypted
    solution_json: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[int | None] = mapped_column(BigInteger)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    progress: Mapped[dict] = mapped_column(JSON, default=dict)  # elapsed, objective, bound
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    job_id: Mapped[str | None] = mapped_column(String(64))
    hint_run_id: Mapped[int | None] = mapped_column(ForeignKey("planning_runs.id"))  # re-run of this run
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    error: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()

    instance_json = Encrypted("instance_json_ct")  # the network's, under the master data keys

    created_by = relationship("User", foreign_keys=[created_by_id])
    hint_run = relationship("PlanningRun", remote_side=[id])
    published_by = relationship("User", foreign_keys=[published_by_id])
    stays = relationship("ProposedStay", back_populates="run", cascade="all, delete-orphan",
                         order_by="ProposedStay.start")
    unassigned = relationship("UnassignedRequest", back_populates="run", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and proven bound, in percent."""
        if self.objective is None or not self.bound:
            return None
        return max(0.0, 100.0 * (self.bound - self.objective) / abs(self.bound))


class ProposedStay(db.Model):
    __tablename__ = "proposed_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("planning_runs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # the stay id in the solution
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)  # last stay day
    type: Mapped[str] = mapped_column(String(12))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="proposed")  # proposed | approved | published
    published_stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"))
    version: Mapped[int] = version_column()

    run = relationship("PlanningRun", back_populates="stays")
    house = relationship("House")
    requests = relationship("StayRequest", secondary=proposed_stay_requests, order_by="StayRequest.id")
    sessions = relationship("ProposedSession", back_populates="stay", cascade="all, delete-orphan",
                            order_by="(ProposedSession.day, ProposedSession.slot)")

    __mapper_args__ = {"version_id_col": version}


class ProposedSession(db.Model):
    __tablename__ = "proposed_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("proposed_stays.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))

    stay = relationship("ProposedStay", back_populates="sessions")
    therapist = relationship("Therapist")


class UnassignedRequest(db.Model):
    """A request a run left out, with the engine's reason."""

    __tablename__ = "unassigned_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("planning_runs.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("stay_requests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    run = relationship("PlanningRun", back_populates="unassigned")
    request = relationship("StayRequest")


class Stay(TimestampMixin, db.Model):
    """A published stay: people rely on it; the next run keeps it locked."""

    __tablename__ = "stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)  # last stay day
    type: Mapped[str] = mapped_column(String(12))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("planning_runs.id"))
    needs_replan: Mapped[bool] = mapped_column(Boolean, default=False)
    replan_reason: Mapped[str] = mapped_column(Text, default="")
    # Set by the schedule's checked changes (app/schedule): a cancelled stay holds nothing; from
    # `released_from` on (a no-show, an early departure) its beds and sessions are free.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    released_from: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = version_column()

    house = relationship("House")
    requests = relationship("StayRequest", back_populates="stay", order_by="StayRequest.id")
    sessions = relationship("Session", back_populates="stay", cascade="all, delete-orphan",
                            order_by="(Session.day, Session.slot)")

    __mapper_args__ = {"version_id_col": version}

    @property
    def people(self) -> int:
        return sum(len(r.all_defenders) + r.companions for r in self.requests)


class Session(db.Model):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"), index=True)

    stay = relationship("Stay", back_populates="sessions")
    therapist = relationship("Therapist")


FEED_KINDS = ("therapist", "house", "defender")


class CalendarToken(db.Model):
    """A private, revocable calendar-feed token; only its hash is stored.

    `kind` says whose sessions or stays the feed shows (a therapist, a house,
    a defender's own stays) and `target_id` which one.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Who made it (the feed ends with her account) and the house it is cut to (a house team's link
    # shows only what happens at her house; None: the whole network, a coordinator's or her own).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
