"""Reading and writing the JSON formats: defaults, round trips, and errors that name the place."""
from __future__ import annotations

import copy
import json

import pytest

from matching.generate import generate
from matching.io import (
    InstanceError,
    SolutionError,
    instance_to_dict,
    load_instance,
    load_solution,
    read_instance,
    read_solution,
    solution_to_dict,
    write_json,
)
from matching.baseline import baseline

SAMPLES = ("small", "realistic", "regional")


def minimal() -> dict:
    return {
        "format": "respite-stays/1",
        "horizon": {"start": "2027-01-04", "days": 30},
        "houses": [{"id": "h", "country": "MX", "beds": 4, "max_concurrent_stays": 2,
                    "stay_types": ["individual", "collective"],
                    "stay_length": {"individual": 10, "collective": 10}}],
        "therapists": [{"id": "t", "houses": ["h"], "dimensions": ["mental"], "languages": ["es"],
                        "available": [{"start": "2027-01-04", "end": "2027-01-20"}],
                        "max_sessions_per_day": 2}],
        "requests": [{"id": "r0", "defenders": ["d0"], "stay_types": ["individual"],
                      "earliest_start": "2027-01-05", "latest_start": "2027-01-09", "country": "MX",
                      "languages": ["es"], "urgency": 1, "needs": {"mental": 2}},
                     {"id": "r1", "defenders": ["d1"], "stay_types": ["collective"],
                      "earliest_start": "2027-01-05", "latest_start": "2027-01-09", "country": "GT",
                      "languages": ["es"], "urgency": 0}],
    }


def test_defaults_follow_the_spec():
    inst = load_instance(minimal())
    h, r = inst.houses[0], inst.requests[0]
    assert (h.family_units, h.turnover_days, h.collective_min, h.collective_max) == (1, 0, 3, 8)
    assert h.arrival_weekdays == frozenset(range(7)) and h.closures == () and not h.accessible
    assert inst.max_sessions_per_stay_day == 2 and inst.locked == ()
    assert r.companions == 0 and r.barred_countries == () and not r.accessible
    assert r.needs == {"physical": 0, "mental": 2, "emotional": 0, "spiritual": 0, "energetic": 0}


def test_weights_may_be_overridden_one_key_at_a_time():
    raw = minimal() | {"weights": {"wait": 3}}
    w = load_instance(raw).weights
    assert (w.wait, w.serve, w.urgency_factor) == (3, 10000, (1, 2, 4, 8))


def test_an_instance_round_trips():
    inst = load_instance(minimal())
    assert load_instance(json.loads(json.dumps(instance_to_dict(inst)))) == inst


def test_a_generated_instance_with_locks_round_trips():
    inst = generate(requests=40, therapists=10, days=120, seed=1, locked=3)
    assert inst.locked
    assert load_instance(json.loads(json.dumps(instance_to_dict(inst)))) == inst


@pytest.mark.parametrize("name", SAMPLES)
def test_the_samples_round_trip(name, sample_path):
    path = sample_path(name)
    inst = read_instance(path)
    assert load_instance(instance_to_dict(inst)) == inst


def test_a_solution_round_trips_through_a_file(tmp_path):
    inst = generate(requests=30, therapists=8, days=90, seed=2)
    sol = baseline(inst)
    write_json(tmp_path / "s.json", solution_to_dict(sol))
    again = read_solution(tmp_path / "s.json", inst)
    assert again.stays == sol.stays and again.unassigned == sol.unassigned
    assert (again.objective, again.status, again.stats) == (sol.objective, "BASELINE", sol.stats)


def _set(raw: dict, path: str, value) -> dict:
    """Set a value at a dotted path (list indexes as numbers); `...` deletes the key."""
    raw = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = raw
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return raw


