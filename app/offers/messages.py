"""The offers' words: why a change was refused (codes of `app.offers.service`, and of the planning's rules it
calls: publishing checks the plan)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.planning.messages import MESSAGES as PLANNING

MESSAGES = {
    **PLANNING,
    "deadline_past": _l("The deadline to answer cannot be in the past (today is %(today)s)."),
    "already_accepted": _l("This offer was already accepted on %(day)s. Nothing was changed."),
    "already_declined": _l("This offer was already declined on %(day)s. Nothing was changed."),
    "lapsed": _l("The deadline to answer this offer passed on %(day)s; the place was freed."),
    "withdrawn": _l("This offer was withdrawn by the coordination. Nothing was changed."),
    "not_hers": _l("Only she can answer this offer."),
    "deadline_passed": _l("The deadline to answer was %(day)s. This offer can no longer be accepted or declined; "
                          "the coordination will contact you."),
    "withdraw_reason_missing": _l("Please write the reason for withdrawing this stay."),
    "accepted_cannot_withdraw": _l("She has already accepted this stay, so it cannot be withdrawn. Change or cancel "
                                   "it instead."),
    "answered_cannot_withdraw": _l("This stay has already been answered, so it cannot be withdrawn. Change or "
                                   "cancel it instead."),
}
