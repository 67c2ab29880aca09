"""The published stay's programme offers, for each session and for a new one, only the therapists who can give
it, and says why the others are missing; a posted therapist is still checked by the rules (issue 17)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.extensions import db

from .conftest import START


@pytest.fixture
def stay(sched):
    """The published stay at La Serena without its physical session (she still needs one)."""
    stay = sched["stay"]
    stay.sessions[:] = [s for s in stay.sessions if s.dimension != "physical"]
    db.session.commit()
    return stay


def _options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_add_select_offers_only_who_can_give_the_session_and_says_why_not(client, login, sched, stay):
    login(sched["coordinator"])
    page = client.get(f"/schedule/stays/{stay.id}", query_string={
        "pick-dimension": "physical", "pick-day": (START + dt.timedelta(days=4)).isoformat()}).text
    assert _options(page, "therapist") == ["Lucía Pérez", "Rosa Méndez"]
    assert "¿Por qué no aparecen otras terapeutas?" in page
    assert "Marta Gómez: no trabaja en esta casa" in page
    assert "Una sesión física el" in page  # the picked session, carried into the form that adds it
    assert 'name="dimension" value="physical"' in page


def test_a_session_select_leaves_out_who_cannot_give_it(client, login, sched, make_therapist):
    make_therapist(name="Ana Ruiz", houses=[sched["serena"]], dimensions=["spiritual"])  # at the house, not emotional
    login(sched["coordinator"])
    stay = sched["stay"]
    page = client.get(f"/schedule/stays/{stay.id}").text
    first = stay.sessions[0]
    assert _options(page, f"s{first.id}-therapist") == ["Lucía Pérez", "Rosa Méndez"]
    assert "Ana Ruiz: no trabaja en esta dimensión de cuidado" in page


def test_a_forged_therapist_is_refused_with_the_rule_in_words(client, login, sched, stay, unchanged):
    login(sched["coordinator"])
    before = unchanged()
    response = client.post(f"/schedule/stays/{stay.id}/sessions", data={
        "version": stay.version, "dimension": "physical", "day": (START + dt.timedelta(days=4)).isoformat(),
        "therapist": sched["marta"].id})
    assert response.status_code == 400
    assert "Regla 7" in response.text and "no trabaja en Casa La Serena" in response.text
    assert unchanged() == before


@pytest.mark.parametrize("day", ["junk", "9999-12-31", "0001-01-01"])
def test_a_strange_pick_is_explained_not_a_500(client, login, sched, stay, day):
    login(sched["coordinator"])
    response = client.get(f"/schedule/stays/{stay.id}", query_string={"pick-dimension": "x", "pick-day": day})
    assert response.status_code == 200 and "Agregar una sesión" in response.text


def test_a_programme_that_meets_every_need_offers_no_session_to_add(client, login, sched):
    """Her published programme as planned gives every session she needs: adding one is refused by rule 8
    whoever gives it, so the page says so instead of offering a pick nobody can take."""
    login(sched["coordinator"])
    page = client.get(f"/schedule/stays/{sched['stay'].id}").text
    assert "El programa ya tiene todas las sesiones que necesitan sus personas" in page
    assert 'name="pick-dimension"' not in page
