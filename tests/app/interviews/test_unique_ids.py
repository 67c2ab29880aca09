"""A page with several forms repeats no id (the CSRF token and version fields carry none), so labels and
screen readers find the right field (issue 17, markup)."""
from __future__ import annotations

import re
from collections import Counter


def test_the_team_review_page_has_two_forms_and_no_repeated_id(submitted, client, login, team_user):
    login(team_user)
    page = client.get(f"/interviews/team/requests/{submitted.request().id}").text
    assert page.count("<form") >= 2 and page.count('name="csrf_token"') >= 2
    repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1]
    assert repeated == []
