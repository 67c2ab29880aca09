"""Offers and notices in a real browser: she declines her stay on a phone and her request is back in the
queue with that history; a house team answers for an assisted defender, and the coordinator's notice
e-mail is read from the local SMTP server (aiosmtpd) and followed to her notices."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_she_declines_on_a_phone_and_the_place_returns_to_the_queue(phone_page, page, demo_logins, login_as, axe,
                                                                     shot):
    login_as(phone_page, demo_logins["defender"])
    phone_page.goto("/offers/")
    assert phone_page.locator("h1").inner_text() == "Ofertas de estancia"
    assert "Esperando su respuesta" in phone_page.content()
    axe(phone_page)
    shot(phone_page, "offers-her-offers-phone")
    phone_page.click("text=Ver esta oferta")
    phone_page.wait_for_selector("h1:has-text('Una estancia ofrecida')")
    assert phone_page.locator("#accept").is_visible() and phone_page.locator("#decline").is_visible()
    axe(phone_page)
    shot(phone_page, "offers-her-offer-phone")
    phone_page.fill("textarea[name=reason]", "Esas semanas cuido a mi madre.")
    phone_page.click("#decline")
    phone_page.wait_for_selector("text=Rechazaste la estancia")
    assert "Rechazada" in phone_page.content()
    axe(phone_page)
    shot(phone_page, "offers-she-declined-phone")

    login_as(page, demo_logins["coordinator"])
    unread = page.locator("#notices-link .badge--count")
    assert unread.count() == 1 and int(unread.inner_text()) >= 1  # a freed place
    page.goto("/planning/")
    row = page.locator("tr", has_text="Ceiba")
    assert row.count() >= 1
    assert "Rechazó una estancia ofrecida el" in row.first.inner_text()
    axe(page)
    shot(page, "offers-queue-with-her-history")
    page.click("#notices-link")
    assert "Quedó libre una plaza en una estancia publicada." in page.content()
    shot(page, "offers-coordinator-notices")


def test_a_notice_email_is_read_from_the_local_smtp_server(new_page, demo_logins, login_as, mailbox, axe, shot,
                                                           live_server):
    coordinator = new_page()
    login_as(coordinator, demo_logins["coordinator"])
    coordinator.goto("/notices/settings")
    axe(coordinator)
    coordinator.check("input[name=email]")
    coordinator.click("main form button[type=submit]")
    coordinator.wait_for_selector("text=Recibirás un correo por cada aviso nuevo")
    shot(coordinator, "notices-settings")

    team = new_page()
    login_as(team, demo_logins["team_serena"])
    team.goto("/offers/")
    assert "en su nombre" in team.content()
    team.locator("li.card", has_text="Esperando su respuesta").first.locator("text=Ver esta oferta").click()
    assert "respondes en su nombre" in team.content()
    axe(team)
    shot(team, "offers-team-answers-on-her-behalf")
    team.click("#accept")
    team.wait_for_selector("text=aceptaste la estancia")
    assert "por el equipo de la casa en su nombre" in team.content()

    messages = [m for m in mailbox.wait_for(1, timeout=20) if m["To"] == demo_logins["coordinator"]]
    assert messages, "no e-mail reached the local SMTP server"
    message = messages[-1]
    assert message["Subject"] == "Tienes un aviso nuevo en Respiro"
    body = message.get_content()
    for secret in ("Casa", "Serena", "Siguata", "Ceiba"):
        assert secret not in body
    link = re.search(r"(http://\S+/notices/)", body).group(1)
    assert link.startswith(live_server)
    coordinator.goto(link)
    assert coordinator.locator("h1").inner_text() == "Avisos"
    assert "Una defensora respondió a una oferta de estancia." in coordinator.content()
    axe(coordinator)
    shot(coordinator, "notices-from-the-email")
