"""Her consent promise says exactly what the house team reads.

With "levels only" the team reads her levels of care and what the house needs
to receive her (dates, stay type, who comes with her, food, accessibility,
languages and countries, how soon), never what she wrote about her life and
about each dimension. Every place that words the choice must say so.
"""
from __future__ import annotations

import json

import pytest

from .conftest import NARRATIVE, consider_at, logistics_answers

COMPANIONS_NOTE = "Viene mi hija de 7 años"
ACCESSIBILITY_NOTE = "Uso silla de ruedas"
FOOD_NOTE = "Sin gluten, por favor"
HER_DIMENSION_WORDS = ("Cansada en lo", "Quiero cuidar lo", "Caminar (")

WHAT_THE_HOUSE_NEEDS_ES = ("tus fechas", "el tipo de estancia", "quién viene contigo", "tus idiomas", "tu país",
                           "los países a los que no puedes entrar", "qué tan pronto", "comida", "accesibilidad")
WHAT_THE_HOUSE_NEEDS_EN = ("your dates", "the kind of stay", "who comes with you", "your languages", "your country",
                           "the countries you cannot enter", "how soon", "food", "accessibility")


def family_stay(**overrides) -> dict:
    """A family stay with her daughter, a wheelchair and a food note: what the house needs to receive her."""
    return logistics_answers(type_1="family", type_2="", companions="1", companions_note=COMPANIONS_NOTE,
                             needs_accessible="y", accessibility_notes=ACCESSIBILITY_NOTE, food_notes=FOOD_NOTE,
                             **overrides)


def consent_page(journey, lang: str = "es") -> str:
    journey.start()
    return journey.client.get(f"/interviews/{journey.interview_id}/consent?lang={lang}").text


def review_page(journey, consent: str, lang: str = "es") -> str:
    journey.start()
    journey.fill_all(consent=consent, logistics=family_stay())
    page = journey.client.get(f"/interviews/{journey.interview_id}/review?lang={lang}").text
    return page.split('id="review-consent"')[1]


@pytest.fixture
def sent_with_levels_only(journey, client):
    """She sent a family stay request and chose that the house team reads only her levels."""
    journey.start()
    journey.fill_all(consent="levels", logistics=family_stay())
    assert journey.submit().status_code == 302
    client.post("/logout")
    return journey


def team_page(journey, client, login, team_user, lang: str = "es") -> str:
    login(team_user)
    return client.get(f"/interviews/team/requests/{journey.request().id}?lang={lang}").text


# ------------------------------------------------------------------ the consent step

def test_in_spanish_the_consent_step_names_what_the_house_reads_to_receive_her(journey):
    page = consent_page(journey)
    for thing in WHAT_THE_HOUSE_NEEDS_ES:
        assert thing in page, thing
    assert "Con cualquiera de las dos opciones, el equipo de la casa lee lo que necesita para recibirte" in page


def test_in_spanish_levels_only_promises_the_levels_and_the_practical_side_not_her_words(journey):
    page = consent_page(journey)
    assert ("Solo mis niveles de cuidado (nada, algo, mucho, muchísimo) y lo que la casa necesita para recibirme."
            in page)
    assert "No lo que escribí sobre mi vida ni sobre cada parte de ella." in page
    assert "Solo los niveles de cuidado que necesito" not in page


def test_in_spanish_sharing_her_words_also_names_what_the_house_needs(journey):
    page = consent_page(journey)
    assert ("Mis niveles de cuidado, lo que la casa necesita para recibirme, y también lo que escribí con mis "
            "propias palabras sobre mi vida y sobre cada parte de ella.") in page


def test_in_english_the_consent_step_names_what_the_house_reads_to_receive_her(journey):
    page = consent_page(journey, "en")
    for thing in WHAT_THE_HOUSE_NEEDS_EN:
        assert thing in page, thing
    assert "Only my levels of care (none, some, much, very much) and what the house needs to receive me." in page
    assert "Not what I wrote about my life or about each part of it." in page
    assert "Only the levels of care I need" not in page


# ------------------------------------------------------------------ the review step

def test_under_levels_only_the_review_step_names_the_logistics_the_house_reads(journey):
    promise = review_page(journey, "levels")
    assert ("El equipo de la casa puede leer tus niveles de cuidado y lo que necesita para recibirte: fechas, "
            "tipo de estancia, quién viene contigo, idiomas, países, qué tan pronto, comida y accesibilidad.") in promise
    assert "No lee lo que escribiste sobre tu vida ni sobre cada parte de ella." in promise
    assert "puede leer solo los niveles de cuidado" not in promise


