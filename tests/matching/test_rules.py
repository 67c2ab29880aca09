"""Each hard rule of the spec, in pairs: just allowed, just broken."""
from __future__ import annotations

import dataclasses
import json
import sys

import pytest

from matching.model import Closure, DateRange, Session, Solution
from matching.validate import CODES, Violation, validate

validate_module = sys.modules["matching.validate"]  # `matching.validate` is also the function, on the package


# -- every violation carries a code and plain params ---------------------------

def _checked(original):
    """validate(), asserting each violation has a code of its rule and JSON-serialisable params."""
    def checked(instance, solution, **kw):
        found = original(instance, solution, **kw)
        for v in found:
            assert v.code and CODES.get(v.code) == v.rule, v
            assert isinstance(v.params, dict) and v.params, v
            assert json.loads(json.dumps(v.params)) == v.params, v
        return found
    checked.checks_codes = True
    return checked


@pytest.fixture(autouse=True)
def every_violation_has_a_code_and_json_params(monkeypatch):
    """Wraps validate() for every rule-pair test of this file (the `rules_broken` fixture and direct calls)."""
    checked = _checked(validate_module.validate)
    monkeypatch.setattr(validate_module, "validate", checked)
    monkeypatch.setattr(sys.modules[__name__], "validate", checked)


# -- rule 1: requests, ids -------------------------------------------------

def test_a_request_in_one_stay_is_allowed(make_instance, make_stay, rules_broken):
    assert rules_broken(make_instance(), [make_stay()]) == set()


def test_a_request_in_two_stays_breaks_rule_1(make_instance, make_stay, rules_broken, day):
    stays = [make_stay("s1"), make_stay("s2", start=day(14))]
    assert 1 in rules_broken(make_instance(), stays)


def test_an_empty_stay_or_unknown_request_breaks_rule_1(make_instance, make_stay, rules_broken):
    assert rules_broken(make_instance(), [make_stay(requests=())]) == {1}
    assert 1 in rules_broken(make_instance(), [make_stay(requests=("r1", "ghost"))])
    assert rules_broken(make_instance(), [make_stay(house="nowhere")]) == {1}


# -- rule 2: type ------------------------------------------------------------

def test_a_type_the_house_does_not_offer_breaks_rule_2(make_instance, make_house, make_stay, rules_broken):
    house = make_house(stay_types=("collective", "family"))
    assert rules_broken(make_instance(houses=[house]), [make_stay()]) == {2}


def test_a_type_the_request_did_not_ask_for_breaks_rule_2(make_instance, make_request, make_stay, rules_broken):
    request = make_request(stay_types=("family", "individual"))
    assert rules_broken(make_instance(requests=[request]), [make_stay(type="family")]) == set()
    request = make_request(stay_types=("individual",))
    assert rules_broken(make_instance(requests=[request]), [make_stay(type="family")]) == {2}


def test_an_individual_stay_with_companions_breaks_rule_2(make_instance, make_request, make_stay, rules_broken):
    request = make_request(stay_types=("individual", "family"), companions=1)
    assert rules_broken(make_instance(requests=[request]), [make_stay(type="family")]) == set()
    assert rules_broken(make_instance(requests=[request]), [make_stay(type="individual")]) == {2}


# -- rule 3: group -----------------------------------------------------------

@pytest.fixture
def collective(make_instance, make_request):
    """Requests r1..r5 of one defender each, accepting a collective stay, speaking es."""
    requests = [make_request(f"r{i}", stay_types=("collective",)) for i in range(1, 6)]
    return make_instance(requests=requests)


def test_a_collective_at_its_minimum_size_is_allowed(collective, make_stay, rules_broken):
    assert rules_broken(collective, [make_stay(type="collective", requests=("r1", "r2"))]) == set()


def test_a_collective_below_its_minimum_breaks_rule_3(collective, make_stay, rules_broken):
    assert rules_broken(collective, [make_stay(type="collective", requests=("r1",))]) == {3}


def test_a_collective_above_its_maximum_breaks_rule_3(collective, make_house, make_stay, rules_broken):
    instance = dataclasses.replace(collective, houses=(make_house(beds=9),))
    assert rules_broken(instance, [make_stay(type="collective", requests=("r1", "r2", "r3", "r4"))]) == set()
    assert rules_broken(instance, [make_stay(type="collective", requests=("r1", "r2", "r3", "r4", "r5"))]) == {3}


