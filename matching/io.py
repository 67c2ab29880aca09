"""Read and write the `respite-stays/1` JSON formats (spec: stay-matching.md).

`load_instance` turns a parsed JSON object into an `Instance`, applying the
spec's defaults and refusing anything malformed with an `InstanceError` that
names the place (`requests[3].earliest_start: not a date: '2027-13-01'`).
`instance_to_dict` writes every field explicitly, so the two round-trip.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from .model import (
    DIMENSIONS,
    INSTANCE_FORMAT,
    SOLUTION_FORMAT,
    STAY_TYPES,
    THERAPIST_KINDS,
    Closure,
    DateRange,
    House,
    Instance,
    Request,
    Session,
    Solution,
    Stay,
    Therapist,
    Unassigned,
    Weights,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEIGHT_KEYS = ("serve", "wait", "type_rank", "away", "session", "switch")


class InstanceError(ValueError):
    """An instance that does not follow the spec; the message names the place."""


class SolutionError(ValueError):
    """A solution file that cannot be read as `respite-stays-solution/1`."""


# --------------------------------------------------------------------------
# Field readers: each takes the raw value and the place it came from.
# --------------------------------------------------------------------------

class _Fields:
    """Typed accessors that raise `error(f"{where}: ...")` on bad values."""

    def __init__(self, error: type[ValueError]):
        self.error = error

    def fail(self, where: str, message: str) -> ValueError:
        return self.error(f"{where}: {message}")

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def list(self, value: Any, where: str, *, default: Iterable = ()) -> list:
        if value is None:
            return list(default)
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, "must be a non-empty string")
        return value

    def optional_text(self, value: Any, where: str, default: str) -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(where, "must be a string")
        return value

    def texts(self, value: Any, where: str, *, nonempty: bool = False) -> tuple[str, ...]:
        items = self.list(value, where)
        if nonempty and not items:
            raise self.fail(where, "must not be empty")
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(items))

    def int(self, value: Any, where: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, self._int_phrase(minimum, maximum))
        if value < minimum or (maximum is not None and value > maximum):
            raise self.fail(where, self._int_phrase(minimum, maximum))
        return value

    @staticmethod
    def _int_phrase(minimum: int, maximum: int | None) -> str:
        if maximum is not None:
            return f"must be an integer from {minimum} to {maximum}"
        if minimum == 0:
            return "must be a non-negative integer"
        if minimum == 1:
            return "must be a positive integer"
        return f"must be an integer >= {minimum}"

    def bool(self, value: Any, where: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(where, "must be true or false")
        return value

    def date(self, value: Any, where: str) -> dt.date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise self.fail(where, f"not a date: {value!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(where, f"not a date: {value!r}") from None

    def range(self, value: Any, where: str) -> tuple[dt.date, dt.date]:
        item = self.obj(value, where)
        start = self.date(item.get("start"), f"{where}.start")
        end = self.date(item.get("end"), f"{where}.end")
        if end < start:
            raise self.fail(where, f"end {end} is before start {start}")
        return start, end

    def unique_ids(self, items: list, where: str) -> list[str]:
        """Check every item is an object with a non-empty, unique `id`."""
        seen: set[str] = set()
        for i, item in enumerate(items):
            ident = self.text(self.obj(item, f"{where}[{i}]").get("id"), f"{where}[{i}].id")
            if ident in seen:
                raise self.fail(f"{where}[{i}].id", f"duplicate id {ident!r}")
            seen.add(ident)
        return list(seen)


_F = _Fields(InstanceError)


# --------------------------------------------------------------------------
# Instance
# --------------------------------------------------------------------------

def load_instance(raw: Any) -> Instance:
    """Build an `Instance` from parsed JSON, applying the spec's defaults.

    Raises `InstanceError` naming the first malformed place.
    """
    raw = _F.obj(raw, "instance")
    if raw.get("format") != INSTANCE_FORMAT:
        raise InstanceError(f"format: is {raw.get('format')!r}, expected {INSTANCE_FORMAT!r}")
    horizon = _F.obj(raw.get("horizon"), "horizon")
    houses = _load_houses(_F.list(raw.get("houses"), "houses"))
    house_ids = {h.id for h in houses}
    therapists = _load_therapists(_F.list(raw.get("therapists"), "therapists"), house_ids)
    requests = _load_requests(_F.list(raw.get("requests"), "requests"))
    instance = Instance(
        horizon_start=_F.date(horizon.get("start"), "horizon.start"),
        horizon_days=_F.int(horizon.get("days"), "horizon.days", minimum=1),
        houses=houses,
        therapists=therapists,
        requests=requests,
        weights=_load_weights(raw.get("weights")),
        max_sessions_per_stay_day=_F.int(
            raw.get("max_sessions_per_stay_day", 2), "max_sessions_per_stay_day", minimum=1),
        name=_F.optional_text(raw.get("name"), "name", ""),
    )
    if raw.get("slots_per_day") is not None:
        instance = dataclasses.replace(instance, slots_per_day=_F.int(
            raw["slots_per_day"], "slots_per_day", minimum=instance.max_sessions_per_stay_day))
    locked = _load_locked(_F.list(raw.get("locked"), "locked"), instance)
    return dataclasses.replace(instance, locked=locked) if locked else instance


def _load_weights(raw: Any) -> Weights:
    """Override the default weights with the keys given; unknown keys are ignored."""
    if raw is None:
        return Weights()
    raw = _F.obj(raw, "weights")
    values: dict[str, Any] = {}
    for key in _WEIGHT_KEYS:
        if key in raw:
            values[key] = _F.int(raw[key], f"weights.{key}", minimum=-(10**12))
    if "urgency_factor" in raw:
        factors = _F.list(raw["urgency_factor"], "weights.urgency_factor")
        if len(factors) != 4:
            raise InstanceError("weights.urgency_factor: needs 4 integers, one per urgency level")
        values["urgency_factor"] = tuple(
            _F.int(v, f"weights.urgency_factor[{i}]", minimum=-(10**12)) for i, v in enumerate(factors))
    return Weights(**values)


def _load_houses(items: list) -> tuple[House, ...]:
    _F.unique_ids(items, "houses")
    return tuple(_load_house(item, f"houses[{i}]") for i, item in enumerate(items))


def _load_house(h: dict, where: str) -> House:
    types = _load_types(h.get("stay_types"), f"{where}.stay_types", nonempty=False)
    lengths = _F.obj(h.get("stay_length", {}), f"{where}.stay_length")
    size = _F.obj(h.get("collective_size", {}), f"{where}.collective_size")
    cmin = _F.int(size.get("min", 3), f"{where}.collective_size.min", minimum=1)
    cmax = _F.int(size.get("max", 8), f"{where}.collective_size.max", minimum=1)
    if cmax < cmin:
        raise InstanceError(f"{where}.collective_size: max {cmax} is below min {cmin}")
    weekdays = _F.list(h.get("arrival_weekdays"), f"{where}.arrival_weekdays", default=range(7))
    return House(
        id=h["id"],
        name=_F.optional_text(h.get("name"), f"{where}.name", h["id"]),
        country=_F.text(h.get("country"), f"{where}.country"),
        beds=_F.int(h.get("beds"), f"{where}.beds"),
        max_concurrent_stays=_F.int(h.get("max_concurrent_stays"), f"{where}.max_concurrent_stays"),
        stay_types=types,
        stay_length={t: _F.int(lengths.get(t), f"{where}.stay_length.{t}", minimum=1) for t in types},
        family_units=_F.int(h.get("family_units", 1), f"{where}.family_units"),
        collective_min=cmin,
        collective_max=cmax,
        accessible=_F.bool(h.get("accessible"), f"{where}.accessible"),
        turnover_days=_F.int(h.get("turnover_days", 0), f"{where}.turnover_days"),
        arrival_weekdays=frozenset(
            _F.int(d, f"{where}.arrival_weekdays[{i}]", maximum=6) for i, d in enumerate(weekdays)),
        closures=tuple(_load_closure(c, f"{where}.closures[{i}]")
                       for i, c in enumerate(_F.list(h.get("closures"), f"{where}.closures"))),
    )


def _load_closure(raw: Any, where: str) -> Closure:
    start, end = _F.range(raw, where)
    return Closure(start, end, _F.optional_text(raw.get("reason"), f"{where}.reason", ""))


def _load_types(value: Any, where: str, *, nonempty: bool) -> tuple[str, ...]:
    types = _F.texts(value, where, nonempty=nonempty)
    for i, t in enumerate(types):
        if t not in STAY_TYPES:
            raise InstanceError(f"{where}[{i}]: unknown stay type {t!r} (known: {', '.join(STAY_TYPES)})")
    if len(set(types)) != len(types):
        raise InstanceError(f"{where}: a stay type is repeated")
    return types


def _load_therapists(items: list, house_ids: set[str]) -> tuple[Therapist, ...]:
    _F.unique_ids(items, "therapists")
    return tuple(_load_therapist(item, f"therapists[{i}]", house_ids) for i, item in enumerate(items))


def _load_therapist(t: dict, where: str, house_ids: set[str]) -> Therapist:
    houses = _F.texts(t.get("houses"), f"{where}.houses")
    for i, hid in enumerate(houses):
        if hid not in house_ids:
            raise InstanceError(f"{where}.houses[{i}]: unknown house {hid!r}")
    dims = _F.texts(t.get("dimensions"), f"{where}.dimensions", nonempty=True)
    for i, d in enumerate(dims):
        if d not in DIMENSIONS:
            raise InstanceError(f"{where}.dimensions[{i}]: unknown dimension {d!r} (known: {', '.join(DIMENSIONS)})")
    kind = _F.optional_text(t.get("kind"), f"{where}.kind", "therapist")
    if kind not in THERAPIST_KINDS:
        raise InstanceError(f"{where}.kind: unknown kind {kind!r} (known: {', '.join(THERAPIST_KINDS)})")
    available = _F.list(t.get("available"), f"{where}.available")
    return Therapist(
        id=t["id"],
        name=_F.optional_text(t.get("name"), f"{where}.name", t["id"]),
        kind=kind,
        houses=houses,
        dimensions=dims,
        languages=_F.texts(t.get("languages"), f"{where}.languages"),
        available=tuple(DateRange(*_F.range(a, f"{where}.available[{i}]")) for i, a in enumerate(available)),
        max_sessions_per_day=_F.int(t.get("max_sessions_per_day"), f"{where}.max_sessions_per_day", minimum=1),
        max_sessions_per_week=None if t.get("max_sessions_per_week") is None else _F.int(
            t["max_sessions_per_week"], f"{where}.max_sessions_per_week", minimum=1),
    )


def _load_requests(items: list) -> tuple[Request, ...]:
    _F.unique_ids(items, "requests")
    owner: dict[str, str] = {}
    requests = []
    for i, item in enumerate(items):
        request = _load_request(item, f"requests[{i}]")
        for j, d in enumerate(request.defenders):
            if d in owner:
                raise InstanceError(
                    f"requests[{i}].defenders[{j}]: defender {d!r} is already in request {owner[d]!r}")
            owner[d] = request.id
        requests.append(request)
    return tuple(requests)


def _load_request(r: dict, where: str) -> Request:
    earliest = _F.date(r.get("earliest_start"), f"{where}.earliest_start")
    latest = _F.date(r.get("latest_start"), f"{where}.latest_start")
    if latest < earliest:
        raise InstanceError(f"{where}.latest_start: {latest} is before earliest_start {earliest}")
    submitted = r.get("submitted")
    return Request(
        id=r["id"],
        defenders=_F.texts(r.get("defenders"), f"{where}.defenders", nonempty=True),
        stay_types=_load_types(r.get("stay_types"), f"{where}.stay_types", nonempty=True),
        earliest_start=earliest,
        latest_start=latest,
        country=_F.text(r.get("country"), f"{where}.country"),
        languages=_F.texts(r.get("languages"), f"{where}.languages", nonempty=True),
        urgency=_F.int(r.get("urgency"), f"{where}.urgency", maximum=3),
        needs=_load_needs(r.get("needs"), f"{where}.needs"),
        companions=_F.int(r.get("companions", 0), f"{where}.companions"),
        barred_countries=_F.texts(r.get("barred_countries"), f"{where}.barred_countries"),
        accessible=_F.bool(r.get("accessible"), f"{where}.accessible"),
        submitted=None if submitted is None else _F.date(submitted, f"{where}.submitted"),
    )


def _load_needs(value: Any, where: str) -> dict[str, int]:
    needs = _F.obj(value if value is not None else {}, where)
    for key in needs:
        if key not in DIMENSIONS:
            raise InstanceError(f"{where}.{key}: unknown dimension (known: {', '.join(DIMENSIONS)})")
    return {d: _F.int(needs.get(d, 0), f"{where}.{d}", maximum=3) for d in DIMENSIONS}


def _load_locked(items: list, instance: Instance) -> tuple[Stay, ...]:
    locked = []
    for i, item in enumerate(items):
        where = f"locked[{i}]"
        stay = _load_stay(item, where, _F, default_id=f"locked{i + 1}")
        _check_locked_refs(stay, where, instance)
        locked.append(stay)
    return tuple(locked)


def _check_locked_refs(stay: Stay, where: str, instance: Instance) -> None:
    """Refuse a locked stay naming an unknown house, type, request or therapist."""
    if stay.house not in instance.house_by_id:
        raise InstanceError(f"{where}.house: unknown house {stay.house!r}")
    if stay.type not in STAY_TYPES:
        raise InstanceError(f"{where}.type: unknown stay type {stay.type!r}")
    if not stay.requests:
        raise InstanceError(f"{where}.requests: must not be empty")
    for j, rid in enumerate(stay.requests):
        if rid not in instance.request_by_id:
            raise InstanceError(f"{where}.requests[{j}]: unknown request {rid!r}")
    for j, s in enumerate(stay.sessions):
        if s.dimension not in DIMENSIONS:
            raise InstanceError(f"{where}.sessions[{j}].dimension: unknown dimension {s.dimension!r}")
        if s.therapist not in instance.therapist_by_id:
            raise InstanceError(f"{where}.sessions[{j}].therapist: unknown therapist {s.therapist!r}")
        if s.slot is not None and not 0 <= s.slot < instance.day_slots:
            raise InstanceError(f"{where}.sessions[{j}].slot: must be an integer from 0 to {instance.day_slots - 1}")


def instance_to_dict(instance: Instance) -> dict:
    """Write an instance as `respite-stays/1` JSON data, every default explicit."""
    w = instance.weights
    data = {
        "format": INSTANCE_FORMAT,
        "name": instance.name,
        "horizon": {"start": instance.horizon_start.isoformat(), "days": instance.horizon_days},
        "max_sessions_per_stay_day": instance.max_sessions_per_stay_day,
        "weights": {**{k: getattr(w, k) for k in _WEIGHT_KEYS}, "urgency_factor": list(w.urgency_factor)},
        "houses": [_house_to_dict(h) for h in instance.houses],
        "therapists": [_therapist_to_dict(t) for t in instance.therapists],
        "requests": [_request_to_dict(r) for r in instance.requests],
        "locked": [stay_to_dict(s) for s in instance.locked],
    }
    if instance.slots_per_day is not None:  # given: written; the default stays implicit
        data["slots_per_day"] = instance.slots_per_day
    return data


def _range_to_dict(r: DateRange) -> dict:
    return {"start": r.start.isoformat(), "end": r.end.isoformat()}


def _house_to_dict(h: House) -> dict:
    return {
        "id": h.id, "name": h.name, "country": h.country, "beds": h.beds,
        "max_concurrent_stays": h.max_concurrent_stays, "family_units": h.family_units,
        "stay_types": list(h.stay_types), "stay_length": dict(h.stay_length),
        "collective_size": {"min": h.collective_min, "max": h.collective_max},
        "accessible": h.accessible, "turnover_days": h.turnover_days,
        "arrival_weekdays": sorted(h.arrival_weekdays),
        "closures": [{**_range_to_dict(c), "reason": c.reason} for c in h.closures],
    }


def _therapist_to_dict(t: Therapist) -> dict:
    data = {
        "id": t.id, "name": t.name, "kind": t.kind, "houses": list(t.houses),
        "dimensions": list(t.dimensions), "languages": list(t.languages),
        "available": [_range_to_dict(a) for a in t.available],
        "max_sessions_per_day": t.max_sessions_per_day,
    }
    if t.max_sessions_per_week is not None:  # network extension, written only when set
        data["max_sessions_per_week"] = t.max_sessions_per_week
    return data


def _request_to_dict(r: Request) -> dict:
    return {
        "id": r.id, "defenders": list(r.defenders), "companions": r.companions,
        "stay_types": list(r.stay_types),
        "earliest_start": r.earliest_start.isoformat(), "latest_start": r.latest_start.isoformat(),
        "country": r.country, "barred_countries": list(r.barred_countries),
        "languages": list(r.languages), "accessible": r.accessible, "urgency": r.urgency,
        "submitted": r.submitted.isoformat() if r.submitted else None,
        "needs": {d: r.needs.get(d, 0) for d in DIMENSIONS},
    }


# --------------------------------------------------------------------------
# Solution
# --------------------------------------------------------------------------

_S = _Fields(SolutionError)


def load_solution(raw: Any, instance: Instance | None = None) -> Solution:
    """Build a `Solution` from parsed `respite-stays-solution/1` JSON.

    Only the shape is checked here (dates parse, lists are lists); whether
    the stays follow the rules is `matching.validate`'s job, so `instance`
    is not needed; it is accepted for callers that hold one. A stay without an
    id is named `#i` after its position, as the checker does.
    """
    raw = _S.obj(raw, "solution")
    if raw.get("format") != SOLUTION_FORMAT:
        raise SolutionError(f"format: is {raw.get('format')!r}, expected {SOLUTION_FORMAT!r}")
    items = _S.list(raw.get("stays"), "stays")
    stays = [_load_stay(s, f"stays[{i}]", _S, default_id=f"#{i}") for i, s in enumerate(items)]
    unassigned = [_load_unassigned(u, f"unassigned[{i}]")
                  for i, u in enumerate(_S.list(raw.get("unassigned"), "unassigned"))]
    return Solution(
        stays=stays,
        unassigned=unassigned,
        objective=_optional_int(raw.get("objective"), "objective"),
        bound=_optional_int(raw.get("bound"), "bound"),
        status=_S.optional_text(raw.get("status"), "status", "UNKNOWN"),
        problems=[str(p) for p in _S.list(raw.get("problems"), "problems")],
        stats=dict(_S.obj(raw.get("stats", {}), "stats")),
    )


def _optional_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    return _S.int(value, where, minimum=-(10**18))


def _load_unassigned(raw: Any, where: str) -> Unassigned:
    item = _S.obj(raw, where)
    return Unassigned(_S.text(item.get("request"), f"{where}.request"),
                      _S.optional_text(item.get("reason"), f"{where}.reason", ""),
                      code=_S.optional_text(item.get("code"), f"{where}.code", ""),
                      params=dict(_S.obj(item.get("params", {}), f"{where}.params")))


def _load_stay(raw: Any, where: str, f: _Fields, *, default_id: str) -> Stay:
    item = f.obj(raw, where)
    sessions = f.list(item.get("sessions"), f"{where}.sessions")
    return Stay(
        id=f.optional_text(item.get("id"), f"{where}.id", default_id) or default_id,
        house=f.text(item.get("house"), f"{where}.house"),
        start=f.date(item.get("start"), f"{where}.start"),
        type=f.text(item.get("type"), f"{where}.type"),
        requests=f.texts(item.get("requests"), f"{where}.requests"),
        sessions=tuple(_load_session(s, f"{where}.sessions[{j}]", f) for j, s in enumerate(sessions)),
    )


def _load_session(raw: Any, where: str, f: _Fields) -> Session:
    item = f.obj(raw, where)
    return Session(
        dimension=f.text(item.get("dimension"), f"{where}.dimension"),
        day=f.date(item.get("day"), f"{where}.day"),
        therapist=f.text(item.get("therapist"), f"{where}.therapist"),
        slot=None if item.get("slot") is None else f.int(item["slot"], f"{where}.slot", minimum=-(10**9)),
    )


def stay_to_dict(stay: Stay) -> dict:
    """Write one stay (of a solution or a lock) as JSON data."""
    return {
        "id": stay.id, "house": stay.house, "start": stay.start.isoformat(), "type": stay.type,
        "requests": list(stay.requests),
        "sessions": [_session_to_dict(s) for s in stay.sessions],
    }


def _session_to_dict(s: Session) -> dict:
    data: dict[str, Any] = {"dimension": s.dimension, "day": s.day.isoformat(), "therapist": s.therapist}
    if s.slot is not None:
        data["slot"] = s.slot
    return data


def _unassigned_to_dict(u: Unassigned) -> dict:
    data: dict[str, Any] = {"request": u.request, "reason": u.reason}
    if u.code:
        data["code"] = u.code
    if u.params:
        data["params"] = dict(u.params)
    return data


def solution_to_dict(solution: Solution) -> dict:
    """Write a solution as `respite-stays-solution/1` JSON data."""
    data: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "status": solution.status,
        "stays": [stay_to_dict(s) for s in solution.stays],
        "unassigned": [_unassigned_to_dict(u) for u in solution.unassigned],
    }
    if solution.objective is not None:
        data["objective"] = solution.objective
    if solution.bound is not None:
        data["bound"] = solution.bound
    if solution.problems:
        data["problems"] = list(solution.problems)
    if solution.dropped_locks:  # an extension of the format: the locked stays the engine could not keep
        data["dropped_locks"] = [{"stay": d.stay, "rule": d.rule, "code": d.code, "reason": d.reason,
                                  "params": json.loads(json.dumps(dict(d.params), default=str))}
                                 for d in solution.dropped_locks]
    if solution.stats:
        data["stats"] = solution.stats
    return data


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

def read_json(path: str | Path, error: type[ValueError] = InstanceError) -> Any:
    """Parse a JSON file, raising `error` with the file name when it cannot."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON: {exc}") from None


def _read(path: str | Path, load: Callable[[Any], Any], error: type[ValueError]) -> Any:
    raw = read_json(path, error)
    try:
        return load(raw)
    except error as exc:
        raise error(f"{path}: {exc}") from None


def read_instance(path: str | Path) -> Instance:
    """Read and load an instance file; errors name the file and the place."""
    return _read(path, load_instance, InstanceError)


def read_solution(path: str | Path, instance: Instance | None = None) -> Solution:
    """Read and load a solution file; errors name the file and the place."""
    return _read(path, lambda raw: load_solution(raw, instance), SolutionError)


def write_json(path: str | Path, data: Any) -> None:
    """Write JSON data to `path` (UTF-8, indented, trailing newline)."""
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
