"""The planning's words: why a change was refused (codes of `app.planning.rules`), and the rules' names."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

RULE_NAMES = {
    0: _l("the plan's format"),
    1: _l("each request in one stay at most"),
    2: _l("a stay type the house offers and she accepts"),
    3: _l("who may share a stay"),
    4: _l("her window, the countries she can enter, accessibility"),
    5: _l("horizon, closures and arrival days"),
    6: _l("beds, stays at once and family units of the house"),
    7: _l("sessions: the right day, house, care dimension, availability and a shared language"),
    8: _l("no more sessions than she needs, at most two a day"),
    9: _l("a therapist's sessions per day, all at one house"),
    10: _l("stays already approved are kept"),
    11: _l("a person is in one place at a time"),
}

MESSAGES = {
    "broken_rule": _l("Rule %(number)s (%(name)s): %(detail)s"),
    "horizon_outside": _l("The horizon must fall between %(first)s and %(last)s."),
    "cannot_plan": _l("The data cannot be planned as it is: %(detail)s"),
    "stay_published": _l("This stay is already published; it cannot change here."),
    "stay_locked": _l("This stay is locked. Unlock it first to change it."),
    "type_not_offered": _l("Rule 2 (%(name)s): %(house)s does not offer %(type)s stays in this plan."),
    "outside_horizon": _l("Rule 5 (%(name)s): the first day must fall within the horizon of this plan, "
                          "%(first)s to %(last)s."),
    "none_chosen": _l("Choose at least one proposed stay to publish."),
    "reason_missing": _l("Please write the reason she will read."),
    "house_not_in_plan": _l("Choose one of the houses of this plan."),
    "already_placed": _l("She already has a place in the proposal of run %(run)s: publish it from there."),
    "invalid_plan": _l("The proposal no longer fits today's data: run the planner again."),
    "not_plannable": _l("This request cannot be planned now: it is not waiting, its window has passed, or it "
                        "is incomplete."),
}
