"""A long paste is never cut without a word: a live counter, what is over the limit, and her text kept."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_long_paste_is_counted_shown_and_kept_on_a_phone(phone_page, demo_logins, login_as, axe, shot):
    page = phone_page
    login_as(page, demo_logins["team_siguata"])
    page.goto("/interviews/team")
    page.get_by_role("link", name="Llenar una entrevista con una defensora").click()
    page.get_by_label("Alias").fill("Larga e2e")
    page.get_by_label("País donde vive y trabaja").select_option("HN")
    page.locator("input[name=languages][value=es]").check()
    page.get_by_label("Ella está de acuerdo en que yo llene la entrevista con ella.").check()
    page.get_by_role("button", name="Crear su registro y empezar").click()
    expect(page.get_by_text("Paso 1 de 9")).to_be_visible()
    page.goto(page.url.rsplit("/", 1)[0] + "/life")

    narrative = page.locator("textarea[name=narrative]")
    text = ("Vengo de meses muy duros. " * 400)[:8100]
    narrative.fill(text)
    expect(page.locator(".field__counter")).to_contain_text("8100 de 8000 caracteres: sobran 100")
    expect(page.locator(".field__overflow")).to_be_visible()
    assert narrative.input_value() == text  # nothing cut by the browser
    axe(page)
    shot(page, "long-text-counter-phone")

    page.get_by_role("button", name="Guardar y seguir", exact=True).click()
    expect(page.locator(".field__error")).to_contain_text("8000 caracteres")
    assert page.locator("textarea[name=narrative]").input_value().strip() == text.strip()  # kept as she typed it
    shot(page, "long-text-refused-phone")