MALFORMED = [
    ("format", "respite-stays/2", "format"),
    ("horizon.days", 0, "horizon.days: must be a positive integer"),
    ("horizon.start", "2027-13-01", "horizon.start: not a date: '2027-13-01'"),
    ("requests.1.earliest_start", "2027-13-01", "requests[1].earliest_start: not a date: '2027-13-01'"),
    ("requests.0.latest_start", "2027-01-01", "requests[0].latest_start: 2027-01-01 is before earliest_start"),
    ("houses.0.beds", -1, "houses[0].beds: must be a non-negative integer"),
    ("houses.0.beds", "4", "houses[0].beds: must be a non-negative integer"),
    ("houses.0.max_concurrent_stays", ..., "houses[0].max_concurrent_stays: must be a non-negative integer"),
    ("houses.0.stay_types", ["individual", "retreat"], "houses[0].stay_types[1]: unknown stay type 'retreat'"),
    ("houses.0.stay_length", {"individual": 10}, "houses[0].stay_length.collective: must be a positive integer"),
    ("houses.0.collective_size", {"min": 5, "max": 4}, "houses[0].collective_size: max 4 is below min 5"),
    ("houses.0.arrival_weekdays", [0, 7], "houses[0].arrival_weekdays[1]: must be an integer from 0 to 6"),
    ("houses.0.closures", [{"start": "2027-02-01", "end": "2027-01-01"}], "houses[0].closures[0]: end 2027-01-01 is before start"),
    ("houses.0.id", "", "houses[0].id: must be a non-empty string"),
    ("therapists.0.houses", ["h", "nowhere"], "therapists[0].houses[1]: unknown house 'nowhere'"),
    ("therapists.0.dimensions", [], "therapists[0].dimensions: must not be empty"),
    ("therapists.0.dimensions", ["astral"], "therapists[0].dimensions[0]: unknown dimension 'astral'"),
    ("therapists.0.max_sessions_per_day", 0, "therapists[0].max_sessions_per_day: must be a positive integer"),
    ("therapists.0.available", [{"start": "2027-01-04"}], "therapists[0].available[0].end: not a date: None"),
    ("requests.1.id", "r0", "requests[1].id: duplicate id 'r0'"),
    ("requests.1.defenders", ["d0"], "requests[1].defenders[0]: defender 'd0' is already in request 'r0'"),
    ("requests.0.defenders", [], "requests[0].defenders: must not be empty"),
    ("requests.0.stay_types", [], "requests[0].stay_types: must not be empty"),
    ("requests.0.stay_types", ["individual", "individual"], "requests[0].stay_types: a stay type is repeated"),
    ("requests.0.stay_types", ["spa"], "requests[0].stay_types[0]: unknown stay type 'spa'"),
    ("requests.0.languages", [], "requests[0].languages: must not be empty"),
    ("requests.0.urgency", 4, "requests[0].urgency: must be an integer from 0 to 3"),
    ("requests.0.urgency", True, "requests[0].urgency: must be an integer from 0 to 3"),
    ("requests.0.needs", {"mental": 5}, "requests[0].needs.mental: must be an integer from 0 to 3"),
    ("requests.0.needs", {"astral": 1}, "requests[0].needs.astral: unknown dimension"),
    ("requests.0.companions", -1, "requests[0].companions: must be a non-negative integer"),
    ("max_sessions_per_stay_day", 0, "max_sessions_per_stay_day: must be a positive integer"),
    ("weights", {"urgency_factor": [1, 2]}, "weights.urgency_factor: needs 4 integers"),
    ("weights", {"wait": 1.5}, "weights.wait: must be an integer"),
    ("locked", [{"house": "nowhere", "start": "2027-01-05", "type": "individual", "requests": ["r0"]}],
     "locked[0].house: unknown house 'nowhere'"),
    ("locked", [{"house": "h", "start": "2027-01-05", "type": "individual", "requests": ["ghost"]}],
     "locked[0].requests[0]: unknown request 'ghost'"),
    ("locked", [{"house": "h", "start": "someday", "type": "individual", "requests": ["r0"]}],
     "locked[0].start: not a date: 'someday'"),
    ("houses", {"id": "h"}, "houses: must be a list"),
]


@pytest.mark.parametrize("path, value, message", MALFORMED, ids=[m[2][:40] for m in MALFORMED])
def test_a_malformed_instance_is_refused_naming_the_place(path, value, message):
    with pytest.raises(InstanceError) as caught:
        load_instance(_set(minimal(), path, value))
    assert message in str(caught.value)


@pytest.mark.parametrize("raw", [[], "x", None, 3])
def test_an_instance_that_is_not_an_object_is_refused(raw):
    with pytest.raises(InstanceError, match="instance: must be an object"):
        load_instance(raw)


def test_an_unknown_key_is_ignored():
    raw = minimal() | {"colour": "green"}
    raw["houses"][0]["garden"] = True
    assert load_instance(raw) == load_instance(minimal())


@pytest.mark.parametrize("raw, message", [
    ({"format": "other"}, "format"),
    ({"format": "respite-stays-solution/1", "stays": [{"house": "h", "start": "2027-02-30", "type": "individual",
                                                       "requests": ["r0"]}]}, "stays[0].start: not a date"),
    ({"format": "respite-stays-solution/1", "stays": [{"house": "h", "start": "2027-02-03", "type": "individual",
                                                       "requests": ["r0"], "sessions": [{"dimension": "mental"}]}]},
     "stays[0].sessions[0].day: not a date"),
    ({"format": "respite-stays-solution/1", "objective": "high"}, "objective: must be an integer"),
])
def test_a_malformed_solution_is_refused_naming_the_place(raw, message):
    with pytest.raises(SolutionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_solution(raw)


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(InstanceError, match="no such file"):
        read_instance(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InstanceError, match="bad.json: not valid JSON"):
        read_instance(tmp_path / "bad.json")
    (tmp_path / "odd.json").write_text(json.dumps(_set(minimal(), "houses.0.beds", -2)))
    with pytest.raises(InstanceError, match=r"odd.json: houses\[0\].beds"):
        read_instance(tmp_path / "odd.json")


def test_an_unassigned_reason_keeps_its_translation_code():
    from matching.model import Solution, Unassigned

    sol = Solution(unassigned=[Unassigned("r1", "full", code="house_full", params={"house": "serena"})])
    again = load_solution(json.loads(json.dumps(solution_to_dict(sol))))
    assert again.unassigned == sol.unassigned
