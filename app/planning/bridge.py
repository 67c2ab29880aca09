"""The bridge between the database and the matching engine.

The only module of `app/` that imports `matching`: it turns rows into a
`respite-stays/1` instance (pending requests, confirmed needs, houses,
therapists, published stays as locked), a solution into proposal rows, and
proposal rows back into a solution (to validate an edit or export a run).

Spec ids: request `r<id>`, defender `d<id>`, therapist `t<id>`, house = its
code. Published stays are locked as `p<stay id>`; stays locked in an earlier
proposal and carried into a re-run as `k<proposed stay id>`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import matching
from matching import Instance, Solution, Stay as SpecStay, Session as SpecSession
from matching import Unassigned as SpecUnassigned
from matching import engine as matching_engine
from matching.io import stay_to_dict
from app.extensions import db
from app.models import (
    DEFAULT_SLOT_TIMES, DIMENSIONS, House, PlanningRun, ProposedSession, ProposedStay, Session, Stay, StayRequest, Therapist,
    UnassignedRequest,
)

ONE_DAY = dt.timedelta(days=1)
# the spec's default weights, from the one place that states them (matching.model.Weights)
DEFAULT_WEIGHTS = {name: (list(value) if isinstance(value, tuple) else value)
                   for name, value in dataclasses.asdict(matching.Weights()).items()}
MAX_SESSIONS_PER_STAY_DAY = 2
InstanceError = matching.InstanceError
SolutionError = matching.SolutionError
Violation = matching.Violation


@dataclass(frozen=True)
class Settings:
    """What a coordinator chooses for a run; with the database it fixes the instance."""

    horizon_start: dt.date
    horizon_days: int
    house_ids: tuple[int, ...] = ()  # empty: every active house
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    carried: tuple[dict, ...] = ()  # locks kept from an earlier proposal, as spec stay dicts

    @property
    def horizon_end(self) -> dt.date:
        return self.horizon_start + dt.timedelta(days=self.horizon_days - 1)


def settings_of(run: PlanningRun) -> Settings:
    """The settings a run was started with (carried locks read from its stored instance)."""
    carried: tuple[dict, ...] = ()
    if run.instance_json:
        raw = json.loads(run.instance_json)
        carried = tuple(s for s in raw.get("locked", []) if str(s.get("id", "")).startswith("k"))
    return Settings(run.horizon_start, run.horizon_days, tuple(run.house_ids or ()), dict(run.weights or {}),
                    carried)


# --------------------------------------------------------------------------
# Database -> instance
# --------------------------------------------------------------------------

def build_instance(settings: Settings) -> Instance:
    """The instance a run with `settings` solves, from the database as it is now."""
    return matching.load_instance(build_instance_dict(settings))


def schedule_instance(first: dt.date, last: dt.date, *, without: int | None = None) -> Instance:
    """Every active house from `first` to `last`, every published stay there locked as it is, except
    stay `without` (whose requests stay in, to be placed by the change being checked)."""
    settings = Settings(horizon_start=first, horizon_days=(last - first).days + 1)
    data = build_instance_dict(settings, lock_flagged=True)
    data["locked"] = [s for s in data["locked"] if s.get("id") != f"p{without}"]
    return matching.load_instance(data)


def published_spec(stay: Stay, **changes) -> SpecStay:
    """A published stay as a spec stay `p<id>` (with `changes`: house code, start, type, requests, sessions)."""
    spec = SpecStay(id=f"p{stay.id}", house=stay.house.code, start=stay.start, type=stay.type,
                    requests=tuple(r.spec_id for r in stay.requests),
                    sessions=tuple(SpecSession(s.dimension, s.day, f"t{s.therapist_id}") for s in stay.sessions))
    return replace(spec, **changes)


def time_sessions(instance: Instance, stay: SpecStay) -> SpecStay:
    """`stay` with a time (slot) for each session (rule 11): the instance's locked stays keep theirs, and a
    session keeps its own when nothing clashes (`matching.slots.assign_slots`)."""
    from matching.slots import assign_slots

    others = [lock for lock in instance.locked if lock.id != stay.id]
    return assign_slots(instance, others + [stay])[-1]


# The faults of one session that belong to whoever gives it (rules 7, 9 and 11), by the reason the session
# pages give for leaving a therapist out; any other fault belongs to the session itself, whoever gives it.
THERAPIST_REASONS = {
    "therapist_not_at_house": "other_house", "therapist_wrong_dimension": "dimension",
    "therapist_no_language": "language", "therapist_unavailable": "unavailable",
    "therapist_day_limit": "day_full", "therapist_week_limit": "week_full",
    "therapist_several_houses": "house_that_day", "therapist_slot_taken": "time_taken",
    "session_without_slot": "time_taken",
}


@dataclass(frozen=True)
class SessionOffer:
    """Who can give one session of a stay: `eligible` therapist ids (with the slot each would take), for each
    one who cannot her reasons (`THERAPIST_REASONS` values), and `blocked`, the rules the session itself
    breaks whoever gives it (then nobody is eligible)."""

    eligible: dict[str, int | None]
    missing: dict[str, tuple[str, ...]]
    blocked: tuple[Violation, ...]


def session_offer(instance: Instance, solution: Solution, stay_id: str, *, dimension: str, day: dt.date,
                  slots: tuple[int | None, ...] = (None,), index: int | None = None) -> SessionOffer:
    """Ask `validate`, therapist by therapist, whether stay `stay_id` of `solution` can have one more session
    (`dimension` on `day`), or its session `index` given to her instead: only the rules this newly breaks
    count. Each slot of `slots` is tried in turn while only rule 11 stands in the way; a slot None is
    timed around the locks (`time_sessions`)."""
    stay = next(s for s in solution.stays if s.id == stay_id)
    before = {(v.rule, v.message) for v in validate(instance, solution)}
    eligible: dict[str, int | None] = {}
    missing: dict[str, tuple[str, ...]] = {}
    blocked: dict[tuple, Violation] = {}
    for therapist in instance.therapists:
        first = None
        for slot in slots:
            new = _new_faults(instance, solution, stay, SpecSession(dimension, day, therapist.id, slot), index, before)
            first = first if first is not None else new
            if not new:
                eligible[therapist.id] = slot
                break
            if any(v.rule != 11 for v in new):
                break
        if therapist.id in eligible:
            continue
        reasons = tuple(dict.fromkeys(THERAPIST_REASONS[v.code] for v in first if v.code in THERAPIST_REASONS))
        if reasons:
            missing[therapist.id] = reasons
        blocked.update({(v.rule, v.message): v for v in first if v.code not in THERAPIST_REASONS})
    return SessionOffer(eligible, missing, tuple(blocked.values()))


def _new_faults(instance: Instance, solution: Solution, stay: SpecStay, session: SpecSession, index: int | None,
                before: set) -> list[Violation]:
    """The rules `solution` newly breaks with `session` added to `stay` (or put in place of its session `index`)."""
    sessions = list(stay.sessions)
    if index is None:
        sessions.append(session)
    else:
        sessions[index] = session
    candidate = replace(stay, sessions=tuple(sessions))
    if session.slot is None:
        candidate = time_sessions(instance, candidate)
    return [v for v in validate(instance, replace_stay(solution, candidate)) if (v.rule, v.message) not in before]


def plan_programmes(instance: Instance, stays: list[SpecStay], *, others: list[SpecStay], not_before: dt.date,
                    time_limit: float = 5.0) -> list[tuple[SpecSession, ...]]:
    """Sessions for `stays` (their own sessions kept), around the sessions of `others`, none before
    `not_before`: matching's programme step, run for these stays only."""
    from matching.model import DateRange
    from matching.engine.programme import Busy, Programmes

    therapists = tuple(replace(t, available=tuple(DateRange(max(r.start, not_before), r.end) for r in t.available
                                                  if r.end >= not_before)) for t in instance.therapists)
    # Sessions before `not_before` are given: they count against her needs and the therapists' days,
    # and the step plans only the days from `not_before` on.
    past = {stay.id: Counter(s.dimension for s in stay.sessions if s.day < not_before) for stay in stays}
    owner = {rid: stay.id for stay in stays for rid in stay.requests}
    requests = tuple(replace(r, needs={d: max(0, n - past[owner[r.id]][d]) for d, n in r.needs.items()})
                     if r.id in owner else r for r in instance.requests)
    clipped = replace(instance, therapists=therapists, requests=requests)
    busy = Busy.empty()
    for other in list(others) + list(stays):
        given = [s for s in other.sessions if s.therapist in clipped.therapist_by_id
                 and (other in others or s.day < not_before)]
        busy.add(clipped, other, given)
    ahead = [replace(stay, sessions=tuple(s for s in stay.sessions if s.day >= not_before)) for stay in stays]
    planned, _status = Programmes(clipped, ahead, busy).solve(time_limit, 1, 0)
    planned = [tuple(s for s in stay.sessions if s.day < not_before) + tuple(p) for stay, p in zip(stays, planned)]
    out = []
    for stay, sessions in zip(stays, planned):
        # A kept session's variable may grow on its (earlier) day: nothing new before `not_before`.
        room = Counter(s for s in stay.sessions if s.day < not_before)
        kept = []
        for s in sessions:
            if s.day < not_before:
                if room[s] <= 0:
                    continue
                room[s] -= 1
            kept.append(s)
        out.append(tuple(kept))
    # each session at a time free for its stay and its therapist (rule 11), around the others' times
    from matching.slots import assign_slots

    timed = assign_slots(instance, list(others) + [replace(stay, sessions=sessions) for stay, sessions in zip(stays, out)])
    return [stay.sessions for stay in timed[len(others):]]


