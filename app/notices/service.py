"""One way to tell people something: `notify`.

Every sender (offers, schedule changes, flags, freed places) calls
`notify(recipients, kind, target=..., link=...)`. It adds one in-app notice
per person (flush only: the caller's transaction writes it with the change
it announces). When a mail server is configured and the person opted in,
the notice is also marked for e-mail; the e-mail is sent after the commit by
the job runner (`app.notices.delivery`), so a mail server that is down never
loses the notice nor blocks the action. The e-mail is neutral: "You have a
new notice in Respiro" and a link, no name, house, date or place.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import NOTICE_KINDS, Notice, NoticeSetting, Stay, User

# What each kind says in the app (never in an e-mail). No name, house or date: the link shows them
# to whoever may see them.
TEXTS = {
    "offered": _l("A stay is offered to you. Please answer before the deadline."),
    "changed": _l("A published stay you are part of has changed."),
    "cancelled": _l("A stay you were part of was cancelled."),
    "deadline": _l("The deadline to answer a stay offer is near."),
    "flagged": _l("A published stay needs re-planning."),
    "freed": _l("A place was freed in a published stay."),
    "answered": _l("A defender answered a stay offer."),
    "on_behalf": _l("A stay is offered to a defender you assist who has no account: answer on her behalf."),
}


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _users(recipients: Iterable) -> list[User]:
    out, seen = [], set()
    for r in recipients:
        user = r if isinstance(r, User) else db.session.get(User, int(r))
        if user is None or user.id in seen or not user.is_active_user:
            continue
        seen.add(user.id)
        out.append(user)
    return out


def wants_email(user: User) -> bool:
    setting = db.session.get(NoticeSetting, user.id)
    return bool(setting and setting.email)


def notify(recipients: Iterable, kind: str, *, target=None, link: str = "") -> list[Notice]:
    """Tell each of `recipients` (User rows or ids; inactive accounts skipped) about `kind`.

    `target` is the row it concerns (its type and id are kept, never its content); `link` a path
    inside Respiro where the reader sees it (checked there against what she may see).
    """
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    mail = mail_configured()
    notices = []
    for user in _users(recipients):
        notice = Notice(user_id=user.id, kind=kind, target_type=type(target).__name__ if target is not None else "",
                        target_id=getattr(target, "id", None), link=link[:200],
                        email_state="pending" if mail and wants_email(user) else "")
        db.session.add(notice)
        notices.append(notice)
    db.session.flush()
    if any(n.email_state == "pending" for n in notices) and has_app_context():
        g.notices_to_send = True  # the after-request hook hands them to the job runner once committed
    return notices


def text(notice: Notice) -> str:
    return str(TEXTS.get(notice.kind, notice.kind))


# ------------------------------------------------------------------ who to tell

def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "coordinator", User.is_active_user.is_(True))
                                   .order_by(User.id)))


def house_team(house_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "team", User.house_id == house_id,
                                                      User.is_active_user.is_(True)).order_by(User.id)))


def accounts_of(request) -> list[User]:
    """The accounts of the women of one request (some assisted women have none)."""
    ids = [d.id for d in request.all_defenders if d is not None]
    return list(db.session.scalars(select(User).where(User.defender_id.in_(ids), User.role == "defender")))


def people_of_stay(stay: Stay) -> list[User]:
    return [u for r in stay.requests for u in accounts_of(r)]


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == user.id,
                                                                Notice.read_at.is_(None))) or 0


# ------------------------------------------------------------------ what the living schedule tells

CHANGE_NOTICES = {"change": "changed", "repair": "changed", "programme_repair": "changed", "fill": "changed",
                  "refilled": "changed", "cancel": "cancelled", "no_show": "freed", "left_early": "freed"}


def accounts_of_defenders(defender_ids) -> list[User]:
    ids = list(defender_ids or [])
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.defender_id.in_(ids), User.role == "defender")))


def stay_changed(change, stay: Stay) -> None:
    """Tell the people a recorded change touches: the women in it and the house team (changed, cancelled),
    or the coordinators when places were freed (no-show, early departure). Arrivals tell no one."""
    kind = CHANGE_NOTICES.get(change.kind)
    if kind == "freed":
        notify(coordinators(), "freed", target=stay, link="/")
    elif kind:
        notify(accounts_of_defenders(change.people), kind, target=stay, link=f"/interviews/stays/{stay.id}")
        notify(house_team(stay.house_id), kind, target=stay, link=f"/schedule/stays/{stay.id}")


def stay_flagged(stay: Stay) -> None:
    """A published stay now needs re-planning: the coordinators hear of it."""
    notify(coordinators(), "flagged", target=stay, link="/")
