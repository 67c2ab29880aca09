"""Each report's counting, checked against small cases counted by hand (plain functions, no database)."""
from __future__ import annotations

import datetime as dt

from app.reports import counts as c

D = dt.date
MARCH, APRIL = D(2027, 3, 1), D(2027, 4, 1)
TODAY = D(2027, 4, 10)

ALBA = c.HouseFact(id=1, name="Alba", country="MX", beds=4, turnover_days=1, stay_types=("individual", "family"),
                   stay_length={"individual": 10, "family": 7}, accessible=True,
                   closures=((D(2027, 3, 10), D(2027, 3, 12)),))
BRISA = c.HouseFact(id=2, name="Brisa", country="HN", beds=2, turnover_days=0, stay_types=("individual",),
                    stay_length={"individual": 5}, accessible=False)


def request(id, status, countries, *, earliest=None, latest=None, companions=0, urgency=1, types=("individual",),
            confirmed=None, barred=(), accessible=False, stay=None):
    house, start, end, kind = stay or (None, None, None, None)
    return c.RequestFact(id=id, status=status, earliest=earliest, latest=latest, countries=tuple(countries),
                         companions=companions, urgency=urgency, stay_types=tuple(types), confirmed_on=confirmed,
                         barred=tuple(barred), needs_accessible=accessible, stay_house=house, stay_start=start,
                         stay_end=end, stay_type=kind)


def test_demand_against_capacity_by_house_and_month_counted_by_hand():
    stays = [
        c.StayFact(1, 1, D(2027, 3, 1), D(2027, 3, 5), "individual", people=2, beds=2),   # turnover 6 March
        c.StayFact(2, 1, D(2027, 3, 28), D(2027, 4, 3), "family", people=3, beds=3),     # turnover 4 April
        c.StayFact(3, 2, D(2027, 4, 29), D(2027, 5, 3), "individual", people=1, beds=1),  # no turnover at Brisa
    ]
    requests = [
        request(1, "published", ["MX", "MX"], earliest=MARCH, stay=(1, D(2027, 3, 1), D(2027, 3, 5), "individual")),
        request(2, "published", ["MX"], earliest=D(2027, 3, 20), companions=2, types=("family",),
                stay=(1, D(2027, 3, 28), D(2027, 4, 3), "family")),
        # not placed, window closed on 8 April: counts at Brisa (her country), unmet there in April
        request(3, "pending", ["HN"], earliest=D(2027, 4, 5), latest=D(2027, 4, 8)),
        # barred from Honduras: counts at Alba, window still open
        request(4, "pending", ["HN"], earliest=D(2027, 4, 12), latest=D(2027, 5, 1), barred=["HN"]),
        request(5, "submitted", ["MX"], earliest=MARCH, latest=APRIL),  # not confirmed: not demand
        # needs an accessible house: Alba; window closed on 30 March: unmet in March
        request(6, "pending", ["HN"], earliest=D(2027, 3, 15), latest=D(2027, 3, 30), accessible=True),
        request(7, "published", ["NI"], earliest=D(2027, 4, 28), stay=(2, D(2027, 4, 29), D(2027, 5, 3), "individual")),
    ]
    rows = c.demand([BRISA, ALBA], requests, stays, [MARCH, APRIL], TODAY)
    got = {(r.house_id, r.month.month): (r.requests, r.people, r.bed_nights_asked, r.capacity, r.turnover, r.open,
                                         r.used, r.people_staying, r.unmet) for r in rows}
    assert got == {
        # requests 1, 2, 6; people 2+3+1; bed-nights 2x5 + 3x7 + 1x10; 28 open days x 4 beds; turnover 6 March (2)
        (1, 3): (3, 6, 41, 112, 2, 110, 10 + 12, 5, 1),
        # request 4; capacity 30 x 4; turnover 4 April (3 people); stay 2 used 1-3 April
        (1, 4): (1, 1, 10, 120, 3, 117, 9, 3, 0),
        (2, 3): (0, 0, 0, 62, 0, 62, 0, 0, 0),
        # requests 3 and 7 (5 days each at Brisa); stay 3 used 29-30 April
        (2, 4): (2, 2, 10, 60, 0, 60, 2, 1, 1),
    }
    assert [(r.house_id, r.month) for r in rows] == [(1, MARCH), (1, APRIL), (2, MARCH), (2, APRIL)]


def test_home_house_prefers_her_own_country_then_any_that_can_receive_her():
    mexican = request(1, "pending", ["MX"])
    assert c.home_house(mexican, [BRISA, ALBA]) is ALBA
    honduran = request(2, "pending", ["HN"])
    assert c.home_house(honduran, [BRISA, ALBA]) is BRISA
    family = request(3, "pending", ["HN"], types=("family",))  # Brisa has no family stays
    assert c.home_house(family, [BRISA, ALBA]) is ALBA
    nowhere = request(4, "pending", ["HN"], barred=["HN", "MX"])
    assert c.home_house(nowhere, [BRISA, ALBA]) is BRISA  # no house can receive her: her country's


