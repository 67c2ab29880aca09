"""The request rules on their own, in pairs either side of each limit."""
from __future__ import annotations

import datetime as dt

import pytest

from app.interviews.rules import STEPS, Refused, check_request, neighbour

TODAY = dt.date(2027, 1, 10)


def check(types, earliest=dt.date(2027, 2, 1), latest=dt.date(2027, 3, 1), companions=0, defenders=1):
    check_request(types, earliest, latest, companions=companions, defenders=defenders, today=TODAY)


def refusal(**kwargs) -> str:
    with pytest.raises(Refused) as caught:
        check(**kwargs)
    return caught.value.code


def test_a_family_stay_takes_companions_but_not_a_second_defender():
    check(["family"], companions=2)
    assert refusal(types=["family"], defenders=2) == "family_second_defender"


def test_an_individual_stay_is_for_her_alone():
    check(["individual"])
    assert refusal(types=["individual"], companions=1) == "individual_does_not_fit"


def test_a_collective_stay_takes_defenders_but_no_companions():
    check(["collective"], defenders=3)
    assert refusal(types=["collective", "family"], companions=1) == "collective_does_not_fit"


def test_the_window_may_be_one_day_but_not_end_before_it_starts():
    check(["individual"], earliest=dt.date(2027, 2, 1), latest=dt.date(2027, 2, 1))
    assert refusal(types=["individual"], earliest=dt.date(2027, 2, 2), latest=dt.date(2027, 2, 1)) == "window_reversed"


def test_the_window_may_start_today_but_not_in_the_past():
    check(["individual"], earliest=TODAY)
    assert refusal(types=["individual"], earliest=TODAY - dt.timedelta(days=1)) == "window_past"


def test_a_type_is_listed_once_and_must_exist():
    assert refusal(types=["individual", "individual"]) == "type_repeated"
    assert refusal(types=["retreat"]) == "type_unknown"


def test_steps_stay_inside_the_interview():
    assert neighbour("physical", -1) == "physical"
    assert neighbour("review", 1) == "review"
    assert neighbour("energetic", 1) == "life"
    assert len(STEPS) == 9
