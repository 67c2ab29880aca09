"""Interview and request rules as plain functions: they only flush; the view commits.

A refused change raises `app.refusals.Refused` with a code (and the field it concerns);
the view words it in her language (`app.interviews.messages`) and keeps everything she typed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.notices import service as notices
from app.models import DIMENSIONS, STAY_TYPES, DiagnosticInterview, Defender, StayRequest, utcnow
from app.refusals import Refused

STEPS = (*DIMENSIONS, "life", "logistics", "consent", "review")
OPEN_STATUSES = ("draft", "submitted", "pending")
WITHDRAWABLE = ("draft", "submitted", "pending", "published")
RETENTION_CHOICES = (0, 3, 6, 12, 24)
MAX_COMPANIONS = 12


# ------------------------------------------------------------------ steps

def step_index(step: str) -> int:
    return STEPS.index(step) if step in STEPS else 0


def neighbour(step: str, offset: int) -> str:
    """The step before (-1) or after (+1), staying inside the interview."""
    return STEPS[min(max(step_index(step) + offset, 0), len(STEPS) - 1)]


def open_request(defender: Defender) -> StayRequest | None:
    """Her request still on its way (draft to ready for planning), if any."""
    return db.session.scalar(select(StayRequest).where(
        StayRequest.defender_id == defender.id, StayRequest.status.in_(OPEN_STATUSES))
        .order_by(StayRequest.id.desc()))


def start_interview(defender: Defender, *, filled_by=None) -> DiagnosticInterview:
    """Open a draft interview and its draft request, or return the one in progress.

    A new interview is refused while a request is already on its way.
    """
    current = open_request(defender)
    if current is not None:
        if current.status == "draft" and current.interview is not None:
            return current.interview
        raise Refused("already_open")
    interview = DiagnosticInterview(defender=defender, status="draft", step=STEPS[0],
                                    assisted=filled_by is not None,
                                    filled_by_id=getattr(filled_by, "id", None))
    for name in DIMENSIONS:
        interview.dimension(name)
    stay_request = StayRequest(defender=defender, interview=interview, status="draft", stay_types=[])
    db.session.add_all([interview, stay_request])
    db.session.flush()
    return interview


def _touch(interview: DiagnosticInterview, next_step: str) -> None:
    """Remember where she is; always an UPDATE, so the version moves on every save."""
    interview.step = next_step if next_step in STEPS else interview.step
    interview.updated_at = utcnow()


def _require_draft(interview: DiagnosticInterview) -> None:
    if interview.status != "draft":
        raise Refused("not_draft")


def save_dimension(interview: DiagnosticInterview, name: str, *, how: str, work_on: str, practices: str,
                   self_level: int | None, next_step: str) -> None:
    _require_draft(interview)
    if name not in DIMENSIONS:
        raise Refused("unknown_step")
    if self_level is not None and self_level not in range(4):
        raise Refused("bad_level", "self_level")
    row = interview.dimension(name)
    answers = {"how": how.strip(), "work_on": work_on.strip(), "practices": practices.strip()}
    row.answers = _dump(answers) if any(answers.values()) else None
    row.self_level = self_level
    _touch(interview, next_step)
    db.session.flush()


ANSWER_KEYS = ("how", "work_on", "practices")


def dimension_answers(interview: DiagnosticInterview, name: str) -> dict:
    """What she wrote about one dimension (empty texts where nothing); reads, never adds the missing row."""
    import json

    row = next((r for r in interview.dimensions if r.dimension == name), None)
    answers = json.loads(row.answers) if row is not None and row.answers else {}
    return {key: answers.get(key, "") for key in ANSWER_KEYS}


def _dump(answers: dict) -> str:
    import json

    return json.dumps(answers, ensure_ascii=False)


def save_life(interview: DiagnosticInterview, *, narrative: str, next_step: str) -> None:
    _require_draft(interview)
    interview.narrative = narrative.strip() or None
    _touch(interview, next_step)
    db.session.flush()


@dataclass
class Logistics:
    """What she answers in the logistics step (the stay request)."""

    stay_types: list[str]
    earliest_start: dt.date | None
    latest_start: dt.date | None
    companions: int
    companions_note: str
    languages: list[str]
    barred_countries: list[str]
    needs_accessible: bool
    accessibility_notes: str
    food_notes: str
    urgency_self: int | None
    members: list[Defender] | None = None  # other defenders of a formed group (assisted mode only)


def check_request(stay_types: list[str], earliest: dt.date | None, latest: dt.date | None, *,
                  companions: int, defenders: int, today: dt.date) -> None:
    """Refuse what the stay rules make impossible (spec: Request), field by field.

    Uses the engine's own rule for which types fit her people, asked through
    the bridge (`app.planning.bridge.stay_type_fits`), so the form and the planner agree.
    """
    if len(set(stay_types)) != len(stay_types):
        raise Refused("type_repeated", "type_2")
    if any(t not in STAY_TYPES for t in stay_types):
        raise Refused("type_unknown", "type_1")
    if not 0 <= companions <= MAX_COMPANIONS:
        raise Refused("companions_range", "companions")
    if defenders > 1 and "family" in stay_types:
        raise Refused("family_second_defender", "members")
    from app.planning import bridge

    for stay_type in stay_types:
        if not bridge.stay_type_fits(stay_type, defenders=defenders, companions=companions):
            raise Refused(f"{stay_type}_does_not_fit", "companions")
    if earliest and latest and latest < earliest:
        raise Refused("window_reversed", "latest_start")
    if earliest and earliest < today:
        raise Refused("window_past", "earliest_start")
    if latest and latest < today:
        raise Refused("window_past", "latest_start")


def save_logistics(interview: DiagnosticInterview, stay_request: StayRequest, answers: Logistics, *,
                   today: dt.date, next_step: str) -> None:
    _require_draft(interview)
    members = answers.members if answers.members is not None else list(stay_request.members)
    if any(m.id == interview.defender_id for m in members):
        raise Refused("member_is_herself", "members")
    check_request(answers.stay_types, answers.earliest_start, answers.latest_start,
                  companions=answers.companions, defenders=1 + len(members), today=today)
    if answers.urgency_self is not None and answers.urgency_self not in range(4):
        raise Refused("bad_level", "urgency_self")
    stay_request.stay_types = list(answers.stay_types)
    stay_request.earliest_start = answers.earliest_start
    stay_request.latest_start = answers.latest_start
    stay_request.companions = answers.companions
    stay_request.companions_note = answers.companions_note.strip() or None
    stay_request.food_notes = answers.food_notes.strip() or None
    stay_request.urgency_self = answers.urgency_self
    if answers.members is not None:
        stay_request.members = list(answers.members)
    defender = interview.defender
    check_barred(defender.country, answers.barred_countries)
    defender.languages = list(answers.languages)
    defender.barred_countries = list(answers.barred_countries)
    defender.needs_accessible = bool(answers.needs_accessible)
    defender.accessibility_notes = answers.accessibility_notes.strip() or None
    _touch(interview, next_step)
    db.session.flush()


@dataclass(frozen=True)
class Consent:
    """Her consent, purpose by purpose (issue 14, item 6): what the house team reads, whether her therapists
    see her words, whether her anonymous answers are counted, and how long her words are kept."""

    scope: str
    retention_months: int
    share_with_therapists: bool = False
    count_in_statistics: bool = False

    @classmethod
    def of(cls, interview: DiagnosticInterview) -> "Consent":
        return cls(interview.consent_scope, interview.retention_months, bool(interview.share_with_therapists),
                   bool(interview.count_in_statistics))

    def widens(self, before: "Consent") -> bool:
        """Whether this gives more than `before`: her words to more readers, her answers counted, or kept longer."""
        return ((self.scope == "narrative" and before.scope != "narrative")
                or (self.share_with_therapists and not before.share_with_therapists)
                or (self.count_in_statistics and not before.count_in_statistics)
                or self.retention_months > (before.retention_months or 0))

    def codes(self) -> dict:
        """The choices as codes, for an audit row (no content)."""
        return {"consent_scope": self.scope, "retention_months": self.retention_months,
                "share_with_therapists": self.share_with_therapists, "count_in_statistics": self.count_in_statistics}


def _apply_consent(interview: DiagnosticInterview, consent: Consent) -> None:
    """The consent rule, one home for the wizard and for her changes after sending.

    Her therapists can only be shown words the house team may read: the team
    prints the sheet, so "therapists yes" with "levels only" is refused rather
    than silently dropped.
    """
    if consent.scope not in ("levels", "narrative"):
        raise Refused("bad_consent", "consent_scope")
    if consent.retention_months not in RETENTION_CHOICES:
        raise Refused("bad_retention", "retention_months")
    if consent.share_with_therapists and consent.scope != "narrative":
        raise Refused("therapists_need_words", "share_with_therapists")
    interview.consent_scope = consent.scope
    interview.retention_months = consent.retention_months
    interview.share_with_therapists = bool(consent.share_with_therapists)
    interview.count_in_statistics = bool(consent.count_in_statistics)


def save_consent(interview: DiagnosticInterview, consent: Consent, *, next_step: str) -> None:
    """The wizard's consent step, while the interview is a draft."""
    _require_draft(interview)
    _apply_consent(interview, consent)
    _touch(interview, next_step)
    db.session.flush()


