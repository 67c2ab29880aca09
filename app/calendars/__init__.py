"""Private, revocable iCal feeds: a therapist's sessions, a house's stays, a defender's own stays."""
from flask import Blueprint

bp = Blueprint("calendars", __name__, url_prefix="/calendar")

from app.calendars import views  # noqa: E402,F401