def test_under_levels_only_the_review_step_in_english_says_the_same(journey):
    promise = review_page(journey, "levels", "en")
    assert "The house team may read your levels of care and what it needs to receive you: dates," in promise
    assert "who comes with you" in promise and "food and accessibility" in promise
    assert "It does not read what you wrote about your life or about each part of it." in promise


def test_with_her_words_shared_the_review_step_says_the_team_also_reads_them(journey):
    promise = review_page(journey, "narrative")
    assert ("El equipo de la casa puede leer tus niveles de cuidado, lo que necesita para recibirte, y también lo "
            "que escribiste sobre tu vida y sobre cada parte de ella.") in promise
    assert "No lee lo que escribiste" not in promise


def test_the_review_step_shows_her_the_notes_the_house_will_read(journey):
    journey.start()
    journey.fill_all(logistics=family_stay())
    page = journey.client.get(f"/interviews/{journey.interview_id}/review").text
    assert COMPANIONS_NOTE in page and ACCESSIBILITY_NOTE in page and FOOD_NOTE in page


# ------------------------------------------------------------------ the house team's page and file

def test_under_levels_only_the_team_page_shows_her_food_companions_and_accessibility_notes(
        sent_with_levels_only, client, login, team_user):
    page = team_page(sent_with_levels_only, client, login, team_user)
    assert FOOD_NOTE in page and COMPANIONS_NOTE in page and ACCESSIBILITY_NOTE in page


def test_under_levels_only_the_team_page_never_shows_her_narrative_or_her_answers_per_dimension(
        sent_with_levels_only, client, login, team_user):
    page = team_page(sent_with_levels_only, client, login, team_user)
    assert NARRATIVE not in page
    for words in HER_DIMENSION_WORDS:
        assert words not in page, words
    levels = page.split('id="levels-h"')[1].split("</table>")[0]
    assert "Mucho" in levels  # her levels are there


def test_under_levels_only_the_team_note_says_what_is_shown_and_what_is_not(sent_with_levels_only, client, login,
                                                                           team_user):
    note = team_page(sent_with_levels_only, client, login, team_user).split('class="alert consent-note"')[1]
    note = note.split("</p>")[0]
    assert ("Ella eligió compartir solo sus niveles de cuidado y lo que la casa necesita para recibirla: su "
            "solicitud de estancia, aquí abajo, con sus notas sobre comida, quién la acompaña y accesibilidad.") in note
    assert "No se muestra lo que escribió sobre su vida ni sobre cada dimensión." in note


def test_under_levels_only_the_team_note_in_english_says_the_same(sent_with_levels_only, client, login, team_user):
    note = team_page(sent_with_levels_only, client, login, team_user, "en").split('class="alert consent-note"')[1]
    note = note.split("</p>")[0]
    assert "with her notes on food, companions and accessibility" in note
    assert "What she wrote about her life and about each dimension is not shown." in note


def test_with_her_words_shared_the_team_page_has_no_levels_only_note(journey, client, login, team_user):
    journey.start()
    journey.fill_all(consent="narrative", logistics=family_stay())
    journey.submit()
    consider_at(journey.request(), team_user.house)
    client.post("/logout")
    page = team_page(journey, client, login, team_user)
    assert "consent-note" not in page and NARRATIVE in page and COMPANIONS_NOTE in page


def test_under_levels_only_the_team_file_holds_the_same_notes_and_none_of_her_words(
        sent_with_levels_only, client, login, team_user):
    login(team_user)
    defender_id = sent_with_levels_only.request().defender_id
    response = client.get(f"/interviews/team/defenders/{defender_id}/export.json")
    data = json.loads(response.data)
    assert data["requests"][0]["companions_note"] == COMPANIONS_NOTE
    assert data["requests"][0]["food_notes"] == FOOD_NOTE
    assert data["person"]["accessibility_notes"] == ACCESSIBILITY_NOTE
    assert NARRATIVE not in response.text
    for words in HER_DIMENSION_WORDS:
        assert words not in response.text, words


def test_the_team_download_card_words_the_same_promise(sent_with_levels_only, client, login, team_user):
    page = team_page(sent_with_levels_only, client, login, team_user)
    assert ("sus niveles de cuidado y su solicitud de estancia, nunca su nombre real ni su contacto, y lo que "
            "escribió sobre su vida y cada dimensión solo si eligió compartirlo.") in page
