"""The accounts' words: why a change was refused (codes of `app.auth.accounts` and `app.auth.resets`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "too_short": _l("The password needs at least 8 characters."),
    "too_long": _l("The password is too long (at most 128 characters)."),
    "common": _l("This password is too common and easy to guess. Please choose another one."),
    "wrong_current": _l("The current password is not right."),
    "email_taken": _l("There is already an account with this email."),
    "bad_email": _l("Please give a valid email address."),
    "bad_role": _l("Unknown role."),
    "team_needs_house": _l("A house team member needs a house."),
    "invitation_invalid": _l("This link is not valid any more."),
    "inactive": _l("This account is deactivated. Reactivate it first."),
    "already_active": _l("This account is already active."),
}
