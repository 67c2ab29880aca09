"""The schedule as a spreadsheet in her language, and as JSON for programs.

The CSV is for people: headers and values in the reader's language, the stay
named as people see it, UTF-8 with a byte-order mark so spreadsheet programs
read "Xóchitl" right, and no cell that a spreadsheet would run as a formula.
The JSON beside it keeps the codes (`individual`, `emotional`, `published`)
for programs.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from app.labels import DIMENSION, STATUS, STAY_TYPE, label, stay_name

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _header() -> list[str]:
    return [_("Stay"), _("House"), _("Type"), _("First day"), _("Last day"), _("Status"), _("Defenders"),
            _("Session day"), _("Dimension"), _("Therapist")]


def cell(value) -> str:
    """A value as text a spreadsheet shows as it is (never runs it as a formula)."""
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _aliases(stay) -> str:
    return "; ".join(d.alias for r in stay.requests for d in r.all_defenders if d)


def schedule_csv(stays) -> str:
    """`stays` as (stay, status) pairs: one row per session (one per stay without sessions)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for stay, status in stays:
        base = [stay_name(stay), stay.house.name, label(STAY_TYPE, stay.type), stay.start.isoformat(),
                stay.end.isoformat(), label(STATUS, status), _aliases(stay)]
        sessions = sorted(stay.sessions, key=lambda s: (s.day, s.dimension)) or [None]
        for session in sessions:
            extra = ["", "", ""] if session is None else [session.day.isoformat(), label(DIMENSION, session.dimension),
                                                          session.therapist.name]
            writer.writerow([cell(v) for v in base + extra])
    return BOM + out.getvalue()


def schedule_json(stays) -> list[dict]:
    """The same stays for programs: codes, ISO dates, one object per stay with its sessions."""
    return [{"stay": key, "house": stay.house.name, "type": stay.type, "first_day": stay.start.isoformat(),
             "last_day": stay.end.isoformat(), "status": status, "defenders": [d.alias for r in stay.requests
                                                                               for d in r.all_defenders if d],
             "sessions": [{"day": s.day.isoformat(), "dimension": s.dimension, "therapist": s.therapist.name}
                          for s in sorted(stay.sessions, key=lambda s: (s.day, s.dimension))]}
            for key, stay, status in stays]
