"""The follow-ups' words: why an answer was refused (codes of `app.reports.followup`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "answered": _l("This follow-up was already answered. Thank you."),
    "not_open": _l("This follow-up is not open now."),
    "agreement": _l("Please tick that she is with you and agrees to answer together."),
    "level_missing": _l("Please choose how much care you need now in each part."),
    "too_long": _l("Please keep this shorter (at most %(max)d characters)."),
}
