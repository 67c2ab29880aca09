"""The therapist select of a proposed stay's programme offers only those who can give the session, and says why
the others are missing (issue 17); what is posted is still checked by the rules."""
from __future__ import annotations

import re

import pytest

from app.extensions import db

from .test_proposal import plan, proposal, snapshot  # noqa: F401  (the proposal fixture)


def _options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


@pytest.fixture
def open_stay(proposal):
    """The proposal's stay of the woman who cannot enter Honduras (at La Serena), its programme emptied."""
    stay = proposal["stay"]
    assert stay.house.code == "serena"
    stay.sessions.clear()
    db.session.commit()
    return stay


def _page(client, proposal, stay, **pick):
    query = {f"pick-{k}": v for k, v in pick.items()}
    response = client.get(f"/planning/runs/{proposal['run'].id}/stays/{stay.id}/edit", query_string=query)
    assert response.status_code == 200
    return response.text


def test_the_add_select_offers_only_who_can_give_the_session_and_says_why_not(client, proposal, open_stay):
    page = _page(client, proposal, open_stay, dimension="emotional", day=open_stay.start.isoformat(), slot=0)
    assert _options(page, "therapist") == ["Lucía Pérez", "Rosa Méndez"]
    assert "¿Por qué no aparecen otras terapeutas?" in page
    assert "Marta Gómez: no trabaja en esta casa; no trabaja en esta dimensión de cuidado" in page


def test_the_list_follows_the_picked_dimension(client, proposal, open_stay):
    page = _page(client, proposal, open_stay, dimension="physical", day=open_stay.start.isoformat(), slot=0)
    # physical is no need of hers: nobody can give it, and the page says which rule
    assert 'id="therapist"' not in page
    assert "Nadie puede dar esta sesión" in page and "Regla 8" in page


def test_a_swap_select_offers_only_who_can_give_that_session(client, proposal):
    stay = proposal["stay"]
    session = next(s for s in stay.sessions if s.dimension == "emotional")
    page = _page(client, proposal, stay)
    names = _options(page, f"s{session.id}-therapist")
    assert "Marta Gómez" not in names and session.therapist.name in names
    assert "Marta Gómez: no trabaja en esta casa" in page


def test_a_forged_therapist_is_refused_with_the_rule_in_words(client, proposal, open_stay):
    marta = proposal["therapists"][2]  # only at La Siguata, never emotional
    before = snapshot(open_stay)
    response = client.post(f"/planning/runs/{proposal['run'].id}/stays/{open_stay.id}/sessions",
                           data={"version": open_stay.version, "dimension": "emotional",
                                 "day": open_stay.start.isoformat(), "slot": 0, "therapist": marta.id})
    assert response.status_code == 400
    assert "Regla 7" in response.text and "no trabaja en Casa La Serena" in response.text
    assert snapshot(open_stay) == before


def test_the_page_first_offers_a_session_she_still_needs(client, proposal, open_stay):
    page = _page(client, proposal, open_stay)  # no session picked yet: her one need, emotional, on her first day
    assert 'name="dimension" value="emotional"' in page
    assert f'name="day" value="{open_stay.start.isoformat()}"' in page
    assert _options(page, "therapist") == ["Lucía Pérez", "Rosa Méndez"]


@pytest.mark.parametrize("pick", [
    {"dimension": "<b>x</b>", "day": "junk", "slot": "99"},
    {"dimension": "emotional", "day": "9999-12-31", "slot": "0"},
    {"dimension": "emotional", "day": "0001-01-01", "slot": "-1"},
], ids=["junk", "last day of the calendar", "first day of the calendar"])
def test_a_strange_pick_is_explained_not_a_500(client, proposal, open_stay, pick):
    page = _page(client, proposal, open_stay, **pick)
    assert "<b>x</b>" not in page
    assert "Agregar una sesión" in page


def test_a_programme_that_meets_every_need_offers_no_session_to_add(client, proposal):
    stay = proposal["stay"]  # planned by the engine: her one need, emotional, is given
    assert [s.dimension for s in stay.sessions] == ["emotional"]
    page = _page(client, proposal, stay)
    assert "El programa ya tiene todas las sesiones que necesitan sus personas" in page
    assert 'name="pick-dimension"' not in page and "Nadie puede dar esta sesión" not in page


def test_the_add_step_names_the_dimension_in_the_sentence_in_lower_case(client, proposal, open_stay):
    page = _page(client, proposal, open_stay, dimension="emotional", day=open_stay.start.isoformat(), slot=0)
    assert "Una sesión emocional el " in page
