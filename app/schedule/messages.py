"""The schedule's words: why a change was refused (codes of `app.schedule.rules`, and of the planning's
rules it calls: a repair starts a planning run)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.planning.messages import MESSAGES as PLANNING

MESSAGES = {
    **PLANNING,
    "stay_cancelled": _l("This stay was cancelled; it cannot change any more."),
    "stay_ended": _l("This stay already ended on %(day)s; it cannot change any more."),
    "house_type_not_offered": _l("Rule 2 (a stay type the house offers and she accepts): %(house)s does not offer this "
                           "stay type."),
    "start_passed": _l("The new first day, %(day)s, has already passed."),
    "join_not_waiting": _l("Only a request waiting in the queue can join a stay."),
    "cannot_plan_yet": _l("This request cannot be planned yet: its window or stay types are missing or passed."),
    "nobody_left": _l("A stay needs at least one person. To free the place, cancel the stay."),
    "session_passed": _l("A session on a day already passed cannot change."),
    "already_cancelled": _l("This stay was already cancelled."),
    "ended_no_cancel": _l("This stay already ended on %(day)s: it cannot be cancelled."),
    "cancel_reason_missing": _l("Please give the reason for cancelling."),
    "cancelled": _l("This stay was cancelled."),
    "not_begun": _l("This stay has not begun yet: it begins on %(day)s."),
    "outcome_recorded": _l("What happened in this stay is already recorded."),
    "arrival_recorded": _l("Her arrival is already recorded."),
    "arrived_not_no_show": _l("Her arrival is recorded: she cannot be a no-show."),
    "left_day_missing": _l("Give the day she left."),
    "left_day_outside": _l("The day she left must fall after the first day and by the last day of the stay "
                           "(%(first)s to %(last)s)."),
    "left_day_future": _l("The day she left cannot be in the future."),
    "not_ended": _l("The stay ends on %(day)s: it can be recorded as completed from that day."),
    "outcome_missing": _l("Choose what happened."),
    "nothing_to_repair": _l("No published stay needs repair."),
    "no_repair_left": _l("This run has no repair left to apply."),
    "repair_merges": _l("The run put the people of one stay with others: apply it by hand."),
    "unavailable_past": _l("The first day she is unavailable cannot be in the past."),
    "place_taken": _l("This place is no longer free."),
    "fill_not_waiting": _l("Only a request waiting in the queue can take a freed place."),
    "place_filled": _l("This place was already filled."),
}
