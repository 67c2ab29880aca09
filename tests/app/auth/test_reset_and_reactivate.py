"""Accounts (issue 14, item 4): one-time reset links from an admin or her house team, and from
the command line; an admin reactivates a deactivated account; both audited."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Invitation, User

from tests.app.security.conftest import database_fingerprint
from tests.conftest import PASSWORD

LINK = re.compile(r'id="reset-link">([^<]+)<')
NEW = "una frase nueva y tranquila"


def _path(link: str) -> str:
    return link.split("respiro.test", 1)[1]


def _is_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def _audit(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_admin_issues_a_one_time_reset_link_shown_once_and_her_sessions_end(app, client, make_user, login):
    person = make_user("team")
    hers = app.test_client()
    login(person, target=hers)
    login(make_user("admin"))
    page = client.post(f"/admin/users/{person.id}/reset-link")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = LINK.search(page.text).group(1)
    assert "data-copy=\"#reset-link\"" in page.text and "Copiar el enlace" in page.text
    assert _is_login(hers.get("/home"))  # every session of hers ended
    assert link not in client.get("/admin/users").text  # shown once
    invitation = db.session.scalar(select(Invitation))
    assert invitation.purpose == "reset" and invitation.token_hash not in link
    assert dt.timedelta(hours=23, minutes=59) < invitation.expires_at - invitation.created_at <= dt.timedelta(hours=24)
    [event] = _audit("user.reset_link")
    assert event.target_id == person.id and event.details == {"by": "admin"}
    # she uses it once
    her = app.test_client()
    assert her.post(_path(link), data={"password": NEW, "confirm": NEW}).status_code == 302
    assert her.get("/home").status_code == 200
    assert app.test_client().post(_path(link), data={"password": NEW, "confirm": NEW}).status_code == 404
    assert app.test_client().post("/login", data={"email": person.email, "password": NEW}).status_code == 302


def test_a_new_reset_link_ends_the_earlier_one(app, client, make_user, login):
    person = make_user("coordinator")
    login(make_user("admin"))
    first = LINK.search(client.post(f"/admin/users/{person.id}/reset-link").text).group(1)
    second = LINK.search(client.post(f"/admin/users/{person.id}/reset-link").text).group(1)
    assert app.test_client().get(_path(first)).status_code == 404
    assert app.test_client().get(_path(second)).status_code == 200


def test_her_house_team_issues_a_reset_link_for_her_and_another_house_cannot(app, client, make_user, login,
                                                                            make_house, make_stay, make_request):
    house = make_house()
    stay = make_stay(house, dt.date(2027, 3, 1))
    defender = make_user("defender", defender=stay.requests[0].defender)
    submitted = make_request(defender.defender, status="submitted")
    login(make_user("team", house=house))
    review = client.get(f"/interviews/team/requests/{submitted.id}").text
    assert f'action="/admin/users/{defender.id}/reset-link"' in review and "Hacer un enlace" in review
    page = client.post(f"/admin/users/{defender.id}/reset-link")
    assert page.status_code == 200 and LINK.search(page.text)
    assert "defender" not in page.text or defender.email not in page.text  # her alias, not her address
    assert _audit("user.reset_link")[0].details == {"by": "team"}

    other = app.test_client()
    login(make_user("team", house=make_house()), target=other)
    before = database_fingerprint()
    assert other.post(f"/admin/users/{defender.id}/reset-link").status_code == 404
    assert database_fingerprint() == before
    coordinator = make_user("coordinator")
    before = database_fingerprint()
    assert client.post(f"/admin/users/{coordinator.id}/reset-link").status_code == 404  # staff: admins only
    assert database_fingerprint() == before


def test_a_deactivated_account_gets_no_reset_link_until_an_admin_reactivates_it(app, client, make_user, login):
    person = make_user("team", is_active_user=False)
    login(make_user("admin"))
    before = database_fingerprint()
    refused = client.post(f"/admin/users/{person.id}/reset-link", follow_redirects=True)
    assert "Reactívala primero" in refused.text
    assert database_fingerprint() == before
    assert app.test_client().post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 401
    page = client.get("/admin/users").text
    assert f'action="/admin/users/{person.id}/reactivate"' in page
    done = client.post(f"/admin/users/{person.id}/reactivate", follow_redirects=True)
    assert "La cuenta está activa de nuevo" in done.text
    [event] = _audit("user.reactivate")
    assert event.target_id == person.id and event.actor_id is not None
    assert app.test_client().post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    before = database_fingerprint()
    client.post(f"/admin/users/{person.id}/reactivate")  # already active: nothing changes
    assert database_fingerprint() == before


def test_the_command_line_issues_a_reset_link_too(app, runner, make_user, login, client):
    person = make_user("coordinator")
    login(person)
    result = runner.invoke(args=["users", "reset-link", person.email])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("http://respiro.test/invitation/")
    assert _is_login(client.get("/home"))
    [event] = _audit("user.reset_link")
    assert event.actor_id is None and event.details == {"by": "cli"}
    her = app.test_client()
    assert her.post(_path(link), data={"password": NEW, "confirm": NEW}).status_code == 302
    unknown = runner.invoke(args=["users", "reset-link", "nadie@example.org"])
    assert unknown.exit_code != 0 and "no such account" in unknown.output
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_the_command_line_reactivates(runner, make_user):
    person = make_user("team", is_active_user=False)
    result = runner.invoke(args=["users", "reactivate", person.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, person.id).is_active
    assert len(_audit("user.reactivate")) == 1
