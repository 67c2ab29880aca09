"""Session times in a real browser: a house's programme shows its own clock times, one session per time."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_a_programme_shows_the_houses_session_times(page, demo_logins, login_as, axe, shot):
    login_as(page, demo_logins["team_serena"])
    page.goto("/houses/")
    page.locator("nav.subnav").get_by_role("link", name="Programas").click()
    listing = page.url
    links = page.locator("table tbody th a")
    times = []
    for i in range(links.count() - 1, -1, -1):  # from the earliest stay: the first one with sessions
        page.goto(listing)
        page.locator("table tbody th a").nth(i).click()
        table = page.locator("table.programme")
        times = re.findall(r"\b\d{2}:\d{2}\b", table.inner_text()) if table.count() else []
        if times:
            break
    assert times and set(times) <= {"09:30", "11:30", "16:00", "18:00"}, times
    axe(page)
    shot(page, "house-programme-session-times")
