"""CSV export and strict import of therapists and availability."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Therapist
from app.network import csvio
from app.refusals import Refused

D = dt.date
HEADER = "id,name,kind,dimensions,techniques,languages,houses,max_sessions_per_day,active\r\n"


@pytest.fixture
def house(make_house):
    return make_house(code="serena", name="Casa La Serena")


@pytest.fixture
def team(make_user, house, login):
    user = make_user("team", house=house)
    login(user)
    return user


def upload(client, what, content, encoding="utf-8"):
    raw = content.encode(encoding) if isinstance(content, str) else content
    return client.post("/network/import", data={"what": what, "file": (io.BytesIO(raw), "red.csv")},
                       content_type="multipart/form-data")


def rows():
    db.session.expire_all()
    return sorted((t.id, t.name, t.kind, tuple(t.dimensions), t.techniques, tuple(t.languages),
                   tuple(sorted(h.code for h in t.houses)), t.max_sessions_per_day, t.active,
                   tuple((a.id, a.start, a.end) for a in t.availability))
                  for t in db.session.scalars(select(Therapist)))


def test_export_then_import_gives_the_same_rows(client, team, house, make_therapist):
    make_therapist(name="Rosa", houses=[house], techniques='masaje, "sobada"; temazcal\nen dos líneas',
                   languages=["es", "zap"], available=[(D(2027, 1, 1), D(2027, 2, 1)), (D(2027, 3, 1), D(2027, 3, 9))])
    make_therapist(name="=Ñuu", kind="activist", houses=[house], active=False)
    before = rows()
    therapists = client.get("/network/export/therapists.csv")
    availability = client.get("/network/export/availability.csv")
    assert therapists.status_code == 200 and therapists.mimetype == "text/csv"
    assert therapists.data.startswith("\ufeff".encode()) and therapists.headers["Cache-Control"] == "no-store"
    assert "'=Ñuu" in therapists.data.decode("utf-8-sig")  # a spreadsheet will not run it as a formula
    assert upload(client, "therapists", therapists.data).status_code == 302
    assert upload(client, "availability", availability.data).status_code == 302
    assert rows() == before


def test_each_export_is_audited_with_ids_only(client, team, house, make_therapist):
    make_therapist(houses=[house])
    client.get("/network/export/therapists.csv")
    client.get("/network/export/availability.csv")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["network.export_therapists", "network.export_availability"]
    assert events[0].actor_id == team.id and events[0].details["rows"] == 1


def test_an_export_needs_a_recent_login(client, team, house):
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - 3600
    response = client.get("/network/export/therapists.csv")
    assert response.status_code == 302 and "/confirm-password" in response.location
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_new_rows_are_added_and_rows_with_an_id_updated(client, team, house, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    content = HEADER + (f"{rosa.id},Rosa María,therapist,emotional,,es,serena,2,yes\r\n"
                        ",Chabela,healer,spiritual;energetic,temazcal,es;zap,serena,3,sí\r\n")
    response = upload(client, "therapists", content)
    assert response.status_code == 302
    assert [(r[1], r[3], r[7]) for r in rows()] == [("Rosa María", ("emotional",), 2),
                                                    ("Chabela", ("spiritual", "energetic"), 3)]


def test_three_bad_rows_are_all_reported_by_line_and_nothing_is_imported(client, team, house, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    before = rows()
    content = HEADER + (
        f"{rosa.id},Rosa María,therapist,emotional,,es,serena,2,yes\r\n"   # line 2: fine
        ",Chabela,shaman,spiritual,,es,serena,3,yes\r\n"                   # line 3: unknown kind
        ",Lupe,healer,spiritual,,es,serena,nine,yes\r\n"                   # line 4: not a number
        ",Marta,healer,spiritual,,klingon,serena,3,yes\r\n")               # line 5: unknown language
    response = upload(client, "therapists", content)
    assert response.status_code == 400
    assert "No se importó nada" in response.text and "3 problemas" in response.text
    for line in ("Línea 3", "Línea 4", "Línea 5"):
        assert line in response.text
    assert "Línea 2" not in response.text
    assert rows() == before


def test_a_team_member_cannot_import_into_another_house(client, team, house, make_house, make_therapist):
    make_house(code="siguata")
    marta = make_therapist(name="Marta", houses=[make_house(code="luna")])
    before = rows()
    content = HEADER + (f"{marta.id},Marta X,therapist,emotional,,es,luna,2,yes\r\n"
                        ",Nueva,therapist,emotional,,es,siguata,2,yes\r\n")
    response = upload(client, "therapists", content)
    assert response.status_code == 400
    assert f"No hay nadie con el id {marta.id}" in response.text and "Solo puedes agregar o quitar tu propia casa" in response.text
    assert rows() == before


def test_availability_import_reports_overlaps_and_foreign_therapists(client, team, house, make_house, make_therapist):
    rosa = make_therapist(houses=[house], available=[(D(2027, 3, 1), D(2027, 3, 9))])
    marta = make_therapist(houses=[make_house()])
    before = rows()
    content = ("id,therapist_id,therapist,start,end\r\n"
               f",{rosa.id},Rosa,2027-03-05,2027-03-20\r\n"
               f",{marta.id},Marta,2027-04-01,2027-04-02\r\n"
               f",{rosa.id},Rosa,2027-05-01,mañana\r\n")
    response = upload(client, "availability", content)
    assert response.status_code == 400
    for line in ("Línea 2", "Línea 3", "Línea 4"):
        assert line in response.text
    assert rows() == before
    ok = "id,therapist_id,therapist,start,end\r\n" + f",{rosa.id},Rosa,2027-05-01,2027-05-09\r\n"
    assert upload(client, "availability", ok).status_code == 302
    assert [(a.start, a.end) for a in db.session.get(Therapist, rosa.id).availability][-1] == (D(2027, 5, 1), D(2027, 5, 9))


@pytest.mark.parametrize("content, message", [
    ("nombre,tipo\r\nRosa,x\r\n", "La primera línea debe nombrar las columnas"),
    ((HEADER + ",Rosa,healer,spiritual,,es,serena,3,yes\r\n").encode("latin-1").replace(b"Rosa", b"Ros\xe1"),
     "no es texto UTF-8"),
    (HEADER, "no tiene filas"),
    (HEADER + ',"Rosa,healer\r\n', "comillas sin cerrar"),
    (HEADER + ",Rosa,healer\r\n", "celdas en vez de 9"),
])
def test_a_malformed_file_is_refused_with_its_reason(client, team, house, content, message):
    response = upload(client, "therapists", content)
    assert response.status_code == 400 and message in response.text
    assert rows() == []


def test_a_file_over_the_limit_is_refused(client, app, team, house):
    app.config["CSV_MAX_BYTES"] = 200
    response = upload(client, "therapists", HEADER + ",Rosa,healer,spiritual,,es,serena,3,yes\r\n" * 10)
    assert response.status_code == 400 and "pesa más de" in response.text
    assert rows() == []


def test_an_import_without_a_file_is_refused(client, team):
    response = client.post("/network/import", data={"what": "therapists"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Elige un archivo" in response.text


def test_every_range_that_overlaps_is_reported_by_its_line(client, team, house, make_therapist):
    rosa = make_therapist(houses=[house], available=[(D(2027, 3, 1), D(2027, 3, 31))])
    before = rows()
    content = ("id,therapist_id,therapist,start,end\r\n"
               f",{rosa.id},Rosa,2027-03-05,2027-03-06\r\n"
               f",{rosa.id},Rosa,2027-03-10,2027-03-12\r\n"
               f",{rosa.id},Rosa,2027-05-01,2027-05-02\r\n")
    response = upload(client, "availability", content)
    assert response.status_code == 400 and "2 problemas" in response.text
    assert "Línea 2" in response.text and "Línea 3" in response.text and "Línea 4" not in response.text
    assert rows() == before


def test_two_bad_rows_are_both_said_in_spanish_by_line_and_nothing_is_written(client, team, house, make_therapist):
    rosa = make_therapist(name="Rosa", houses=[house])
    before = rows()
    content = HEADER + (f"{rosa.id},Rosa María,therapist,emotional,,es,serena,2,yes\r\n"  # line 2: fine
                        "999,Chabela,healer,spiritual,,es,serena,3,yes\r\n"               # line 3: not hers
                        ",Lu\u202epe,healer,spiritual,,es,serena,3,yes\r\n")              # line 4: hidden character
    response = upload(client, "therapists", content)
    assert response.status_code == 400
    summary = re.search(r'class="error-summary".*?</div>', response.text, re.S).group(0)
    assert [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", summary)] == [
        "Línea 3: No hay nadie con el id 999 en tu red.",
        "Línea 4: Este texto tiene caracteres invisibles o que cambian la dirección de la escritura (U+202E). "
        "Escríbelo de nuevo sin ellos."]
    assert rows() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_import_refuses_with_codes_and_leaves_the_words_to_the_view(app, team, house):
    content = HEADER + ("999,Chabela,healer,spiritual,,es,serena,3,yes\r\n"
                        ",Lupe,healer,spiritual,,es,serena,3,maybe\r\n")
    with pytest.raises(Refused) as refused:
        csvio.import_therapists(content.encode(), team, [], D(2027, 1, 1))
    assert refused.value.code == "bad_rows"
    assert [(line, reason.code, reason.params) for line, reason in refused.value.params["rows"]] == [
        (2, "unknown_therapist", {"id": 999}), (3, "active_not_yes_no", {})]
