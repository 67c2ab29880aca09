"""The occupancy picture counts in good Spanish: one bed, one stay; two beds, two stays."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import Closure

D = dt.date


def test_the_occupancy_picture_says_one_and_two_in_good_spanish(client, make_user, login, make_house, make_stay):
    house = make_house(beds=2, turnover_days=0, stay_length={"individual": 3, "collective": 3, "family": 3},
                       arrival_weekdays=list(range(7)))
    login(make_user("team", house=house))
    make_stay(house, D(2027, 3, 3))
    db.session.add(Closure(house=house, start=D(2027, 3, 20), end=D(2027, 3, 22), reason="rest"))
    db.session.commit()
    page = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03").text
    assert "1 cama libre<" in page and "1 camas libres" not in page
    assert "2 camas libres" in page
    assert "1 estancia<" in page and "1 estancias" not in page
    assert "1 estancia y 1 cierre." in page
    make_stay(house, D(2027, 3, 10))
    db.session.add(Closure(house=house, start=D(2027, 3, 25), end=D(2027, 3, 26), reason="rest"))
    db.session.commit()
    page = client.get(f"/houses/{house.id}/occupancy?period=month&start=2027-03").text
    assert "2 estancias y 2 cierres." in page


def test_the_house_page_says_one_day_and_two_days(client, make_user, login, make_house):
    house = make_house(stay_types=["individual", "family"], stay_length={"individual": 1, "family": 2})
    login(make_user("team", house=house))
    page = client.get(f"/houses/{house.id}").text
    assert "(1 día)" in page and "(2 días)" in page