def test_a_collective_without_a_shared_language_breaks_rule_3(make_instance, make_request, make_stay, rules_broken):
    requests = [make_request("r1", stay_types=("collective",), languages=("es", "mam")),
                make_request("r2", stay_types=("collective",), languages=("mam",)),
                make_request("r3", stay_types=("collective",), languages=("es",))]
    instance = make_instance(requests=requests)
    assert rules_broken(instance, [make_stay(type="collective", requests=("r1", "r2"))]) == set()
    assert rules_broken(instance, [make_stay(type="collective", requests=("r2", "r3"))]) == {3}


def test_an_individual_stay_with_two_requests_breaks_rule_3(make_instance, make_request, make_stay, rules_broken):
    instance = make_instance(requests=[make_request("r1"), make_request("r2")])
    assert rules_broken(instance, [make_stay(requests=("r1", "r2"))]) == {3}


# -- rule 4: window, entry, access ----------------------------------------

@pytest.mark.parametrize("start, broken", [(6, {4}), (7, set()), (16, set()), (17, {4})])
def test_a_stay_starts_inside_the_request_window(make_instance, make_stay, rules_broken, start, broken, day):
    assert rules_broken(make_instance(), [make_stay(start=day(start))]) == broken


def test_a_barred_country_breaks_rule_4(make_instance, make_request, make_stay, rules_broken):
    assert rules_broken(make_instance(requests=[make_request(barred_countries=("HN",))]), [make_stay()]) == set()
    assert rules_broken(make_instance(requests=[make_request(barred_countries=("MX",))]), [make_stay()]) == {4}


def test_a_request_needing_access_breaks_rule_4_in_a_house_without(make_instance, make_house, make_request,
                                                                   make_stay, rules_broken):
    request = make_request(accessible=True)
    assert rules_broken(make_instance(houses=[make_house(accessible=True)], requests=[request]), [make_stay()]) == set()
    assert rules_broken(make_instance(houses=[make_house(accessible=False)], requests=[request]), [make_stay()]) == {4}


# -- rule 5: calendar --------------------------------------------------------

def test_a_closure_ending_the_day_before_the_stay_is_allowed(make_instance, make_house, make_stay, rules_broken, day):
    house = make_house(closures=(Closure(day(0), day(6), "water"),))
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(7))]) == set()


def test_a_closure_on_the_first_stay_day_breaks_rule_5(make_instance, make_house, make_stay, rules_broken, day):
    house = make_house(closures=(Closure(day(0), day(7), "water"),))
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(7))]) == {5}


def test_a_closure_on_the_last_stay_day_breaks_rule_5(make_instance, make_house, make_stay, rules_broken, day):
    house = make_house(closures=(Closure(day(11), day(20), "rest"),))
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(7))]) == {5}


def test_a_turnover_day_inside_a_closure_is_allowed(make_instance, make_house, make_stay, rules_broken, day):
    house = make_house(turnover_days=2, closures=(Closure(day(12), day(20), "water"),))
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(7))]) == set()


def test_a_stay_must_end_inside_the_horizon(make_instance, make_request, make_stay, rules_broken, day):
    request = make_request(earliest_start=day(50), latest_start=day(59))
    instance = make_instance(requests=[request])
    assert rules_broken(instance, [make_stay(start=day(55))]) == set()  # days 55..59
    assert rules_broken(instance, [make_stay(start=day(56))]) == {5}


def test_an_arrival_on_a_weekday_not_allowed_breaks_rule_5(make_instance, make_house, make_stay, rules_broken, day):
    house = make_house(arrival_weekdays=frozenset({0}))  # Mondays; day(7) is a Monday
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(7))]) == set()
    assert rules_broken(make_instance(houses=[house]), [make_stay(start=day(8))]) == {5}


# -- rule 6: capacity ----------------------------------------------------------

@pytest.fixture
def two_families(make_instance, make_house, make_request):
    """Two families of 1 defender + 1 companion, in a house of 4 beds."""
    requests = [make_request(f"r{i}", stay_types=("family",), companions=1) for i in (1, 2)]
    return lambda **house: make_instance(houses=[make_house(**house)], requests=requests)


def test_beds_exactly_full_are_allowed(two_families, make_stay, rules_broken):
    stays = [make_stay("s1", type="family", requests=("r1",)), make_stay("s2", type="family", requests=("r2",))]
    assert rules_broken(two_families(beds=4, family_units=2), stays) == set()


def test_one_person_over_the_beds_breaks_rule_6(two_families, make_stay, rules_broken):
    stays = [make_stay("s1", type="family", requests=("r1",)), make_stay("s2", type="family", requests=("r2",))]
    assert rules_broken(two_families(beds=3, family_units=2), stays) == {6}


