"""Rule 6 counted in one place: the capacity ledger holds turnover days, names what binds, and agrees with validate."""
from __future__ import annotations

import datetime as dt

from matching.capacity import Capacity, Ledger
from matching.model import Solution
from matching.validate import validate


def test_a_stay_holds_its_turnover_days_too(make_instance, make_house, make_stay):
    house = make_house(turnover_days=2)
    instance = make_instance(houses=[house])
    ledger = Ledger.of(instance, [make_stay("s1")])
    cap = ledger[0]
    held = [d for d in range(instance.horizon_days) if cap.beds[d] < house.beds]
    assert held == list(range(7, 7 + 5 + 2))  # five stay days, two turnover days
    assert cap.stays[13] == house.max_concurrent_stays - 1 and cap.stays[14] == house.max_concurrent_stays


def test_what_binds_first_is_named_with_the_days_it_binds(make_house):
    cap = Capacity.of_house(make_house(beds=4, max_concurrent_stays=2, family_units=1), 0, 30)
    cap.hold(0, 5, 3, family=True)
    assert cap.fits(0, 5, 1, new_stay=True) and not cap.fits(0, 5, 2)
    assert cap.blocked(3, 4, 2) == ("beds", [3, 4])
    assert cap.blocked(3, 4, 1, family=True) == ("family", [3, 4])
    cap.hold(2, 2, 1)
    assert cap.blocked(0, 6, 1) == ("beds", [2, 3])
    assert cap.free_beds(5, 3) == 4 and cap.free_beds(0, 3, family=True) == -1
    assert cap.blocked(0, 6, 0, new_stay=False) == ("", [])


def test_a_member_joining_a_collective_takes_beds_but_no_stay(make_house):
    cap = Capacity.of_house(make_house(beds=4, max_concurrent_stays=1), 0, 10)
    cap.hold(0, 5, 2)
    assert not cap.fits(0, 5, 1)  # no room for another stay
    assert cap.fits(0, 5, 2, new_stay=False)
    cap.hold(0, 5, 2, new_stay=False)
    assert cap.beds[:5] == [0] * 5 and cap.stays[:5] == [0] * 5


def test_the_ledger_and_validate_agree_on_overloads(make_instance, make_house, make_request, make_stay):
    """Three stays where two fit: validate's rule-6 violations are the ledger's overloads, day by day."""
    house = make_house(beds=2, max_concurrent_stays=2, turnover_days=1)
    requests = [make_request(f"r{k}") for k in range(1, 4)]
    stays = [make_stay(f"s{k}", requests=(f"r{k}",), start=dt.date(2027, 1, 11 + k)) for k in range(1, 4)]
    instance = make_instance(houses=[house], requests=requests)
    ledger = Ledger.of(instance, stays, holders=True)
    over = list(ledger[0].overloads())
    assert {name for name, *_ in over} == {"beds", "stays"}
    found = [v for v in validate(instance, Solution(stays=stays)) if v.rule == 6]
    days = {(v.code, d) for v in found
            for d in range(instance.day_index(dt.date.fromisoformat(v.params["first"])),
                           instance.day_index(dt.date.fromisoformat(v.params["last"])) + 1)}
    named = {"beds": "too_many_people", "stays": "too_many_stays", "family": "too_many_family_stays"}
    assert days == {(named[name], d) for name, d, *_ in over}
    assert all(holders == ("s1", "s2", "s3") for name, d, n, limit, holders in over)


def test_validate_counts_days_past_the_horizon(make_instance, make_house, make_request, make_stay):
    """A stay past the horizon breaks rule 5, and its days there still count for rule 6."""
    house = make_house(max_concurrent_stays=1)
    instance = make_instance(houses=[house], requests=[make_request("r1"), make_request("r2")], horizon_days=10)
    late = [make_stay(f"s{k}", requests=(f"r{k}",), start=dt.date(2027, 1, 16)) for k in (1, 2)]
    codes = {v.code for v in validate(instance, Solution(stays=late))}
    assert {"outside_horizon", "too_many_stays"} <= codes
