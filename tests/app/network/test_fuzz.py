"""Fuzzed network forms: never a 500, and an invalid post changes nothing."""
from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Availability, House, Therapist

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(st.none(), st.text(max_size=12), st.integers(-3, 20).map(str), st.sampled_from(
    ["", "healer", "emotional", "es", "zap", "2027-03-01", "2028-13-01", "<script>", "' OR 1=1 --", "1"]))


def snapshot():
    db.session.expire_all()
    return sorted((t.id, t.name, t.kind, tuple(t.dimensions), tuple(t.languages), t.max_sessions_per_day, t.active,
                   tuple(h.id for h in t.houses), tuple((a.start, a.end) for a in t.availability))
                  for t in db.session.scalars(select(Therapist)))


def logged_in_team(client, make_user, make_house, login):
    house = db.session.scalar(select(House)) or make_house()
    with client.session_transaction() as session:
        if "_user_id" not in session:
            login(make_user("team", house=house))
    return house


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={f: junk for f in [
    "name", "kind", "dimensions", "techniques", "languages", "houses", "max_sessions_per_day", "contact", "active"]}))
def test_therapist_form(client, make_user, make_house, login, values):
    logged_in_team(client, make_user, make_house, login)
    before = snapshot()
    response = client.post("/network/new", data={k: v for k, v in values.items() if v is not None})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert snapshot() == before
    for t in db.session.scalars(select(Therapist)):
        assert t.name.strip() and t.dimensions and t.languages and t.houses and 1 <= t.max_sessions_per_day <= 8


@FUZZ
@given(start=junk, end=junk)
def test_availability_form(client, make_user, make_house, make_therapist, login, start, end):
    house = logged_in_team(client, make_user, make_house, login)
    therapist = db.session.scalar(select(Therapist)) or make_therapist(houses=[house], available=[])
    before = snapshot()
    data = {k: v for k, v in {"start": start, "end": end}.items() if v is not None}
    response = client.post(f"/network/{therapist.id}/availability", data=data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert snapshot() == before
    for a in db.session.scalars(select(Availability)):
        assert a.start <= a.end


@FUZZ
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(
    lambda t: ("id,name,kind,dimensions,techniques,languages,houses,max_sessions_per_day,active\n" + t).encode())),
       what=st.sampled_from(["therapists", "availability", "nonsense"]))
def test_import(client, make_user, make_house, login, content, what):
    logged_in_team(client, make_user, make_house, login)
    before = snapshot()
    response = client.post("/network/import", data={"what": what, "file": (io.BytesIO(content), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert snapshot() == before
