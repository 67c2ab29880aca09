"""Her own data: everything we hold as JSON, deletion, and who opened her file.

Deletion removes what identifies her or what she told us, and keeps only
anonymous counts:

- removed: real name, contact, accessibility notes, languages, barred
  countries, country, her alias (replaced by a neutral word); every interview
  answer, the narrative, risk notes and the need levels (the dimension rows
  are deleted); food notes, companions notes and the team's reasons on her
  requests; her invitations; her login (her address is removed with its
  blind index, her password overwritten, the account deactivated and all its
  sessions ended); her calendar feeds;
  the reasons given when her file was opened; and her own data key, which
  every encrypted value of hers needed (crypto-shredding: a backup taken
  before the deletion holds only ciphertext that nothing can open any more).
- kept, without identity: the interview and request rows with their status,
  stay types, dates and number of companions, so that counts of how many
  requests were made, served or withdrawn stay true; audit rows (they hold
  ids, never content), so that the trail of who opened her file survives.
- any request still on its way is withdrawn; a published stay she was in is
  flagged for the coordinator to re-plan.

A house team member working with her (assisted mode) can download her file
for her: the same serializer, cut down to what that team member may already
see on screen (see `export_data`). What the team sees follows her consent
choice, worded for her in `forms.consent_choices`: with "levels" her levels of
care and what the house needs to receive her; with "narrative" also what she
wrote about her life and each dimension.
"""
from __future__ import annotations

import json
import re
import secrets
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.extensions import db
from app.interviews.rules import WITHDRAWABLE, dimension_answers, withdraw
from app.models import (
    AuditEvent, CalendarToken, Defender, DiagnosticInterview, Invitation, Stay, StayRequest, User, utcnow,
)
from app.security import access
from app.security.defender_keys import current_store
from app.security.passwords import hash_password

