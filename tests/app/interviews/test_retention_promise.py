"""Her retention choice says exactly what is deleted, and her file shows when it was.

"How long may we keep what you wrote after your stay?" covers her story, her
answers per dimension and her notes on who comes with her, food and
accessibility (the retention job: app/ops.py `run_retention`). Her
accessibility notes serve all her requests, so the consent step tells her they
go once the time she chose in each interview has passed and no request of
hers still needs them.
"""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import utcnow
from app.ops import run_retention

from .conftest import logistics_answers

ACCESSIBILITY_NOTE = "Uso silla de ruedas"


def consent_page(journey, lang: str) -> str:
    journey.start()
    return journey.client.get(f"/interviews/{journey.interview_id}/consent?lang={lang}").text


def test_in_spanish_the_retention_question_names_her_accessibility_notes_and_when_they_go(journey):
    page = consent_page(journey, "es")
    assert "¿Cuánto tiempo podemos guardar lo que escribiste después de tu estancia?" in page
    assert ("Lo que escribiste: tu relato, tus respuestas sobre cada parte de tu vida y tus notas sobre quién "
            "viene contigo, la comida y la accesibilidad.") in page
    assert ("Tus notas de accesibilidad sirven para todas tus solicitudes: las borramos cuando ha pasado el "
            "tiempo que elegiste en cada una de tus entrevistas y ninguna solicitud tuya las necesita ya.") in page


def test_in_english_the_retention_question_says_the_same(journey):
    page = consent_page(journey, "en")
    assert ("What you wrote: your story, your answers about each part of your life, and your notes on who comes "
            "with you, food and accessibility.") in page
    assert ("Your accessibility notes serve all your requests, so we delete them once the time you chose in each "
            "of your interviews has passed and no request of yours still needs them.") in page


def test_her_file_tells_her_when_her_accessibility_notes_were_deleted(journey, client):
    journey.start()
    journey.fill_all(logistics=logistics_answers(needs_accessible="y", accessibility_notes=ACCESSIBILITY_NOTE))
    stay_request = journey.request()
    interview = stay_request.interview
    assert interview.defender.accessibility_notes == ACCESSIBILITY_NOTE
    # She withdrew that request a year ago: her period (6 months) counts from then.
    stay_request.status = "withdrawn"
    stay_request.updated_at = utcnow() - dt.timedelta(days=365)
    db.session.commit()
    run_retention()
    db.session.commit()
    db.session.expire_all()
    assert interview.defender.accessibility_notes is None and interview.defender.needs_accessible is True
    page = client.get("/interviews/my-data?lang=es").text
    assert "Borró tus notas de accesibilidad después del tiempo que elegiste" in page
    assert ACCESSIBILITY_NOTE not in page
