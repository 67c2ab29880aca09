"""Changing a published schedule: every change checked by matching.validate (through the bridge),
recorded (changes.record_change) and audited. Functions only flush; the view commits once.
A refusal raises `app.refusals.Refused` (a code the view words from `app.schedule.messages`) before anything
is written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    House, PlanningRun, ProposedStay, Session, Stay, StayAttendance, StayChange, StayRequest, Therapist,
    local_today, utcnow,
)
from app.planning import bridge
from app.planning.rules import broken_rule, rule_message
from app.refusals import Refused
from app.planning.violations import names_for
from app.schedule.changes import record_change, snapshot

ONE_DAY = dt.timedelta(days=1)
MAX_SHOWN = 8


# --------------------------------------------------------------------------
# Checking a change
# --------------------------------------------------------------------------

def _spec_of(stay: Stay, *, house: House, start: dt.date, stay_type: str, requests: list[StayRequest],
             sessions: list[tuple[dt.date, str, int]]):
    return bridge.published_spec(stay, house=house.code, start=start, type=stay_type,
                                 requests=tuple(r.spec_id for r in requests),
                                 sessions=tuple(bridge.SpecSession(dim, day, f"t{tid}") for day, dim, tid in sessions))


def _window(stay: Stay, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return min(stay.start, start), max(stay.end, end) + dt.timedelta(days=14)


def as_planned(stay: Stay):
    """The schedule around `stay` as it stands (its sessions timed): the instance, the plan and the stay's id in
    it, which the programme's therapist selects are asked against (`app.planning.session_list`)."""
    instance = bridge.schedule_instance(*_window(stay, stay.start, stay.end), without=stay.id)
    spec = bridge.published_spec(stay)
    if spec.house not in instance.house_by_id or any(r not in instance.request_by_id for r in spec.requests):
        # e.g. its house was closed to planning (deactivated): the rules cannot be asked about it
        raise bridge.InstanceError(f"stay {stay.id}: its house or people are not in the schedule")
    spec = bridge.time_sessions(instance, spec)
    return instance, bridge.Solution(stays=list(instance.locked) + [spec]), spec.id


def lock_houses() -> None:
    """Serialise changes of the schedule: the house rows are locked until the request commits (FOR UPDATE on
    PostgreSQL; SQLite writes already begin with BEGIN IMMEDIATE), as publishing does. Two changes checked
    at once could each fit alone and together overbook a house or a therapist's day."""
    db.session.execute(select(House.id).order_by(House.id).with_for_update())


def check(stay: Stay, new_spec, first: dt.date, last: dt.date):
    """Refuse (naming each rule) when the schedule with `new_spec` in place of `stay` breaks a rule it did not
    break before. Returns the instance, whether the stay itself is now free of broken rules, and `new_spec`
    with its sessions timed (rule 11), as checked: what the writer writes (`_set_sessions`)."""
    lock_houses()
    instance = bridge.schedule_instance(first, last, without=stay.id)
    others = list(instance.locked)
    new_spec = bridge.time_sessions(instance, new_spec)
    old_spec = bridge.published_spec(stay)
    before = {(v.rule, v.message) for v in bridge.validate(instance, bridge.Solution(stays=others + [old_spec]))}
    after = bridge.validate(instance, bridge.Solution(stays=others + [new_spec]))
    new = [v for v in after if (v.rule, v.message) not in before]
    if new:
        shown = new[:MAX_SHOWN]
        names = names_for(instance, shown, [new_spec])
        raise Refused.many(broken_rule(v, names) for v in shown)
    own = bridge.violations_by_lock(instance, bridge.Solution(stays=others + [new_spec])).get(new_spec.id, [])
    return instance, not own, new_spec


def _live(stay: Stay, today: dt.date) -> None:
    if stay.cancelled_at is not None:
        raise Refused("stay_cancelled")
    if stay.end < today:
        raise Refused("stay_ended", day=stay.end)


