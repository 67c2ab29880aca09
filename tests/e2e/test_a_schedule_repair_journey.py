"""Runs first of the journeys (its name): it needs the demo's stays as loaded, before other journeys flag or move them.

A closure over a published stay, repaired, in a real browser.

The house closes on the first day of a published stay at Casa La Serena; the coordinator's home page
lists the stay with the broken rule in words; she asks for a repair, reads where the stay would go
(every other published stay kept as it is), applies it, and reads the change, old beside new, on the
stay's page. Runs after the other journeys (it moves a demo stay).
"""
from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.e2e


def test_a_closure_over_a_published_stay_is_repaired(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["coordinator"])

    # A published stay at La Serena that has not begun: its page, its first day
    page.goto("/home")
    links = page.locator("#upcoming-h + ul a", has_text="Casa La Serena")
    stay_url = None
    for i in range(links.count()):
        links.nth(i).click()
        if page.get_by_label("Primer día").count():
            first_day = page.get_by_label("Primer día").input_value()
            if first_day > time.strftime("%Y-%m-%d"):
                stay_url = page.url
                break
        page.go_back()
    assert stay_url, "the demo has an upcoming stay at Casa La Serena"
    shot(page, "schedule-stay-before")

    # The house closes that day: saved only with the confirmation that the stay will be re-planned
    page.goto("/houses/")
    page.get_by_role("link", name="Casa La Serena").first.click()
    house_url = page.url.split("?")[0]
    page.goto(house_url + "/closures")
    page.get_by_label("Primer día cerrado").fill(first_day)
    page.get_by_label("Último día cerrado").fill(first_day)
    page.get_by_label("Motivo").select_option("water")
    page.get_by_label("Nota").fill("Arreglo del pozo")
    page.get_by_role("button", name="Guardar el cierre").click()
    page.get_by_label("Confirmo que las estancias que cubre este cierre se van a replanificar").check()
    page.get_by_role("button", name="Guardar el cierre").click()
    assert "Se guardó el cierre." in page.locator(".flashes").inner_text()

    # Her home page lists the stay, with the broken rule in words
    page.goto("/home")
    flagged = page.locator("section", has=page.locator("#flagged-h"))
    assert "Regla 5" in flagged.inner_text()
    assert "cierre" in flagged.inner_text().lower()
    axe(page)
    shot(page, "schedule-home-flagged")

    # A repair: the planner runs with the flagged stay as a hint, not a lock
    page.get_by_role("button", name="Reparar estas estancias").click()
    page.wait_for_url(re.compile(r".*/schedule/runs/\d+/repair$"))
    deadline = time.monotonic() + 150
    while "Aplicar la reparación" not in page.content() and time.monotonic() < deadline:
        assert "No se encontró lugar" not in page.content() or "Aplicar la reparación" in page.content()
        time.sleep(3)
        page.reload()
    assert page.get_by_role("button", name="Aplicar la reparación").is_visible()
    assert "Se mueve a" in page.locator("table").inner_text() or "Se queda" in page.locator("table").inner_text()
    axe(page)
    shot(page, "schedule-repair-proposed")
    page.get_by_role("button", name="Aplicar la reparación").click()
    assert page.locator(".flashes").count(), page.locator("main").inner_text()
    assert "La reparación se aplicó" in page.locator(".flashes").inner_text()
    shot(page, "schedule-repair-applied")

    # The stay's page: the change, old beside new
    page.goto(stay_url)
    history = page.locator("section", has=page.locator("#hist-h"))
    assert "Reparada" in history.inner_text()
    assert "Antes" in history.inner_text() and "Después" in history.inner_text()
    assert page.get_by_label("Primer día").input_value() != first_day
    axe(page)
    shot(page, "schedule-stay-repaired")

    # Take the closure away again (the server is shared); the repaired stay keeps its new place
    page.goto(house_url + "/closures")
    page.locator("tbody tr", has_text="Arreglo del pozo").get_by_role("link", name="Quitar").click()
    page.get_by_role("button", name="Sí, quitar el cierre").click()  # "Quitar" asks first
    assert "Se quitó el cierre." in page.locator(".flashes").inner_text()
