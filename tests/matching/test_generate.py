"""Generated instances: deterministic, valid and shaped like the samples."""
from __future__ import annotations

from collections import Counter

import pytest

from matching.generate import generate
from matching.io import instance_to_dict, load_instance


def test_the_same_seed_gives_the_same_instance():
    assert generate(seed=3, requests=80) == generate(seed=3, requests=80)
    assert generate(seed=3, requests=80) != generate(seed=4, requests=80)


@pytest.mark.parametrize("kw", [dict(), dict(houses=6, requests=300, therapists=60), dict(houses=1, days=60, requests=20)])
def test_a_generated_instance_is_valid_json_of_the_spec(kw):
    instance = generate(seed=1, **kw)
    assert load_instance(instance_to_dict(instance)) == instance
    assert len(instance.houses) == kw.get("houses", 2) and len(instance.requests) == kw.get("requests", 250)


def test_requests_look_like_the_samples():
    instance = generate(seed=2, requests=600, therapists=80, houses=4)
    requests = instance.requests
    assert {r.country for r in requests} == {"MX", "HN", "GT", "SV", "NI"}
    assert sum("es" in r.languages for r in requests) > 0.9 * len(requests)
    assert Counter(r.urgency for r in requests).keys() == {0, 1, 2, 3}
    assert any(len(r.defenders) > 1 for r in requests)
    assert any(r.companions for r in requests)
    assert any(r.barred_countries for r in requests)
    assert any(r.accessible for r in requests)
    assert all(r.earliest_start <= r.latest_start <= instance.horizon_end for r in requests)
    assert {c.reason for h in instance.houses for c in h.closures} >= {"water", "rest"}


def test_tightness_shrinks_capacity():
    loose, tight = generate(seed=1, tightness=0.5), generate(seed=1, tightness=2.0)
    assert sum(h.beds for h in tight.houses) < sum(h.beds for h in loose.houses)


def test_locks_come_from_a_feasible_plan():
    from matching.baseline import baseline
    from matching.validate import validate

    instance = generate(seed=6, requests=60, therapists=12, days=150, locked=3)
    assert len(instance.locked) == 3
    assert validate(instance, baseline(instance)) == []


def test_nonsense_arguments_are_refused():
    with pytest.raises(ValueError):
        generate(houses=0)