def change_stay(actor, stay: Stay, *, house: House, start: dt.date, stay_type: str, keep: list[StayRequest],
                add: list[StayRequest], keep_programme: bool, reason: str = "", today: dt.date | None = None,
                kind: str = "change", run_id: int | None = None, sessions=None) -> StayChange:
    """Change dates, house, type, members or programme of a published stay, checked and recorded."""
    today = today or local_today()
    _live(stay, today)
    length = int((house.stay_length or {}).get(stay_type) or 0)
    if stay_type not in (house.stay_types or []) or length < 1:
        raise Refused("house_type_not_offered", house=house.name)
    if start != stay.start and start < today:
        raise Refused("start_passed", day=start)
    members = [r for r in stay.requests if r in keep]
    for joining in add:
        if joining.status != "pending" or joining in members:
            raise Refused("join_not_waiting")
        if bridge.unplannable_reason(joining, min(start, stay.start)):
            raise Refused("cannot_plan_yet")
        members.append(joining)
    if not members:
        raise Refused("nobody_left")
    end = start + dt.timedelta(days=length - 1)
    shift = start - stay.start
    fresh = sessions is None and not keep_programme
    if sessions is None:
        # Without her programme: the sessions before today are kept (they happened), the rest planned anew.
        sessions = ([(s.day + shift, s.dimension, s.therapist_id) for s in stay.sessions] if keep_programme
                    else [(s.day, s.dimension, s.therapist_id) for s in stay.sessions
                          if s.day < today and start <= s.day <= end])
    spec = _spec_of(stay, house=house, start=start, stay_type=stay_type, requests=members, sessions=sessions)
    first, last = _window(stay, start, end)
    instance, clean, timed = check(stay, spec, first, last)
    if fresh:
        timed = _new_programme(instance, timed, max(start, today)) or timed
    old = snapshot(stay)
    removed = [r for r in stay.requests if r not in members]
    for req in removed:
        req.stay = None
        req.status = "pending"
    for joining in add:
        joining.stay = stay
        joining.status = "published"
    stay.house_id, stay.start, stay.end, stay.type = house.id, start, end, stay_type
    stay.house = house
    _set_sessions(stay, timed)
    if clean:
        stay.needs_replan = False
        stay.replan_reason = ""
    stay.version = stay.version + 1  # members and sessions count as a change of the stay (item 35)
    db.session.flush()
    db.session.refresh(stay)
    return record_change(actor, stay, kind, old, snapshot(stay), reason=reason, run_id=run_id)


def _new_programme(instance, spec, not_before: dt.date):
    """`spec` with a programme from matching's programme step (timed), around every other published stay's
    sessions; None when it would break a rule (the stay then keeps the sessions it had before today)."""
    others = [lock for lock in instance.locked if lock.id != spec.id]
    planned = replace(spec, sessions=bridge.plan_programmes(instance, [spec], others=others,
                                                            not_before=not_before)[0])
    if bridge.violations_by_lock(instance, bridge.Solution(stays=others + [planned])).get(spec.id):
        return None
    return planned


def _set_sessions(stay: Stay, timed) -> None:
    """Write the sessions of `timed` (a spec stay whose sessions have their times, as checked) on the stay."""
    wanted = sorted((s.day, s.dimension, int(s.therapist[1:]), s.slot) for s in timed.sessions)
    current = sorted((s.day, s.dimension, s.therapist_id, s.slot) for s in stay.sessions)
    if wanted == current:
        return
    stay.sessions.clear()
    db.session.flush()
    for day, dim, tid, slot in wanted:
        stay.sessions.append(Session(day=day, dimension=dim, therapist_id=tid, slot=slot))


def change_programme(actor, stay: Stay, sessions, *, today: dt.date | None = None) -> StayChange:
    """Give the stay these sessions (day, dimension, therapist id), checked and recorded."""
    today = today or local_today()
    _live(stay, today)
    old = {(s.day, s.dimension, s.therapist_id) for s in stay.sessions}
    if any(day < today for day, *_ in set(sessions) ^ old):
        raise Refused("session_passed")
    return change_stay(actor, stay, house=stay.house, start=stay.start, stay_type=stay.type,
                       keep=list(stay.requests), add=[], keep_programme=True, today=today, sessions=list(sessions))