def test_waiting_by_urgency_and_country_with_median_and_nearest_rank_p90():
    def placed(id, urgency, country, confirmed, start):
        return request(id, "published", [country], urgency=urgency, confirmed=confirmed,
                       stay=(1, start, start + dt.timedelta(days=9), "individual"))

    requests = [
        placed(1, 1, "MX", D(2027, 2, 1), D(2027, 3, 1)),    # 28 days
        placed(2, 1, "MX", D(2027, 3, 1), D(2027, 3, 21)),   # 20
        placed(3, 1, "HN", D(2027, 3, 10), D(2027, 4, 19)),  # 40
        placed(4, 3, "GT", D(2027, 3, 1), D(2027, 3, 20)),   # 19: imminent, more than 14 days
        placed(5, 3, "GT", D(2027, 3, 10), D(2027, 3, 20)),  # 10
        placed(6, 2, "MX", D(2027, 3, 1), D(2027, 5, 5)),    # arrives after the period
        request(7, "pending", ["SV"], urgency=3, confirmed=D(2027, 3, 20)),  # 21 days so far
        request(8, "pending", ["SV"], urgency=3, confirmed=D(2027, 4, 1)),   # 9 days so far
        request(9, "published", ["MX"], urgency=0, stay=(1, MARCH, D(2027, 3, 10), "individual")),  # never confirmed
    ]
    result = c.waiting(requests, [MARCH, APRIL], TODAY)
    assert [(g.key, g.count, g.median, g.p90) for g in result.by_urgency] == [
        (0, 0, None, None), (1, 3, 28, 40), (2, 0, None, None), (3, 2, 14.5, 19)]
    assert [(g.key, sorted(g.waits)) for g in result.by_country] == [("GT", [10, 19]), ("HN", [40]),
                                                                     ("MX", [20, 28])]
    assert (result.imminent_arrived_late, result.imminent_still_waiting) == (1, 1)


def test_percentile_is_the_nearest_rank():
    assert c.percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 0.9) == 9
    assert c.percentile([7], 0.9) == 7
    assert c.percentile([], 0.9) is None


def test_load_counts_sessions_per_therapist_week_over_the_weeks_she_was_available_or_worked():
    t1 = c.TherapistFact(1, "Rosa", ((D(2027, 3, 1), D(2027, 3, 31)),))
    t2 = c.TherapistFact(2, "Lila")  # no availability recorded, but she worked one week
    t3 = c.TherapistFact(3, "Sol", ((D(2027, 1, 1), D(2027, 12, 31)),))  # available, never booked
    sessions = [c.SessionFact(1, D(2027, 3, d)) for d in (1, 2, 3, 9)]
    sessions += [c.SessionFact(2, D(2027, 3, 16)), c.SessionFact(2, D(2027, 3, 16))]
    sessions.append(c.SessionFact(1, D(2027, 2, 28)))  # a Sunday: the week of 22 February, outside
    result = c.load([t1, t2, t3], sessions, [MARCH])
    # Mondays of March 2027: 1, 8, 15, 22, 29. Rosa: 3, 1, 0, 0, 0; Lila: 2 (one week); Sol: 0 x 5
    month = result.months[0]
    assert sorted(month.weeks) == [0] * 8 + [1, 2, 3]
    assert (month.median, month.p90, month.max) == (0, 2, 3)
    assert dict(result.buckets) == {(0, 0): 8, (1, 2): 2, (3, 4): 1, (5, 7): 0, (8, 10): 0, (11, None): 0}
    assert [(t.therapist.label, t.sessions, t.weeks, t.busiest_week) for t in result.most_loaded] == [
        ("Rosa", 4, 5, 3), ("Lila", 2, 1, 2)]


def test_served_counts_defenders_not_companions_by_country_type_and_urgency():
    requests = [
        request(1, "published", ["MX", "MX", "HN"], urgency=1, stay=(1, D(2027, 3, 5), D(2027, 3, 14), "collective")),
        request(2, "published", ["GT"], urgency=3, stay=(1, D(2027, 3, 20), D(2027, 3, 29), "individual")),
        request(3, "published", ["HN"], urgency=2, companions=2, stay=(1, D(2026, 3, 2), D(2026, 3, 8), "family")),
        request(4, "pending", ["SV"], urgency=1),
        request(5, "published", ["NI"], urgency=0, stay=(1, D(2027, 4, 2), D(2027, 4, 11), "individual")),
    ]
    assert c.served(requests, [MARCH]) == {"country": {"MX": 2, "HN": 1, "GT": 1},
                                           "stay_type": {"collective": 3, "individual": 1},
                                           "urgency": {1: 3, 3: 1}}
    assert c.served(requests, c.year_before([MARCH])) == {"country": {"HN": 1}, "stay_type": {"family": 1},
                                                          "urgency": {2: 1}}


def test_after_the_stay_counts_who_was_compared_and_whose_level_fell():
    follow_ups = [
        c.FollowUpFact("end", "individual", {"physical": 3, "mental": 2}, {"physical": 1, "mental": 2}),
        c.FollowUpFact("end", "individual", {"physical": 2}, {"physical": 3, "mental": 1}),
        c.FollowUpFact("later", "individual", {"physical": 3}, {"physical": 0}),
        c.FollowUpFact("end", "collective", {"physical": 1}, {"physical": 0}),
    ]
    changes = c.after_stay(follow_ups, ("physical", "mental"), ("individual", "collective"), "end")
    assert {(ch.dimension, ch.stay_type): (ch.compared, ch.fell) for ch in changes} == {
        ("physical", "individual"): (2, 1), ("mental", "individual"): (1, 0),
        ("physical", "collective"): (1, 1), ("mental", "collective"): (0, 0)}


def test_months_and_mondays():
    assert c.months_from(D(2027, 11, 15), 3) == [D(2027, 11, 1), D(2027, 12, 1), D(2028, 1, 1)]
    assert c.year_before([MARCH]) == [D(2026, 3, 1)]
    assert c.mondays([D(2027, 2, 1)]) == [D(2027, 2, 1), D(2027, 2, 8), D(2027, 2, 15), D(2027, 2, 22)]
