"""Fuzzed house forms: never a 500, and an invalid post changes nothing."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Closure, House

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 300).map(str), st.sampled_from(
    ["", "0", "3", "individual", "family", "2027-03-01", "2027-02-30", "<script>", "' OR 1=1 --",
     "09:30, 16:00", "16:00, 09:30", "25:00, 26:00", "9:30 9:30", "07:00,08:00,09:00"]))
FIELDS = ["beds", "max_concurrent_stays", "family_units", "stay_types", "length_individual", "length_collective",
          "length_family", "collective_min", "collective_max", "accessible", "turnover_days", "arrival_weekdays", "slot_times"]


def house_state(house_id):
    db.session.expire_all()
    h = db.session.get(House, house_id)
    return (h.beds, h.max_concurrent_stays, h.family_units, h.stay_types, h.stay_length, h.collective_min,
            h.collective_max, h.accessible, h.turnover_days, h.arrival_weekdays, h.slot_times)


def valid(state) -> bool:
    beds, concurrent, families, types, lengths, cmin, cmax, _acc, turnover, weekdays, times = state
    return (1 <= beds <= 200 and 1 <= concurrent <= 50 and 0 <= families <= 50 and types and cmin <= cmax
            and all(1 <= lengths[t] <= 90 for t in types) and 0 <= turnover <= 14 and weekdays
            and set(weekdays) <= set(range(7)) and 2 <= len(times) <= 8 and times == sorted(set(times)))


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={f: junk for f in FIELDS}))
def test_settings_form(client, make_user, make_house, login, values):
    house = db.session.scalar(select(House)) or make_house()
    with client.session_transaction() as session:
        if "_user_id" not in session:
            login(make_user("team", house=house))
    before = house_state(house.id)
    data = {k: v for k, v in values.items() if v is not None}
    data["version"] = str(db.session.get(House, house.id).version)
    response = client.post(f"/houses/{house.id}/settings", data=data)
    assert response.status_code in (302, 400)
    after = house_state(house.id)
    if response.status_code == 400:
        assert after == before
    assert valid(after)


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={f: junk for f in ["start", "end", "reason", "note", "confirm_replan"]}))
def test_closure_form(client, make_user, make_house, login, values):
    house = db.session.scalar(select(House)) or make_house()
    with client.session_transaction() as session:
        if "_user_id" not in session:
            login(make_user("team", house=house))
    before = db.session.scalar(select(db.func.count()).select_from(Closure))
    response = client.post(f"/houses/{house.id}/closures", data={k: v for k, v in values.items() if v is not None})
    assert response.status_code in (302, 400)
    after = db.session.scalar(select(db.func.count()).select_from(Closure))
    assert after == before + (1 if response.status_code == 302 else 0)
    for closure in db.session.scalars(select(Closure)):
        assert closure.start <= closure.end
