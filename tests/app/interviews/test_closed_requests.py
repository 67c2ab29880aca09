"""Once she withdraws a request she sent, or a coordinator declines it, the house team no longer needs her answers.

The team's queue still shows it as a line (her alias, the status, the day it
closed) so that nobody calls her about it; its review page is a 404 and the
team's copy of her file leaves it out, with its interview.
"""
from __future__ import annotations

import json
import re

import pytest
from flask_babel import format_date
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.security import access

from .conftest import NARRATIVE, Journey, consider_at

DECLINE_REASON = "No hay lugar este año, lo sentimos."


def review_url(request_id: int) -> str:
    return f"/interviews/team/requests/{request_id}"


def export_url(defender_id: int) -> str:
    return f"/interviews/team/defenders/{defender_id}/export.json"


def closed_rows(page: str) -> list[list[str]]:
    """The cells of each line of the team's "closed requests" table."""
    if 'id="closed-h"' not in page:
        return []
    table = page.split('id="closed-h"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [[re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def waiting_section(page: str) -> str:
    return page.split('id="waiting-h"')[1].split("</section>")[0]


def withdraw(app, login, defender_user, stay_request) -> None:
    her = app.test_client()
    login(defender_user, target=her)
    assert her.post(f"/interviews/requests/{stay_request.id}/withdraw").status_code == 302


def decline(app, login, make_user, stay_request) -> None:
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    response = coordinator.post(f"/planning/requests/{stay_request.id}/decline",
                                data={"reason": DECLINE_REASON, "version": stay_request.version})
    assert response.status_code == 302, response.text


@pytest.fixture(params=["withdrawn", "declined"])
def closed(request, app, login, submitted, defender_user, make_user):
    """Her sent request (levels only), then closed: she withdrew it, or a coordinator declined it."""
    stay_request = submitted.request()
    if request.param == "withdrawn":
        withdraw(app, login, defender_user, stay_request)
    else:
        decline(app, login, make_user, stay_request)
    stay_request = submitted.request()
    assert stay_request.status == request.param
    return stay_request


def test_after_she_withdraws_the_team_queue_shows_only_her_alias_the_status_and_the_day_it_closed(
        app, closed, client, login, team_user):
    login(team_user)
    page = client.get("/interviews/team").text
    with app.test_request_context():
        closed_on = format_date(closed.updated_at, "medium")
    status = {"withdrawn": "Retirada", "declined": "Rechazada"}[closed.status]
    assert closed_rows(page) == [["Ceiba", status, closed_on]]
    assert "Ceiba" not in waiting_section(page)


def test_the_closed_line_has_no_link_to_her_review_page_and_none_of_her_answers(closed, client, login, team_user):
    login(team_user)
    page = client.get("/interviews/team").text
    assert review_url(closed.id) not in page and export_url(closed.defender_id) not in page
    assert "Sin gluten" not in page and NARRATIVE not in page and DECLINE_REASON not in page


def test_the_closed_line_speaks_english_on_request(closed, client, login, team_user):
    login(team_user)
    page = client.get("/interviews/team?lang=en").text
    assert "Closed requests" in page and "Do not contact her about them" in page
    assert closed_rows(page)[0][1] == {"withdrawn": "Withdrawn", "declined": "Declined"}[closed.status]


def test_her_closed_request_review_page_is_a_404_and_nothing_is_recorded_as_read(closed, client, login, team_user):
    login(team_user)
    response = client.get(review_url(closed.id))
    assert response.status_code == 404 and "Ceiba" not in response.text
    assert client.post(review_url(closed.id), data={"version": closed.version}).status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "interview.read")) is None


def test_the_team_file_leaves_out_her_closed_request_and_its_interview_and_says_nothing_is_left(
        closed, client, login, team_user):
    login(team_user)
    response = client.get(export_url(closed.defender_id))
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["requests"] == [] and data["interviews"] == []
    assert data["person"] == {"alias": "Ceiba"}  # not her languages, countries or accessibility any more
    assert data["note"].startswith("Ninguna de sus solicitudes sigue abierta")
    assert "Sin gluten" not in response.text and "zap" not in response.text


def test_a_house_in_a_country_she_cannot_enter_does_not_see_even_the_closed_line(closed, client, login, make_user,
                                                                                make_house):
    login(make_user("team", house=make_house(country="HN", name="Casa La Siguata")))
    page = client.get("/interviews/team").text
    assert "Ceiba" not in page and closed_rows(page) == []


def test_a_still_open_request_of_the_same_defender_is_fully_visible_beside_the_closed_one(
        closed, app, login, defender_user, team_user):
    her = app.test_client()
    login(defender_user, target=her)
    again = Journey(her)
    again.start()
    again.fill_all(consent="narrative")
    assert again.submit().status_code == 302
    open_request = again.request()
    assert open_request.id != closed.id
    consider_at(open_request, team_user.house)  # her house team: her words are for it alone

    team = app.test_client()
    login(team_user, target=team)
    queue = team.get("/interviews/team").text
    assert f'href="{review_url(open_request.id)}"' in waiting_section(queue)
    assert [row[0] for row in closed_rows(queue)] == ["Ceiba"]
    assert review_url(closed.id) not in queue

    review = team.get(review_url(open_request.id))
    assert review.status_code == 200
    assert "Mucho" in review.text and "Sin gluten, por favor" in review.text and NARRATIVE in review.text
    assert team.get(review_url(closed.id)).status_code == 404

    data = json.loads(team.get(export_url(closed.defender_id)).data)
    assert [r["id"] for r in data["requests"]] == [open_request.id]
    assert [i["id"] for i in data["interviews"]] == [open_request.interview_id]
    assert data["person"]["languages"] == ["es", "zap"] and "note" not in data


def test_the_rule_reads_the_status_so_a_request_set_open_again_is_seen_again_and_hidden_once_closed(
        closed, client, login, team_user):
    """No route moves a request out of withdrawn or declined today; if one ever does, the same rule applies."""
    closed_status = closed.status
    login(team_user)
    closed.status = "submitted"
    db.session.commit()
    assert client.get(review_url(closed.id)).status_code == 200
    assert len(json.loads(client.get(export_url(closed.defender_id)).data)["requests"]) == 1
    closed.status = closed_status
    db.session.commit()
    assert client.get(review_url(closed.id)).status_code == 404
    assert json.loads(client.get(export_url(closed.defender_id)).data)["requests"] == []


def test_her_own_pages_and_her_own_file_still_hold_her_closed_request(closed, client, login, defender_user):
    login(defender_user)
    mine = client.get("/interviews/my-data").text.split('id="req-h"')[1].split("</section>")[0]
    assert f'badge--{closed.status}' in mine
    data = json.loads(client.get("/interviews/my-data/export.json").data)
    assert [r["id"] for r in data["requests"]] == [closed.id]
    assert data["requests"][0]["status"] == closed.status
    assert data["interviews"][0]["narrative"] == NARRATIVE and "note" not in data


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_still_see_a_closed_request_in_their_scope(closed, make_user, role):
    user = make_user(role)
    assert db.session.scalar(access.request_scope(user).where(access.StayRequest.id == closed.id)) is not None
    assert db.session.scalar(access.interview_scope(user)
                             .where(access.DiagnosticInterview.id == closed.interview_id)) is not None
