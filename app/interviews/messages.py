"""The interviews' words: why a change was refused (codes of `app.interviews.rules`), what is missing, the steps."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import labels
from app.models import DIMENSIONS

MESSAGES = {
    "already_open": _l("You already have a request on its way. You can follow it here."),
    "not_draft": _l("This interview was already sent, so it cannot be changed here any more."),
    "unknown_step": _l("This step does not exist."),
    "bad_level": _l("Please choose one of the options."),
    "type_repeated": _l("Each stay type can be chosen only once. Please leave the repeated choice empty."),
    "type_unknown": _l("Please choose a stay type from the list."),
    "companions_range": _l("Between 0 and 12 family members can come with you."),
    "family_second_defender": _l("A family stay is for one defender with her family. Another defender cannot "
                                 "join it: choose a collective stay for a group of defenders."),
    "individual_does_not_fit": _l("An individual stay is for you alone. If family members come with you, "
                                  "choose a family stay; if other defenders come, a collective stay."),
    "collective_does_not_fit": _l("A collective stay is shared with other defenders and has no room for family "
                                  "members. If they come with you, choose a family stay."),
    "family_does_not_fit": _l("A family stay is for one defender with her family."),
    "window_reversed": _l("The last possible day to arrive comes before the first one. Please check the two dates."),
    "window_past": _l("This date has already passed. Please choose a day from today on."),
    "member_is_herself": _l("She cannot be in her own group twice."),
    "bad_consent": _l("Please choose one option."),
    "bad_retention": _l("Please choose one option."),
    "therapists_need_words": _l("Your therapists can see your words only if the house team may read them too. "
                                "Choose above that it may also read what you wrote, or answer No here."),
    "not_sent": _l("This interview is not sent yet: you choose your permissions in its consent step."),
    "incomplete": _l("Some answers are still missing. You can complete them from the list below."),
    "agreement_missing": _l("Her agreement is needed."),
    "not_submitted": _l("This request was already confirmed or is no longer waiting."),
    "reason_missing": _l("Please write a short reason."),
    "not_withdrawable": _l("This request cannot be withdrawn any more."),
    "alias_missing": _l("Please give an alias."),
    "country_missing": _l("Choose the country where she lives and works."),
    "barred_own_country": _l("She lives and works in that country, so it cannot be one she cannot enter. "
                             "Untick it, or change her country."),
}
GAPS = {
    "level_missing": _l("How much you feel you need care here"),
    "types_missing": _l("The kind of stay you would like"),
    "window_missing": _l("The days when you could arrive"),
    "languages_missing": _l("The languages you speak"),
    "urgency_missing": _l("How soon you feel you need the stay"),
}
STEP_TITLES = {
    **{name: labels.DIMENSION[name] for name in DIMENSIONS},
    "life": _l("Your life now"), "logistics": _l("Your stay"), "consent": _l("Your consent"),
    "review": _l("Review and send"),
}