def test_family_units_and_concurrent_stays_break_rule_6(two_families, make_stay, rules_broken):
    stays = [make_stay("s1", type="family", requests=("r1",)), make_stay("s2", type="family", requests=("r2",))]
    assert rules_broken(two_families(family_units=1), stays) == {6}
    assert rules_broken(two_families(family_units=2, max_concurrent_stays=1), stays) == {6}


@pytest.mark.parametrize("second_start, broken", [(13, set()), (12, {6})])
def test_turnover_holds_the_place_after_a_stay(make_instance, make_house, make_request, make_stay,
                                               rules_broken, second_start, broken, day):
    """A 5-day stay from day 7 with 1 turnover day holds days 7..12."""
    house = make_house(max_concurrent_stays=1, turnover_days=1)
    instance = make_instance(houses=[house], requests=[make_request("r1"), make_request("r2")])
    stays = [make_stay("s1"), make_stay("s2", start=day(second_start), requests=("r2",))]
    assert rules_broken(instance, stays) == broken


def test_a_capacity_violation_names_house_day_and_beds(two_families, make_stay):
    stays = [make_stay("s1", type="family", requests=("r1",)), make_stay("s2", type="family", requests=("r2",))]
    [violation] = validate(two_families(beds=3, family_units=2), Solution(stays=stays))
    assert violation.rule == 6
    assert "Casa Casa has 4 people on 2027-01-11 to 2027-01-14, 3 beds" in violation.message
    assert str(violation).endswith("(rule 6)")


# -- rule 7: sessions ----------------------------------------------------------

@pytest.mark.parametrize("offset, broken", [(0, set()), (4, set()), (5, {7}), (-1, {7})])
def test_a_session_falls_on_a_stay_day(make_instance, make_stay, rules_broken, offset, broken, day):
    stay = make_stay(sessions=[("physical", day(7 + offset), "t1")])
    assert rules_broken(make_instance(), [stay]) == broken


@pytest.mark.parametrize("therapist, broken", [
    (dict(), set()),
    (dict(houses=("elsewhere",)), {7}),
    (dict(dimensions=("emotional",)), {7}),
    (dict(languages=("en",)), {7}),
    (dict(available=((0, 6), (9, 20))), {7}),
])
def test_a_session_needs_a_fitting_therapist(make_instance, make_therapist, make_stay, rules_broken,
                                             therapist, broken, day):
    if "available" in therapist:
        therapist = {"available": tuple(DateRange(day(a), day(b)) for a, b in therapist["available"])}
    instance = make_instance(therapists=[make_therapist(**therapist)])
    stay = make_stay(sessions=[("physical", day(8), "t1")])
    assert rules_broken(instance, [stay]) == broken


def test_a_collective_session_needs_a_language_all_share(make_instance, make_request, make_therapist,
                                                         make_stay, rules_broken, day):
    requests = [make_request("r1", stay_types=("collective",), languages=("es", "mam")),
                make_request("r2", stay_types=("collective",), languages=("mam", "es"))]
    stay = make_stay(type="collective", requests=("r1", "r2"), sessions=[("physical", day(8), "t1")])
    assert rules_broken(make_instance(requests=requests, therapists=[make_therapist(languages=("mam",))]),
                        [stay]) == set()
    assert rules_broken(make_instance(requests=requests, therapists=[make_therapist(languages=("en",))]),
                        [stay]) == {7}


def test_an_unknown_therapist_or_dimension_breaks_rule_7(make_instance, make_stay, rules_broken, day):
    assert rules_broken(make_instance(), [make_stay(sessions=[("physical", day(8), "ghost")])]) == {7}
    assert rules_broken(make_instance(), [make_stay(sessions=[("astral", day(8), "t1")])]) == {7}


# -- rule 8: demand and daily limit -------------------------------------------

def test_sessions_up_to_the_need_are_allowed(make_instance, make_stay, rules_broken, day):
    stay = make_stay(sessions=[("physical", day(7), "t1"), ("physical", day(8), "t1")])
    assert rules_broken(make_instance(), [stay]) == set()


def test_one_session_over_the_need_breaks_rule_8(make_instance, make_stay, rules_broken, day):
    stay = make_stay(sessions=[("emotional", day(7), "t1"), ("emotional", day(8), "t1")])
    assert rules_broken(make_instance(), [stay]) == {8}


