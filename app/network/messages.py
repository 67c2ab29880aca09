"""The network's words: why a change to a therapist or her availability was refused (codes of
`app.network.rules` and `app.network.csvio`). `%(stays)s` names the published stays concerned, as the
view may show them (`app.network.views.stays_named`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "inactive": _l("She still has sessions in published stays: %(stays)s. Ask the coordinator to re-plan them "
                   "first."),
    "house_removed": _l("She has sessions at this house in published stays: %(stays)s."),
    "dimension_removed": _l("She gives sessions in this dimension in published stays: %(stays)s."),
    "language_removed": _l("Published stays rely on a language you want to remove: %(stays)s."),
    "not_available": _l("She has sessions in published stays on days this would leave outside her availability: "
                        "%(stays)s."),
    "too_many_sessions": _l("She already has more sessions on one day than that in published stays: %(stays)s."),
    "name_missing": _l("Please give a name."),
    "bad_kind": _l("Please choose what she is."),
    "bad_dimensions": _l("Choose at least one dimension."),
    "no_language": _l("Choose at least one language."),
    "bad_max": _l("The most sessions a day must be a number from 1 to 8."),
    "bad_week_max": _l("The most sessions a week must be at least the most sessions a day, and at most 40."),
    "no_house": _l("She must work at one house at least. To stop working with her, mark her as not active "
                   "instead."),
    "bad_range": _l("The last day cannot be before the first."),
    "range_past": _l("These days have already passed. Give days from today on."),
    "starts_past": _l("The first day has already passed. Start on %(today)s or later."),
    "range_too_long": _l("A range can last at most two years."),
    "overlap": _l("This range overlaps another one (%(start)s to %(end)s). Change that one instead."),
    "bad_rows": _l("Nothing was imported"),
}
