"""The audit an admin can read (issue 14, item 5), and her "who opened my file" told by day."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.security import audit, audit_log

from .conftest import database_fingerprint


def _event(actor, action, at, *, target=None, defender_id=None, **details):
    event = audit.record(actor, action, target=target, defender_id=defender_id, **details)
    event.at = at
    db.session.commit()
    return event


AT = dt.datetime(2027, 2, 10, 15, 0)  # 09:00 in Mexico City


def _rows(text: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>(.*?)</tr>", text, flags=re.S)


def test_an_admin_filters_the_audit_by_person_action_dates_and_house(client, make_user, make_house, make_defender,
                                                                    login):
    serena, siguata = make_house(name="Casa Serena"), make_house(name="Casa Siguata")
    ceiba = make_defender(alias="Ceiba Roja")
    other = make_defender(alias="Jacaranda")
    team_serena = make_user("team", house=serena, email="equipo@serena.org")
    team_siguata = make_user("team", house=siguata, email="equipo@siguata.org")
    her = make_user("defender", defender=ceiba)
    _event(team_serena, "interview.read", AT, target=ceiba, defender_id=ceiba.id)
    _event(team_siguata, "interview.read", AT + dt.timedelta(days=3), target=other, defender_id=other.id)
    _event(her, "export.json", AT + dt.timedelta(days=5), target=ceiba, defender_id=ceiba.id)
    login(make_user("admin"))

    everything = client.get("/admin/audit")
    assert everything.status_code == 200 and len(_rows(everything.text)) == 3
    assert her.email not in everything.text  # a defender by her alias
    by_alias = client.get("/admin/audit", query_string={"person": "ceiba"}).text
    assert len(_rows(by_alias)) == 2 and "Jacaranda" not in by_alias
    by_staff = client.get("/admin/audit", query_string={"person": "siguata.org"}).text
    assert len(_rows(by_staff)) == 1 and "Jacaranda" in by_staff
    by_action = client.get("/admin/audit", query_string={"action": "export.json"}).text
    assert len(_rows(by_action)) == 1
    by_dates = client.get("/admin/audit", query_string={"start": "2027-02-12", "end": "2027-02-14"}).text
    assert len(_rows(by_dates)) == 1 and "equipo@siguata.org" in by_dates
    by_house = client.get("/admin/audit", query_string={"house": serena.id}).text
    assert len(_rows(by_house)) == 1 and "equipo@serena.org" in by_house


def test_the_audit_pages_through_many_events_and_shows_no_content(client, make_user, make_defender, login):
    coordinator = make_user("coordinator")
    defender = make_defender()
    for n in range(audit_log.PAGE_SIZE + 7):
        _event(coordinator, "defender.reveal", AT + dt.timedelta(minutes=n), target=defender,
               defender_id=defender.id, reason="Secreto de la razón")
    login(make_user("admin"))
    first = client.get("/admin/audit")
    assert len(_rows(first.text)) == audit_log.PAGE_SIZE and "Página 1 de 2" in first.text
    second = client.get("/admin/audit", query_string={"page": 2})
    assert len(_rows(second.text)) == 7
    assert "Secreto" not in first.text + second.text  # the reason is content: never shown here
    assert client.get("/admin/audit", query_string={"page": 99}).status_code == 200


def test_bad_filters_are_left_out_with_a_notice_never_a_500(client, make_user, login):
    login(make_user("admin"))
    for query in ({"start": "nope"}, {"house": "x"}, {"page": "-3"}, {"start": "2027-03-01", "end": "2027-01-01"},
                  {"action": "<script>"}, {"_external": "1", "_scheme": "javascript"}, {"person": "%_\\"}):
        response = client.get("/admin/audit", query_string=query)
        assert response.status_code == 200, query


def test_the_csv_export_follows_the_filters_and_is_itself_audited(client, make_user, make_defender, login):
    ceiba = make_defender(alias="=HYPERLINK(1)")
    team = make_user("team")
    _event(team, "interview.read", AT, target=ceiba, defender_id=ceiba.id)
    _event(team, "interview.confirm", AT, target=ceiba, defender_id=ceiba.id)
    admin = make_user("admin")
    login(admin)
    before = database_fingerprint()
    assert client.post("/admin/audit/export.csv", csrf=False).status_code == 400
    assert database_fingerprint() == before
    response = client.post("/admin/audit/export.csv?action=interview.read")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["when_utc", "who", "role", "house", "action", "record", "about"]
    assert len(rows) == 2 and rows[1][4] == "interview.read" and rows[1][6] == "'=HYPERLINK(1)"
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert exported.actor_id == admin.id and exported.details["rows"] == 1
    assert exported.details["filter_action"] == "interview.read"


def test_only_an_admin_reads_the_audit(client, make_user, login):
    for role in ("defender", "team", "coordinator"):
        login(make_user(role))
        assert client.get("/admin/audit").status_code == 404
        assert client.post("/admin/audit/export.csv").status_code == 404
        client.post("/logout")


def test_her_page_groups_a_days_reads_into_one_line_with_role_house_and_reveals_first(client, make_user, make_house,
                                                                                     make_defender, login):
    house = make_house(name="Casa La Serena")
    team = make_user("team", house=house)
    coordinator = make_user("coordinator")
    her = make_user("defender")
    defender_id = her.defender_id
    for n in range(3):
        _event(team, "interview.read", AT + dt.timedelta(hours=n), target=her.defender, defender_id=defender_id)
    _event(team, "interview.read", AT + dt.timedelta(days=1), target=her.defender, defender_id=defender_id)
    _event(coordinator, "defender.reveal", AT, target=her.defender, defender_id=defender_id,
           reason="Para coordinar su traslado seguro")
    _event(team, "defender.export", AT, target=her.defender, defender_id=defender_id)
    login(her)
    page = client.get("/interviews/my-data").text
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    reads = [row for row in _rows(table) if "Leyó tu entrevista" in row]
    assert len(reads) == 2  # three reads on the 10th are one line; the 11th is another
    assert any("(3 veces)" in row for row in reads) and all("Casa La Serena" in row for row in reads)
    prominent = page.split('id="reveals-and-exports"')[1].split("</div>")[0]
    assert "Vio tu nombre real" in prominent and "Para coordinar su traslado seguro" in prominent
    assert "Descargó una copia de tu expediente" in prominent and "Casa La Serena" in prominent
    assert page.index('id="reveals-and-exports"') < page.index("<tbody>")
