"""The coordinator's rules: runs, locks, edits, publishing, declining.

Plain functions that only flush; the view commits once. A refused change
raises `app.refusals.Refused` (a code the view words from
`app.planning.messages`, HTTP 400), `NotInThatState` (someone else came
first, HTTP 409) or `StaleRun` (the data changed since the run, HTTP 409).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import werkzeug.exceptions
from sqlalchemy import select

from app.extensions import db
from app.models import (
    House, PlanningRun, ProposedSession, ProposedStay, Session, Stay, StayRequest, Therapist, User, utcnow,
)
from app.planning import bridge
from app.planning.bridge import Settings
from app.planning.messages import MESSAGES, RULE_NAMES
from app.planning.violations import Names, names_for, violation_text
from app.refusals import Refused, message_for
from app.security import audit

class NotInThatState(werkzeug.exceptions.Conflict):
    """Someone else changed this first, or it is not in a state to change.

    An HTTP 409: the app's error handler rolls back and answers with its page.
    """


class StaleRun(Exception):
    """The data the run was computed from changed: it must be re-run."""


class AlreadyRunning(Exception):
    """The same person already queued this very run (same settings, same data) and it is not over yet:
    a second click of "Start the run" or "Run again" goes to it instead of queueing a twin."""

    def __init__(self, run: PlanningRun):
        super().__init__(run.id)
        self.run = run


def _twin(user, settings: Settings, time_limit: int, fingerprint: str) -> PlanningRun | None:
    """Her own identical run still queued or running (one whose job died is marked failed and skipped)."""
    from app.planning import jobs

    user_id = getattr(user, "id", None)
    if user_id is None:
        return None
    wanted = (settings.horizon_start, settings.horizon_days, sorted(settings.house_ids), int(time_limit),
              dict(settings.weights))
    for run in db.session.scalars(select(PlanningRun).where(
            PlanningRun.created_by_id == user_id, PlanningRun.input_fingerprint == fingerprint,
            PlanningRun.status.in_(("queued", "running"))).order_by(PlanningRun.id.desc())):
        same = (run.horizon_start, run.horizon_days, sorted(run.house_ids or []), run.time_limit,
                dict(run.weights or {})) == wanted
        if same and not jobs.refresh(run):
            return run
    return None


def broken_rule(violation, names: Names | None = None) -> Refused:
    """A broken rule as a reason to refuse, naming the rule; the detail translated by its code (the engine's
    words otherwise)."""
    return Refused("broken_rule", number=violation.rule, name=RULE_NAMES.get(violation.rule, ""),
                   detail=violation_text(violation, names))


def rule_message(violation, names: Names | None = None) -> str:
    """A broken rule in words (`broken_rule`, worded)."""
    return message_for(broken_rule(violation, names), MESSAGES)


def problem_texts(run: PlanningRun, instance) -> list[str]:
    """Why the run's locks were impossible, in her language.

    A stored problem with a code is said by `rule_message`; one without (a
    plain string from an older run, or a record the engine gave no code) keeps
    the engine's English.
    """
    stored = (run.progress or {}).get("problems") or []
    records = [SimpleNamespace(rule=p.get("rule"), code=p.get("code") or "", params=p.get("params") or {},
                               message=str(p.get("message") or ""))
               for p in stored if isinstance(p, dict)]
    names = names_for(instance, records) if records else Names()
    texts, coded = [], iter(records)
    for p in stored:
        if not isinstance(p, dict):
            texts.append(str(p))
            continue
        record = next(coded)
        if isinstance(record.rule, int) and not isinstance(record.rule, bool):
            texts.append(rule_message(record, names))
        else:
            texts.append(violation_text(record, names))
    return texts


def _refuse(instance, violations, stays=()) -> None:
    """Refuse with the first few broken rules (`refuse` says each once); `stays` are the plan checked
    (so a stay is called by its type, first day and house, not the engine's id)."""
    shown = violations[:8]
    names = names_for(instance, shown, stays)
    raise Refused.many(broken_rule(v, names) for v in shown)


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------

# The days a horizon may cover: wide enough for any real plan, narrow enough that the
# date arithmetic of the planner (stay ends, turnover days) never leaves the calendar.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(9000, 12, 31)


def check_horizon(settings: Settings) -> None:
    """Refuse a horizon outside the days the planner can count (a typed year 0001 or 9999)."""
    if not FIRST_DAY <= settings.horizon_start <= LAST_DAY - dt.timedelta(days=max(0, settings.horizon_days - 1)):
        raise Refused("horizon_outside", "horizon_start", first=FIRST_DAY, last=LAST_DAY)


def start_run(user, settings: Settings, time_limit: int) -> PlanningRun:
    """Build the instance now, record it and its fingerprint, queue the run."""
    from app.planning import jobs

    check_horizon(settings)
    try:
        instance = bridge.build_instance(settings)
    except bridge.InstanceError as exc:
        raise Refused("cannot_plan", "horizon_start", detail=str(exc)) from exc
    user_id = getattr(user, "id", None)
    if user_id is not None:
        # Her clicks queue one after another: a second request waits here until the first
        # has recorded its run (or given up), then finds it as a twin. SQLite's BEGIN
        # IMMEDIATE serialises them already; on PostgreSQL this row lock does.
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    twin = _twin(user, settings, time_limit, bridge.fingerprint(instance))
    if twin is not None:
        raise AlreadyRunning(twin)
    run = PlanningRun(created_by_id=getattr(user, "id", None), status="queued",
                      horizon_start=settings.horizon_start, horizon_days=settings.horizon_days,
                      house_ids=list(settings.house_ids), time_limit=int(time_limit),
                      weights=dict(settings.weights), input_fingerprint=bridge.fingerprint(instance),
                      instance_json=bridge.instance_json(instance), progress={})
    db.session.add(run)
    db.session.flush()
    run.job_id = jobs.new_job_id(run.id)
    audit.record(user, "planning.run", target=run)
    db.session.flush()
    return run


def rerun(user, run: PlanningRun) -> PlanningRun:
    """A new run with the same settings, keeping the stays locked in this proposal."""
    carried = tuple(dict(bridge.stay_dict(bridge.spec_stay(s)), id=f"k{s.id}")
                    for s in run.stays if s.locked and s.status != "published")
    settings = replace(bridge.settings_of(run), carried=carried)
    new = start_run(user, settings, run.time_limit)
    new.hint_run_id = run.id  # its proposal guides the solver, so unchanged stays stay put
    return new


def request_cancel(run: PlanningRun) -> None:
    from app.planning import jobs

    if run.status == "queued":
        run.status = "cancelled"
        run.finished_at = utcnow()
        jobs.cancel_queued(run.job_id)
    elif run.status == "running":
        run.cancel_requested = True
    else:
        raise NotInThatState()
    db.session.flush()


def finish_run(run_id: int, instance, solution, progress: dict) -> None:
    """Write a finished run's proposal (one transaction, committed by the job)."""
    run = db.session.scalar(select(PlanningRun).where(PlanningRun.id == run_id).with_for_update())
    if run is None or run.status != "running":
        return
    current = _current_fingerprint(run)
    bridge.write_proposal(run, instance, solution)
    run.solution_json = bridge.solution_json(solution)
    run.objective = solution.objective
    run.bound = solution.bound
    run.stale = current != run.input_fingerprint
    run.progress = {**progress, "objective": solution.objective, "bound": solution.bound,
                    "solver_objective": solution.objective, "solver_status": solution.status,
                    "problems": bridge.problem_records(solution),
                    "dropped_locks": bridge.dropped_lock_records(solution)}
    run.status = "done"
    run.finished_at = utcnow()
    db.session.flush()


def _current_fingerprint(run: PlanningRun) -> str | None:
    """The fingerprint of the run's inputs as the data stands now; None when they no longer make an instance
    (say a therapist named by a carried lock has left): the data changed either way."""
    try:
        return bridge.fingerprint(bridge.build_instance(bridge.settings_of(run)))
    except bridge.InstanceError:
        return None


def check_fresh(run: PlanningRun) -> None:
    """Mark the run stale (and refuse) when its inputs changed since it was built (item 36)."""
    if not run.stale:
        run.stale = _current_fingerprint(run) != run.input_fingerprint
    if run.stale:
        db.session.flush()
        raise StaleRun()


# --------------------------------------------------------------------------
# Locks and edits
# --------------------------------------------------------------------------

def _editable(run: PlanningRun, stay: ProposedStay | None = None) -> None:
    if run.status != "done":
        raise NotInThatState()
    if stay is not None and stay.status != "proposed":
        raise Refused("stay_published")


def set_lock(run: PlanningRun, stay: ProposedStay, locked: bool) -> None:
    _editable(run, stay)
    stay.locked = locked
    db.session.flush()


def _faults(run: PlanningRun, instance=None):
    """A function giving the rules a candidate plan breaks that the proposal as it stands did not break."""
    instance = instance or bridge.instance_from_json(run.instance_json)
    before = {(v.rule, v.message) for v in bridge.validate(instance, bridge.proposal_solution(run, instance))}
    return lambda candidate: [v for v in bridge.validate(instance, candidate) if (v.rule, v.message) not in before]


def _check_edit(run: PlanningRun, candidate, new_faults=None) -> None:
    """Refuse the edit when it breaks a rule the proposal did not break before."""
    after = (new_faults or _faults(run))(candidate)
    if after:
        _refuse(bridge.instance_from_json(run.instance_json), after, candidate.stays)


def _rescore(run: PlanningRun) -> None:
    db.session.flush()
    db.session.refresh(run)
    instance = bridge.instance_from_json(run.instance_json)
    run.objective = bridge.proposal_solution(run, instance).objective
    db.session.flush()


def _new_end(run: PlanningRun, house: House, stay_type: str, start: dt.date) -> dt.date:
    instance = bridge.instance_from_json(run.instance_json)
    spec = instance.house_by_id.get(house.code)
    length = spec.stay_length.get(stay_type) if spec else None
    if not length:
        raise Refused("type_not_offered", name=RULE_NAMES[2], house=house.name, type=stay_type)
    return start + dt.timedelta(days=length - 1)


def edit_stay(run: PlanningRun, stay: ProposedStay, *, house: House, start: dt.date, stay_type: str,
              keep_programme: bool) -> tuple[int, int]:
    """Move a stay, change its house or type. Its programme moves with it when she keeps it and it still fits;
    otherwise the sessions that still fit are kept and matching's programme step plans the rest for the new
    dates. Returns (sessions it has now, sessions its people need), so the page can say when it falls short."""
    _editable(run, stay)
    if stay.locked:
        raise Refused("stay_locked")
    instance = bridge.instance_from_json(run.instance_json)
    if not instance.horizon_start <= start <= instance.horizon_end:
        raise Refused("outside_horizon", name=RULE_NAMES[5], first=instance.horizon_start,
                      last=instance.horizon_end)
    end = _new_end(run, house, stay_type, start)
    shift = start - stay.start
    old = bridge.spec_stay(stay)
    current = bridge.proposal_solution(run, instance)
    moved = replace(old, house=house.code, start=start, type=stay_type, sessions=())
    new_faults = _faults(run, instance)
    _check_edit(run, bridge.replace_stay(current, moved), new_faults)  # the stay itself, whatever its programme
    shifted = tuple(replace(s, day=s.day + shift) for s in old.sessions) if keep_programme else ()
    new = replace(moved, sessions=shifted)
    if not keep_programme or new_faults(bridge.replace_stay(current, new)):
        new = _rebuilt(instance, new_faults, current, moved, shifted)
    stay.house_id, stay.start, stay.end, stay.type = house.id, start, end, stay_type
    if keep_programme and new.sessions == shifted:
        for s in stay.sessions:
            s.day = s.day + shift
    else:
        stay.sessions.clear()
        db.session.flush()
        stay.sessions.extend(bridge.session_rows(new.sessions))
    _programme_changed(stay)
    _rescore(run)
    return len(new.sessions), bridge.sessions_needed(instance, new)


def _rebuilt(instance, new_faults, current, moved, shifted):
    """`moved` with the sessions of `shifted` that still fit (each kept while the plan breaks no new rule), and
    the rest planned by matching's programme step around every other stay of the proposal; the kept sessions
    alone when the planned ones would break a rule."""
    kept = replace(moved, sessions=())
    for session in shifted:
        trial = replace(kept, sessions=kept.sessions + (session,))
        if not new_faults(bridge.replace_stay(current, trial)):
            kept = trial
    others = [s for s in current.stays if s.id != moved.id]
    planned = replace(kept, sessions=bridge.plan_programmes(instance, [kept], others=others,
                                                            not_before=moved.start)[0])
    return kept if new_faults(bridge.replace_stay(current, planned)) else planned


def _with_sessions(run: PlanningRun, stay: ProposedStay, sessions) -> None:
    instance = bridge.instance_from_json(run.instance_json)
    new = replace(bridge.spec_stay(stay), sessions=tuple(sessions))
    _check_edit(run, bridge.replace_stay(bridge.proposal_solution(run, instance), new))


def _programme_changed(stay: ProposedStay) -> None:
    """Count a change of its sessions as a change of the stay, so a form from an older page gets 409 (item 35).

    SQLAlchemy bumps the version only when the stay's own row changes, not its sessions' rows.
    """
    stay.version = stay.version + 1


def change_session(run: PlanningRun, session: ProposedSession, therapist: Therapist) -> None:
    """Give a session to another therapist, at its time if she is free then, else at the first time of the day
    free for her and for the stay (rule 11); refused, naming her, when no time fits."""
    stay = session.stay
    _editable(run, stay)
    if stay.locked:
        raise Refused("stay_locked")
    instance = bridge.instance_from_json(run.instance_json)
    current = bridge.proposal_solution(run, instance)
    before = {(v.rule, v.message) for v in bridge.validate(instance, current)}
    first_refusal = None
    for slot in [session.slot] + [n for n in range(instance.day_slots) if n != session.slot]:
        specs = [bridge.spec_stay(stay).sessions[i] if s.id != session.id
                 else bridge.SpecSession(s.dimension, s.day, therapist.spec_id, slot)
                 for i, s in enumerate(stay.sessions)]
        candidate = bridge.replace_stay(current, replace(bridge.spec_stay(stay), sessions=tuple(specs)))
        new = [v for v in bridge.validate(instance, candidate) if (v.rule, v.message) not in before]
        if not new:
            break
        first_refusal = first_refusal or new
        if any(v.rule != 11 for v in new):  # another rule: no time of day mends it
            _refuse(instance, new, candidate.stays)
    else:
        _refuse(instance, first_refusal, current.stays)
    session.therapist_id = therapist.id
    session.slot = slot
    _programme_changed(stay)
    _rescore(run)


def add_session(run: PlanningRun, stay: ProposedStay, *, dimension: str, day: dt.date, therapist: Therapist,
                slot: int) -> None:
    """Add a session at a time of day (slot); refused, naming the person, when she is already busy then."""
    _editable(run, stay)
    if stay.locked:
        raise Refused("stay_locked")
    specs = list(bridge.spec_stay(stay).sessions) + [bridge.SpecSession(dimension, day, therapist.spec_id, slot)]
    _with_sessions(run, stay, specs)
    stay.sessions.append(ProposedSession(dimension=dimension, day=day, slot=slot, therapist_id=therapist.id))
    _programme_changed(stay)
    _rescore(run)


def remove_session(run: PlanningRun, session: ProposedSession) -> None:
    stay = session.stay
    _editable(run, stay)
    if stay.locked:
        raise Refused("stay_locked")
    stay.sessions.remove(session)
    _programme_changed(stay)
    _rescore(run)


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------

def can_publish(run: PlanningRun) -> bool:
    """A finished run, or one partly published with proposed stays left."""
    return run.status == "done" or (run.status == "published" and any(s.status == "proposed" for s in run.stays))


def publish(user, run: PlanningRun, stay_ids: set[int], deadline: dt.date | None = None) -> list[Stay]:
    """Publish the chosen proposed stays: Stay and Session rows, requests published, each offered to her
    with `deadline` to answer (app.offers; 7 days when None).

    Inside the one transaction of the request: the houses are locked (FOR
    UPDATE on PostgreSQL; SQLite writes already start with BEGIN IMMEDIATE),
    the run's inputs are checked unchanged, and the chosen stays are
    validated again beside every stay published by now (items 35-37).
    A run already partly published can publish its remaining stays while
    they still fit: its inputs changed by its own publishing, so only the
    validation beside every published stay decides.
    """
    from app.offers.service import make_offers

    if run.status not in ("done", "published"):
        raise NotInThatState()
    chosen = [s for s in run.stays if s.id in stay_ids and s.status == "proposed"]
    if not chosen:
        raise Refused("none_chosen")
    house_ids = sorted({h for h in (run.house_ids or [])} | {s.house_id for s in chosen})
    db.session.execute(select(House.id).where(House.id.in_(house_ids)).with_for_update())
    if run.status == "done":
        check_fresh(run)
    for stay in chosen:
        if any(r.status != "pending" for r in stay.requests):
            raise NotInThatState()
    _validate_against_published(run, chosen)
    published = [_publish_stay(run, stay) for stay in chosen]
    make_offers(user, published, deadline)
    run.status = "published"
    run.published_at = utcnow()
    run.published_by_id = getattr(user, "id", None)
    audit.record(user, "planning.publish", target=run, stays=[s.id for s in chosen])
    db.session.flush()
    return published


def _validate_against_published(run: PlanningRun, chosen: list[ProposedStay]) -> None:
    """Check the chosen stays beside every published stay as it stands, flagged ones included (a run plans
    a flagged stay again, but until its repair is applied it still holds its beds); only what the chosen
    stays newly break is refused."""
    settings = replace(bridge.settings_of(run), carried=())
    instance = bridge.matching.load_instance(bridge.build_instance_dict(settings, lock_flagged=True))
    before = {(v.rule, v.message) for v in bridge.validate(instance, bridge.Solution(stays=list(instance.locked)))}
    candidate = bridge.Solution(stays=list(instance.locked) + [bridge.spec_stay(s) for s in chosen])
    problems = [v for v in bridge.validate(instance, candidate) if (v.rule, v.message) not in before]
    if problems:
        _refuse(instance, problems, candidate.stays)


def _publish_stay(run: PlanningRun, proposed: ProposedStay) -> Stay:
    stay = Stay(house_id=proposed.house_id, start=proposed.start, end=proposed.end, type=proposed.type, run_id=run.id)
    stay.sessions = [Session(dimension=s.dimension, day=s.day, slot=s.slot, therapist_id=s.therapist_id)
                     for s in proposed.sessions]
    db.session.add(stay)
    db.session.flush()
    for req in proposed.requests:
        req.stay_id = stay.id
        req.status = "published"
    proposed.status = "published"
    proposed.locked = True
    proposed.published_stay_id = stay.id
    return stay


# --------------------------------------------------------------------------
# Declining
# --------------------------------------------------------------------------

def decline(user, req: StayRequest, reason: str) -> None:
    """Decline a pending request; she sees the reason."""
    if req.status not in ("pending", "submitted"):
        raise NotInThatState()
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_missing", "reason")
    req.status = "declined"
    req.decline_reason = reason
    audit.record(user, "request.decline", target=req, defender_id=req.defender_id)
    db.session.flush()

