"""Private calendar feeds: tokens (only their hash is stored) and the iCal documents.

One active link per target: making a new link revokes the old ones, so a
link that leaked is ended by making a new one or revoking it. Titles are
neutral: no defender alias, no therapist or house name, no place. A stolen
feed shows only that *something* happens on some days.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Event
from sqlalchemy import or_, select

from app.extensions import db
from app.labels import DIMENSION, label
from app.models import FEED_KINDS, CalendarToken, Defender, House, Session, Stay, StayRequest, Therapist, utcnow
from app.models.interviews import request_members
from app.security.tokens import new_token as new_secret_token
from app.security.tokens import token_hash

SESSION_MINUTES = 60


def active_token(kind: str, target_id: int) -> CalendarToken | None:
    """The live link of a target, if any (its URL cannot be shown again: only the hash is kept)."""
    return db.session.scalar(select(CalendarToken).where(CalendarToken.kind == kind, CalendarToken.target_id == target_id,
                                                         CalendarToken.revoked_at.is_(None)))


def revoke(kind: str, target_id: int) -> int:
    """End every live link of a target; return how many."""
    rows = db.session.scalars(select(CalendarToken).where(CalendarToken.kind == kind, CalendarToken.target_id == target_id,
                                                          CalendarToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = utcnow()
    db.session.flush()
    return len(rows)


def new_token(kind: str, target_id: int) -> str:
    """Make a new private link for a target (ending the old one); return the raw token, shown once."""
    if kind not in FEED_KINDS:
        raise ValueError(kind)
    revoke(kind, target_id)
    raw, hashed = new_secret_token()
    db.session.add(CalendarToken(kind=kind, target_id=target_id, token_hash=hashed))
    db.session.flush()
    return raw


def find_token(raw: str) -> CalendarToken | None:
    """The live token row for a raw token, or None (unknown or revoked)."""
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == token_hash(raw),
                                                         CalendarToken.revoked_at.is_(None)))


def feed_url(raw: str) -> str:
    return url_for("calendars.feed", token=raw, _external=True)


# ------------------------------------------------------------------ documents


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Respiro//calendar//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _zone() -> ZoneInfo:
    """The network's time zone (RESPIRO_TIMEZONE): the houses' clocks."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def _session_event(session: Session, uid_prefix: str, title: str) -> Event:
    """At the clock time of its slot at its house, in the network's zone (a TZID, not a floating time).

    A slot the house gives no time for becomes an all-day event on its day.
    """
    event = Event()
    event.add("uid", f"{uid_prefix}-session-{session.id}@respiro")
    event.add("dtstamp", utcnow().replace(tzinfo=dt.UTC))
    clock = session.stay.house.slot_time(session.slot)
    if clock:
        hours, minutes = (int(p) for p in clock.split(":"))
        start = dt.datetime.combine(session.day, dt.time(hours, minutes), tzinfo=_zone())
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=SESSION_MINUTES))
    else:
        event.add("dtstart", session.day)
        event.add("dtend", session.day + dt.timedelta(days=1))
    event.add("summary", title)
    return event


def _stay_event(stay: Stay, uid_prefix: str, title: str) -> Event:
    event = Event()
    event.add("uid", f"{uid_prefix}-stay-{stay.id}@respiro")
    event.add("dtstamp", utcnow().replace(tzinfo=dt.UTC))
    event.add("dtstart", stay.start)
    event.add("dtend", stay.end + dt.timedelta(days=1))  # all-day events end the day after
    event.add("summary", title)
    return event


def therapist_feed(therapist: Therapist) -> bytes:
    """Her sessions in published stays: "Respiro: session (emotional)", nothing else."""
    cal = _calendar(_("Respiro: sessions"))
    sessions = db.session.scalars(select(Session).where(Session.therapist_id == therapist.id)
                                  .order_by(Session.day, Session.slot)).all()
    for session in sessions:
        title = _("Respiro: session (%(dimension)s)", dimension=label(DIMENSION, session.dimension).lower())
        cal.add_component(_session_event(session, "t", title))
    cal.add_missing_timezones()
    return cal.to_ical()


def house_feed(house: House) -> bytes:
    """The house's published stays, as all-day events titled "Stay"."""
    cal = _calendar(_("Respiro: stays"))
    stays = select(Stay).where(Stay.house_id == house.id, Stay.cancelled_at.is_(None)).order_by(Stay.start)
    for stay in db.session.scalars(stays):
        cal.add_component(_stay_event(stay, "h", ngettext("Respiro: stay (%(num)s person)", "Respiro: stay (%(num)s people)", stay.people)))
    return cal.to_ical()


def defender_stays(defender_id: int) -> list[Stay]:
    member = select(request_members.c.request_id).where(request_members.c.defender_id == defender_id)
    query = (select(Stay).join(StayRequest, StayRequest.stay_id == Stay.id)
             .where(or_(StayRequest.defender_id == defender_id, StayRequest.id.in_(member)))
             .order_by(Stay.start).distinct())
    return list(db.session.scalars(query))


def defender_feed(defender: Defender) -> bytes:
    """Her own published stays and their sessions: neutral titles, no house, no therapist."""
    cal = _calendar(_("Respiro"))
    for stay in defender_stays(defender.id):
        cal.add_component(_stay_event(stay, "d", _("Respiro: stay")))
        for session in stay.sessions:
            cal.add_component(_session_event(session, "d", _("Respiro: session")))
    cal.add_missing_timezones()
    return cal.to_ical()


def render_feed(token: CalendarToken) -> bytes | None:
    """The document a live token shows, or None when its target is gone."""
    if token.kind == "therapist":
        therapist = db.session.get(Therapist, token.target_id)
        return therapist_feed(therapist) if therapist is not None else None
    if token.kind == "house":
        house = db.session.get(House, token.target_id)
        return house_feed(house) if house is not None else None
    if token.kind == "defender":
        defender = db.session.get(Defender, token.target_id)
        return defender_feed(defender) if defender is not None and defender.deleted_at is None else None
    return None
