"""The occupancy counts, checked against a case counted by hand."""
from __future__ import annotations

import datetime as dt

from app.houses.occupancy import occupancy_days, period_bounds
from app.houses.rules import StayLoad

D = dt.date


def test_counts_per_day_include_turnover_days_and_a_stay_begun_before_the_period():
    loads = [
        StayLoad(D(2027, 2, 26), D(2027, 2, 28), people=1, family=False),  # held until 1 March
        StayLoad(D(2027, 3, 1), D(2027, 3, 3), people=1, family=False),    # held 1-4
        StayLoad(D(2027, 3, 3), D(2027, 3, 5), people=3, family=True),     # held 3-6
        StayLoad(D(2027, 3, 6), D(2027, 3, 8), people=4, family=False),    # held 6-9
    ]
    days = occupancy_days(loads, [(D(2027, 3, 9), D(2027, 3, 12))], beds=8, turnover_days=1,
                          start=D(2027, 3, 1), end=D(2027, 3, 10))
    by_hand = {  # day: (people, stays, families, free beds, closed)
        1: (2, 2, 0, 6, False), 2: (1, 1, 0, 7, False), 3: (4, 2, 1, 4, False), 4: (4, 2, 1, 4, False),
        5: (3, 1, 1, 5, False), 6: (7, 2, 1, 1, False), 7: (4, 1, 0, 4, False), 8: (4, 1, 0, 4, False),
        9: (4, 1, 0, 0, True), 10: (0, 0, 0, 0, True),  # a closed day has no free bed
    }
    assert {d.day.day: (d.people, d.stays, d.families, d.free_beds, d.closed) for d in days} == by_hand


def test_a_quarter_runs_over_three_whole_months():
    assert period_bounds("quarter", D(2027, 11, 15)) == (D(2027, 11, 1), D(2028, 1, 31))
    assert period_bounds("month", D(2028, 2, 10)) == (D(2028, 2, 1), D(2028, 2, 29))
