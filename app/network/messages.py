"""The network's words: why a change to a therapist or her availability was refused (codes of
`app.network.rules` and `app.network.csvio`). `%(stays)s` names the published stays concerned, as the
view may show them (`app.network.views.stays_named`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.security.text import HIDDEN_MESSAGE

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
    # The CSV import's reasons, one a bad line (`app.network.csvio`); `bad_max`, `bad_range` and
    # `range_too_long` above serve it too.
    "file_too_large": _l("The file is larger than %(kb)s KB. Split it and import the parts."),
    "not_utf8": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
    "bad_header": _l("The first line must name the columns: %(columns)s."),
    "unreadable_line": _l("This line cannot be read (a quote is not closed?)."),
    "cells_count": _l("This line has %(n)s cells instead of %(m)s."),
    "no_rows": _l("The file has no rows."),
    "id_not_number": _l("The id must be a number, or empty for a new row."),
    "unknown_therapist": _l("There is no therapist with id %(id)s in your network."),
    "id_twice": _l("The id %(id)s appears twice in the file."),
    "name_length": _l("The name is missing or longer than 120 characters."),
    "hidden_characters": HIDDEN_MESSAGE,
    "kind_not_code": _l("The kind must be one of: %(codes)s."),
    "dimensions_not_codes": _l("The dimensions must be codes among: %(codes)s."),
    "languages_not_codes": _l("The languages must be known codes, e.g. es;zap."),
    "unknown_house": _l("Unknown or missing house code: %(codes)s."),
    "own_house_only": _l("You can add or remove only your own house; the other houses must stay as they are."),
    "active_not_yes_no": _l("“active” must be yes or no."),
    "techniques_too_long": _l("The techniques are longer than 2000 characters."),
    "not_a_date": _l("“%(text)s” is not a date like 2027-03-15."),
    "unknown_range": _l("Range %(id)s is not one of this therapist's ranges."),
    "overlap_in_file": _l("This range overlaps another range of the same person (%(start)s to %(end)s)."),
    "sessions_uncovered": _l("Her published sessions on %(days)s would fall outside her availability."),
}
