"""A house's session times: the clock time of each slot of the day (spec rule 11).

Slot 0 is the first session time of the day, slot 1 the next, and so on; the
engine gives each session a slot and each house says what time that is here.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

MIN_SLOTS = 2  # a stay may have two sessions a day (max_sessions_per_stay_day)
MAX_SLOTS = 8
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SlotTimesError(ValueError):
    """Session times that cannot be used; the message is in her language."""


def parse_slot_times(text: str) -> list[str]:
    """ "9:30, 11:30,16:00" -> ["09:30", "11:30", "16:00"]; raise SlotTimesError in her language."""
    parts = [p.strip() for p in re.split(r"[,;\s]+", text or "") if p.strip()]
    if not parts:
        raise SlotTimesError(_("Please give the session times, e.g. 09:30, 11:30, 16:00, 18:00."))
    times = []
    for part in parts:
        match = _TIME.match(part)
        if match is None:
            raise SlotTimesError(_("“%(value)s” is not a time of day: write it as hours and minutes, e.g. 09:30.",
                                   value=part[:20]))
        times.append(f"{int(match.group(1)):02d}:{match.group(2)}")
    if not MIN_SLOTS <= len(times) <= MAX_SLOTS:
        raise SlotTimesError(_("Please give from %(low)s to %(high)s session times.", low=MIN_SLOTS, high=MAX_SLOTS))
    if any(a >= b for a, b in zip(times, times[1:])):
        raise SlotTimesError(_("Please give the session times in the order of the day, each once."))
    return times


def format_slot_times(times) -> str:
    return ", ".join(times or [])