def change_consent(interview: DiagnosticInterview, consent: Consent) -> None:
    """She changes her consent after sending, either way, at any time ("My data").

    It takes effect at once: every reader asks these columns on each request
    (`access.may_read_narrative`, the therapist sheet, the reports' `COUNTED`),
    and a shorter retention lets the retention job purge her words sooner. A
    draft's consent is chosen in its wizard step.
    """
    if interview.status == "draft":
        raise Refused("not_sent")
    _apply_consent(interview, consent)
    db.session.flush()


def go_to(interview: DiagnosticInterview, step: str) -> None:
    """Remember the step she opened (the review has no answers to save)."""
    _require_draft(interview)
    _touch(interview, step)
    db.session.flush()


# ------------------------------------------------------------------ submission

def missing(interview: DiagnosticInterview, stay_request: StayRequest) -> list[tuple[str, str]]:
    """What is still needed before she can send it: (step, code) pairs."""
    gaps = [(row.dimension, "level_missing") for row in sorted(interview.dimensions, key=lambda r: r.position)
            if row.self_level is None]
    if not stay_request.stay_types:
        gaps.append(("logistics", "types_missing"))
    if not stay_request.earliest_start or not stay_request.latest_start:
        gaps.append(("logistics", "window_missing"))
    if not interview.defender.languages:
        gaps.append(("logistics", "languages_missing"))
    if stay_request.urgency_self is None:
        gaps.append(("logistics", "urgency_missing"))
    return gaps