def build_instance_dict(settings: Settings, *, lock_flagged: bool = False) -> dict:
    """The instance as a dict. A published stay flagged for re-planning (`needs_replan`), or whose lock
    breaks a rule as the data stands now, is not locked: its requests are planned again (hinted at
    their place by `run_hint`), so one broken stay never makes the whole run impossible.
    `lock_flagged` locks every published stay as it is (to check a change of the schedule)."""
    houses = _houses(settings)
    codes = {h.id: h.code for h in houses}
    published = _published_stays(settings, set(codes))
    flagged = [] if lock_flagged else [s for s in published if s.needs_replan]
    data = _instance_dict(settings, houses, codes, published, flagged)
    if not lock_flagged:
        broken = broken_locks(data)
        if broken:
            flagged += [s for s in published if f"p{s.id}" in broken and s not in flagged]
            data = _instance_dict(settings, houses, codes, published, flagged)
    return data


def broken_locks(data: dict) -> dict[str, list[Violation]]:
    """The published locks (`p<id>`) that break a rule by themselves, with the broken rules."""
    locks = [s for s in data["locked"] if str(s.get("id", "")).startswith("p")]
    if not locks:
        return {}
    try:
        instance = matching.load_instance(data)
    except matching.InstanceError:
        return {}
    return violations_by_lock(instance, matching.Solution(stays=list(instance.locked)))


