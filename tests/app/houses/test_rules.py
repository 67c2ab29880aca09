"""The house rules on their own: what a settings change or a closure would break."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from app.extensions import db
from app.houses.rules import (
    ClosureData, HouseSettings, apply_settings, live_stays, save_closure, settings_conflicts,
)
from app.refusals import Refused

D = dt.date
TODAY = D(2027, 1, 1)


@pytest.fixture
def house(make_house):
    return make_house(beds=8, max_concurrent_stays=3, family_units=1, turnover_days=1,
                      stay_length={"individual": 3, "collective": 3, "family": 3},
                      arrival_weekdays=list(range(7)))


@pytest.fixture
def booked(house, make_stay):
    """A: 1 person 1-3 March; B: family of 3 on 3-5 March; C: collective of 4 on 6-8 March.

    With one turnover day, 6 March holds B's turnover (3 people) and C (4): 7 people, 2 stays.
    """
    a = make_stay(house, D(2027, 3, 1))
    b = make_stay(house, D(2027, 3, 3), type="family", companions=2)
    c = make_stay(house, D(2027, 3, 6), type="collective", defenders=4)
    return a, b, c


def codes(conflicts):
    return sorted(c.code for c in conflicts)


def test_the_current_settings_break_nothing(house, booked):
    assert settings_conflicts(live_stays(house, TODAY), HouseSettings.of(house)) == []


def test_beds_count_the_people_on_turnover_days(house, booked):
    a, b, c = booked
    stays = live_stays(house, TODAY)
    assert settings_conflicts(stays, replace(HouseSettings.of(house), beds=7)) == []
    [conflict] = settings_conflicts(stays, replace(HouseSettings.of(house), beds=6))
    assert conflict.code == "beds"
    assert conflict.params == {"day": D(2027, 3, 6), "count": 7, "limit": 6}
    assert conflict.stays == [b, c]


def test_without_turnover_days_fewer_beds_fit(house, booked):
    stays = live_stays(house, TODAY)
    assert settings_conflicts(stays, replace(HouseSettings.of(house), beds=4, turnover_days=0)) == []
    assert codes(settings_conflicts(stays, replace(HouseSettings.of(house), beds=3, turnover_days=0))) == ["beds"]


def test_more_turnover_days_can_break_the_concurrent_limit(house, booked):
    stays = live_stays(house, TODAY)
    assert settings_conflicts(stays, replace(HouseSettings.of(house), max_concurrent_stays=2)) == []
    assert codes(settings_conflicts(stays, replace(HouseSettings.of(house), max_concurrent_stays=1))) == ["concurrent"]
    assert codes(settings_conflicts(stays, replace(HouseSettings.of(house), max_concurrent_stays=2,
                                                   turnover_days=3))) == ["concurrent"]


def test_family_units(house, booked):
    a, b, c = booked
    [conflict] = settings_conflicts(live_stays(house, TODAY), replace(HouseSettings.of(house), family_units=0))
    assert conflict.code == "family_units" and conflict.stays == [b]


def test_removing_a_type_a_published_stay_uses_names_that_stay(house, booked):
    a, b, c = booked
    new = replace(HouseSettings.of(house), stay_types=["individual", "family"],
                  stay_length={"individual": 3, "family": 3})
    [conflict] = settings_conflicts(live_stays(house, TODAY), new)
    assert conflict.code == "type_removed" and conflict.stays == [c]


def test_a_new_length_published_stays_no_longer_fit(house, booked):
    a, b, c = booked
    new = replace(HouseSettings.of(house), stay_length={"individual": 4, "collective": 3, "family": 3})
    [conflict] = settings_conflicts(live_stays(house, TODAY), new)
    assert conflict.code == "length_changed" and conflict.stays == [a]


def test_an_arrival_day_published_stays_start_on(house, booked):
    a, b, c = booked  # a starts on a Monday, b on a Wednesday, c on a Saturday
    new = replace(HouseSettings.of(house), arrival_weekdays=[0, 2])
    [conflict] = settings_conflicts(live_stays(house, TODAY), new)
    assert conflict.code == "arrival_weekday" and conflict.stays == [c]


def test_collective_size_and_accessibility(house, make_stay, booked):
    needing = make_stay(house, D(2027, 5, 3), needs_accessible=True)
    found = settings_conflicts(live_stays(house, TODAY),
                               replace(HouseSettings.of(house), collective_min=5, accessible=False))
    assert codes(found) == ["accessible", "collective_size"]
    assert [c.stays for c in found if c.code == "accessible"] == [[needing]]


def test_stays_already_over_are_not_protected(house, booked):
    after = D(2027, 3, 10)  # every stay and its turnover day is over
    assert live_stays(house, after) == []
    apply_settings(house, replace(HouseSettings.of(house), beds=1, stay_types=["individual"],
                                  stay_length={"individual": 9}), after)
    assert house.beds == 1


def test_a_refused_change_raises_and_changes_nothing(house, booked):
    with pytest.raises(Refused):
        apply_settings(house, replace(HouseSettings.of(house), beds=2), TODAY)
    db.session.rollback()
    assert house.beds == 8


def test_a_closure_over_a_stay_day_needs_confirmation_and_flags_the_stay(house, booked):
    a, b, c = booked
    data = ClosureData(D(2027, 3, 2), D(2027, 3, 2), "water")
    with pytest.raises(Refused) as refused:
        save_closure(house, None, data, confirm_replan=False, today=TODAY)
    assert refused.value.reasons[0].stays == [a]
    db.session.rollback()
    closure, flagged = save_closure(house, None, data, confirm_replan=True, today=TODAY, replan_reason="agua")
    assert flagged == [a] and a.needs_replan and a.replan_reason == "agua" and not b.needs_replan


def test_changing_a_closure_asks_only_about_the_stays_it_newly_covers(house, booked):
    a, b, c = booked
    closure, flagged = save_closure(house, None, ClosureData(D(2027, 3, 2), D(2027, 3, 2), "water"),
                                    confirm_replan=True, today=TODAY, replan_reason="agua 2")
    assert flagged == [a]
    # Same stays, another reason: saved without confirmation, nothing newly flagged, the reason brought up to date.
    closure, flagged = save_closure(house, closure, ClosureData(D(2027, 3, 1), D(2027, 3, 2), "repairs"),
                                    confirm_replan=False, today=TODAY, replan_reason="reparaciones 1-2",
                                    previous_reasons={"agua 2"})
    assert flagged == [] and a.needs_replan and a.replan_reason == "reparaciones 1-2"
    db.session.commit()
    # Wider, over B too: only B is asked about, as a new stay next to those already flagged.
    with pytest.raises(Refused) as refused:
        save_closure(house, closure, ClosureData(D(2027, 3, 1), D(2027, 3, 4), "repairs"), confirm_replan=False,
                     today=TODAY)
    assert [(x.code, x.stays) for x in refused.value.reasons] == [("closure_more", [b])]
    db.session.rollback()
    assert (closure.start, closure.end) == (D(2027, 3, 1), D(2027, 3, 2)) and not b.needs_replan


def test_a_changed_closure_that_moves_off_its_stays_asks_as_a_new_one(house, booked):
    a, b, c = booked
    closure, _ = save_closure(house, None, ClosureData(D(2027, 3, 2), D(2027, 3, 2), "water"),
                              confirm_replan=True, today=TODAY)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        save_closure(house, closure, ClosureData(D(2027, 3, 7), D(2027, 3, 7), "water"), confirm_replan=False,
                     today=TODAY)
    assert [(x.code, x.stays) for x in refused.value.reasons] == [("closure", [c])]
    db.session.rollback()
    closure, flagged = save_closure(house, closure, ClosureData(D(2027, 3, 7), D(2027, 3, 7), "water"),
                                    confirm_replan=True, today=TODAY)
    assert flagged == [c] and a.needs_replan  # A's flag is not lifted: nothing records that this closure set it


def test_a_stay_whose_flag_was_lifted_is_asked_about_again(house, booked):
    a, b, c = booked
    closure, _ = save_closure(house, None, ClosureData(D(2027, 3, 2), D(2027, 3, 2), "water"),
                              confirm_replan=True, today=TODAY)
    db.session.commit()
    a.needs_replan = False  # the coordinator dealt with it, and it is still there
    with pytest.raises(Refused) as refused:
        save_closure(house, closure, ClosureData(D(2027, 3, 2), D(2027, 3, 3), "water"), confirm_replan=False,
                     today=TODAY)
    assert [(x.code, x.stays) for x in refused.value.reasons] == [("closure", [a, b])]


def test_a_closure_may_cover_turnover_days(house, booked):
    # 9 March is only c's turnover day: no stay day of any stay.
    closure, flagged = save_closure(house, None, ClosureData(D(2027, 3, 9), D(2027, 3, 9), "rest"),
                                    confirm_replan=False, today=TODAY)
    assert flagged == []


@pytest.mark.parametrize("data, code", [
    (ClosureData(D(2027, 4, 2), D(2027, 4, 1), "water"), "bad_range"),
    (ClosureData(D(2027, 4, 1), D(2027, 4, 2), "other", "  "), "note_needed"),
    (ClosureData(D(2027, 4, 1), D(2028, 5, 2), "rest"), "too_long"),
])
def test_a_closure_that_makes_no_sense_is_refused(house, data, code):
    with pytest.raises(Refused) as refused:
        save_closure(house, None, data, confirm_replan=True, today=TODAY)
    assert [c.code for c in refused.value.reasons] == [code]


def test_more_turnover_days_count_a_stay_that_they_bring_back_to_today(house, make_stay):
    # a: 1-3 March, its one turnover day the 4th; d arrives on the 5th, today. Two turnover days
    # would hold a's beds on the 5th too: with one stay at a time, d no longer fits.
    a = make_stay(house, D(2027, 3, 1))
    d = make_stay(house, D(2027, 3, 5))
    today = D(2027, 3, 5)
    with pytest.raises(Refused) as refused:
        apply_settings(house, replace(HouseSettings.of(house), turnover_days=2, max_concurrent_stays=1), today)
    assert [(c.code, c.stays) for c in refused.value.reasons] == [("concurrent", [a, d])]
    db.session.rollback()
    apply_settings(house, replace(HouseSettings.of(house), turnover_days=1, max_concurrent_stays=1), today)
    assert house.max_concurrent_stays == 1
