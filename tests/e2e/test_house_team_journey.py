"""House team journey in a real browser: a closure and an availability range, seen on the pictures.

The journey works in a month about two years ahead, where the demo has no stay and nobody is
available yet, and removes what it added at the end (the server is shared by every journey).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _month_ahead() -> dt.date:
    today = dt.date.today()
    return dt.date(today.year + 2, 6, 1)


def test_a_team_member_adds_a_closure_and_availability_and_sees_both(page, demo_logins, login_as, axe, shot):
    month = _month_ahead()
    ym = month.strftime("%Y-%m")
    login_as(page, demo_logins["team_serena"])

    # Her house, from the menu
    page.get_by_role("link", name="Mi casa").click()
    assert page.locator("h1").inner_text() == "Casa La Serena"
    house_url = page.url
    axe(page)
    shot(page, "house-overview")

    page.locator("nav.subnav").get_by_role("link", name="Ajustes").click()
    assert page.get_by_label("Camas").input_value() == "10"
    axe(page)

    # A closure for repairs, 8 to 12 June
    page.locator("nav.subnav").get_by_role("link", name="Cierres").click()
    page.get_by_label("Primer día cerrado").fill(f"{ym}-08")
    page.get_by_label("Último día cerrado").fill(f"{ym}-12")
    page.get_by_label("Motivo").select_option("repairs")
    page.get_by_label("Nota").fill("Arreglo del techo de la cocina")
    page.get_by_role("button", name="Guardar el cierre").click()
    assert "Se guardó el cierre." in page.locator(".flashes").inner_text()
    assert "Arreglo del techo de la cocina" in page.locator("table").inner_text()
    axe(page)

    # The occupancy picture of that month shows the closure
    page.locator("nav.subnav").get_by_role("link", name="Ocupación").click()
    page.get_by_label("Periodo").select_option("month")
    page.get_by_label("Desde el mes").fill(ym)
    page.get_by_role("button", name="Mostrar").click()
    page.wait_for_url(f"**/occupancy?period=month&start={ym}")
    svg = page.locator("svg.occupancy__svg")
    assert svg.is_visible()
    assert svg.locator("rect.occ-closure").count() == 1
    closure_box = svg.locator("rect.occ-closure").bounding_box()
    assert closure_box["width"] > 0 and closure_box["height"] > 0
    page.get_by_text("Las mismas cifras en una tabla").click()
    closed_rows = page.locator("details.occupancy__table tbody tr", has_text="sí")
    assert closed_rows.count() == 5
    axe(page)
    shot(page, "house-occupancy-month")

    # A person of the network: choose 15 to 19 June in her month view
    page.get_by_role("link", name="Red", exact=True).first.click()
    assert page.locator("h1").inner_text() == "La red"
    axe(page)
    shot(page, "network-list")
    first_person = page.locator("table tbody th a").first
    name = first_person.inner_text()
    first_person.click()
    therapist_url = page.url.split("?")[0]
    page.goto(f"{therapist_url}?month={ym}")
    page.get_by_role("link", name=re.compile(r"^Primer día 15 de junio")).click()
    page.wait_for_url("**from=*")
    assert "Ahora elige el último día" in page.locator("#pick-help").inner_text()
    axe(page)
    page.get_by_role("link", name=re.compile(r"^Último día 19 de junio")).click()
    page.wait_for_url("**to=*")
    assert page.get_by_label("Primer día", exact=True).input_value() == f"{ym}-15"
    assert page.get_by_label("Último día", exact=True).input_value() == f"{ym}-19"
    page.get_by_role("button", name="Agregar la disponibilidad").click()
    assert "Se agregó la disponibilidad." in page.locator(".flashes").inner_text()
    assert page.locator("td.month__day--available").count() == 5
    axe(page)
    shot(page, "network-therapist-month")

    # The whole network's month at her house shows her on those five days
    page.goto(house_url)
    page.locator("nav.subnav").get_by_role("link", name="Disponibilidad de la red").click()
    page.get_by_label("Mes", exact=True).fill(ym)
    page.get_by_role("button", name="Mostrar").click()
    page.wait_for_url(f"**month={ym}")
    row = page.locator("table.netmonth tbody tr", has=page.get_by_role("link", name=name, exact=True))
    assert row.locator("td.netmonth__cell--on").count() == 5
    axe(page)
    shot(page, "network-month-house")

    # Put things back: the availability range and the closure
    page.goto(therapist_url)
    ranges = page.locator("table", has_text="Sus periodos de disponibilidad").locator("tbody tr")
    ranges.filter(has_text=str(month.year)).filter(has_text="15 jun").get_by_role("button", name="Quitar").click()
    assert "Se quitó la disponibilidad." in page.locator(".flashes").inner_text()
    page.goto(house_url + "/closures")
    page.locator("tbody tr", has_text="Arreglo del techo de la cocina").get_by_role("link", name="Quitar").click()
    assert page.locator("h1").inner_text() == "¿Quitar este cierre?"  # "Quitar" asks before it removes
    axe(page)
    page.get_by_role("button", name="Sí, quitar el cierre").click()
    assert "Se quitó el cierre." in page.locator(".flashes").inner_text()


def test_the_occupancy_picture_fits_a_phone(phone_page, demo_logins, login_as, axe, shot):
    login_as(phone_page, demo_logins["team_serena"])
    phone_page.goto("/houses/")
    phone_page.locator("nav.subnav").get_by_role("link", name="Ocupación").click()
    assert phone_page.locator("svg.occupancy__svg").is_visible()
    axe(phone_page)
    shot(phone_page, "house-occupancy-phone")


def test_the_occupancy_picture_draws_the_published_stays(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["team_serena"])
    page.goto("/houses/")
    house_url = page.url
    today = dt.date.today().replace(day=1)
    for offset in range(0, 15, 3):
        index = today.year * 12 + today.month - 1 + offset
        start = f"{index // 12}-{index % 12 + 1:02d}"
        page.goto(f"{house_url}/occupancy?period=quarter&start={start}")
        if page.locator("svg rect.occ-stay").count():
            break
    bars = page.locator("svg rect.occ-stay")
    assert bars.count() > 0, "the demo has published stays at La Serena within a year"
    assert page.locator("svg rect.occ-beds").count() >= 89
    axe(page)
    shot(page, "house-occupancy-quarter")
    for extra in range(3):
        month = f"{(index + extra) // 12}-{(index + extra) % 12 + 1:02d}"
        page.goto(f"{house_url}/occupancy?period=month&start={month}")
        if page.locator("svg rect.occ-stay").count():
            break
    assert page.locator("svg text.occ-bar-label").count() > 0  # wide bars carry their type and people
    axe(page)
    shot(page, "house-occupancy-month-with-stays")


def test_a_programme_prints_without_the_site_chrome(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["team_serena"])
    page.goto("/houses/")
    page.locator("nav.subnav").get_by_role("link", name="Programas").click()
    page.locator("table tbody th a").last.click()
    assert page.locator("table.programme").is_visible()
    axe(page)
    page.get_by_role("link", name="Versión para imprimir").click()
    page.wait_for_url("**print=1")
    axe(page)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator(".quick-exit").is_visible()
    assert page.locator("table.programme tbody tr").count() >= 7
    shot(page, "house-programme-print")


def test_a_therapist_sheet_carries_only_the_words_shared_with_her(page, demo_logins, login_as, axe, shot):
    """Issue 14, item 6: the team prints a therapist's sheet; a woman's words appear only where she chose so."""
    login_as(page, demo_logins["team_serena"])
    page.goto("/houses/")
    page.locator("nav.subnav").get_by_role("link", name="Programas").click()
    sheets = [a.get_attribute("href") for a in page.locator("ul[aria-labelledby=sheets-h] a").all()]
    assert sheets
    for href in sheets:  # the first sheet with sessions
        page.goto(href)
        if page.locator("table.therapist-sheet tbody tr").count():
            break
    assert page.locator("table.therapist-sheet tbody tr").count() >= 1
    expect(page.locator("h1")).to_contain_text("Sesiones de")
    axe(page)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    shot(page, "house-therapist-sheet-print")
