"""The domain, as typed SQLAlchemy 2 models (one module per area)."""
from app.models.accounts import ROLES, Invitation, LoginAttempt, User, UserSession
from app.models.audit import AuditEvent
from app.models.base import local_today, utcnow
from app.models.followup import FOLLOW_UP_KINDS, FollowUp
from app.models.houses import CLOSURE_REASONS, DEFAULT_SLOT_TIMES, Closure, House
from app.models.interviews import (
    CONSENT_SCOPES, DIMENSIONS, INTERVIEW_STATUSES, REQUEST_STATUSES, STAY_TYPES,
    DiagnosticInterview, InterviewDimension, StayRequest,
)
from app.models.network import KINDS, Availability, Therapist
from app.models.notices import EMAIL_STATES, NOTICE_KINDS, Notice, NoticeSetting
from app.models.offers import OFFER_STATUSES, Offer
from app.models.people import Defender
from app.models.schedule import ATTENDANCE, CHANGE_KINDS, StayAttendance, StayChange
from app.models.planning import (
    FEED_KINDS, RUN_STATUSES, CalendarToken, PlanningRun, ProposedSession, ProposedStay, Session, Stay, UnassignedRequest,
)

__all__ = [
    "ROLES", "Invitation", "LoginAttempt", "User", "UserSession", "AuditEvent", "utcnow", "local_today", "CLOSURE_REASONS", "Closure",
    "House", "CONSENT_SCOPES", "DIMENSIONS", "INTERVIEW_STATUSES", "REQUEST_STATUSES", "STAY_TYPES",
    "DiagnosticInterview", "InterviewDimension", "StayRequest", "KINDS", "Availability", "Therapist",
    "Defender", "RUN_STATUSES", "DEFAULT_SLOT_TIMES", "PlanningRun", "ProposedSession", "ProposedStay", "Session",
    "Stay", "UnassignedRequest", "CalendarToken", "FEED_KINDS",
    "ATTENDANCE", "CHANGE_KINDS", "StayAttendance", "StayChange",
    "EMAIL_STATES", "NOTICE_KINDS", "Notice", "NoticeSetting", "OFFER_STATUSES", "Offer",
    "FOLLOW_UP_KINDS", "FollowUp",
]
