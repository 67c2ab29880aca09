"""Private calendar feeds: tokens (only their hash is stored) and the iCal documents.

One active link per target and scope: making a new link revokes the old
ones, so a link that leaked is ended by making a new one or revoking it.
Titles are neutral: no defender alias, no therapist or house name, no place,
and not the app's name either: the network sets the word (CALENDAR_WORD). A
stolen feed shows only that *something* happens on some days.

A house team's link is cut to her house (a therapist who also works at
another house shows nothing of it). Event UIDs are opaque and differ from one
feed to the next, so two feeds cannot be matched up by their events (a
defender's stay and the same stay in a house's feed). A feed ends with the
account of the person who made it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Event
from sqlalchemy import or_, select

from app.extensions import db
from app.labels import DIMENSION, label
from app.models import (
    FEED_KINDS, CalendarToken, Defender, House, Session, Stay, StayRequest, Therapist, User, utcnow,
)
from app.models.interviews import request_members
from app.security.tokens import new_token as new_secret_token
from app.security.tokens import token_hash

SESSION_MINUTES = 60


def scope_of(user) -> int | None:
    """The house a person's links are cut to: her own for a house team, else None (the whole network)."""
    return user.house_id if getattr(user, "role", None) == "team" else None


def _live(kind: str, target_id: int, house_id: int | None):
    return select(CalendarToken).where(CalendarToken.kind == kind, CalendarToken.target_id == target_id,
                                       CalendarToken.house_id.is_(None) if house_id is None
                                       else CalendarToken.house_id == house_id,
                                       CalendarToken.revoked_at.is_(None))


def active_token(kind: str, target_id: int, house_id: int | None = None) -> CalendarToken | None:
    """The live link of a target in a scope, if any (its URL cannot be shown again: only the hash is kept)."""
    return db.session.scalars(_live(kind, target_id, house_id)).first()


def revoke(kind: str, target_id: int, house_id: int | None = None) -> int:
    """End every live link of a target in a scope; return how many."""
    rows = db.session.scalars(_live(kind, target_id, house_id)).all()
    for row in rows:
        row.revoked_at = utcnow()
    db.session.flush()
    return len(rows)


def revoke_made_by(user: User) -> int:
    """End every live link a person made (her account is being deactivated)."""
    rows = db.session.scalars(select(CalendarToken).where(CalendarToken.created_by_id == user.id,
                                                          CalendarToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = utcnow()
    db.session.flush()
    return len(rows)


def new_token(kind: str, target_id: int, maker: User) -> str:
    """Make a new private link for a target, cut to the maker's scope (ending the old one of that
    scope); return the raw token, shown once."""
    if kind not in FEED_KINDS:
        raise ValueError(kind)
    house_id = target_id if kind == "house" else scope_of(maker)
    revoke(kind, target_id, house_id)
    raw, hashed = new_secret_token()
    db.session.add(CalendarToken(kind=kind, target_id=target_id, token_hash=hashed, created_by_id=maker.id,
                                 house_id=house_id))
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


def word() -> str:
    """The neutral word a network chose for its calendars (CALENDAR_WORD)."""
    return current_app.config["CALENDAR_WORD"]


def _uid(token: CalendarToken, thing: str, row_id: int) -> str:
    """An event id of this feed alone: a keyed hash of the token row and the event, nothing readable."""
    secret = str(current_app.secret_key or "").encode()
    digest = hmac.new(secret, f"uid\x00{token.id}\x00{token.token_hash}\x00{thing}\x00{row_id}".encode(),
                      hashlib.sha256).hexdigest()[:32]
    return f"{digest}@calendar"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//calendar//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _zone() -> ZoneInfo:
    """The network's time zone (RESPIRO_TIMEZONE): the houses' clocks."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def _session_event(session: Session, token: CalendarToken, title: str) -> Event:
    """At the clock time of its slot at its house, in the network's zone (a TZID, not a floating time).

    A slot the house gives no time for becomes an all-day event on its day.
    """
    event = Event()
    event.add("uid", _uid(token, "session", session.id))
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


def _stay_event(stay: Stay, token: CalendarToken, title: str) -> Event:
    event = Event()
    event.add("uid", _uid(token, "stay", stay.id))
    event.add("dtstamp", utcnow().replace(tzinfo=dt.UTC))
    event.add("dtstart", stay.start)
    event.add("dtend", stay.end + dt.timedelta(days=1))  # all-day events end the day after
    event.add("summary", title)
    return event


def therapist_feed(therapist: Therapist, token: CalendarToken) -> bytes:
    """Her sessions in published stays (at the token's house only, if it has one):
    "<word>: session (emotional)", nothing else."""
    cal = _calendar(_("%(word)s: sessions", word=word()))
    query = select(Session).where(Session.therapist_id == therapist.id)
    if token.house_id is not None:
        query = query.join(Stay, Stay.id == Session.stay_id).where(Stay.house_id == token.house_id)
    for session in db.session.scalars(query.order_by(Session.day, Session.slot)):
        title = _("%(word)s: session (%(dimension)s)", word=word(),
                  dimension=label(DIMENSION, session.dimension).lower())
        cal.add_component(_session_event(session, token, title))
    cal.add_missing_timezones()
    return cal.to_ical()


def house_feed(house: House, token: CalendarToken) -> bytes:
    """The house's published stays, as all-day events titled "<word>: stay"."""
    cal = _calendar(_("%(word)s: stays", word=word()))
    stays = select(Stay).where(Stay.house_id == house.id, Stay.cancelled_at.is_(None)).order_by(Stay.start)
    for stay in db.session.scalars(stays):
        cal.add_component(_stay_event(stay, token, ngettext("%(word)s: stay (%(num)s person)",
                                                            "%(word)s: stay (%(num)s people)", stay.people,
                                                            word=word())))
    return cal.to_ical()


def defender_stays(defender_id: int) -> list[Stay]:
    member = select(request_members.c.request_id).where(request_members.c.defender_id == defender_id)
    query = (select(Stay).join(StayRequest, StayRequest.stay_id == Stay.id)
             .where(or_(StayRequest.defender_id == defender_id, StayRequest.id.in_(member)))
             .order_by(Stay.start).distinct())
    return list(db.session.scalars(query))


def defender_feed(defender: Defender, token: CalendarToken) -> bytes:
    """Her own published stays and their sessions: neutral titles, no house, no therapist."""
    cal = _calendar(word())
    for stay in defender_stays(defender.id):
        cal.add_component(_stay_event(stay, token, _("%(word)s: stay", word=word())))
        for session in stay.sessions:
            cal.add_component(_session_event(session, token, _("%(word)s: session", word=word())))
    cal.add_missing_timezones()
    return cal.to_ical()


def render_feed(token: CalendarToken) -> bytes | None:
    """The document a live token shows, or None when its target is gone or its maker's account
    is not active (a link from before makers were recorded has none, and ends too)."""
    maker = db.session.get(User, token.created_by_id) if token.created_by_id is not None else None
    if maker is None or not maker.is_active:
        return None
    if token.kind == "therapist":
        therapist = db.session.get(Therapist, token.target_id)
        return therapist_feed(therapist, token) if therapist is not None else None
    if token.kind == "house":
        house = db.session.get(House, token.target_id)
        return house_feed(house, token) if house is not None else None
    if token.kind == "defender":
        defender = db.session.get(Defender, token.target_id)
        return defender_feed(defender, token) if defender is not None and defender.deleted_at is None else None
    return None
