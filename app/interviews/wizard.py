"""The interview's steps, each in one place: its form, what fills it, how it saves, its template.

The views ask this registry instead of dispatching on step names in four
places. `user` is who fills the step (she, or a team member with her): a team
member may add other defenders she sees to a collective request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from app.extensions import db
from app.interviews import rules
from app.interviews.forms import ConsentForm, DimensionForm, LifeForm, LogisticsForm, SubmitForm
from app.models import DIMENSIONS, DiagnosticInterview, StayRequest, local_today
from app.security import access


@dataclass(frozen=True)
class Step:
    form: type
    load: Callable[[DiagnosticInterview, StayRequest], dict]  # the form's data from what she saved
    save: Callable  # (form, interview, stay_request, next_step, user) -> None; flushes only
    template: str
    form_options: Callable[[DiagnosticInterview, object], dict] = field(default=lambda interview, user: {})


def member_choices(interview: DiagnosticInterview, user):
    """In assisted mode, other defenders the team member may see and who are in no group yet."""
    if user.role != "team":
        return None
    from app.models.interviews import request_members

    taken = set(db.session.scalars(select(request_members.c.defender_id)))
    taken -= {m.id for m in access.request_of_interview(interview).members}
    return [(str(d.id), d.alias) for d in access.visible_defenders(user)
            if d.id != interview.defender_id and d.id not in taken]


def _dimension(name: str) -> Step:
    def load(interview, stay_request):
        return {**rules.dimension_answers(interview, name), "self_level": interview.dimension(name).self_level}

    def save(form, interview, stay_request, next_step, user):
        rules.save_dimension(interview, name, how=form.how.data or "", work_on=form.work_on.data or "",
                             practices=form.practices.data or "", self_level=form.self_level.data,
                             next_step=next_step)

    return Step(DimensionForm, load, save, "interviews/step_dimension.html")


def _load_logistics(interview, stay_request) -> dict:
    types = list(stay_request.stay_types or []) + ["", "", ""]
    defender = interview.defender
    return {"type_1": types[0], "type_2": types[1], "type_3": types[2],
            "earliest_start": stay_request.earliest_start, "latest_start": stay_request.latest_start,
            "companions": stay_request.companions, "companions_note": stay_request.companions_note or "",
            "members": [str(m.id) for m in stay_request.members],
            "languages": list(defender.languages or []), "barred_countries": list(defender.barred_countries or []),
            "needs_accessible": defender.needs_accessible,
            "accessibility_notes": defender.accessibility_notes or "", "food_notes": stay_request.food_notes or "",
            "urgency_self": stay_request.urgency_self}


def _save_logistics(form, interview, stay_request, next_step, user) -> None:
    members = None
    if form.has_members:
        wanted = {int(v) for v in form.members.data or [] if str(v).isdigit()}
        members = [d for d in access.visible_defenders(user) if d.id in wanted]
    answers = rules.Logistics(
        stay_types=form.stay_types(), earliest_start=form.earliest_start.data, latest_start=form.latest_start.data,
        companions=form.companions.data or 0, companions_note=form.companions_note.data or "",
        languages=form.languages.data or [], barred_countries=form.barred_countries.data or [],
        needs_accessible=form.needs_accessible.data, accessibility_notes=form.accessibility_notes.data or "",
        food_notes=form.food_notes.data or "", urgency_self=form.urgency_self.data, members=members)
    rules.save_logistics(interview, stay_request, answers, today=local_today(), next_step=next_step)


def load_consent(interview, stay_request=None) -> dict:
    return {"consent_scope": interview.consent_scope, "retention_months": interview.retention_months,
            "share_with_therapists": "yes" if interview.share_with_therapists else "no",
            "count_in_statistics": "yes" if interview.count_in_statistics else "no"}


def _save_consent(form, interview, stay_request, next_step, user) -> None:
    rules.save_consent(interview, consent_of(form), next_step=next_step)


def consent_of(form) -> rules.Consent:
    """Her choices as a consent form holds them (the wizard step, or "My data" after sending)."""
    return rules.Consent(scope=form.consent_scope.data, retention_months=form.retention_months.data,
                         share_with_therapists=form.share_with_therapists.data == "yes",
                         count_in_statistics=form.count_in_statistics.data == "yes")


STEPS: dict[str, Step] = {
    **{name: _dimension(name) for name in DIMENSIONS},
    "life": Step(LifeForm, lambda interview, stay_request: {"narrative": interview.narrative or ""},
                 lambda form, interview, stay_request, next_step, user:
                 rules.save_life(interview, narrative=form.narrative.data or "", next_step=next_step),
                 "interviews/step_life.html"),
    "logistics": Step(LogisticsForm, _load_logistics, _save_logistics, "interviews/step_logistics.html",
                      lambda interview, user: {"member_choices": member_choices(interview, user)}),
    "consent": Step(ConsentForm, load_consent, _save_consent, "interviews/step_consent.html"),
    "review": Step(SubmitForm, lambda interview, stay_request: {},
                   lambda form, interview, stay_request, next_step, user: rules.go_to(interview, next_step),
                   "interviews/step_review.html"),
}
assert tuple(STEPS) == rules.STEPS, "the registry follows the order of the steps"


def saved_form(name: str, interview: DiagnosticInterview, stay_request: StayRequest, user):
    """The step's form filled from what she saved (never from a posted form), with the version it shows."""
    step = STEPS[name]
    data = {**step.load(interview, stay_request), "version": interview.version}
    return step.form(formdata=None, data=data, **step.form_options(interview, user))


def posted_form(name: str, interview: DiagnosticInterview, user):
    step = STEPS[name]
    return step.form(**step.form_options(interview, user))


def save(name: str, form, interview: DiagnosticInterview, stay_request: StayRequest, next_step: str, user) -> None:
    STEPS[name].save(form, interview, stay_request, next_step, user)
