"""The occupancy page as the house team sees it: the month it opens on, weekends, closed days, print view."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_occupancy_page_opens_on_a_month_with_stays_and_prints(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["team_serena"])
    page.get_by_role("link", name="Mi casa").click()
    page.locator("nav.subnav").get_by_role("link", name="Ocupación").click()
    assert page.locator(".occ-stay").count() > 0  # the demo's stays: it did not open on an empty month
    assert page.locator(".legend").get_by_text("Fin de semana").is_visible()
    axe(page)
    shot(page, "occupancy")
    page.get_by_role("link", name="Vista para imprimir").click()
    page.wait_for_url("**view=print**")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".occupancy__table table")).to_be_visible()
    shot(page, "occupancy-print")