def test_a_collective_demand_is_the_highest_need(make_instance, make_request, make_stay, rules_broken, day):
    requests = [make_request("r1", stay_types=("collective",), needs={"emotional": 0}),
                make_request("r2", stay_types=("collective",), needs={"emotional": 2})]
    stay = make_stay(type="collective", requests=("r1", "r2"),
                     sessions=[("emotional", day(7), "t1"), ("emotional", day(8), "t1")])
    assert rules_broken(make_instance(requests=requests), [stay]) == set()


@pytest.mark.parametrize("per_stay_day, broken", [(2, set()), (1, {8})])
def test_sessions_per_stay_day_are_limited(make_instance, make_stay, rules_broken, per_stay_day, broken, day):
    stay = make_stay(sessions=[("physical", day(7), "t1"), ("emotional", day(7), "t1")])
    assert rules_broken(make_instance(max_sessions_per_stay_day=per_stay_day), [stay]) == broken


# -- rule 9: therapist per day -----------------------------------------------

@pytest.fixture
def two_stays(make_instance, make_house, make_request, make_stay, day):
    """Stays s1 (r1) and s2 (r2), both from day 7, each with a physical session on day 8 by t1."""
    def make(house2: str = "casa", max_sessions: int = 2, make_therapist=None):
        houses = [make_house("casa")] + ([make_house(house2)] if house2 != "casa" else [])
        instance = make_instance(houses=houses, requests=[make_request("r1"), make_request("r2")],
                                 therapists=[make_therapist(houses=("casa", "otra"), max_sessions_per_day=max_sessions)])
        stays = [make_stay("s1", sessions=[("physical", day(8), "t1")]),
                 make_stay("s2", house=house2, requests=("r2",), sessions=[("physical", day(8), "t1")])]
        return instance, stays
    return make


@pytest.mark.parametrize("limit, broken", [(2, set()), (1, {9})])
def test_a_therapist_gives_at_most_her_daily_sessions(two_stays, make_therapist, rules_broken, limit, broken):
    instance, stays = two_stays(max_sessions=limit, make_therapist=make_therapist)
    assert rules_broken(instance, stays) == broken


def test_a_therapist_at_two_houses_on_one_day_breaks_rule_9(two_stays, make_therapist, rules_broken):
    instance, stays = two_stays(house2="otra", make_therapist=make_therapist)
    assert rules_broken(instance, stays) == {9}


# -- rule 10: locks ------------------------------------------------------------

def test_a_locked_stay_kept_under_another_id_is_allowed(make_instance, make_stay, rules_broken, day):
    lock = make_stay("L1", sessions=[("physical", day(8), "t1")])
    kept = make_stay("s9", sessions=[("emotional", day(9), "t1"), ("physical", day(8), "t1")])
    assert rules_broken(make_instance(locked=(lock,)), [kept]) == set()


def test_a_moved_locked_stay_breaks_rule_10(make_instance, make_stay, rules_broken, day):
    lock = make_stay("L1")
    assert rules_broken(make_instance(locked=(lock,)), [make_stay(start=day(8))]) == {10}
    assert rules_broken(make_instance(locked=(lock,)), []) == {10}


def test_a_dropped_locked_session_breaks_rule_10(make_instance, make_stay, rules_broken, day):
    lock = make_stay("L1", sessions=[("physical", day(8), "t1")])
    assert rules_broken(make_instance(locked=(lock,)), [make_stay()]) == {10}


def test_violations_are_plain_values(day):
    assert Violation(6, "x") == Violation(6, "x")
    assert Session("physical", day(1), "t1") in {Session("physical", day(1), "t1")}


def test_every_violation_of_the_rule_pairs_has_a_code_and_json_params(rules_broken):
    """The autouse fixture above checks each violation these tests produce; here, that it is in place."""
    assert getattr(validate_module.validate, "checks_codes", False)
    assert getattr(validate, "checks_codes", False)
    assert set(CODES.values()) == set(range(1, 12))


def test_a_code_and_params_do_not_change_the_rule_or_message(two_families, make_stay):
    stays = [make_stay("s1", type="family", requests=("r1",)), make_stay("s2", type="family", requests=("r2",))]
    [violation] = validate(two_families(beds=3, family_units=2), Solution(stays=stays))
    assert (violation.code, violation.params) == ("too_many_people", {
        "stay": "s2", "house": "casa", "count": 4, "limit": 3, "first": "2027-01-11", "last": "2027-01-14",
        "stays": ["s1", "s2"]})
    assert violation == Violation(6, violation.message, "too_many_people")
    assert str(violation) == f"{violation.message} (rule 6)"