# --------------------------------------------------------------------------
# Cancel and attendance
# --------------------------------------------------------------------------

def cancel_stay(actor, stay: Stay, reason: str, *, today: dt.date | None = None) -> StayChange:
    """Cancel a published stay with a reason: its requests return to the queue, its beds and sessions are free."""
    today = today or local_today()
    reason = (reason or "").strip()
    if stay.cancelled_at is not None:
        raise Refused("already_cancelled")
    if stay.end < today:
        raise Refused("ended_no_cancel", day=stay.end)
    if not reason:
        raise Refused("cancel_reason_missing")
    old = snapshot(stay)
    for req in list(stay.requests):
        req.stay = None
        req.status = "pending"
    kept = [s for s in stay.sessions if s.day < today]
    stay.sessions[:] = kept
    stay.cancelled_at = utcnow()
    stay.released_from = max(today, stay.start)
    stay.needs_replan = False
    db.session.flush()
    db.session.refresh(stay)
    return record_change(actor, stay, "cancel", old, snapshot(stay), reason=reason)


def record_attendance(actor, stay: Stay, status: str, day: dt.date | None, *, today: dt.date | None = None) -> StayChange:
    """What happened: arrived, no-show, left early (on `day`), completed. A no-show or early departure
    frees the beds and sessions from that day on."""
    today = today or local_today()
    if stay.cancelled_at is not None:
        raise Refused("cancelled")
    if today < stay.start:
        raise Refused("not_begun", day=stay.start)
    done = {a.status for a in db.session.scalars(select(StayAttendance).where(StayAttendance.stay_id == stay.id))}
    if done & {"no_show", "left_early", "completed"}:
        raise Refused("outcome_recorded")
    if status == "arrived":
        if "arrived" in done:
            raise Refused("arrival_recorded")
        day = stay.start
    elif status == "no_show":
        if "arrived" in done:
            raise Refused("arrived_not_no_show")
        day = stay.start
    elif status == "left_early":
        if day is None:
            raise Refused("left_day_missing")
        if not stay.start < day <= stay.end:
            raise Refused("left_day_outside", first=stay.start, last=stay.end)
        if day > today:
            raise Refused("left_day_future")
    elif status == "completed":
        if today < stay.end:
            raise Refused("not_ended", day=stay.end)
        day = stay.end
    else:
        raise Refused("outcome_missing")
    old = snapshot(stay)
    db.session.add(StayAttendance(stay_id=stay.id, status=status, day=day, recorded_by_id=getattr(actor, "id", None)))
    if status in ("no_show", "left_early"):
        stay.released_from = day
        stay.sessions[:] = [s for s in stay.sessions if s.day < day]
    stay.version = stay.version + 1  # a second team member's form from the same page is refused
    db.session.flush()
    db.session.refresh(stay)
    return record_change(actor, stay, status, old, snapshot(stay))


def attendance(stay: Stay) -> list[StayAttendance]:
    return list(db.session.scalars(select(StayAttendance).where(StayAttendance.stay_id == stay.id)
                                   .order_by(StayAttendance.id)))


def history(stay: Stay) -> list[StayChange]:
    return list(db.session.scalars(select(StayChange).where(StayChange.stay_id == stay.id)
                                   .order_by(StayChange.id.desc())))


# --------------------------------------------------------------------------
# Flagged stays and what they break
# --------------------------------------------------------------------------

@dataclass
class Flagged:
    stay: Stay
    reasons: list[str] = field(default_factory=list)


def live_stays(today: dt.date) -> list[Stay]:
    return list(db.session.scalars(select(Stay).where(Stay.cancelled_at.is_(None), Stay.end >= today)
                                   .options(selectinload(Stay.requests), selectinload(Stay.sessions))
                                   .order_by(Stay.start, Stay.id)))


