"""A defender fills her interview and stay request in Spanish on a phone; a house team member confirms it.

The defender is new: a team member of Casa La Serena records her (assisted mode) and invites her, so
this journey changes no demo record another journey relies on.
"""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

ALIAS = "Ámbar del Río"
PASSWORD = "una frase larga y tranquila"
DIMENSIONS = ("physical", "mental", "emotional", "spiritual", "energetic")


def _save_and_go_on(page):
    page.get_by_role("button", name="Guardar y seguir", exact=True).click()


def test_defender_journey(new_page, phone_page, demo_logins, login_as, axe, shot):
    team = new_page()
    login_as(team, demo_logins["team_serena"])

    # The team records her with her agreement and creates her invitation.
    team.goto("/interviews/team")
    team.get_by_role("link", name="Llenar una entrevista con una defensora").click()
    team.get_by_label("Alias").fill(ALIAS)
    team.get_by_label("País donde vive y trabaja").select_option("GT")
    team.locator("input[name=languages][value=es]").check()
    team.locator("input[name=languages][value=mam]").check()
    team.get_by_label("Ella está de acuerdo en que yo llene la entrevista con ella.").check()
    axe(team)
    team.get_by_role("button", name="Crear su registro y empezar").click()
    expect(team.get_by_text("Paso 1 de 9")).to_be_visible()
    team.get_by_role("button", name="Guardar y seguir después").click()
    team.get_by_role("link", name=re.compile("Invitarla a su propia cuenta")).first.click()
    team.get_by_label("Su correo electrónico").fill("ambar.e2e@example.org")
    team.get_by_role("button", name="Crear el enlace de invitación").click()
    link = team.locator(".link-box").inner_text().strip()

    # She opens the link on her phone, chooses a password and starts.
    phone = phone_page
    phone.goto(link)
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("input[name=confirm]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url("**/home")
    phone.goto("/interviews/")
    expect(phone.locator("h1")).to_have_text("Mi entrevista y mis solicitudes")
    axe(phone)
    phone.get_by_role("link", name="Seguir donde me quedé").click()

    for index, name in enumerate(DIMENSIONS):
        expect(phone.get_by_text(f"Paso {index + 1} de 9")).to_be_visible()
        phone.get_by_label("¿Cómo estás en esta parte de tu vida?").fill(f"Me siento cansada ({name}).")
        phone.get_by_label("¿Qué te gustaría trabajar o cuidar?").fill("Dormir mejor y soltar el miedo.")
        phone.get_by_label("¿Qué te ayuda ya?").fill("Caminar por el monte, hablar con mi hermana.")
        phone.locator("input[name=self_level][value='2']").check()
        if index == 0:
            axe(phone)
            shot(phone, "defender-step-physical-phone")
        if index == 1:  # back, then forward again: nothing is lost
            phone.get_by_role("button", name="Paso anterior").click()
            expect(phone.get_by_label("¿Cómo estás en esta parte de tu vida?")).to_have_value(
                "Me siento cansada (physical).")
            _save_and_go_on(phone)
            expect(phone.get_by_label("¿Cómo estás en esta parte de tu vida?")).to_have_value(
                "Me siento cansada (mental).")
        _save_and_go_on(phone)

    phone.locator("textarea[name=narrative]").fill("Acompaño a mujeres de mi comunidad y estoy agotada.")
    _save_and_go_on(phone)

    # Logistics: a window in the past is refused, and what she typed stays.
    today = dt.date.today()
    phone.get_by_label("Tu primera opción").select_option("individual")
    phone.get_by_label("Segunda opción (si quieres)").select_option("collective")
    phone.get_by_label("¿Desde qué día podrías llegar?").fill((today - dt.timedelta(days=3)).isoformat())
    phone.get_by_label("¿Hasta qué día podrías llegar?").fill((today + dt.timedelta(days=60)).isoformat())
    phone.get_by_label("Comida: lo que no comes, alergias, lo que te gustaría").fill("Sin chile, por la gastritis.")
    phone.locator("input[name=barred_countries][value=HN]").check()
    phone.locator("input[name=urgency_self][value='2']").check()
    _save_and_go_on(phone)
    expect(phone.get_by_text("Esta fecha ya pasó").first).to_be_visible()
    expect(phone.get_by_label("Comida: lo que no comes, alergias, lo que te gustaría")).to_have_value(
        "Sin chile, por la gastritis.")
    axe(phone)
    shot(phone, "defender-logistics-refused-phone")
    phone.get_by_label("¿Desde qué día podrías llegar?").fill((today + dt.timedelta(days=20)).isoformat())
    _save_and_go_on(phone)

    expect(phone.get_by_text("quién viene contigo, tus idiomas")).to_be_visible()  # what the house always reads
    phone.get_by_label("Mis niveles de cuidado, lo que la casa necesita para recibirme, y también lo que escribí "
                       "con mis propias palabras sobre mi vida y sobre cada parte de ella.").check()
    # each purpose asked apart (issue 14, item 6): her therapists may read her words, and she counts in statistics
    phone.locator("input[name=share_with_therapists][value=yes]").check()
    phone.locator("input[name=count_in_statistics][value=yes]").check()
    axe(phone)
    shot(phone, "defender-consent-phone")
    _save_and_go_on(phone)

    expect(phone.locator("h1")).to_have_text("Revisar y enviar")
    expect(phone.get_by_text("Sin chile, por la gastritis.")).to_be_visible()
    axe(phone)
    shot(phone, "defender-review-phone")
    phone.get_by_role("button", name="Enviar mi entrevista").click()
    expect(phone.get_by_text("Tu entrevista se envió")).to_be_visible()
    shot(phone, "defender-sent-phone")

    # The house team reads what she allowed and confirms it.
    team.goto("/interviews/team")
    team.get_by_role("link", name=ALIAS).click()
    review_url = team.url
    expect(team.get_by_text("Acompaño a mujeres de mi comunidad")).to_be_visible()
    axe(team)
    team.locator("input[name=need_emotional][value='3']").check()
    team.locator("input[name=urgency][value='2']").check()
    team.get_by_label("Motivo breve").fill("Cansancio acumulado; conviene que venga pronto.")
    shot(team, "team-review-laptop")
    team.get_by_role("button", name="Confirmar: lista para planificar").click()
    expect(team.get_by_text("La solicitud ya está lista para la planificación")).to_be_visible()

    # She sees her request ready for planning, and who opened her file.
    phone.goto("/interviews/")
    expect(phone.get_by_text("Lista para planificar").first).to_be_visible()
    phone.goto("/interviews/my-data")
    expect(phone.get_by_text("Leyó tu entrevista").first).to_be_visible()
    axe(phone)
    shot(phone, "defender-my-data-phone")

    # She takes her words back from the house team, from her phone, at once (giving less asks for nothing).
    phone.get_by_text("Cambiar mis permisos").click()
    phone.get_by_label("Solo mis niveles de cuidado (nada, algo, mucho, muchísimo) y lo que la casa necesita para "
                       "recibirme. No lo que escribí sobre mi vida ni sobre cada parte de ella.").check()
    phone.locator("input[name$=share_with_therapists][value=no]").check()  # her therapists had her words through it
    axe(phone)
    shot(phone, "defender-my-permissions-phone")
    phone.get_by_role("button", name="Guardar mis permisos").click()
    expect(phone.get_by_text("Tus permisos cambiaron al instante")).to_be_visible()
    expect(phone.get_by_text("Cambiaste tus permisos").first).to_be_visible()
    team.goto(review_url)
    expect(team.get_by_text(ALIAS).first).to_be_visible()
    expect(team.get_by_text("Acompaño a mujeres de mi comunidad")).to_have_count(0)
