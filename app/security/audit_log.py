"""Reading the audit (issue 14, item 5): an admin's list of who did what to which record, and her
"who opened my file" told by day. Never content: the columns are who, when, what (the action),
which record (its kind and id), about which defender (her alias) and the actor's house.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.models import AuditEvent, Defender, House, User

PAGE_SIZE = 50
# What she must not miss: her identity shown, her file taken away.
PROMINENT = frozenset({"defender.reveal", "defender.export", "export.json"})


def local_day(at: dt.datetime) -> dt.date:
    """The network's local date of a naive-UTC timestamp."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "UTC"))
    return at.replace(tzinfo=dt.UTC).astimezone(zone).date()


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "UTC"))
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ the admin's list

@dataclass
class Filters:
    person: str = ""
    action: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    house_id: int | None = None

    def used(self) -> dict:
        """The filters, for the export's own audit row: no typed text (the person filter is only 'used')."""
        return {"filter_action": self.action or None, "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None, "house_id": self.house_id,
                "person": bool(self.person)}


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _staff_whose_address_has(text: str) -> list[int]:
    """Staff accounts whose address contains `text`: compared decrypted, as addresses are encrypted
    in the database (staff are few; defenders are found by alias, never by address)."""
    needle = text.lower()
    return [user.id for user in db.session.scalars(select(User).where(User.role != "defender"))
            if needle in (user.email or "")]


def query(filters: Filters) -> Select:
    q = select(AuditEvent)
    if filters.person:
        pattern = _like(filters.person)
        defenders = select(Defender.id).where(func.lower(Defender.alias).like(pattern, escape="\\"))
        staff = _staff_whose_address_has(filters.person)
        her_accounts = select(User.id).where(User.defender_id.in_(defenders))
        q = q.where(or_(AuditEvent.actor_id.in_(staff), AuditEvent.actor_id.in_(her_accounts),
                        AuditEvent.defender_id.in_(defenders)))
    if filters.action:
        q = q.where(AuditEvent.action == filters.action)
    if filters.start:
        q = q.where(AuditEvent.at >= _local_midnight_utc(filters.start))
    if filters.end:
        q = q.where(AuditEvent.at < _local_midnight_utc(filters.end + dt.timedelta(days=1)))
    if filters.house_id:
        members = select(User.id).where(User.house_id == filters.house_id)
        q = q.where(or_(AuditEvent.actor_id.in_(members),
                        (AuditEvent.target_type == "House") & (AuditEvent.target_id == filters.house_id)))
    return q


def count(filters: Filters) -> int:
    return db.session.scalar(select(func.count()).select_from(query(filters).subquery()))


def page(filters: Filters, number: int) -> list[AuditEvent]:
    return list(db.session.scalars(query(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                   .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))


def every(filters: Filters) -> list[AuditEvent]:
    return list(db.session.scalars(query(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))


def who(event: AuditEvent) -> str:
    """The actor: a defender by her alias, staff by their address, else the system ("")."""
    actor = event.actor
    if actor is None:
        return ""
    if actor.role == "defender":
        return actor.defender.alias if actor.defender is not None else "—"
    return actor.email


def row(event: AuditEvent) -> dict:
    actor = event.actor
    about = db.session.get(Defender, event.defender_id) if event.defender_id else None
    return {"at": event.at, "who": who(event), "role": actor.role if actor else "",
            "house": actor.house.name if actor is not None and actor.house is not None else "",
            "action": event.action, "record": f"{event.target_type} {event.target_id}" if event.target_type else "",
            "about": about.alias if about is not None else ""}


def houses() -> list[House]:
    return list(db.session.scalars(select(House).order_by(House.name)))


# ------------------------------------------------------------------ her own view


@dataclass
class Line:
    day: dt.date
    action: str
    self: bool
    role: str | None
    house: str | None
    count: int = 1
    reasons: list[str] = field(default_factory=list)

    @property
    def prominent(self) -> bool:
        return self.action in PROMINENT and not self.self


def her_lines(log: list[dict]) -> list[Line]:
    """Her access log (newest first) told by day: repeated reads of one day by one role and house
    are one line with a count. A reveal stays one line each (each has its reason)."""
    lines: list[Line] = []
    index: dict[tuple, Line] = {}
    for entry in log:
        day = local_day(entry["at"])
        key = (day, entry["action"], entry["self"], entry["role"], entry["house"])
        if entry["action"] != "defender.reveal" and key in index:
            index[key].count += 1
            continue
        line = Line(day, entry["action"], entry["self"], entry["role"], entry["house"],
                    reasons=[entry["reason"]] if entry.get("reason") else [])
        lines.append(line)
        index[key] = line
    return lines
