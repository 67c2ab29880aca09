"""Access control in one place: roles, house scoping and scoped queries.

Views never query sensitive records raw: they call the helpers here, which
add the permission filter for the user (deny by default, security item 14).
A record outside the user's scope is a 404, never a 403, so that its
existence does not leak.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, and_, false, select

from app.extensions import db
from app.models import Defender, DiagnosticInterview, House, StayRequest, Stay, Therapist

STAFF = ("team", "coordinator", "admin")

# A request house teams may see: one she sent. A draft she withdrew before sending
# has left the draft status, but its interview never left the draft.
SENT = and_(StayRequest.status != "draft", ~StayRequest.interview.has(DiagnosticInterview.status == "draft"))

# A request is closed once she withdrew it or a coordinator declined it. Nothing moves a request out of
# these statuses (only `rules.withdraw` and the planning `decline` move one in), but the rule reads the
# status, so a request that ever re-opened would be seen again, and one that closes again would not.
CLOSED = ("withdrawn", "declined")
# What a house team works with: a request she sent that is not closed. Once closed, the team no longer
# needs her answers: `request_scope` and `interview_scope` leave it out (its review page is a 404, the team
# file leaves it out), and the team's queue shows it only as a line (`closed_request_scope`).
SENT_AND_OPEN = and_(SENT, StayRequest.status.not_in(CLOSED))


def roles_required(*roles: str):
    """Let in only logged-in users with one of `roles`; others get 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def sees_all_houses(user) -> bool:
    return user.role in ("coordinator", "admin")


def house_scope(user) -> Select:
    """Houses the user may see: all for coordinators, her own for a team member."""
    query = select(House).order_by(House.name)
    if sees_all_houses(user):
        return query
    if user.role == "team" and user.house_id:
        return query.where(House.id == user.house_id)
    return query.where(false())


def _one_or_404(scope: Select, model_id: int, visible: Callable[[Any], bool] = lambda record: True):
    """The record `model_id` of the scope's model, if the scope (and `visible`) lets the user see it, else 404:
    to her, a record outside her scope does not exist (never a 403, which would say that it does)."""
    model = scope.column_descriptions[0]["entity"]
    record = db.session.scalar(scope.where(model.id == model_id))
    if record is None or not visible(record):
        abort(404)
    return record


def get_house(user, house_id: int) -> House:
    return _one_or_404(house_scope(user), house_id)


def therapist_scope(user) -> Select:
    """Therapists working at a house the user may see (by id: names are encrypted; views sort by name)."""
    query = select(Therapist).order_by(Therapist.id)
    if sees_all_houses(user):
        return query
    if user.role == "team" and user.house_id:
        return query.where(Therapist.houses.any(House.id == user.house_id))
    return query.where(false())


def get_therapist(user, therapist_id: int) -> Therapist:
    return _one_or_404(therapist_scope(user), therapist_id)


def defender_scope(user) -> Select:
    """Defenders the user may see, before the barred-country check.

    A defender sees herself. A team member sees defenders with a request she
    sent (`SENT`, closed or not: a closed one still shows as a line with her
    alias), and only those who can enter her house's country
    (`can_see_defender`, applied by `visible_defenders` and `get_defender`:
    JSON membership differs between databases). Coordinators and admins see
    all. Deleted defenders are gone for everyone.
    """
    query = select(Defender).where(Defender.deleted_at.is_(None)).order_by(Defender.alias)
    if user.role == "defender":
        return query.where(Defender.id == user.defender_id)
    if sees_all_houses(user):
        return query
    if user.role == "team" and user.house_id:
        return query.where(Defender.requests.any(SENT))
    return query.where(false())


def visible_defenders(user) -> list[Defender]:
    return [d for d in db.session.scalars(defender_scope(user)) if can_see_defender(user, d)]


def get_defender(user, defender_id: int) -> Defender:
    return _one_or_404(defender_scope(user), defender_id, lambda defender: can_see_defender(user, defender))


def request_scope(user) -> Select:
    """Stay requests the user may see (through the defenders she may see).

    She sees all of hers and coordinators see all; a house team sees those she
    sent and that are not closed (`SENT_AND_OPEN`).
    """
    query = select(StayRequest).join(StayRequest.defender).where(Defender.deleted_at.is_(None))
    if user.role == "defender":
        return query.where(StayRequest.defender_id == user.defender_id)
    if sees_all_houses(user):
        return query
    if user.role == "team":
        return query.where(SENT_AND_OPEN)
    return query.where(false())


