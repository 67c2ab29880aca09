"""Item 18: CSRF is on in tests too: every state-changing route without a token
answers 400, whoever asks, and nothing changes."""
import pytest

from .conftest import database_fingerprint
from .routes import build_url, state_changing_rules

ROLES = ("anonymous", "defender", "team", "coordinator", "admin")


def test_item_18_csrf_protection_is_on(app):
    assert app.config["WTF_CSRF_ENABLED"] is True


@pytest.mark.parametrize("role", ROLES)
def test_item_18_every_post_route_without_a_token_answers_400(app, client, make_user, login, role):
    if role != "anonymous":
        login(make_user(role))
    rules = state_changing_rules(app)
    assert rules, "no state-changing route found"
    before = database_fingerprint()
    answers = {}
    for rule in rules:
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(build_url(rule), method=method, data={"x": "1"}, csrf=False)
            answers[f"{method} {rule.rule}"] = response.status_code
    wrong = {route: code for route, code in answers.items() if code != 400}
    assert wrong == {}
    assert database_fingerprint() == before
