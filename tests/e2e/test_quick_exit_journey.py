"""Quick exit ends the session (issue 14, item 1), in a real browser on a phone.

Whoever picks up her phone after she left must find nothing: Back does not
show her page, another tab of the same browser is logged out, and an address
of hers asks for the password. The neutral site is another host, so the
browser's navigation there is cancelled (tests/e2e/conftest.py): the page
then shows the browser's own error page in place of hers, at that address.
"""
from __future__ import annotations

from playwright.sync_api import expect

EXIT = "https://www.google.com/search?q=clima"  # QUICK_EXIT_URL's default


def _stand_in_for_the_neutral_site(page) -> None:
    page.context.route(EXIT, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Clima</title><h1>Clima</h1>"))


def _left(page) -> None:
    page.wait_for_url(EXIT)
    expect(page.locator("h1")).to_have_text("Clima")
    assert "Respiro" not in page.content()


def _asks_for_the_password(page) -> None:
    expect(page.locator("input[name=password]")).to_be_visible()
    assert "/login" in page.url
    assert "Ceiba" not in page.content()  # the demo defender's alias


def _her_pages_open(phone, login_as, demo_logins):
    _stand_in_for_the_neutral_site(phone)
    login_as(phone, demo_logins["defender"])
    phone.goto("/interviews/")
    expect(phone.locator("h1")).to_have_text("Mi entrevista y mis solicitudes")
    second = phone.context.new_page()  # a second tab, same browser
    second.goto("/interviews/my-data")
    expect(second.locator("h1")).to_be_visible()
    assert "/login" not in second.url
    return second


def _nothing_left(phone, second, shot, name):
    # the beacon reached the server: the other tab is logged out too
    second.reload()
    _asks_for_the_password(second)
    shot(second, f"{name}-second-tab")
    # Back: the page she left was replaced in the history; the one before it asks for the password
    phone.go_back()
    _asks_for_the_password(phone)
    shot(phone, f"{name}-after-back")
    phone.goto("/interviews/")
    _asks_for_the_password(phone)


def test_the_quick_exit_button_logs_her_out_leaves_and_back_finds_nothing(phone_page, login_as, demo_logins, shot):
    phone = phone_page
    second = _her_pages_open(phone, login_as, demo_logins)
    shot(phone, "quick-exit-before-phone")
    phone.get_by_role("link", name="Salir de esta página").click()
    _left(phone)
    _nothing_left(phone, second, shot, "quick-exit-click")


def test_shift_three_times_does_the_same(phone_page, login_as, demo_logins, shot):
    phone = phone_page
    second = _her_pages_open(phone, login_as, demo_logins)
    for _ in range(3):
        phone.keyboard.press("Shift")
    _left(phone)
    _nothing_left(phone, second, shot, "quick-exit-shift")


def test_without_javascript_the_plain_link_logs_her_out_and_leaves(new_page, login_as, demo_logins, shot):
    from tests.e2e.conftest import PHONE

    phone = new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                     java_script_enabled=False)
    _stand_in_for_the_neutral_site(phone)
    login_as(phone, demo_logins["defender"])
    phone.goto("/interviews/")
    shot(phone, "quick-exit-no-javascript-before")
    phone.get_by_role("link", name="Salir de esta página").click()
    _left(phone)
    phone.goto("/interviews/")
    _asks_for_the_password(phone)
    shot(phone, "quick-exit-no-javascript-after")