def violations_by_lock(instance: Instance, solution: Solution) -> dict[str, list[Violation]]:
    """Each broken rule of `solution`, under the id of every stay it names."""
    by_id = {s.id: s for s in solution.stays}
    out: dict[str, list[Violation]] = {}
    for v in matching.validate(instance, solution):
        params = dict(v.params or {})
        ids = {params.get("stay"), params.get("lock"), params.get("first"), params.get("second")}
        if v.rule == 9 and params.get("therapist"):
            ids |= {s.id for s in solution.stays for ses in s.sessions
                    if ses.therapist == params["therapist"] and ses.day.isoformat() == params.get("day")}
        for sid in ids - {None}:
            if sid in by_id:
                out.setdefault(sid, []).append(v)
    return out


def _instance_dict(settings: Settings, houses: list[House], codes: dict[int, str], published: list[Stay],
                   flagged: list[Stay]) -> dict:
    kept = [s for s in published if s not in flagged]
    start = min([settings.horizon_start] + [s.start for s in kept])
    end = max([settings.horizon_end] + [s.end for s in kept])
    slots = slots_per_day(houses)
    claimed: set = set()
    locked = [_published_lock(s, codes, slots, claimed) for s in kept]
    requests, spec_requests = _requests(settings, kept, flagged)
    # A carried lock keeps only requests still waiting: one published since (by any run) is held by its
    # published stay, and carrying it too would put her in two stays.
    held = {rid for lock in locked for rid in lock["requests"]}
    waiting = {r["id"] for r in spec_requests} - held
    locked += [c for c in settings.carried if c.get("house") in codes.values() and c.get("requests")
               and all(rid in waiting for rid in c["requests"])]
    return {
        "format": "respite-stays/1",
        "name": "Respiro",
        "horizon": {"start": start.isoformat(), "days": (end - start).days + 1},
        "max_sessions_per_stay_day": MAX_SESSIONS_PER_STAY_DAY,
        "slots_per_day": slots,
        "weights": _weights(settings.weights),
        "houses": [_house(h) for h in houses],
        "therapists": _therapists(codes, kept, start, end),
        "requests": spec_requests,
        "locked": locked,
    }


