"""The network rules on their own: whose houses a team member may change, what a change would break."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.network.rules import (
    TherapistData, calendar_weeks, delete_availability, final_houses, network_month, save_availability,
    save_therapist,
)
from app.refusals import Refused

D = dt.date
TODAY = D(2027, 1, 1)
team_of = lambda house_id: SimpleNamespace(role="team", house_id=house_id)  # noqa: E731
COORDINATOR = SimpleNamespace(role="coordinator", house_id=None)


def test_a_team_member_changes_only_her_own_house():
    assert final_houses(team_of(1), {1, 2}, {1}) == {1, 2}          # cannot remove house 2
    assert final_houses(team_of(1), {2}, {1, 3}) == {1, 2}          # cannot add house 3, may add her own
    assert final_houses(team_of(1), {1, 2}, set()) == {2}           # may take her own house away
    assert final_houses(COORDINATOR, {1, 2}, {3}) == {3}


def data_of(therapist, **changes) -> TherapistData:
    values = dict(name=therapist.name, kind=therapist.kind, dimensions=list(therapist.dimensions),
                  techniques=therapist.techniques, languages=list(therapist.languages),
                  house_ids={h.id for h in therapist.houses}, max_sessions_per_day=therapist.max_sessions_per_day,
                  active=therapist.active)
    values.update(changes)
    return TherapistData(**values)


@pytest.fixture
def house(make_house):
    return make_house(stay_length={"individual": 3, "collective": 3, "family": 3}, arrival_weekdays=list(range(7)))


@pytest.fixture
def booked(house, make_therapist, make_stay):
    rosa = make_therapist(name="Rosa", houses=[house], dimensions=["emotional", "physical"], languages=["es", "zap"],
                          available=[(D(2027, 3, 1), D(2027, 3, 31))], max_sessions_per_day=3)
    stay = make_stay(house, D(2027, 3, 1), sessions=[(D(2027, 3, 2), "emotional", rosa, 0),
                                                     (D(2027, 3, 2), "emotional", rosa, 1)])
    return rosa, stay


@pytest.mark.parametrize("changes, code", [
    ({"dimensions": ["physical"]}, "dimension_removed"),
    ({"languages": ["zap"]}, "language_removed"),
    ({"max_sessions_per_day": 1}, "too_many_sessions"),
    ({"active": False}, "inactive"),
])
def test_a_change_that_breaks_a_published_session_is_refused(booked, changes, code):
    rosa, stay = booked
    with pytest.raises(Refused) as refused:
        save_therapist(rosa, data_of(rosa, **changes), COORDINATOR, TODAY)
    assert [(p.code, p.stays) for p in refused.value.reasons] == [(code, [stay])]


def test_either_side_of_the_limit(booked):
    rosa, stay = booked
    save_therapist(rosa, data_of(rosa, max_sessions_per_day=2, dimensions=["emotional"], languages=["es"]),
                   COORDINATOR, TODAY)
    assert rosa.max_sessions_per_day == 2 and rosa.dimensions == ["emotional"]


def test_past_sessions_do_not_hold_anything(booked):
    rosa, stay = booked
    save_therapist(rosa, data_of(rosa, active=False), COORDINATOR, D(2027, 3, 3))
    assert rosa.active is False


def test_taking_away_the_house_she_has_sessions_at_is_refused(booked, house, make_house):
    rosa, stay = booked
    other = make_house()
    with pytest.raises(Refused) as refused:
        save_therapist(rosa, data_of(rosa, house_ids={other.id}), COORDINATOR, TODAY)
    assert refused.value.reasons[0].code == "house_removed"


def test_she_keeps_one_house_at_least(make_therapist, house):
    rosa = make_therapist(houses=[house])
    with pytest.raises(Refused) as refused:
        save_therapist(rosa, data_of(rosa, house_ids=set()), team_of(house.id), TODAY)
    assert refused.value.reasons[0].code == "no_house"


def test_availability_ranges_do_not_overlap_and_keep_sessions_covered(booked):
    rosa, stay = booked
    with pytest.raises(Refused) as refused:
        save_availability(rosa, None, D(2027, 3, 30), D(2027, 4, 10), TODAY)
    assert refused.value.reasons[0].code == "overlap"
    db.session.rollback()
    added = save_availability(rosa, None, D(2027, 4, 2), D(2027, 4, 10), TODAY)  # a day apart from March
    [march, april] = rosa.availability
    with pytest.raises(Refused) as refused:
        save_availability(rosa, march, D(2027, 3, 3), D(2027, 3, 31), TODAY)
    assert (refused.value.reasons[0].code, refused.value.reasons[0].stays) == ("not_available", [stay])
    with pytest.raises(Refused):
        delete_availability(rosa, march, TODAY)
    delete_availability(rosa, added, TODAY)
    assert [(a.start, a.end) for a in rosa.availability] == [(D(2027, 3, 1), D(2027, 3, 31))]


def test_availability_refuses_days_gone_by_and_joins_touching_ranges(make_therapist):
    rosa = make_therapist(available=[(D(2029, 1, 1), D(2029, 1, 2))])
    with pytest.raises(Refused) as refused:
        save_availability(rosa, None, D(2026, 12, 1), D(2026, 12, 20), TODAY)
    assert refused.value.reasons[0].code == "range_past"
    with pytest.raises(Refused) as refused:
        save_availability(rosa, None, D(2026, 12, 31), D(2027, 1, 20), TODAY)  # the day before TODAY
    assert refused.value.reasons[0].code == "starts_past"
    first = save_availability(rosa, None, D(2027, 1, 1), D(2027, 1, 20), TODAY)  # from today: allowed
    joined = save_availability(rosa, None, D(2027, 1, 21), D(2027, 2, 5), TODAY)  # touches it
    assert sorted((a.start, a.end) for a in rosa.availability)[0] == (D(2027, 1, 1), D(2027, 2, 5))
    assert joined.start == D(2027, 1, 1) and first not in rosa.availability and len(rosa.availability) == 2
    save_availability(rosa, None, D(2027, 2, 7), D(2027, 2, 9), TODAY)  # a day apart: a range of its own
    assert len(rosa.availability) == 3


def test_a_range_begun_before_today_may_still_be_shortened(make_therapist):
    rosa = make_therapist(available=[(D(2026, 12, 1), D(2027, 3, 31))])
    [row] = rosa.availability
    save_availability(rosa, row, D(2026, 12, 1), D(2027, 1, 15), TODAY)  # she falls ill: ends earlier
    assert (row.start, row.end) == (D(2026, 12, 1), D(2027, 1, 15))


def test_the_last_day_cannot_come_before_the_first(make_therapist):
    with pytest.raises(Refused) as refused:
        save_availability(make_therapist(), None, D(2027, 3, 5), D(2027, 3, 4), TODAY)
    assert refused.value.reasons[0].code == "bad_range"


def test_the_month_grid_and_the_network_month(make_therapist, house):
    weeks = calendar_weeks(D(2027, 3, 15))  # 1 March 2027 is a Monday, 31 March a Wednesday
    assert weeks[0][0] == D(2027, 3, 1) and weeks[-1][2] == D(2027, 3, 31) and weeks[-1][3] is None
    rosa = make_therapist(houses=[house], dimensions=["emotional"], available=[(D(2027, 3, 2), D(2027, 3, 3))])
    lupe = make_therapist(houses=[house], dimensions=["emotional", "physical"], available=[(D(2027, 3, 3), D(2027, 3, 9))])
    grid = network_month([rosa, lupe], D(2027, 3, 1))
    assert grid["rows"][0]["days"][:4] == [False, True, True, False]
    assert grid["per_dimension"]["emotional"][:4] == [0, 1, 2, 1]
    assert grid["per_dimension"]["physical"][:4] == [0, 0, 1, 1]


def test_a_language_only_the_requester_speaks_does_not_keep_a_group_stay(house, make_therapist, make_stay,
                                                                          make_defender):
    # She asked with a companion defender who speaks only Spanish: the stay's language is Spanish (as the
    # planner and the checker count it), so Rosa cannot drop Spanish and keep only Zapotec.
    rosa = make_therapist(houses=[house], languages=["es", "zap"], available=[(D(2027, 3, 1), D(2027, 3, 31))])
    stay = make_stay(house, D(2027, 3, 1), languages=("es", "zap"), sessions=[(D(2027, 3, 2), "emotional", rosa, 0)])
    member = make_defender(languages=["es"])
    request = stay.requests[0]
    request.members.append(member)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        save_therapist(rosa, data_of(rosa, languages=["zap"]), COORDINATOR, TODAY)
    assert [(p.code, p.stays) for p in refused.value.reasons] == [("language_removed", [stay])]
    db.session.rollback()
    save_therapist(rosa, data_of(rosa, languages=["es"]), COORDINATOR, TODAY)
    assert rosa.languages == ["es"]