def flagged(today: dt.date | None = None) -> list[Flagged]:
    """Live published stays flagged for re-planning or breaking a rule as the data stands, with the rules in words."""
    today = today or local_today()
    stays = [s for s in live_stays(today) if s.released_from is None or s.released_from > today]
    if not stays:
        return []
    last = max(s.end for s in stays)
    instance = bridge.schedule_instance(today, last)
    by_lock = bridge.violations_by_lock(instance, bridge.Solution(stays=list(instance.locked)))
    shown = [v for vs in by_lock.values() for v in vs]
    names = names_for(instance, shown) if shown else None
    out = []
    for stay in stays:
        broken = by_lock.get(f"p{stay.id}", [])
        if not (stay.needs_replan or broken):
            continue
        reasons = [rule_message(v, names) for v in broken[:MAX_SHOWN]]
        if not reasons:
            reasons = [_flag_words(stay)]
        out.append(Flagged(stay, reasons))
    return out


def _flag_words(stay: Stay) -> str:
    text = stay.replan_reason or ""
    if not stay.requests:
        return _("Nobody is left in this stay: cancel it to free the place.")
    if "withdrawn" in text:
        return _("A person of this stay withdrew her request.")
    if text.startswith("closure"):
        return _("The house closes during this stay.")
    return text or _("Flagged for re-planning.")


# --------------------------------------------------------------------------
# Repair: a run where the flagged stays are hints, not locks
# --------------------------------------------------------------------------

def start_repair(actor, today: dt.date | None = None) -> PlanningRun:
    from app.planning import rules as planning_rules

    today = today or local_today()
    if not flagged(today):
        raise Refused("nothing_to_repair")
    config = current_app.config
    settings = bridge.Settings(horizon_start=today, horizon_days=int(config.get("PLANNING_HORIZON_DAYS", 182)))
    return planning_rules.start_run(actor, settings, int(config.get("PLANNING_DEFAULT_TIME_LIMIT", 30)))


@dataclass
class RepairRow:
    stay: Stay
    proposed: ProposedStay | None
    moved: bool
    reasons: list[str]


def repair_rows(run: PlanningRun) -> list[RepairRow]:
    """Each flagged stay the run planned again: where it goes (or why she is left out)."""
    from app.planning import figures

    if not run.instance_json or run.status not in ("done", "published"):
        return []
    instance = bridge.instance_from_json(run.instance_json)
    by_request = {r.id: s for s in run.stays for r in s.requests}
    left = {u.request_id: u for u in run.unassigned}
    names = {h.id: h.name for h in instance.houses}
    rows = []
    for stay in bridge.flagged_stays(instance):
        proposed = next((by_request[r.id] for r in stay.requests if r.id in by_request), None)
        reasons = []
        if proposed is None:
            reasons = [figures.reason_text(u.code, u.params, u.reason, names)
                       for r in stay.requests if (u := left.get(r.id)) is not None]
        moved = proposed is not None and (proposed.house_id, proposed.start, proposed.type) != (
            stay.house_id, stay.start, stay.type)
        rows.append(RepairRow(stay, proposed, moved, reasons))
    return rows


def apply_repair(actor, run: PlanningRun, *, today: dt.date | None = None) -> list[StayChange]:
    """Move each repaired stay where the run put it (checked again now, recorded as a repair)."""
    today = today or local_today()
    rows = [r for r in repair_rows(run) if r.proposed is not None and r.proposed.status == "repair"]
    if not rows:
        raise Refused("no_repair_left")
    changes = []
    placed = {r.id for s in run.stays for r in s.requests}
    for row in rows:
        stay, proposed = row.stay, row.proposed
        keep = [r for r in stay.requests if r in proposed.requests]
        joining = [r for r in proposed.requests if r not in stay.requests]
        split = [r for r in stay.requests if r not in proposed.requests and r.id in placed]
        if not keep or split or any(r.status != "pending" for r in joining):
            raise Refused("repair_merges")
        sessions = [(s.day, s.dimension, s.therapist_id) for s in proposed.sessions]
        changes.append(change_stay(actor, stay, house=proposed.house, start=proposed.start,
                                   stay_type=proposed.type, keep=keep, add=joining, keep_programme=True,
                                   reason=_("Repaired by planning run #%(id)s.", id=run.id), today=today,
                                   kind="repair", run_id=run.id, sessions=sessions))
        stay.needs_replan = False
        stay.replan_reason = ""
        proposed.status = "published"
        proposed.locked = True
        proposed.published_stay_id = stay.id
    db.session.flush()
    return changes