def fingerprint(instance: Instance | dict) -> str:
    """A hash of everything the solver sees (security item 36)."""
    data = matching.instance_to_dict(instance) if isinstance(instance, Instance) else dict(instance)
    data.pop("name", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _weights(given: dict) -> dict:
    weights = dict(DEFAULT_WEIGHTS)
    weights.update({k: v for k, v in (given or {}).items() if k in DEFAULT_WEIGHTS})
    weights["urgency_factor"] = [int(v) for v in weights["urgency_factor"]]
    return weights


def slots_per_day(houses: list[House]) -> int:
    """Session times in a day for the engine (rule 11): the fewest any of the run's houses gives a clock time to."""
    counts = [len(h.slot_times or DEFAULT_SLOT_TIMES) for h in houses] or [len(DEFAULT_SLOT_TIMES)]
    return max(MAX_SESSIONS_PER_STAY_DAY, min(counts))


def _houses(settings: Settings) -> list[House]:
    query = select(House).where(House.active.is_(True)).options(selectinload(House.closures)).order_by(House.code)
    if settings.house_ids:
        query = query.where(House.id.in_(settings.house_ids))
    return list(db.session.scalars(query))


def _house(h: House) -> dict:
    types = [t for t in h.stay_types or [] if int((h.stay_length or {}).get(t) or 0) >= 1]
    return {
        "id": h.code, "name": h.name, "country": h.country, "beds": max(0, h.beds or 0),
        "max_concurrent_stays": max(0, h.max_concurrent_stays or 0), "family_units": max(0, h.family_units or 0),
        "stay_types": types, "stay_length": {t: int(h.stay_length[t]) for t in types},
        "collective_size": {"min": max(1, h.collective_min or 1),
                            "max": max(h.collective_max or 1, h.collective_min or 1, 1)},
        "accessible": bool(h.accessible), "turnover_days": max(0, h.turnover_days or 0),
        "arrival_weekdays": sorted({int(d) for d in (h.arrival_weekdays or []) if 0 <= int(d) <= 6}),
        "closures": [{"start": c.start.isoformat(), "end": c.end.isoformat(), "reason": c.reason}
                     for c in h.closures if c.end >= c.start],
    }


def _published_stays(settings: Settings, house_ids: set[int]) -> list[Stay]:
    """Published stays at the run's houses still holding a day (turnover included) of the horizon."""
    query = (select(Stay).where(Stay.house_id.in_(house_ids), Stay.start <= settings.horizon_end)
             .options(selectinload(Stay.sessions), selectinload(Stay.requests), selectinload(Stay.house))
             .order_by(Stay.start, Stay.id))
    return [s for s in db.session.scalars(query)
            if s.requests and s.cancelled_at is None
            and not (s.released_from is not None and s.released_from <= settings.horizon_start)
            and s.end + dt.timedelta(days=s.house.turnover_days or 0) >= settings.horizon_start]


def _published_lock(stay: Stay, codes: dict[int, str], slots: int, claimed: set) -> dict:
    """A published stay as a lock; its sessions keep their slots (rule 11) when the run's day has them.

    Stays published before sessions had real times may double-book a therapist or a stay: a slot
    already claimed (in `claimed`, shared by the locks of one instance) is left out, so the engine
    times that session again instead of finding the locks impossible.
    """
    sessions = []
    for s in stay.sessions:
        spec = {"dimension": s.dimension, "day": s.day.isoformat(), "therapist": f"t{s.therapist_id}"}
        keys = {("therapist", s.therapist_id, s.day, s.slot), ("stay", stay.id, s.day, s.slot)}
        if s.slot is not None and 0 <= s.slot < slots and not keys & claimed:
            spec["slot"] = s.slot
            claimed |= keys
        sessions.append(spec)
    return {"id": f"p{stay.id}", "house": codes[stay.house_id], "start": stay.start.isoformat(), "type": stay.type,
            "requests": [r.spec_id for r in stay.requests], "sessions": sessions}


def plannable_requests() -> list[StayRequest]:
    """Pending requests of defenders still with us, oldest first."""
    from app.models import Defender

    query = (select(StayRequest).join(StayRequest.defender)
             .where(StayRequest.status == "pending", Defender.deleted_at.is_(None))
             .options(selectinload(StayRequest.members), selectinload(StayRequest.interview))
             .order_by(StayRequest.id))
    return list(db.session.scalars(query))


def unplannable_reason(req: StayRequest, horizon_start: dt.date) -> str:
    """Why a pending request cannot go into an instance ('' when it can)."""
    if not req.earliest_start or not req.latest_start or not req.stay_types:
        return "incomplete"
    if req.latest_start < req.earliest_start:
        return "incomplete"
    if req.latest_start < horizon_start:
        return "window_passed"
    return ""


def _requests(settings: Settings, published: list[Stay],
              flagged: list[Stay] = ()) -> tuple[list[StayRequest], list[dict]]:
    rows = [(r, True) for s in published for r in s.requests]
    rows += [(r, False) for s in flagged for r in s.requests]
    rows += [(r, False) for r in plannable_requests() if not unplannable_reason(r, settings.horizon_start)]
    seen_defenders: set[str] = set()
    out, specs = [], []
    for req, is_locked in rows:
        spec = _request(req, settings.horizon_start, is_locked, seen_defenders)
        out.append(req)
        specs.append(spec)
    return out, specs


def _request(req: StayRequest, horizon_start: dt.date, is_locked: bool, seen: set[str]) -> dict:
    people = [d for d in req.all_defenders if d is not None]
    defenders = []
    for d in people:
        ident = d.spec_id if d.spec_id not in seen else f"{d.spec_id}-{req.spec_id}"
        seen.add(ident)
        defenders.append(ident)
    languages = set(people[0].languages or [])
    for d in people[1:]:
        languages &= set(d.languages or [])
    languages = sorted(languages) or list(people[0].languages or []) or ["es"]
    earliest = req.earliest_start if is_locked else max(req.earliest_start, horizon_start)
    latest = req.latest_start if is_locked else max(req.latest_start, earliest)  # a flagged stay's passed window
    needs = req.interview.need_levels() if req.interview is not None else {}
    urgency = req.urgency if req.urgency is not None else (req.urgency_self if req.urgency_self is not None else 1)
    return {
        "id": req.spec_id, "defenders": defenders, "companions": max(0, req.companions or 0),
        "stay_types": list(dict.fromkeys(req.stay_types)),
        "earliest_start": earliest.isoformat(), "latest_start": latest.isoformat(),
        "country": people[0].country,
        "barred_countries": sorted({c for d in people for c in (d.barred_countries or [])}),
        "languages": languages, "accessible": any(d.needs_accessible for d in people),
        "urgency": min(3, max(0, int(urgency))),
        "submitted": req.submitted_at.date().isoformat() if req.submitted_at else None,
        "needs": {k: min(3, max(0, int(needs.get(k) or 0))) for k in DIMENSIONS},
    }


def _therapists(codes: dict[int, str], published: list[Stay], start: dt.date, end: dt.date) -> list[dict]:
    in_locks = {s.therapist_id for stay in published for s in stay.sessions}
    query = (select(Therapist).options(selectinload(Therapist.houses), selectinload(Therapist.availability))
             .order_by(Therapist.id))
    busy_elsewhere = _days_at_other_houses(set(codes), start, end)
    out = []
    for t in db.session.scalars(query):
        houses = [codes[h.id] for h in t.houses if h.id in codes]
        dims = [d for d in t.dimensions or [] if d in DIMENSIONS]
        if not (t.active or t.id in in_locks) or not dims or not (houses or t.id in in_locks):
            continue
        ranges = _without_days([(a.start, a.end) for a in t.availability if a.end >= a.start],
                               busy_elsewhere.get(t.id, set()))
        spec = {"id": t.spec_id, "name": t.name, "kind": t.kind if t.kind in ("therapist", "healer", "activist")
                else "therapist", "houses": houses, "dimensions": dims, "languages": list(t.languages or []),
                "available": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in ranges],
                "max_sessions_per_day": max(1, t.max_sessions_per_day or 1)}
        if t.max_sessions_per_week:  # network extension: a weekly cap, when the network set one
            spec["max_sessions_per_week"] = max(1, t.max_sessions_per_week)
        out.append(spec)
    return out


