"""An urgent case fitted and published in a real browser: a defender the proposal leaves out gets her best
places side by side, the coordinator chooses one, and publishes the new proposal."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_an_urgent_case_is_fitted_and_published(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["coordinator"])
    page.goto("/planning/runs/new")
    page.fill("input[name=time_limit]", "3")
    page.click("button:has-text('Empezar la corrida')")
    page.wait_for_selector("h1:has-text('Propuesta de la corrida')", timeout=90_000)
    run_url = page.url.split("?")[0]

    # Those the proposal leaves out: "Encajar un caso urgente" beside each reason. Some can go nowhere
    # (a country she cannot enter, a window already gone): the page then says why, in the explainer's words.
    links = page.locator("section:has(#left-h) a:has-text('Encajar un caso urgente')")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, "the demo proposal leaves nobody out"
    for href in hrefs:
        page.goto(href)
        who = page.locator("h1").inner_text().split(": ", 1)[1]
        assert page.locator("button:has-text('Buscar lugares')").count() == 1
        page.click("button:has-text('Buscar lugares')")
        page.wait_for_selector("h2#options-h", timeout=30_000)
        if page.locator("article.card").count():
            break
        assert "No se encuentra lugar para ella" in page.content()
        assert page.locator("section:has(#options-h) ul.list li").count() >= 1  # the reason
        shot(page, "urgent-no-place")
    options = page.locator("article.card")
    assert options.count() >= 1, "no one left out of the demo proposal can be fitted"
    assert "Cambio del objetivo" in options.first.inner_text()
    assert "Quién se movería" in options.first.inner_text()
    axe(page)
    shot(page, "urgent-options")

    start = page.locator("article.card >> nth=0 >> input[name=start]").get_attribute("value")
    page.click("article.card >> nth=0 >> button:has-text('Proponer este lugar')")
    page.wait_for_selector("text=Una nueva propuesta incluye a", timeout=30_000)
    assert page.url.split("?")[0] != run_url
    assert "Propuesta de la corrida" in page.locator("h1").inner_text()
    assert who not in page.locator("section:has(#left-h)").inner_text()  # she is no longer left out
    axe(page)
    shot(page, "urgent-new-proposal")

    page.click("button:has-text('Aprobar y publicar las estancias marcadas')")
    page.wait_for_selector("h1:has-text('Publicar: confirma, por favor')")  # publishing asks first (offers)
    page.click("button:has-text('Sí, publicar y ofrecer estas estancias')")
    page.wait_for_selector("text=se ofrecieron a las mujeres")
    new_url = page.url.split("?")[0]
    page.goto(f"{new_url}?month={start[:7]}")  # the month she arrives: her stay, published
    mine = page.locator("article.stay", has_text=who)
    assert mine.count() == 1 and "Publicada" in mine.inner_text()
    shot(page, "urgent-published")
    page.goto("/planning/runs")
    assert "Publicada" in page.content()
