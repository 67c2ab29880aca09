"""An id no row can hold (past a 32-bit column) names nothing: 404, never a database overflow (500).

SQLite raises OverflowError on such a parameter and PostgreSQL "integer out of
range"; both used to escape as a 500 from any `<int:...>` route or `?house=`.
"""
from __future__ import annotations

import pytest

from app.web import MAX_ID, RowIdConverter

HUGE = 10**25


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, RowIdConverter)]
        if ints:
            yield rule, ints


@pytest.mark.parametrize("value", [HUGE, MAX_ID + 1])
def test_every_int_route_answers_404_for_an_id_past_any_row(app, client, make_user, login, value):
    login(make_user("admin"))
    rules = list(_int_rules(app))
    assert len(rules) > 20  # the routes of every blueprint, not a few
    for rule, ints in rules:
        path = rule.rule
        for name in ints:
            path = path.replace(f"<int:{name}>", str(value))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, (rule.rule, method, response.status_code)


def test_the_largest_id_is_still_a_route(app, client, make_user, login):
    login(make_user("admin"))
    assert client.get(f"/houses/{MAX_ID}").status_code == 404  # no such house, answered by the view
    assert client.get(f"/houses/{MAX_ID}/nothing").status_code == 404


@pytest.mark.parametrize("path", ["/network/month", "/network/export/therapists.csv", "/network/export/availability.csv"])
def test_a_house_in_the_query_past_any_row_is_404(client, make_user, make_house, login, path):
    house = make_house()
    login(make_user("coordinator", house=house))
    assert client.get(f"{path}?house={HUGE}").status_code == 404
    assert client.get(f"{path}?house={house.id}").status_code == 200