def _days_at_other_houses(house_ids: set[int], start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    """Days a therapist already gives a published session at a house outside the run (rule 9)."""
    query = (select(Session.therapist_id, Session.day).join(Session.stay)
             .where(Stay.house_id.not_in(house_ids), Session.day >= start, Session.day <= end))
    busy: dict[int, set[dt.date]] = {}
    for therapist_id, day in db.session.execute(query):
        busy.setdefault(therapist_id, set()).add(day)
    return busy


def _without_days(ranges: list[tuple[dt.date, dt.date]], days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    out = []
    for a, b in sorted(ranges):
        cur = a
        for day in sorted(d for d in days if a <= d <= b):
            if cur <= day - ONE_DAY:
                out.append((cur, day - ONE_DAY))
            cur = day + ONE_DAY
        if cur <= b:
            out.append((cur, b))
    return out


# --------------------------------------------------------------------------
# Solving
# --------------------------------------------------------------------------

def solve(instance: Instance, *, time_limit: float, workers: int = 2, on_progress=None, stop=None,
          hint: Solution | None = None) -> Solution:
    """Run the CP-SAT engine (always `matching.engine.solve`)."""
    return matching_engine.solve(instance, time_limit=time_limit, workers=workers, on_progress=on_progress, stop=stop,
                       hint=hint)


def flagged_stays(instance: Instance) -> list[Stay]:
    """The published stays whose requests `instance` plans again (flagged or broken, so not locked)."""
    held = {rid for lock in instance.locked for rid in lock.requests}
    ids = [i for r in instance.requests if r.id not in held and (i := _id_of(r.id)) is not None]
    if not ids:
        return []
    rows = db.session.scalars(select(StayRequest).where(StayRequest.id.in_(ids), StayRequest.status == "published",
                                                        StayRequest.stay_id.is_not(None)))
    stays = {r.stay_id: r.stay for r in rows}
    return [stays[k] for k in sorted(stays)]


def run_hint(run: PlanningRun, instance: Instance) -> Solution | None:
    """What a run starts from: the run it re-runs, and every flagged published stay at its current place."""
    base = proposal_solution(run.hint_run, instance) if run.hint_run is not None else None
    stays = list(base.stays) if base is not None else []
    taken = {rid for s in stays for rid in s.requests}
    codes = {h.id for h in instance.houses}
    known = set(instance.request_by_id)
    for stay in flagged_stays(instance):
        rids = tuple(r.spec_id for r in stay.requests if r.spec_id in known and r.spec_id not in taken)
        if rids and stay.house.code in codes:
            stays.append(SpecStay(id=f"h{stay.id}", house=stay.house.code, start=stay.start, type=stay.type,
                                  requests=rids, sessions=tuple(
                                      SpecSession(x.dimension, x.day, f"t{x.therapist_id}") for x in stay.sessions
                                      if f"t{x.therapist_id}" in instance.therapist_by_id)))
    if not stays:
        return None
    return Solution(stays=stays)


def instance_from_json(text: str) -> Instance:
    return matching.load_instance(json.loads(text))


def instance_json(instance: Instance) -> str:
    return json.dumps(matching.instance_to_dict(instance), ensure_ascii=False)


def solution_json(solution: Solution) -> str:
    data = matching.solution_to_dict(solution)
    data.pop("stats", None)
    return json.dumps(data, ensure_ascii=False)


def validate(instance: Instance, solution: Solution) -> list[Violation]:
    """Every broken rule, slots required (rule 11: the app always gives a session its time)."""
    return matching.validate(instance, solution, require_slots=True)


def proposal_spread(run: PlanningRun, instance: Instance | None = None):
    """How the run's proposal shares the work: the most loaded therapist's week, the median week, and
    how the stays' sessions sit in their days (`matching.spread.Spread`)."""
    from matching.spread import spread_of

    instance = instance or instance_from_json(run.instance_json)
    return spread_of(instance, [spec_stay(row) for row in run.stays])


def dropped_lock_records(solution: Solution) -> list[dict]:
    """The locked stays the engine could not keep (`Solution.dropped_locks`), as JSON for `run.progress`.

    Each names the stay (its engine id), the rule it breaks, the violation's
    code and params (to word it in her language) and the engine's English reason.
    """
    return [{"stay": d.stay, "rule": d.rule, "code": d.code, "message": d.reason,
             "params": json.loads(json.dumps(dict(d.params or {}), default=str))}
            for d in getattr(solution, "dropped_locks", [])]


def problem_records(solution: Solution, limit: int = 20) -> list:
    """Why the locks are impossible, as JSON for `run.progress["problems"]`.

    The engine's `violations` (rule, code, params) when it gave them, so a
    page can say them in her language; else its English `problems` as they
    are. Older runs stored the strings: readers accept both.
    """
    coded = [v for v in solution.violations if getattr(v, "code", "")]
    if not coded:
        return [str(p) for p in solution.problems][:limit]
    return [{"rule": v.rule, "code": v.code, "message": v.message,
             "params": json.loads(json.dumps(dict(v.params or {}), default=str))} for v in coded[:limit]]


def score(instance: Instance, solution: Solution):
    return matching.score(instance, solution)


# --------------------------------------------------------------------------
# Solution <-> proposal rows
# --------------------------------------------------------------------------

def _id_of(spec_id: str) -> int | None:
    try:
        return int(spec_id[1:].split("-")[0])
    except (ValueError, IndexError):
        return None


def write_proposal(run: PlanningRun, instance: Instance, solution: Solution) -> None:
    """Add the proposal rows of `solution` to `run` (the caller commits once)."""
    houses = {h.code: h for h in db.session.scalars(select(House))}
    requests = {r.spec_id: r for r in db.session.scalars(
        select(StayRequest).where(StayRequest.id.in_([_id_of(r.id) for r in instance.requests])))}
    locked = {_lock_key(s): s.id for s in instance.locked}
    for stay in solution.stays:
        house = houses[stay.house]
        length = instance.house_by_id[stay.house].stay_length[stay.type]
        lock_id = locked.get(_lock_key(stay), "")
        row = ProposedStay(run=run, key=stay.id, house=house, start=stay.start,
                           end=stay.start + dt.timedelta(days=length - 1), type=stay.type,
                           locked=bool(lock_id), status="published" if lock_id.startswith("p") else
                           ("repair" if any(requests[rid].status == "published" for rid in stay.requests)
                            else "proposed"),
                           published_stay_id=_id_of(lock_id) if lock_id.startswith("p") else None)
        row.requests = [requests[rid] for rid in stay.requests]
        row.sessions = session_rows(stay.sessions)
        db.session.add(row)
    for u in solution.unassigned:
        if u.request in requests:
            db.session.add(UnassignedRequest(run=run, request=requests[u.request], code=u.code or "",
                                             params=json.loads(json.dumps(dict(u.params or {}), default=str)),
                                             reason=u.reason or ""))


def _lock_key(stay) -> tuple:
    return stay.house, stay.start, stay.type, frozenset(stay.requests)


def session_rows(sessions) -> list[ProposedSession]:
    """Proposal rows of spec sessions, each at the slot the engine gave it (the next free one if none)."""
    rows, taken = [], set()
    for s in sorted(sessions, key=lambda s: (s.day, s.slot is None, s.slot or 0, s.dimension, s.therapist)):
        slot = s.slot
        if slot is None:
            slot = next(n for n in range(len(sessions) + 1) if (s.day, n) not in taken)
        taken.add((s.day, slot))
        rows.append(ProposedSession(dimension=s.dimension, day=s.day, slot=slot, therapist_id=_id_of(s.therapist)))
    return rows


def demand(instance: Instance, stay: SpecStay) -> dict[str, int]:
    """The sessions a stay's people need in each care dimension (rule 8: the most any of them needs)."""
    return {d: max(instance.request_by_id[r].needs.get(d, 0) for r in stay.requests) for d in DIMENSIONS}


def sessions_needed(instance: Instance, stay: SpecStay) -> int:
    """The sessions a stay's people need, over every care dimension."""
    return sum(demand(instance, stay).values())


def spec_stay(row: ProposedStay) -> SpecStay:
    """One proposal row as a spec stay."""
    return SpecStay(id=row.key, house=row.house.code, start=row.start, type=row.type,
                    requests=tuple(r.spec_id for r in row.requests),
                    sessions=tuple(SpecSession(s.dimension, s.day, f"t{s.therapist_id}", s.slot) for s in row.sessions))


def proposal_solution(run: PlanningRun, instance: Instance | None = None) -> Solution:
    """The run's proposal as it stands now (edits included), scored against its instance."""
    instance = instance or instance_from_json(run.instance_json)
    stays = [spec_stay(row) for row in run.stays]
    placed = {rid for s in stays for rid in s.requests}
    unassigned = [SpecUnassigned(u.request.spec_id, u.reason, u.code, dict(u.params or {}))
                  for u in run.unassigned if u.request.spec_id not in placed]
    solution = Solution(stays=stays, unassigned=unassigned, bound=run.bound)
    solution.objective = matching.score(instance, solution).total
    return solution


def replace_stay(solution: Solution, stay: SpecStay) -> Solution:
    """A copy of `solution` with the stay of the same id replaced by `stay`."""
    stays = [stay if s.id == stay.id else s for s in solution.stays]
    return replace(solution, stays=stays)


def solution_dict(run: PlanningRun) -> dict:
    """The run's current proposal in `respite-stays-solution/1` form."""
    instance = instance_from_json(run.instance_json)
    data = matching.solution_to_dict(proposal_solution(run, instance))
    data.pop("stats", None)
    data.pop("status", None)
    return data


def stay_dict(stay: SpecStay) -> dict:
    return stay_to_dict(stay)


# --------------------------------------------------------------------------
# Urgent cases
# --------------------------------------------------------------------------

RecommendError = matching.RecommendError


def urgent_plan(run: PlanningRun, instance: Instance) -> Solution:
    """The run's proposal as a plan of `instance` (built now): its locks, and the proposed stays that still hold.

    A proposed stay is dropped when one of its requests is no longer waiting
    (published since, withdrawn) or when, beside what was published since, it
    would break a rule; sessions with a therapist no longer in the instance go.
    Every request in no stay gets the explainer's reason.
    """
    locked = list(instance.locked)
    held = {rid for s in locked for rid in s.requests}
    taken = {s.id for s in locked}
    stays = []
    for row in run.stays:
        if row.status != "proposed" or row.locked:
            continue  # published rows are locks now; locked rows were carried as k-stays
        stay = spec_stay(row)
        if (stay.house not in instance.house_by_id or stay.id in taken
                or any(r not in instance.request_by_id or r in held for r in stay.requests)):
            continue
        stays.append(replace(stay, sessions=tuple(s for s in stay.sessions
                                                  if s.therapist in instance.therapist_by_id)))
    plan = Solution(stays=locked + stays, status="FEASIBLE")
    if matching.validate(instance, plan):
        kept = Solution(stays=list(locked))
        for stay in stays:  # keep each stay that still fits beside those kept before it
            trial = Solution(stays=kept.stays + [stay])
            if not matching.validate(instance, trial):
                kept = trial
        plan = Solution(stays=kept.stays, status="FEASIBLE")
    plan.unassigned = matching.explain(instance, plan)
    plan.objective = matching.score(instance, plan).total
    return plan


def recommend(instance: Instance, plan: Solution, request_id: str, *, top: int = 3, time_limit: float = 2.0,
              place: tuple | None = None, workers: int = 2):
    """The best few places for one request in `plan` (`matching.recommend`)."""
    return matching.recommend(instance, plan, request_id, top=top, time_limit=time_limit, place=place,
                              workers=workers)
# ------------------------------------------------------------------ rules other modules ask about


def stay_type_fits(stay_type: str, *, defenders: int, companions: int) -> bool:
    """Whether a request of `defenders` defenders and `companions` companions may take `stay_type`.

    The engine's own rule (`matching.model.Request.fits_type`), so the
    interview form and the planner agree.
    """
    probe = matching.Request(id="probe", defenders=tuple(f"d{i}" for i in range(max(defenders, 1))),
                             stay_types=(stay_type,), earliest_start=dt.date.min, latest_start=dt.date.min,
                             country="", languages=(), urgency=0, needs={}, companions=companions)
    return probe.fits_type(stay_type)


def house_capacity_violations(stays: list[Stay], *, beds: int, max_concurrent_stays: int, family_units: int,
                              turnover_days: int) -> list[tuple[Violation, list[Stay]]]:
    """Rule 6 (beds, concurrent stays, family units on each held day) over published `stays` of one house,
    under the capacity given, as `matching.validate` counts it; each violation with the stays it names.

    The instance holds just that house, these stays (each with its own
    length) and their requests, with nothing else that could break a rule.
    A settings change asks this before it is saved (`app.houses.rules`).
    """
    if not stays:
        return []
    house = stays[0].house
    code = house.code or f"h{house.id}"
    lengths = {s.type: (s.end - s.start).days + 1 for s in stays}
    first = min(s.start for s in stays)
    last = max(s.end for s in stays) + dt.timedelta(days=max(0, turnover_days))
    spec_house = matching.House(
        id=code, name=house.name or code, country=house.country or "", beds=beds,
        max_concurrent_stays=max_concurrent_stays, stay_types=tuple(lengths), stay_length=lengths,
        family_units=family_units, collective_min=1, collective_max=10**6, accessible=True,
        turnover_days=max(0, turnover_days))
    requests, spec_stays, by_id = [], [], {}
    for s in stays:
        ids = []
        for r in s.requests:
            rid = f"r{r.id}"
            ids.append(rid)
            requests.append(matching.Request(
                id=rid, defenders=tuple(f"d{k}" for k in range(max(1, len(r.all_defenders)))),
                stay_types=(s.type,), earliest_start=s.start, latest_start=s.start, country=spec_house.country,
                languages=("x",), urgency=0, needs={d: 0 for d in matching.DIMENSIONS}, companions=r.companions or 0))
        sid = f"p{s.id}"
        by_id[sid] = s
        spec_stays.append(SpecStay(id=sid, house=code, start=s.start, type=s.type, requests=tuple(ids)))
    instance = Instance(horizon_start=first, horizon_days=(last - first).days + 1, houses=(spec_house,),
                        therapists=(), requests=tuple(requests))
    found = []
    for v in matching.validate(instance, Solution(stays=spec_stays)):
        if v.rule == 6:
            found.append((v, [by_id[i] for i in v.params.get("stays", []) if i in by_id]))
    return found


# Rule 7 and 9 violation codes of one therapist's sessions, and the network's names for them.
THERAPIST_CODES = {"therapist_not_at_house": "house_removed", "therapist_wrong_dimension": "dimension_removed",
                   "therapist_no_language": "language_removed", "therapist_unavailable": "not_available",
                   "therapist_day_limit": "too_many_sessions"}


def _spoken(request: StayRequest) -> tuple[str, ...]:
    """A request's languages as the planner counts them: those all its defenders speak, else the first one's."""
    people = [d for d in request.all_defenders if d is not None]
    if not people:
        return ()
    shared = set.intersection(*(set(d.languages or []) for d in people))
    return tuple(sorted(shared or set(people[0].languages or [])))


def therapist_session_violations(sessions: list[Session], *, house_ids: set[int], dimensions: list[str],
                                 languages: list[str], ranges: list[tuple[dt.date, dt.date]],
                                 max_per_day: int) -> list[tuple[str, Session]]:
    """Rules 7 and 9 over one therapist's published `sessions` were she to have these values, as
    `matching.validate` checks them: (the network's code, the session) for each fault found.

    The instance holds the sessions' stays (each with its own length and only
    her sessions), their requests and houses, and her; nothing else in it can
    break a rule. Codes: see `THERAPIST_CODES`.
    """
    if not sessions:
        return []
    stays = list(dict.fromkeys(s.stay for s in sessions))
    houses: dict[int, House] = {s.house_id: s.house for s in stays}
    code = {hid: h.code or f"h{hid}" for hid, h in houses.items()}
    lengths: dict[int, dict[str, int]] = {}
    for s in stays:
        lengths.setdefault(s.house_id, {})[s.type] = (s.end - s.start).days + 1
    first = min(min(s.start for s in stays), min(x.day for x in sessions))
    last = max(max(s.end for s in stays), max(x.day for x in sessions))
    spec_houses = tuple(matching.House(
        id=code[hid], name=h.name or code[hid], country=h.country or "", beds=10**6, max_concurrent_stays=10**6,
        stay_types=tuple(lengths[hid]), stay_length=lengths[hid], family_units=10**6, collective_min=1,
        collective_max=10**6, accessible=True) for hid, h in houses.items())
    therapist = matching.Therapist(
        id="t", name="t", kind="therapist", houses=tuple(code[h] for h in houses if h in house_ids),
        dimensions=tuple(dimensions), languages=tuple(languages),
        available=tuple(matching.DateRange(a, b) for a, b in ranges), max_sessions_per_day=max_per_day)
    requests, spec_stays, at = {}, [], {}
    for s in stays:
        mine = [x for x in sessions if x.stay is s]
        for r in s.requests:
            requests[r.id] = matching.Request(
                id=f"r{r.id}", defenders=tuple(f"d{k}" for k in range(max(1, len(r.all_defenders)))),
                stay_types=(s.type,), earliest_start=s.start, latest_start=s.start, country="",
                languages=_spoken(r), urgency=0, needs={d: 3 for d in matching.DIMENSIONS},
                companions=r.companions or 0)
        sid = f"p{s.id}"
        at.update({(sid, j + 1): x for j, x in enumerate(mine)})
        spec_stays.append(SpecStay(id=sid, house=code[s.house_id], start=s.start, type=s.type,
                                   requests=tuple(f"r{r.id}" for r in s.requests),
                                   sessions=tuple(SpecSession(x.dimension, x.day, "t") for x in mine)))
    instance = Instance(horizon_start=first, horizon_days=(last - first).days + 1, houses=spec_houses,
                        therapists=(therapist,), requests=tuple(requests.values()), max_sessions_per_stay_day=10**6)
    found = []
    for v in matching.validate(instance, Solution(stays=spec_stays)):
        name = THERAPIST_CODES.get(v.code)
        if name is None:
            continue
        if v.code == "therapist_day_limit":
            day = dt.date.fromisoformat(v.params["day"])
            found += [(name, x) for x in sessions if x.day == day]
        elif (v.params.get("stay"), v.params.get("session")) in at:
            found.append((name, at[v.params["stay"], v.params["session"]]))
    return found
