"""Quick exit ends the session (issue 14, item 1), as the Flask client sees it.

The browser side (the click, Shift three times, Back, a second tab) is in
tests/e2e/test_quick_exit_journey.py.
"""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import User
from tests.app.security.conftest import database_fingerprint
from tests.app.security.routes import build_url


def _cookie(client) -> str:
    return client.get_cookie("respiro_session", domain="respiro.test").value


def _is_login_page(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def test_the_beacon_logs_her_out_on_the_server_and_every_copy_of_her_cookie_is_anonymous(app, client, make_user,
                                                                                         login):
    user = make_user("defender")
    login(user)
    copied = _cookie(client)  # a second tab, or whoever copied the cookie
    token_before = user.session_token
    response = client.post("/leave", data={})
    assert response.status_code == 204
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(User, user.id).session_token != token_before
    assert _is_login_page(client.get("/interviews/"))
    other = app.test_client()
    other.set_cookie("respiro_session", copied, domain="respiro.test")
    assert _is_login_page(other.get("/home"))


def test_a_beacon_without_a_valid_token_changes_nothing_but_still_empties_this_browsers_cookie(app, client,
                                                                                               make_user, login):
    user = make_user("defender")
    login(user)
    before = database_fingerprint()
    response = client.post("/leave", data={"csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400
    assert database_fingerprint() == before
    assert _is_login_page(client.get("/home"))


def test_the_plain_link_without_javascript_ends_the_session_and_leaves_without_writing(app, client, make_user,
                                                                                       login):
    user = make_user("defender")
    login(user)
    before = database_fingerprint()
    response = client.get("/leave")
    assert response.status_code == 303
    assert response.location == app.config["QUICK_EXIT_URL"]
    assert response.headers["Cache-Control"] == "no-store"
    assert database_fingerprint() == before  # a GET never writes
    assert _is_login_page(client.get("/interviews/"))
    assert _is_login_page(client.get("/home"))


def test_a_house_team_member_who_still_owes_her_two_step_code_can_leave(app, client, make_user, login):
    app.config["REQUIRE_TOTP"] = True
    try:
        login(make_user("team"))
        assert client.get("/home").status_code == 302  # owes the code: sent to set up two-step login
        assert client.get("/leave").status_code == 303
        assert client.post("/leave", data={}).status_code == 204
    finally:
        app.config["REQUIRE_TOTP"] = False


QUICK_EXIT = re.compile(r'<a class="quick-exit__button" href="/leave"[^>]*data-exit-url="([^"]+)"')


def test_every_page_a_defender_can_reach_has_the_quick_exit_as_a_plain_link(app, client, make_user, login,
                                                                            make_request):
    user = make_user("defender")
    make_request(user.defender, status="submitted")
    anonymous_pages = {"/login": client.get("/login"), "/no/such/page": client.get("/no/such/page")}
    login(user)
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in ("static", "auth.leave"):
            continue
        response = client.get(build_url(rule), follow_redirects=True)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[rule.rule] = response
    pages["/no/such/page (logged in)"] = client.get("/no/such/page")
    assert {"/home", "/interviews/", "/interviews/my-data"} <= set(pages), sorted(pages)
    for name, response in {**anonymous_pages, **pages}.items():
        match = QUICK_EXIT.search(response.text)
        assert match, f"{name}: no quick exit"
        assert match.group(1) == app.config["QUICK_EXIT_URL"]
    for name, response in pages.items():
        assert "data-logout-url=\"/leave\"" in response.text, f"{name}: the button would not log her out"


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_who_work_at_a_desk_have_no_quick_exit_but_may_still_use_the_route(client, make_user, login, role):
    login(make_user(role))
    assert "quick-exit__button" not in client.get("/home").text
    assert client.get("/leave").status_code == 303
