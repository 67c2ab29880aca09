"""Pseudonyms (issue 7 part 2): pages and logs show her alias; her real identity
only through an explicit reveal by a coordinator or admin, with a reason, which
writes an audit row `defender.reveal` that she sees."""
import logging

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent

from tests.conftest import PASSWORD

REAL = "Juana Secreta Pérez"
CONTACT = "+52 951 000 1234"


@pytest.fixture
def defender(make_defender, make_request):
    defender = make_defender(alias="Ceiba Azul", real_name=REAL, contact=CONTACT)
    make_request(defender, status="pending")
    return defender


def _audits():
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "defender.reveal"))


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_reveal_with_a_reason_shows_the_real_identity_and_writes_an_audit_row(client, make_user, login, defender,
                                                                              role):
    user = make_user(role)
    login(user)
    form = client.get(f"/admin/defenders/{defender.id}/reveal")
    assert form.status_code == 200 and REAL not in form.text and "Ceiba Azul" in form.text
    shown = client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": "Su abogada pidió confirmar"})
    assert shown.status_code == 200 and REAL in shown.text and CONTACT in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.reveal"))
    assert (event.actor_id, event.defender_id, event.target_id) == (user.id, defender.id, defender.id)
    assert event.reason == "Su abogada pidió confirmar" and event.details == {}
    assert event.reason_ct.startswith("d1.")  # encrypted under her key (issue 14)
    assert REAL not in str(event.details)


def test_a_reveal_without_a_real_reason_is_refused_and_not_recorded(client, make_user, login, defender):
    login(make_user("coordinator"))
    for reason in ("", "porque", " " * 20, "x" + " " * 12, "\n  porque  \n"):  # padding is not a reason
        response = client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": reason})
        assert response.status_code == 400 and REAL not in response.text
    assert _audits() == 0


@pytest.mark.parametrize("role", ["defender", "team"])
def test_defenders_and_house_teams_cannot_reveal(client, make_user, login, defender, role):
    login(make_user(role))
    assert client.get(f"/admin/defenders/{defender.id}/reveal").status_code == 404
    assert client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": "x" * 20}).status_code == 404
    assert _audits() == 0


def test_a_deleted_defender_cannot_be_revealed(client, make_user, login, defender):
    from app.models import utcnow

    defender.deleted_at = utcnow()
    db.session.commit()
    login(make_user("coordinator"))
    assert client.get(f"/admin/defenders/{defender.id}/reveal").status_code == 404


def test_she_sees_the_reveal_in_who_opened_her_file(app, client, make_user, login, defender):
    coordinator = make_user("coordinator")
    her = make_user("defender", defender=defender)
    login(coordinator)
    client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": "Su abogada pidió confirmar"})
    client.post("/logout")
    login(her)
    page = client.get("/interviews/my-data")
    log = page.text.split('id="log-h"')[1]
    assert "Coordinadora" in log
    assert "Vio tu nombre real" in log and "Su abogada pidió confirmar" in log


def test_pages_and_logs_show_the_alias_never_the_real_name(app, client, make_user, login, defender, caplog):
    caplog.set_level(logging.DEBUG)
    coordinator = make_user("coordinator")
    team = make_user("team")
    seen = []
    for user in (coordinator, team):  # (her own pages and her own export may show her own name)
        login(user)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.arguments or rule.endpoint in ("static", "admin.reveal", "auth.leave"):  # (leave logs out)
                continue
            response = client.get(rule.rule)
            response.close()
            seen.append(response.status_code)
            assert REAL not in response.text and CONTACT not in response.text, rule.rule
        client.post("/logout")
    assert seen.count(200) >= 10
    assert REAL not in caplog.text and CONTACT not in caplog.text and PASSWORD not in caplog.text