def closed_request_scope(user) -> Select:
    """Requests she sent and then withdrew, or that were declined, for a house team's queue.

    Only so that the team knows they are closed (not to call her about them):
    a view shows her alias, the status and the day it closed, never a level,
    a note or a link to the review page (which `request_scope` no longer opens).
    """
    query = (select(StayRequest).join(StayRequest.defender)
             .where(Defender.deleted_at.is_(None), SENT, StayRequest.status.in_(CLOSED)))
    if user.role == "team":
        return query
    return query.where(false())


def get_request(user, request_id: int) -> StayRequest:
    return _one_or_404(request_scope(user), request_id, lambda request: can_see_defender(user, request.defender))


def interview_scope(user) -> Select:
    query = select(DiagnosticInterview).join(DiagnosticInterview.defender).where(Defender.deleted_at.is_(None))
    if user.role == "defender":
        return query.where(DiagnosticInterview.defender_id == user.defender_id)
    if sees_all_houses(user):
        return query
    if user.role == "team":
        # sent with a request still open: once her request is closed, the team no longer needs her answers
        return query.where(DiagnosticInterview.status != "draft",
                           DiagnosticInterview.id.in_(select(StayRequest.interview_id).where(SENT_AND_OPEN)))
    return query.where(false())


def get_interview(user, interview_id: int) -> DiagnosticInterview:
    return _one_or_404(interview_scope(user), interview_id,
                       lambda interview: can_see_defender(user, interview.defender))


def can_see_defender(user, defender: Defender) -> bool:
    if user.role == "defender":
        return defender.id == user.defender_id
    if sees_all_houses(user):
        return True
    if user.role == "team" and user.house:
        return user.house.country not in (defender.barred_countries or [])
    return False


def may_read_narrative(user, interview: DiagnosticInterview) -> bool:
    """Her own words: she reads them; a house team only with her consent (security item 15); no one else.

    "The house team" is the team of one of her houses (app/security/her_houses.py), never
    every team in the network. Her consent answers "What may the house team read?", so it grants nothing
    to coordinators or admins: planning needs her levels and logistics, never
    her story.
    """
    if user.role == "defender":
        return interview.defender_id == user.defender_id
    if user.role == "team":
        # ...and only the teams of her houses (placed, considered by a proposal, or who filled it with her)
        from app.security.her_houses import houses_for

        return interview.consent_scope == "narrative" and user.house_id in houses_for(interview.defender_id)
    return False


def stay_scope(user) -> Select:
    query = select(Stay).order_by(Stay.start)
    if sees_all_houses(user):
        return query
    if user.role == "team" and user.house_id:
        return query.where(Stay.house_id == user.house_id)
    if user.role == "defender":
        return query.where(Stay.requests.any(StayRequest.defender_id == user.defender_id))
    return query.where(false())


def get_stay(user, stay_id: int) -> Stay:
    return _one_or_404(stay_scope(user), stay_id)


def check_version(record, submitted) -> None:
    """Answer 409 when a form was filled from an older version of `record` (item 35)."""
    try:
        seen = int(submitted)
    except (TypeError, ValueError):
        abort(409)
    if seen != record.version:
        abort(409)


# ---------------------------------------------------------------- interviews blueprint helpers (appended)

def editable_interview_scope(user) -> Select:
    """Draft interviews the user may fill in: her own, or (team) those her house fills with a defender."""
    from app.models import User

    query = (select(DiagnosticInterview).join(DiagnosticInterview.defender)
             .where(Defender.deleted_at.is_(None), DiagnosticInterview.status == "draft",
                    # a draft whose request she withdrew is closed: it must not be sent later
                    DiagnosticInterview.id.in_(select(StayRequest.interview_id)
                                               .where(StayRequest.status == "draft"))))
    if user.role == "defender":
        return query.where(DiagnosticInterview.defender_id == user.defender_id)
    if user.role == "team" and user.house_id:
        return query.where(DiagnosticInterview.assisted.is_(True),
                           DiagnosticInterview.filled_by_id.in_(
                               select(User.id).where(User.house_id == user.house_id)))
    return query.where(false())


def get_editable_interview(user, interview_id: int) -> DiagnosticInterview:
    return _one_or_404(editable_interview_scope(user), interview_id)


def request_of_interview(interview: DiagnosticInterview) -> StayRequest:
    """The request made with an interview the caller was already allowed to open."""
    stay_request = db.session.scalar(select(StayRequest).where(StayRequest.interview_id == interview.id)
                                     .order_by(StayRequest.id.desc()))
    if stay_request is None:
        abort(404)
    return stay_request
