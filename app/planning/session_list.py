"""Who can give a session, in words: the therapist select of a stay's programme offers only those the rules
let give it (asked of `matching.validate` through `bridge.session_offer`), and says why the others are missing.

Shared by the proposal's stay edit page and the schedule's published stay page. Coordinators see these
pages: therapists are named, the people of the stay never are.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l

from app.labels import DIMENSION, label
from app.planning import bridge
from app.planning.forms import SessionPickForm, TimedSessionPickForm, choices
from app.planning.rules import rule_message
from app.planning.violations import names_for

REASON_WORDS = {
    "other_house": _l("does not work at this house"),
    "dimension": _l("does not work on this care dimension"),
    "language": _l("shares no language with the people of this stay"),
    "unavailable": _l("is not available that day"),
    "day_full": _l("already gives as many sessions that day as she can"),
    "week_full": _l("already gives as many sessions that week as she can"),
    "house_that_day": _l("already works at another house that day"),
    "time_taken": _l("already has a session at that time"),
}


@dataclass(frozen=True)
class TherapistList:
    """A session's therapist select: `choices` (id, name) of those who can give it, by name; `missing`
    (name, reasons in words) of the others; `blocked`, the rules the session breaks whoever gives it."""

    choices: list[tuple[int, str]]
    missing: list[tuple[str, str]]
    blocked: list[str]


def therapist_list(instance, solution, stay_id: str, names: dict[int, str], *, dimension: str, day: dt.date,
                   slots: tuple[int | None, ...] = (None,), index: int | None = None) -> TherapistList:
    """The select and its reasons for one session of stay `stay_id` (a new one, or its session `index`);
    `names` are the therapists' names by id, as the page shows them."""
    offer = bridge.session_offer(instance, solution, stay_id, dimension=dimension, day=day, slots=slots,
                                 index=index)

    def name(spec_id: str) -> str:
        return names.get(int(spec_id[1:])) or instance.therapist_by_id[spec_id].name

    def by_name(pair):
        return pair[1].casefold(), pair[0]

    eligible = sorted(((int(t[1:]), name(t)) for t in offer.eligible), key=by_name)
    missing = sorted(((name(t), "; ".join(str(REASON_WORDS[r]) for r in reasons))
                      for t, reasons in offer.missing.items()), key=lambda pair: pair[0].casefold())
    shown = list(offer.blocked)
    words = names_for(instance, shown, solution.stays) if shown else None
    return TherapistList(eligible, missing, list(dict.fromkeys(rule_message(v, words) for v in shown)))


def still_needed(instance, stay) -> list[str]:
    """The care dimensions in which spec stay `stay`'s people need more sessions than it has (rule 8); none
    left means any session added would be one too many."""
    have = Counter(s.dimension for s in stay.sessions)
    return [d for d, n in bridge.demand(instance, stay).items() if n > have[d]]


def first_gap(instance, stay, wanted: list[str], first_day: dt.date, last_day: dt.date,
              slots: int | None = None) -> dict:
    """The session a page first offers to add to spec stay `stay`: in the first care dimension of `wanted` (its
    people's, `still_needed`), on its first day from `first_day` to `last_day` with room for one more session
    (rule 8), at the first time of that day (of `slots`, when she chooses it) the stay has free."""
    per_day = Counter(s.day for s in stay.sessions)
    days = [first_day + dt.timedelta(days=k) for k in range((last_day - first_day).days + 1)]
    day = next((d for d in days if per_day[d] < instance.max_sessions_per_stay_day), first_day)
    values = {"dimension": (wanted or list(DIMENSION))[0], "day": day}
    if slots is not None:
        taken = {s.slot for s in stay.sessions if s.day == day}
        values["slot"] = next((n for n in range(slots) if n not in taken), 0)
    return values


def picked(posted, first: dict, slot_choices: list[tuple[int, str]] | None = None):
    """The session to add a page shows, and the GET form that picks it (care dimension, day, and time when
    `slot_choices` are given): the one just posted (when it was refused), else the one picked, else `first`
    (`first_gap`). Returns (the pick form, the values)."""
    form_class = SessionPickForm if slot_choices is None else TimedSessionPickForm
    values = dict(first)
    if posted is not None and all(posted[k].data is not None and not posted[k].errors for k in values):
        values = {k: posted[k].data for k in values}
    asked = request.method == "GET" and any(k.startswith("pick-") for k in request.args)
    pick = form_class(request.args if asked else None, prefix="pick", **({} if asked else values))
    pick.dimension.choices = choices([(d, label(DIMENSION, d)) for d in DIMENSION])
    if slot_choices is not None:
        pick.slot.choices = choices(slot_choices)
    if asked and pick.validate():
        values = {k: pick[k].data for k in values}
    return pick, values


@dataclass
class ProgrammeForms:
    """A programme's forms, as both programme pages show them: the GET step that picks a session to add
    (`pick`), the form that adds it (`add`) with its therapist list (`adding`) and the picked values, each
    coming session's therapist select with its list (`rows`: session id → (form, list)), and whether the
    programme already meets every need (`complete`: rule 8 would refuse any session added)."""

    pick: object
    add: object
    adding: TherapistList
    values: dict
    rows: dict
    complete: bool


def programme_forms(instance, solution, spec, names: dict[int, str], sessions, *, add, make_add, make_row,
                    first_day: dt.date, last_day: dt.date, slots: list[tuple[int, str]] | None = None,
                    today: dt.date | None = None) -> ProgrammeForms:
    """The forms of spec stay `spec` of `solution` (its sessions `sessions`, the model rows): `add` the posted
    add form or None (then `make_add()`), `make_row(session)` the posted or a new select form of a session.
    With `slots` (the proposal: she picks the time) the time is part of the pick and each session's swap tries
    its own time first; without (the schedule) a time is found around the locks. Sessions before `today`
    are past: no select."""
    wanted = still_needed(instance, spec)
    first = first_gap(instance, spec, wanted, first_day, last_day, len(slots) if slots is not None else None)
    pick, values = picked(add, first, slots)
    add = add or make_add()
    add.dimension.choices = choices([(d, label(DIMENSION, d)) for d in DIMENSION])
    if slots is not None:
        add.slot.choices = choices(slots)
    for key, value in values.items():
        add[key].data = value
    timed = {"slots": (values["slot"],)} if slots is not None else {}
    adding = therapist_list(instance, solution, spec.id, names, dimension=values["dimension"], day=values["day"],
                            **timed)
    add.therapist.choices = choices(adding.choices)
    rows = {}
    for index, session in enumerate(sessions):
        if today is not None and session.day < today:
            continue
        form = make_row(session)
        own = {"slots": (session.slot, *(n for n, _label in slots if n != session.slot))} if slots is not None else {}
        listing = therapist_list(instance, solution, spec.id, names, dimension=session.dimension, day=session.day,
                                 index=index, **own)
        form.therapist.choices = choices(listing.choices)
        rows[session.id] = (form, listing)
    return ProgrammeForms(pick, add, adding, values, rows, not wanted)
