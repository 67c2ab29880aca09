"""The houses' words: why a change to a house was refused (codes of `app.houses.rules`).

`%(stays)s` names the published stays concerned; `%(type)s` and `%(day)s` are worded by the view
(`app.houses.views.wording`).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "type_removed": _l("These published stays use the %(type)s type you want to remove: %(stays)s."),
    "length_changed": _l("These published stays last %(n)s days and would no longer fit the new length: %(stays)s."),
    "arrival_weekday": _l("These published stays start on a %(day)s, which would no longer be an arrival day: "
                          "%(stays)s."),
    "beds": _l("On %(day)s, %(count)s people are already booked (turnover days included), more than %(limit)s "
               "beds. Stays concerned: %(stays)s."),
    "concurrent": _l("On %(day)s, %(count)s published stays run at the same time (turnover days included), more "
                     "than %(limit)s. Stays concerned: %(stays)s."),
    "family_units": _l("On %(day)s, %(count)s family stays run at the same time, more than %(limit)s family units. "
                       "Stays concerned: %(stays)s."),
    "collective_size": _l("This published collective has %(n)s defenders, outside the new smallest and largest "
                          "size: %(stays)s."),
    "accessible": _l("Defenders in these published stays need an accessible house: %(stays)s."),
    "slot_removed": _l("These published stays have sessions at a time of day beyond the %(n)s times you give; keep "
                       "as many times or change their programmes first: %(stays)s."),
    "length_missing": _l("Please give the length of every stay type offered."),
    "collective_range": _l("The smallest collective cannot be larger than the largest."),
    "code_taken": _l("There is already a house with this code."),
    "closure": _l("This closure covers published stays: %(stays)s. Tick the confirmation if they will be "
                  "re-planned; the coordinator will see them flagged."),
    "closure_more": _l("With these dates the closure would also cover these published stays: %(stays)s. Tick the "
                       "confirmation if they will be re-planned; the coordinator will see them flagged. The stays "
                       "it already flagged stay flagged."),
    "bad_range": _l("The last closed day cannot be before the first."),
    "too_long": _l("A closure can last at most a year. Add another one after it if needed."),
    "bad_reason": _l("Please choose a reason."),
    "note_needed": _l("Please say in a note what the closure is for."),
}