# --------------------------------------------------------------------------
# A therapist falls ill: unavailable from a day, and the programme repair
# --------------------------------------------------------------------------

def affected_sessions(therapist: Therapist, first: dt.date) -> list[Session]:
    query = (select(Session).join(Stay, Session.stay_id == Stay.id)
             .where(Session.therapist_id == therapist.id, Session.day >= first, Stay.cancelled_at.is_(None))
             .order_by(Session.day, Session.slot))
    return list(db.session.scalars(query))


@dataclass
class ProgrammeRepair:
    stay: Stay
    lost: list[tuple]
    added: list[tuple]
    change: StayChange | None


def mark_unavailable(actor, therapist: Therapist, first: dt.date, *, today: dt.date | None = None) -> list[ProgrammeRepair]:
    """She is unavailable from `first` on: her availability ends the day before, and her published sessions
    from then on go to a programme repair (other therapists where they can, otherwise fewer sessions)."""
    from app.security import audit

    today = today or local_today()
    if first < today:
        raise Refused("unavailable_past")
    lock_houses()
    sessions = affected_sessions(therapist, first)
    for row in list(therapist.availability):
        if row.start >= first:
            therapist.availability.remove(row)
            db.session.delete(row)
        elif row.end >= first:
            row.end = first - ONE_DAY
    audit.record(actor, "therapist.unavailable", target=therapist, first=first.isoformat(),
                 sessions=len(sessions))
    db.session.flush()
    stays = []
    for s in sessions:
        if s.stay not in stays:
            stays.append(s.stay)
    if not stays:
        return []
    last = max(s.end for s in stays)
    instance = bridge.schedule_instance(min([first] + [s.start for s in stays]), last + dt.timedelta(days=14))
    ids = {f"p{s.id}" for s in stays}
    others = [lock for lock in instance.locked if lock.id not in ids]
    gone = f"t{therapist.id}"
    specs = [bridge.published_spec(s, sessions=tuple(x for x in bridge.published_spec(s).sessions
                                                     if not (x.therapist == gone and x.day >= first)))
             for s in stays]
    planned = bridge.plan_programmes(instance, specs, others=others, not_before=first)
    out = []
    for stay, spec, new_sessions in zip(stays, specs, planned):
        old = {(x.day, x.dimension, x.therapist) for x in bridge.published_spec(stay).sessions}
        new = {(x.day, x.dimension, x.therapist) for x in new_sessions}
        values = [(x.day, x.dimension, int(x.therapist[1:])) for x in new_sessions]
        change = change_stay(actor, stay, house=stay.house, start=stay.start, stay_type=stay.type,
                             keep=list(stay.requests), add=[], keep_programme=True, today=today,
                             kind="programme_repair", sessions=values,
                             reason=_("%(name)s is unavailable from %(day)s.", name=therapist.name,
                                      day=format_date(first)))
        out.append(ProgrammeRepair(stay, sorted(old - new), sorted(new - old), change))
    return out


# --------------------------------------------------------------------------
# Freed places, filled from the queue
# --------------------------------------------------------------------------

@dataclass
class Offer:
    request: StayRequest
    stay_type: str
    start: dt.date
    gain: int


@dataclass
class Freed:
    stay: Stay
    first: dt.date
    offers: list[Offer]


def freed_places(today: dt.date | None = None, per_place: int = 3) -> list[Freed]:
    """Places freed by a cancel, a no-show or an early departure, still ahead, not refilled yet, with the
    requests of the queue that fit them best first (each checked by validate)."""
    today = today or local_today()
    refilled = set(db.session.scalars(select(StayChange.stay_id).where(StayChange.kind == "refilled")))
    rows = db.session.scalars(select(Stay).where(Stay.released_from.is_not(None), Stay.end >= today)
                              .order_by(Stay.start, Stay.id))
    out = []
    for stay in rows:
        if stay.id in refilled:
            continue
        first = max(stay.released_from, today)
        out.append(Freed(stay, first, fill_offers(stay, first, per_place)))
    return out