def submit(interview: DiagnosticInterview, stay_request: StayRequest, *, agreed: bool, by_team: bool,
           today: dt.date) -> None:
    """Send the interview and its request to the house teams.

    The rules are checked again (a saved window may have passed since). When a
    team member sends an interview filled with her, she records that the
    defender agreed; a defender sending it herself agrees by sending.
    """
    _require_draft(interview)
    if missing(interview, stay_request):
        raise Refused("incomplete")
    check_request(stay_request.stay_types, stay_request.earliest_start, stay_request.latest_start,
                  companions=stay_request.companions, defenders=len(stay_request.all_defenders), today=today)
    if by_team and not agreed:
        raise Refused("agreement_missing", "agreed")
    interview.defender_agreed = True
    now = utcnow()
    interview.status = "submitted"
    interview.submitted_at = now
    interview.step = "review"
    stay_request.status = "submitted"
    stay_request.submitted_at = now
    db.session.flush()


def confirm(interview: DiagnosticInterview, stay_request: StayRequest, *, levels: dict[str, int], urgency: int,
            reason: str, by, risk_notes: str = "") -> None:
    """The house team confirms the need levels and the urgency: the request is ready for planning.

    `risk_notes`, if given, are the team's notes on the risks she faces:
    encrypted under her own key, read only where her words may be read
    (`access.may_read_narrative`) and deleted with them (retention, deletion).
    """
    if stay_request.status != "submitted" or interview.status != "submitted":
        raise Refused("not_submitted")
    if set(levels) != set(DIMENSIONS) or any(v not in range(4) for v in levels.values()):
        raise Refused("bad_level")
    if urgency not in range(4):
        raise Refused("bad_level", "urgency")
    reason = reason.strip()
    if not reason:
        raise Refused("reason_missing", "reason")
    for name, level in levels.items():
        interview.dimension(name).need_level = level
    now = utcnow()
    interview.status = "confirmed"
    interview.confirmed_at = now
    interview.confirmed_by_id = by.id
    interview.confirmation_reason = reason
    stay_request.urgency = urgency
    stay_request.urgency_reason = reason
    if risk_notes.strip():
        interview.risk_notes = risk_notes.strip()
    stay_request.status = "pending"
    db.session.flush()


# ------------------------------------------------------------------ withdrawal and assisted mode

def withdraw(stay_request: StayRequest) -> None:
    """Withdraw a request. A published stay is flagged for the coordinator to re-plan."""
    if stay_request.status not in WITHDRAWABLE:
        raise Refused("not_withdrawable")
    stay = stay_request.stay
    if stay_request.status == "published" and stay is not None:
        stay.needs_replan = True
        stay.replan_reason = f"request r{stay_request.id} was withdrawn by the defender"
        stay_request.stay = None
        notices.stay_flagged(stay)
    stay_request.status = "withdrawn"
    db.session.flush()


def check_barred(country: str | None, barred_countries) -> None:
    """She lives and works in her country: it can never be one she cannot enter."""
    if country and country in (barred_countries or []):
        raise Refused("barred_own_country", "barred_countries")


def create_assisted_defender(*, alias: str, country: str, languages: list[str], barred_countries: list[str],
                             agreed: bool, filled_by, real_name: str = "", contact: str = "") -> DiagnosticInterview:
    """A team member records a defender and opens an interview to fill with her.

    Her real name and a contact, when given, are encrypted under her own key
    and shown only through a coordinator's recorded reveal (admin/reveal.py).
    """
    if not agreed:
        raise Refused("agreement_missing", "defender_agreed")
    alias = alias.strip()
    if not alias:
        raise Refused("alias_missing", "alias")
    if not country:
        raise Refused("country_missing", "country")
    check_barred(country, barred_countries)
    defender = Defender(alias=alias, country=country, languages=list(languages),
                        barred_countries=list(barred_countries))
    defender.real_name = real_name or None
    defender.contact = contact or None
    db.session.add(defender)
    db.session.flush()
    interview = start_interview(defender, filled_by=filled_by)
    interview.defender_agreed = True
    db.session.flush()
    return interview
