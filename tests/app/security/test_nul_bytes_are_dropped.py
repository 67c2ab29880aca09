"""A NUL byte typed or pasted anywhere is dropped, and the rest is kept.

PostgreSQL refuses NUL in text columns: before, one NUL in a form field or a
CSV cell was a 500 there (the PostgreSQL run of CI runs this file too).
"""
from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Therapist


def _coordinator(make_user, make_house, login):
    house = make_house(code="serena", name="Casa La Serena")
    login(make_user("coordinator", house=house))
    return house


def test_a_nul_in_a_form_field_is_dropped_and_the_rest_saved(client, make_user, make_house, login):
    house = _coordinator(make_user, make_house, login)
    response = client.post("/network/new", data={
        "name": "Ana\x00 María", "kind": "therapist", "houses": [str(house.id)], "max_sessions_per_day": "3",
        "languages": ["es"], "dimensions": ["physical"], "techniques": "masaje\x00, temazcal", "contact": "\x00"})
    assert response.status_code == 302
    db.session.expire_all()
    therapist = db.session.scalar(select(Therapist))
    assert (therapist.name, therapist.techniques) == ("Ana María", "masaje, temazcal")


def test_a_nul_in_the_query_string_is_dropped(client, make_user, make_house, make_therapist, login):
    house = _coordinator(make_user, make_house, login)
    make_therapist(name="Ana María", houses=[house])
    response = client.get("/network/?q=An%00a")
    assert response.status_code == 200
    assert "Ana María" in response.text


def test_a_nul_in_a_csv_cell_is_dropped(client, make_user, make_house, login):
    _coordinator(make_user, make_house, login)
    content = ("id,name,kind,dimensions,techniques,languages,houses,max_sessions_per_day,active\r\n"
               ",Cha\x00bela,healer,spiritual,temazcal\x00,es,serena,3,sí\r\n")
    response = client.post("/network/import", data={"what": "therapists", "file": (io.BytesIO(content.encode()), "red.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert [(t.name, t.techniques) for t in db.session.scalars(select(Therapist))] == [("Chabela", "temazcal")]
