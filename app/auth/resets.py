"""Reset links and reactivation (issue 14, item 4): domain rules, shared by the pages and the CLI.

A reset link is a one-time `Invitation` of purpose "reset" (only its hash is
kept, valid INVITATION_LIFETIME = 24 hours). Issuing one ends every session of
hers at once (she, or whoever holds her session, is logged out) and ends any
earlier reset link of hers. Both actions are audited without content.
These functions only flush; the caller commits.
"""
from __future__ import annotations

from sqlalchemy import update

from app.auth.accounts import create_invitation
from app.extensions import db
from app.models import Invitation, User, utcnow
from app.refusals import Refused
from app.security import audit
from app.security.her_houses import houses_for


def houses_of(user: User) -> set[int]:
    """The houses whose team is 'her house team': for a defender, her houses (app/security/her_houses.py);
    for a house team member, her house."""
    if user.role == "team":
        return {user.house_id} if user.house_id else set()
    if user.role != "defender":
        return set()
    return houses_for(user.defender_id)


def may_manage(actor: User, person: User) -> bool:
    """An admin manages every account but her own here; a house team member, a defender of her house."""
    if actor.id == person.id:
        return False
    if actor.role == "admin":
        return True
    return actor.role == "team" and person.role == "defender" and actor.house_id in houses_of(person)


def issue_reset_link(person: User, actor: User | None) -> str:
    """A one-time reset link token for `person` (shown once); her sessions end now."""
    if not person.is_active:
        raise Refused("inactive")
    db.session.execute(update(Invitation).where(Invitation.email_index == person.email_index,
                                                Invitation.purpose == "reset",
                                                Invitation.used_at.is_(None)).values(expires_at=utcnow()))
    # for a defender, tied to her record: her address in it is under her key, and goes when she is deleted
    _invitation, token = create_invitation(email=person.email, role=person.role, created_by=actor,
                                           house_id=person.house_id, defender_id=person.defender_id,
                                           purpose="reset")
    person.end_all_sessions()
    audit.record(actor, "user.reset_link", target=person, defender_id=person.defender_id,
                 by="cli" if actor is None else actor.role)
    db.session.flush()
    return token


def reactivate(person: User, actor: User | None) -> None:
    """Open a deactivated account again; she logs in with her password (or a reset link)."""
    if person.is_active:
        raise Refused("already_active")
    person.is_active_user = True
    person.end_all_sessions()  # nothing from before the deactivation comes back
    audit.record(actor, "user.reactivate", target=person, defender_id=person.defender_id,
                 by="cli" if actor is None else actor.role)
    db.session.flush()
