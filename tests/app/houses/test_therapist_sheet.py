"""A therapist's session sheet (issue 14, item 6), read from the reader's side: her words for THAT session's
dimension appear only when she chose to share them with her therapists and the reader may read them."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, local_today

WORDS = {"emotional": {"how": "Duermo poco desde la última amenaza", "work_on": "Volver a confiar",
                       "practices": "Cantar con mi hija"},
         "physical": {"how": "Me duele la espalda al cargar", "work_on": "", "practices": ""}}


@pytest.fixture
def booked(make_house, make_therapist, make_stay, make_user):
    """Next week at Casa La Serena: one emotional session with Rosa for Ceiba, who wrote about two dimensions."""

    def make(*, share: bool, scope: str = "narrative"):
        house = make_house(name="Casa La Serena", country="MX")
        rosa = make_therapist(houses=[house], name="Rosa")
        start = local_today() + dt.timedelta(days=7)
        stay = make_stay(house, start, sessions=[(start + dt.timedelta(days=1), "emotional", rosa, 0)])
        interview = stay.requests[0].interview
        interview.defender.alias = "Ceiba"
        interview.consent_scope = scope
        interview.share_with_therapists = share
        for name, answers in WORDS.items():
            interview.dimension(name).answers = json.dumps(answers, ensure_ascii=False)
        db.session.commit()
        return house, rosa, interview, make_user("team", house=house)

    return make


def sheet_url(house, therapist) -> str:
    return f"/houses/{house.id}/therapists/{therapist.id}/sheet"


def reads(interview) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "interview.read",
                                                       AuditEvent.defender_id == interview.defender_id)).all()


def test_without_her_agreement_her_words_never_reach_the_sheet(client, login, booked):
    house, rosa, interview, team = booked(share=False)
    login(team)
    page = client.get(sheet_url(house, rosa))
    assert page.status_code == 200
    assert "Ceiba" in page.text and "Eligió no compartir sus palabras con las terapeutas." in page.text
    for answers in WORDS.values():
        for text in filter(None, answers.values()):
            assert text not in page.text
    assert reads(interview) == []


def test_with_her_agreement_the_sheet_shows_her_words_for_that_session_only_and_the_read_is_audited(
        client, login, booked):
    house, rosa, interview, team = booked(share=True)
    login(team)
    page = client.get(sheet_url(house, rosa))
    assert page.status_code == 200
    for text in WORDS["emotional"].values():
        assert text in page.text
    assert WORDS["physical"]["how"] not in page.text  # another dimension: not this session's
    assert "Eligió no compartir" not in page.text
    [event] = reads(interview)
    assert event.actor_id == team.id and event.details["therapist_id"] == rosa.id


def test_a_coordinator_prints_the_sheet_without_her_words(app, login, booked, make_user):
    """Her consent lets the team of her house read her words, never the coordinators (access.may_read_narrative)."""
    house, rosa, interview, _team = booked(share=True)
    browser = app.test_client()
    login(make_user("coordinator"), target=browser)
    page = browser.get(sheet_url(house, rosa))
    assert page.status_code == 200 and "Ceiba" in page.text
    assert WORDS["emotional"]["how"] not in page.text
    assert "Solo el equipo de su casa puede imprimir sus palabras." in page.text
    assert reads(interview) == []


def test_levels_only_keeps_her_words_off_the_sheet_even_if_the_flag_were_set(client, login, booked):
    """The consent step refuses this pair; should a row hold it anyway, the reader's check still says no."""
    house, rosa, _interview, team = booked(share=True, scope="levels")
    login(team)
    page = client.get(sheet_url(house, rosa))
    assert page.status_code == 200 and WORDS["emotional"]["how"] not in page.text
    assert "Eligió no compartir sus palabras con las terapeutas." in page.text


def test_another_house_or_a_therapist_of_another_house_is_a_404(app, login, booked, make_house, make_therapist,
                                                                make_user):
    house, rosa, _interview, team = booked(share=True)
    other = make_house(name="Casa Otra", country="MX")
    elsewhere = make_therapist(houses=[other], name="Lucía")
    browser = app.test_client()
    login(team, target=browser)
    assert browser.get(sheet_url(other, rosa)).status_code == 404
    assert browser.get(sheet_url(house, elsewhere)).status_code == 404
    outsider = app.test_client()
    login(make_user("team", house=other), target=outsider)
    assert outsider.get(sheet_url(house, rosa)).status_code == 404


def test_the_programmes_page_links_each_therapist_sheet(client, login, booked):
    house, rosa, _interview, team = booked(share=False)
    login(team)
    assert sheet_url(house, rosa) in client.get(f"/houses/{house.id}/programmes").text
