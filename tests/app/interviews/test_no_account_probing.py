"""Account probing (issue 14, item 7): the assisted-invite form answers the same whether
or not an email already has an account."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import User

from tests.app.security.conftest import database_fingerprint, without_csrf_tokens
from .test_assisted import _create

LINK = re.compile(r'class="link-box">([^<]+)<')


def _invite(client, interview_id: int, email: str):
    return client.post(f"/interviews/team/interviews/{interview_id}/invite", data={"email": email})


def _interview_id(client, created) -> int:
    client.get(created.headers["Location"])  # its one-time message is shown there
    return int(created.headers["Location"].split("/interviews/")[1].split("/")[0])


def test_the_invite_form_answers_the_same_for_an_address_with_an_account_and_one_without(client, login, team_user,
                                                                                        make_user):
    existing = make_user("coordinator", email="taken@example.org")
    login(team_user)
    interview_id = _interview_id(client, _create(client))
    taken = _invite(client, interview_id, existing.email)
    free = _invite(client, interview_id, "free@example.org")
    assert taken.status_code == free.status_code == 200
    same = lambda r: LINK.sub("LINK", re.sub(r'data-csrf="[^"]*"', "", without_csrf_tokens(r.text))).replace(existing.email, "E").replace(
        "free@example.org", "E")
    assert same(taken) == same(free)
    assert "Ya existe una cuenta" not in taken.text


def test_a_link_for_an_address_that_has_an_account_fails_like_a_spent_link_and_changes_nothing(app, client, login,
                                                                                             team_user, make_user):
    existing = make_user("coordinator", email="taken@example.org")
    login(team_user)
    interview_id = _interview_id(client, _create(client))
    link = LINK.search(_invite(client, interview_id, existing.email).text).group(1)
    her = app.test_client()
    path = link.split("respiro.test")[1]
    before = database_fingerprint()
    answer = her.post(path, data={"password": "una frase larga y tranquila", "confirm": "una frase larga y tranquila"})
    assert answer.status_code == 400
    assert "Este enlace ya no es válido" in answer.text
    assert "Ya existe una cuenta" not in answer.text
    assert database_fingerprint() == before
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email_index == existing.email_index)) == 1