def fill_offers(stay: Stay, first: dt.date, top: int = 3) -> list[Offer]:
    house = stay.house
    last_day = stay.end
    try:
        instance = bridge.schedule_instance(first, last_day + dt.timedelta(days=30))
    except bridge.InstanceError:
        return []
    locks = list(instance.locked)
    base = bridge.score(instance, bridge.Solution(stays=locks)).total
    offers = []
    for req in bridge.plannable_requests():
        spec = instance.request_by_id.get(req.spec_id)
        if spec is None:
            continue
        best = None
        for stay_type in spec.stay_types:
            length = int((house.stay_length or {}).get(stay_type) or 0)
            if stay_type not in (house.stay_types or []) or length < 1:
                continue
            day = max(first, spec.earliest_start)
            while day <= spec.latest_start and day + dt.timedelta(days=length - 1) <= last_day:
                candidate = bridge.SpecStay(id="fill", house=house.code, start=day, type=stay_type,
                                            requests=(spec.id,))
                solution = bridge.Solution(stays=locks + [candidate])
                if not bridge.validate(instance, solution):
                    gain = bridge.score(instance, solution).total - base
                    if best is None or gain > best.gain:
                        best = Offer(req, stay_type, day, gain)
                    break
                day += ONE_DAY
        if best is not None:
            offers.append(best)
    offers.sort(key=lambda o: (-o.gain, o.start, o.request.id))
    return offers[:top]


def fill(actor, freed: Stay, req: StayRequest, stay_type: str, start: dt.date, *,
         today: dt.date | None = None) -> Stay:
    """Publish a stay for `req` in the place `freed` left (checked, with a programme, recorded on both)."""
    today = today or local_today()
    if freed.released_from is None or freed.end < today:
        raise Refused("place_taken")
    if req.status != "pending":
        raise Refused("fill_not_waiting")
    if db.session.scalar(select(StayChange.id).where(StayChange.stay_id == freed.id, StayChange.kind == "refilled")):
        raise Refused("place_filled")
    house = freed.house
    length = int((house.stay_length or {}).get(stay_type) or 0)
    if length < 1 or start < max(today, freed.released_from):
        raise Refused("place_taken")
    end = start + dt.timedelta(days=length - 1)
    lock_houses()
    freed.version = freed.version + 1  # two coordinators filling the same place: the second is refused
    db.session.flush()
    instance = bridge.schedule_instance(start, end + dt.timedelta(days=14))
    spec = bridge.SpecStay(id="fill", house=house.code, start=start, type=stay_type, requests=(req.spec_id,))
    locks = list(instance.locked)
    problems = bridge.validate(instance, bridge.Solution(stays=locks + [spec]))
    if problems:
        shown = problems[:MAX_SHOWN]
        names = names_for(instance, shown, [spec])
        raise Refused.many(broken_rule(v, names) for v in shown)
    sessions = bridge.plan_programmes(instance, [spec], others=locks, not_before=max(start, today))[0]
    spec = bridge.time_sessions(instance, bridge.SpecStay(id="fill", house=house.code, start=start, type=stay_type,
                                                          requests=(req.spec_id,), sessions=sessions))
    if bridge.validate(instance, bridge.Solution(stays=locks + [spec])):
        sessions = ()
    stay = Stay(house_id=house.id, start=start, end=end, type=stay_type, run_id=None)
    db.session.add(stay)
    db.session.flush()
    _set_sessions(stay, spec if sessions else replace(spec, sessions=()))
    req.stay_id = stay.id
    req.status = "published"
    db.session.flush()
    db.session.refresh(stay)
    record_change(actor, stay, "fill", None, snapshot(stay), reason=_("Fills a freed place."))
    record_change(actor, freed, "refilled", snapshot(freed), snapshot(freed),
                  reason=_("The freed place was given to a request from the queue."))
    return stay


# --------------------------------------------------------------------------
# The coordinator's home page
# --------------------------------------------------------------------------

def home_panel() -> dict:
    today = local_today()
    return {"flagged": flagged(today), "freed": freed_places(today)}
