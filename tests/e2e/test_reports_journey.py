"""Reports and the follow-up after a stay, in a real browser.

A defender whose stay at Casa La Serena ended three days ago (added to the shared demo database for
this journey: the demo's stays are all ahead) sees the follow-up on her home page and answers it;
the house team sees her before and after; the coordinator reads the four reports with their charts,
downloads one as CSV and prints one. Screenshots of every chart go to test-artifacts/e2e/.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

pytestmark = pytest.mark.e2e

EMAIL = "seguimiento@demo.respiro.example"


@pytest.fixture
def ended_stay(live_server, live_env):
    """A defender with a published stay that ended three days ago, and her login (the demo password)."""
    from app import create_app
    from app.extensions import db
    from app.models import Defender, DiagnosticInterview, House, InterviewDimension, Stay, StayRequest, User
    from app.models.base import new_uid

    app = create_app({"SQLALCHEMY_DATABASE_URI": live_env["DATABASE_URL"], **{
        name: live_env[name] for name in ("DATA_KEYS", "EMAIL_INDEX_KEY", "KEY_STORE_URL", "SECRET_KEY")}})
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    end = (now - dt.timedelta(hours=6)).date() - dt.timedelta(days=3)
    with app.app_context():  # her address is encrypted under her key and indexed: written through the model
        conn = db.session
        existing = conn.scalar(User.by_email(EMAIL))
        if existing is None:
            house_id, password_hash = conn.execute(
                select(House.id, User.password_hash).join(User, User.house_id == House.id)
                .where(House.code == "serena")).first()
            defender_id = conn.execute(insert(Defender).values(
                uid=new_uid(), alias="Tecolote", country="GT", languages=["es"], barred_countries=[],
                needs_accessible=False, created_at=now, updated_at=now)).inserted_primary_key[0]
            interview_id = conn.execute(insert(DiagnosticInterview).values(
                uid=new_uid(), defender_id=defender_id, status="confirmed", step="review", consent_scope="narrative",
                retention_months=6, assisted=False, defender_agreed=True, version=1, count_in_statistics=True,
                created_at=now, updated_at=now, confirmed_at=now - dt.timedelta(days=60))).inserted_primary_key[0]
            levels = {"physical": 3, "mental": 2, "emotional": 3, "spiritual": 1, "energetic": 2}
            conn.execute(insert(InterviewDimension), [
                {"interview_id": interview_id, "dimension": d, "position": i, "self_level": v, "need_level": v}
                for i, (d, v) in enumerate(levels.items())])
            stay_id = conn.execute(insert(Stay).values(
                house_id=house_id, start=end - dt.timedelta(days=9), end=end, type="individual", version=1,
                needs_replan=False, replan_reason="", created_at=now, updated_at=now)).inserted_primary_key[0]
            conn.execute(insert(StayRequest).values(
                uid=new_uid(), defender_id=defender_id, interview_id=interview_id, status="published",
                stay_types=["individual"], earliest_start=end - dt.timedelta(days=20), latest_start=end,
                companions=0, urgency=2, urgency_self=2, stay_id=stay_id,
                submitted_at=now - dt.timedelta(days=70), version=1, created_at=now, updated_at=now))
            conn.add(User(email=EMAIL, password_hash=password_hash, role="defender", defender_id=defender_id))
            conn.commit()
        db.engine.dispose()
    app.extensions["respiro_keystore"].dispose()
    return EMAIL


def test_she_answers_her_follow_up_the_team_sees_the_change_the_network_sees_the_reports(
        new_page, demo_logins, login_as, axe, shot, ended_stay):
    # She finds the follow-up on her home page and answers it
    her = new_page()
    login_as(her, ended_stay)
    notice = her.locator("section.notice-open")
    assert "¿Cómo estás después de tu estancia?" in notice.inner_text()
    notice.get_by_role("link", name="Responder ahora").click()
    her.get_by_role("button", name="Guardar mi respuesta").click()  # nothing chosen: refused, in Spanish
    assert "Elige cuánto cuidado necesitas ahora aquí." in her.locator(".error-summary").inner_text()
    axe(her)
    for legend, level in (("Física", "Algo"), ("Mental", "Nada"), ("Emocional", "Algo"), ("Espiritual", "Algo"),
                          ("Energética", "Nada")):
        her.locator("fieldset", has=her.locator("legend", has_text=legend)).get_by_label(level, exact=True).check()
    her.get_by_label("Lo que quieras contarnos").fill("Volví a dormir toda la noche.")
    shot(her, "reports-follow-up-form")
    her.get_by_role("button", name="Guardar mi respuesta").click()
    assert "Tu respuesta quedó guardada" in her.locator(".flashes").inner_text()
    assert her.locator("section.notice-open").count() == 0

    # The house team sees before and after (she allowed them her words)
    team = new_page()
    login_as(team, demo_logins["team_serena"])
    team.get_by_role("link", name="Informes").click()
    team.get_by_role("link", name="Seguimientos después de la estancia").click()
    team.get_by_role("link", name="Tecolote").click()
    table = team.locator("table.levels")
    assert "↓" in table.inner_text() and "Volví a dormir toda la noche." in team.content()
    axe(team)
    shot(team, "reports-before-after")

    # The coordinator reads the reports
    page = new_page()
    login_as(page, demo_logins["coordinator"])
    page.get_by_role("link", name="Informes").click()
    page.get_by_role("link", name="Demanda frente a capacidad").first.click()
    chart = page.locator("#demand-chart svg")
    assert chart.is_visible() and chart.locator("rect[class^='bar--']").count() > 0
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    assert "<5" in page.locator("table.report").first.inner_text()
    axe(page)
    shot(page, "reports-demand")
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar como CSV").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("house,month,requests") and len(lines) == 1 + 2 * 12

    first = dt.date.today().replace(day=1).strftime("%Y-%m")
    for name, heading, figure in (("waiting", "Espera según urgencia", "#waiting-chart"),
                                  ("load", "Carga de las terapeutas", "#load-chart"),
                                  ("served", "Personas atendidas, año contra año", "#served-country")):
        page.goto(f"/reports/{name}?start={first}&months=6")
        assert page.locator("h1").inner_text() == heading
        assert page.locator(f"{figure} svg").is_visible()
        axe(page)
        shot(page, f"reports-{name}")
    page.goto("/reports/after")
    assert page.locator("#after-end svg").is_visible()
    assert "<5" in page.locator("table.report").first.inner_text()  # one answer: only "<5" and "*"
    shot(page, "reports-after")

    # Printed, the filter and menus give way to the chart and the tables
    page.goto(f"/reports/served?start={first}&months=6")
    page.emulate_media(media="print")
    assert not page.locator("form.report-filter").is_visible()
    assert page.locator("#served-country svg").is_visible()
    shot(page, "reports-served-print")
