import datetime as dt

import pytest

from app.extensions import db
from app.models import Stay


@pytest.fixture
def world_offer(app, make_house, make_request, make_defender, make_user):
    """One published stay offered to a woman with an account."""
    from app.offers.service import make_offers

    house = make_house()
    her = make_defender(alias="Ceiba")
    req = make_request(her, status="published")
    stay = Stay(house=house, start=dt.date(2099, 3, 1), end=dt.date(2099, 3, 10), type="individual")
    db.session.add(stay)
    req.stay = stay
    db.session.commit()
    user = make_user("defender", defender=her)
    coordinator = make_user("coordinator")
    with app.test_request_context():
        [offer] = make_offers(coordinator, [stay], None)
    db.session.commit()
    return {"offer": offer, "user": user, "coordinator": coordinator, "stay": stay}
