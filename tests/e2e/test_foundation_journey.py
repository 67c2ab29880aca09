"""Foundation journey in a real browser: every role logs in, in Spanish first, and out again."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

# role -> (what her home page shows in Spanish, the same in English, does she get the quick exit)
ROLES = {
    "defender": (["Bienvenida, Ceiba", "Mis estancias", "Casa La Serena"], "Welcome, Ceiba", True),
    "team_serena": (["Casa La Serena", "Oaxaca", "Próximas estancias"], "Upcoming stays", True),
    "team_siguata": (["Casa La Siguata", "Atlántida", "Próximas estancias"], "Upcoming stays", True),
    "coordinator": (["Coordinación", "Casa La Serena", "Casa La Siguata"], "Coordination", False),
    "admin": (["Administración", "Cuentas", "Casa La Siguata"], "Administration", False),
}


def _lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def _focus_after_one_tab(page) -> dict:
    """Press Tab once on a freshly loaded page (nothing focused yet) and say what got the focus."""
    page.keyboard.press("Tab")
    return page.evaluate("() => ({quick: document.activeElement.hasAttribute('data-quick-exit'),"
                         " text: document.activeElement.textContent.trim()})")


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_in_spanish_sees_her_home_switches_language_and_logs_out(
        role, page, demo_logins, login_as, axe, shot):
    spanish, english, quick_exit = ROLES[role]
    page.goto("/")
    assert page.url.endswith("/login")
    assert _lang(page) == "es"  # the browser asks for en-US: Spanish is still the default
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    axe(page)

    login_as(page, demo_logins[role])
    main = page.locator("main").inner_text()
    for text in spanish:
        assert text in main, f"{text!r} is not on {role}'s home page"
    axe(page)
    shot(page, f"home-{role}-laptop")

    page.goto("/home")
    focused = _focus_after_one_tab(page)
    if quick_exit:
        assert focused["quick"], f"first focusable element is {focused['text']!r}, not the quick exit"
        assert focused["text"] == "Salir de esta página"
    else:
        assert not focused["quick"] and page.locator("[data-quick-exit]").count() == 0

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert _lang(page) == "en"
    assert english in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Log out").is_visible()
    axe(page)

    page.goto("/home?lang=es")
    assert _lang(page) == "es"
    page.goto("/home?lang=en")
    assert _lang(page) == "en" and english in page.locator("main").inner_text()
    page.goto("/home?lang=es")

    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    page.goto("/home")
    assert re.search(r"/login(\?|$)", page.url), page.url


def test_the_login_page_puts_the_quick_exit_before_anything_else(page, shot):
    page.goto("/login")
    shot(page, "login-laptop")
    # the e-mail field has autofocus, so no Tab here: the quick exit comes first in the tab order
    first = page.evaluate("() => document.querySelector("
                          "'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')"
                          ".hasAttribute('data-quick-exit')")
    assert first


@pytest.mark.parametrize("role", ["defender", "team_serena", "coordinator", "admin"])
def test_home_pages_fit_a_phone_screen(role, phone_page, demo_logins, login_as, axe, shot):
    page = phone_page
    page.goto("/login")
    shot(page, "login-phone")
    login_as(page, demo_logins[role])
    assert ROLES[role][0][0] in page.locator("main").inner_text()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    axe(page)
    shot(page, f"home-{role}-phone")
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(re.compile(r"/login$"))
