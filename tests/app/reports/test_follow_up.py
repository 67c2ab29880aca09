"""After the stay: she (or the house team with her) answers a follow-up; the team sees before and after;
her words are encrypted, read only with her consent, and deleted with her period."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, FollowUp, Stay, local_today
from app.ops import add_months, run_retention

LEVELS = {"physical": "1", "mental": "0", "emotional": "2", "spiritual": "1", "energetic": "0"}


@pytest.fixture
def ended(make_house, make_defender, make_request, make_user):
    """A stay that ended three days ago; her interview said physical 3, emotional 2 (her own levels)."""

    def make(*, consent="levels", days_ago=3, retention=6, counted=True):
        house = make_house(name="Casa Serena")
        defender = make_defender(alias="Ceiba")
        stay_request = make_request(defender, status="published",
                                    needs={"physical": 3, "mental": 1, "emotional": 2, "spiritual": 1, "energetic": 1})
        stay_request.interview.consent_scope = consent
        stay_request.interview.retention_months = retention
        stay_request.interview.count_in_statistics = counted
        end = local_today() - dt.timedelta(days=days_ago)
        stay = Stay(house=house, start=end - dt.timedelta(days=9), end=end, type="individual")
        stay_request.stay = stay
        db.session.add(stay)
        db.session.commit()
        her = make_user("defender", defender=defender)
        team = make_user("team", house=house)
        return stay_request, her, team

    return make


def test_her_home_page_shows_the_open_follow_up_and_she_answers_it(client, login, ended):
    stay_request, her, _team = ended()
    login(her)
    home = client.get("/home?lang=en")
    link = f"/reports/follow-up/{stay_request.id}/end"
    assert "How are you after your stay?" in home.text and link in home.text

    refused = client.post(link, data={**LEVELS, "physical": ""})
    assert refused.status_code == 400 and "Please choose how much care you need now here." in refused.text
    assert db.session.scalar(select(FollowUp)) is None

    words = "Duermo mejor y el cuerpo está más suelto."
    saved = client.post(link, data={**LEVELS, "words": words})
    assert saved.status_code == 302
    follow_up = db.session.scalar(select(FollowUp))
    assert follow_up.levels == {k: int(v) for k, v in LEVELS.items()} and follow_up.kind == "end"
    assert follow_up.words == words and words not in follow_up.words_ct and not follow_up.assisted
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.answer")) is not None

    again = client.post(link, data=LEVELS)
    assert again.status_code == 400 and "already answered" in again.text
    assert db.session.scalar(select(db.func.count()).select_from(FollowUp)) == 1
    assert link not in client.get("/home?lang=en").text  # answered: no longer on her home page


def test_the_later_follow_up_opens_three_months_after_the_stay(client, login, ended):
    stay_request, her, _team = ended()
    login(her)
    refused = client.post(f"/reports/follow-up/{stay_request.id}/later?lang=en", data=LEVELS)
    assert refused.status_code == 400 and "not open now" in refused.text
    assert db.session.scalar(select(FollowUp)) is None


def test_no_follow_up_before_the_stay_has_ended(client, login, ended):
    stay_request, her, _team = ended(days_ago=-5)
    login(her)
    assert f"/reports/follow-up/{stay_request.id}/end" not in client.get("/home?lang=en").text
    assert client.post(f"/reports/follow-up/{stay_request.id}/end", data=LEVELS).status_code == 400


def test_the_team_answers_with_her_only_when_she_agrees_and_sees_before_and_after(client, login, ended):
    stay_request, _her, team = ended(consent="levels")
    login(team)
    listing = client.get("/reports/follow-ups?lang=en")
    assert "Ceiba" in listing.text and f"/reports/follow-up/{stay_request.id}/end" in listing.text

    link = f"/reports/follow-up/{stay_request.id}/end?lang=en"
    refused = client.post(link, data={**LEVELS, "words": "Está más tranquila."})
    assert refused.status_code == 400 and "agrees to answer together" in refused.text
    assert db.session.scalar(select(FollowUp)) is None
    assert client.post(link, data={**LEVELS, "words": "Está más tranquila.", "agreed": "y"}).status_code == 302
    assert db.session.scalar(select(FollowUp)).assisted

    page = client.get(f"/reports/follow-ups/{stay_request.id}?lang=en")
    assert page.status_code == 200
    assert "Very much" in page.text and "↓" in page.text  # physical: very much -> some
    assert "Está más tranquila." not in page.text  # her consent covers her levels, not her words
    assert "did not allow the house team to read her words" in page.text


def test_with_her_narrative_consent_the_team_reads_her_words(app, client, login, ended):
    stay_request, her, team = ended(consent="narrative")
    login(her)
    client.post(f"/reports/follow-up/{stay_request.id}/end", data={**LEVELS, "words": "Volví a cantar."})
    team_browser = app.test_client()
    login(team, target=team_browser)
    assert "Volví a cantar." in team_browser.get(f"/reports/follow-ups/{stay_request.id}").text


def test_another_house_and_other_roles_do_not_reach_her_follow_up(app, login, ended, make_user, make_house):
    stay_request, _her, _team = ended()
    for user in (make_user("team", house=make_house()), make_user("coordinator"), make_user("defender")):
        browser = app.test_client()
        login(user, target=browser)
        assert browser.get(f"/reports/follow-ups/{stay_request.id}").status_code == 404
        assert browser.get(f"/reports/follow-up/{stay_request.id}/end").status_code == 404
        assert browser.post(f"/reports/follow-up/{stay_request.id}/end", data=LEVELS).status_code == 404
    assert db.session.scalar(select(FollowUp)) is None


def test_the_network_sees_only_suppressed_shares(app, client, login, ended, make_user):
    stay_request, her, _team = ended()
    login(her)
    client.post(f"/reports/follow-up/{stay_request.id}/end", data={**LEVELS, "words": "Palabras suyas."})
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    rows = coordinator.get("/reports/after.csv").text.splitlines()
    assert "end,physical,individual,<5,*" in rows  # one person: neither her count nor her change shows
    assert "Palabras suyas." not in coordinator.get("/reports/after").text


def test_retention_deletes_her_words_after_her_period_and_keeps_her_levels(client, login, ended):
    stay_request, her, _team = ended(retention=3)
    login(her)
    client.post(f"/reports/follow-up/{stay_request.id}/end", data={**LEVELS, "words": "Mis palabras."})
    follow_up = db.session.scalar(select(FollowUp))
    answered = follow_up.answered_at.date()
    assert run_retention(today=add_months(answered, 3)).follow_ups_purged == 0
    result = run_retention(today=add_months(answered, 3) + dt.timedelta(days=1))
    db.session.commit()
    assert result.follow_ups_purged == 1
    db.session.refresh(follow_up)
    assert follow_up.words_ct is None and follow_up.words_purged_at is not None
    assert follow_up.levels["physical"] == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.purge")) is not None
    assert run_retention(today=add_months(answered, 4)).follow_ups_purged == 0  # nothing left the second time


def test_her_follow_up_counts_only_with_her_agreement(app, client, login, ended, make_user):
    """Her levels before and after enter the 'after the stay' report only if she agreed to be counted."""
    stay_request, her, _team = ended(counted=False)
    login(her)
    client.post(f"/reports/follow-up/{stay_request.id}/end", data=LEVELS)
    coordinator = app.test_client()
    login(make_user("coordinator"), target=coordinator)
    rows = coordinator.get("/reports/after.csv").text.splitlines()
    assert "end,physical,individual,0,—" in rows and not any(",<5," in row for row in rows)
    assert "Left out because she did not agree: &lt;5." in coordinator.get("/reports/after?lang=en").text


def test_a_refused_answer_is_said_in_her_spanish_and_nothing_is_saved(client, login, ended):
    stay_request, _her, team = ended()
    login(team)
    refused = client.post(f"/reports/follow-up/{stay_request.id}/end", data=LEVELS)
    assert refused.status_code == 400
    assert "Marca que ella está contigo y está de acuerdo en responder juntas." in refused.text
    assert db.session.scalar(select(FollowUp)) is None
