"""The queue's filters (urgency, stay type, language) run in the database query, and show the rows they always did."""
from __future__ import annotations

import re

import pytest

# The filters as the queue applied them in Python (the oracle): a request's defender and her collective's members.
BEFORE = {
    "urgency": lambda r, value: str(r.urgency) == value,
    "stay_type": lambda r, value: value in (r.stay_types or []),
    "language": lambda r, value: any(value in (d.languages or []) for d in r.all_defenders if d),
}

CASES = [{"urgency": u} for u in ("3", "2", "1", "0", "9", "x")] + \
        [{"stay_type": t} for t in ("individual", "collective", "family")] + \
        [{"language": code} for code in ("es", "en", "qu", "fr", "e")] + \
        [{"language": "es", "stay_type": "collective"}, {"urgency": "1", "stay_type": "individual", "language": "en"}]


@pytest.fixture
def queue(make_user, make_defender, make_request):
    """Pending requests that differ in urgency, stay types and languages (one spoken only by a member)."""
    speaker = lambda *codes: make_defender(languages=list(codes))
    requests = [
        make_request(speaker("es"), urgency=3, stay_types=["individual"]),
        make_request(speaker("en"), urgency=1, stay_types=["collective", "individual"]),
        make_request(speaker("es"), urgency=0, stay_types=["collective"], members=[speaker("qu")]),
        make_request(speaker("fr", "en"), urgency=2, stay_types=["family"]),
        make_request(speaker("es", "qu"), urgency=1, stay_types=["individual", "family"]),
    ]
    make_request(speaker("es"), status="declined", urgency=3, stay_types=["individual"])  # not in the queue
    return make_user("coordinator"), requests


def _shown(page) -> set[int]:
    return {int(n) for n in re.findall(r"/planning/requests/(\d+)/decline", page.text)}


@pytest.mark.parametrize("chosen", CASES, ids=lambda c: "&".join(f"{k}={v}" for k, v in c.items()))
def test_each_filter_shows_the_rows_it_showed_when_it_ran_in_python(client, login, queue, chosen):
    coordinator, requests = queue
    login(coordinator)
    expected = {r.id for r in requests if all(BEFORE[name](r, value) for name, value in chosen.items())}
    page = client.get("/planning/", query_string=chosen)
    assert page.status_code == 200
    assert _shown(page) == expected
    assert f"de {len(requests)} solicitudes" in page.text  # the total is still the whole queue


def test_the_language_choices_are_every_language_waiting_members_included(client, login, queue):
    login(queue[0])
    page = client.get("/planning/").text
    select = page[page.index('name="language"'):]
    assert re.findall(r'<option[^>]*value="(\w*)"', select[:select.index("</select>")]) == ["", "en", "es", "fr", "qu"]


@pytest.mark.parametrize("name, value, column", [("urgency", "1", "stay_requests.urgency"),
                                                  ("stay_type", "family", "stay_requests.stay_types"),
                                                  ("language", "qu", ".languages")])
def test_each_filter_reaches_the_sql_query(client, login, queue, sql_statements, name, value, column):
    login(queue[0])
    sql_statements.clear()
    assert client.get("/planning/", query_string={name: value}).status_code == 200
    wheres = [re.split(r"\sWHERE\s", s, maxsplit=1)[-1] for s in sql_statements
              if s.startswith("SELECT stay_requests.")]
    assert any(column in where for where in wheres), wheres