DELETED_ALIAS = "—"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(defender: Defender, user: User | None, *, reader: User | None = None) -> dict:
    """Everything held about her, decrypted, for her own download.

    With `reader` (a house team member downloading it for her) the file holds
    only what `reader` may already see on screen: the interviews and requests
    she sent and that are not closed (`access.interview_scope`,
    `access.request_scope`: a request she withdrew or that was declined is
    left out, with its interview), a stay only at a house the reader may see
    (`access.stay_scope`), and:

    - whatever she chose: her levels of care (her own and the confirmed ones)
      and what the house needs to receive her, as on the team's review page:
      stay types, dates, companions and her note on them, food notes,
      accessibility and its notes, languages, country, countries she cannot
      enter, her sense of urgency and the confirmed one;
    - only where she chose "narrative" (`access.may_read_narrative`): what she
      wrote about her life and each dimension, i.e. the narrative and the
      per-dimension answers (how, work_on, practices).

    When none of her requests is open any more, the file holds her alias
    only, empty lists and a `note` saying why.

    Never her real name, contact or account, the risk notes, the reasons
    written by the team or the coordinators, or who opened her file. Fields
    are listed as kept for the reader, so a field added later stays hers
    alone until someone decides otherwise.
    """
    own = reader is None
    data: dict = {"format": "respiro-my-data/1", "exported_at": _iso(utcnow()), "person": _person(defender, own)}
    if own:
        data["account"] = None if user is None else {
            "email": user.email, "role": user.role, "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at)}
    else:
        data["prepared_by"] = {"role": reader.role, "house": reader.house.name if reader.house else None}
    data["interviews"] = [_interview(i, reader) for i in _interviews(defender, reader)]
    data["requests"] = [_request(r, reader) for r in _requests(defender, reader)]
    if not own and not data["requests"]:
        # every request she sent is closed: her alias only, and a line that says so
        data["person"] = {"alias": defender.alias}
        data["note"] = _("None of her requests is open any more (she withdrew them or they were declined), "
                         "so this file holds nothing of her answers.")
    if own:  # her answers after her stays (issue 15): her levels and her words
        from app.models import FollowUp

        data["follow_ups"] = [{"request_id": f.request_id, "kind": f.kind, "answered_at": _iso(f.answered_at),
                               "levels": dict(f.levels or {}), "words": f.words}
                              for f in db.session.scalars(select(FollowUp).where(FollowUp.defender_id == defender.id)
                                                          .order_by(FollowUp.id))]
        data["access_log"] = [{"at": _iso(e["at"]), "action": e["action"], "by_role": e["role"],
                               "by_house": e["house"]} for e in access_log(defender, user)]
    return data


def _person(defender: Defender, own: bool) -> dict:
    person = {"alias": defender.alias, "country": defender.country, "languages": list(defender.languages or []),
              "barred_countries": list(defender.barred_countries or []),
              "needs_accessible": defender.needs_accessible, "accessibility_notes": defender.accessibility_notes}
    if own:
        person.update(real_name=defender.real_name, contact=defender.contact, created_at=_iso(defender.created_at))
    return person


def _interviews(defender: Defender, reader: User | None) -> list[DiagnosticInterview]:
    if reader is None:
        return sorted(defender.interviews, key=lambda i: i.id)
    return list(db.session.scalars(access.interview_scope(reader)
                                   .where(DiagnosticInterview.defender_id == defender.id)
                                   .order_by(DiagnosticInterview.id)))


def _requests(defender: Defender, reader: User | None) -> list[StayRequest]:
    if reader is None:
        return sorted(defender.requests, key=lambda r: r.id)
    return list(db.session.scalars(access.request_scope(reader).where(StayRequest.defender_id == defender.id)
                                   .order_by(StayRequest.id)))


def _interview(interview: DiagnosticInterview, reader: User | None) -> dict:
    own = reader is None
    her_words = own or access.may_read_narrative(reader, interview)
    data = {
        "id": interview.id, "status": interview.status, "assisted": interview.assisted,
        "defender_agreed": interview.defender_agreed, "consent_scope": interview.consent_scope,
        "share_with_therapists": interview.share_with_therapists, "count_in_statistics": interview.count_in_statistics,
        "submitted_at": _iso(interview.submitted_at), "confirmed_at": _iso(interview.confirmed_at),
    }
    if own:
        data.update(step=interview.step, filled_by_role=interview.filled_by.role if interview.filled_by else None,
                    retention_months=interview.retention_months, created_at=_iso(interview.created_at),
                    confirmation_reason=interview.confirmation_reason, risk_notes=interview.risk_notes)
    if her_words:
        data["narrative"] = interview.narrative
    data["dimensions"] = {row.dimension: {**(dimension_answers(interview, row.dimension) if her_words else {}),
                                          "self_level": row.self_level, "need_level": row.need_level}
                          for row in interview.dimensions}
    return data


def _request(stay_request: StayRequest, reader: User | None) -> dict:
    own = reader is None
    data = {
        "id": stay_request.id, "status": stay_request.status, "stay_types": list(stay_request.stay_types or []),
        "earliest_start": _iso(stay_request.earliest_start), "latest_start": _iso(stay_request.latest_start),
        "companions": stay_request.companions, "companions_note": stay_request.companions_note,
        "food_notes": stay_request.food_notes, "urgency_self": stay_request.urgency_self,
        "urgency": stay_request.urgency, "submitted_at": _iso(stay_request.submitted_at),
    }
    if own:
        data.update(urgency_reason=stay_request.urgency_reason, decline_reason=stay_request.decline_reason)
    stay = stay_request.stay
    data["stay"] = None if stay is None or not (own or _may_see_stay(reader, stay)) else {
        "house": stay.house.name, "start": _iso(stay.start), "end": _iso(stay.end), "type": stay.type,
        "sessions": [{"day": _iso(s.day), "time": slot_time(s), "dimension": s.dimension,
                      "with": s.therapist.first_name} for s in stay.sessions]}
    return data


def _may_see_stay(reader: User, stay: Stay) -> bool:
    return db.session.scalar(access.stay_scope(reader).where(Stay.id == stay.id)) is not None


def slot_time(session) -> str:
    """A published session's clock time at its house ("HH:MM")."""
    return session.stay.house.slot_time(session.slot)


def export_json(defender: Defender, user: User | None, *, reader: User | None = None) -> str:
    return json.dumps(export_data(defender, user, reader=reader), ensure_ascii=False, indent=2)


def export_filename(defender: Defender) -> str:
    """A neutral file name: her alias in plain letters (safe in a header), never her real name."""
    plain = unicodedata.normalize("NFKD", defender.alias or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-")
    return f"respiro-{slug or f'file-{defender.id}'}.json"


def access_log(defender: Defender, user: User | None) -> list[dict]:
    """Who opened her file and when: the actor's role and house, never their email."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.defender_id == defender.id)
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    rows = []
    for event in events:
        actor = event.actor
        rows.append({"at": event.at, "action": event.action,
                     "self": user is not None and actor is not None and actor.id == user.id,
                     "role": actor.role if actor else None,
                     "house": actor.house.name if actor is not None and actor.house is not None else None,
                     # a reveal tells her why her identity was shown (issue 7: pseudonyms)
                     "reason": event.reason if event.action == "defender.reveal" else None})
    return rows


def delete_personal_data(defender: Defender, user: User | None) -> None:
    """Remove her personal data, keep anonymous counts (see the module docstring)."""
    for stay_request in list(defender.requests):
        if stay_request.status in WITHDRAWABLE:
            withdraw(stay_request)
        stay_request.companions_note = None
        stay_request.food_notes = None
        stay_request.urgency_reason = None
        stay_request.decline_reason = None
        stay_request.members = []
    for interview in defender.interviews:
        interview.narrative = None
        interview.risk_notes = None
        interview.confirmation_reason = None
        interview.narrative_purged_at = utcnow()
        interview.dimensions = []
    from app.models import FollowUp

    for follow_up in db.session.scalars(select(FollowUp).where(FollowUp.defender_id == defender.id)):
        follow_up.words = None  # her words after a stay; her levels stay as anonymous numbers
        follow_up.words_purged_at = utcnow()
    for stay_request in db.session.scalars(select(StayRequest).where(StayRequest.members.contains(defender))):
        stay_request.members = [m for m in stay_request.members if m.id != defender.id]
    defender.alias = DELETED_ALIAS
    defender.real_name = None
    defender.contact = None
    defender.accessibility_notes = None
    defender.country = ""
    defender.languages = []
    defender.barred_countries = []
    defender.needs_accessible = False
    defender.deleted_at = utcnow()
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.defender_id == defender.id,
                                                             AuditEvent.reason_ct.is_not(None))):
        event.reason = None  # the reasons given for looking at her file (the rows stay)
    # Crypto-shredding: destroy her own key, so that no backup taken before today can be read for her
    # (committed in the key store at once: if this request then failed, her data is unreadable, not kept).
    current_store().shred(defender.uid)
    db.session.execute(delete(Invitation).where(Invitation.defender_id == defender.id))
    db.session.execute(delete(CalendarToken).where(CalendarToken.kind == "defender",
                                                   CalendarToken.target_id == defender.id))
    if user is not None:
        user.email = None  # its ciphertext and its blind index: the database no longer answers to her address
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        user.is_active_user = False
        user.totp_secret = None
        user.end_all_sessions()
    db.session.flush()
