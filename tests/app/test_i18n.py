"""Spanish first, English on request, and every string translated."""
import pytest

from app.i18n import catalog_dirs, extract_messages, untranslated


def test_pages_are_in_spanish_by_default_whatever_the_browser_asks(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="es">' in page.text and "Iniciar sesión" in page.text


def test_english_on_request_and_remembered(client):
    assert "Log in" in client.get("/login?lang=en").text
    assert '<html lang="en">' in client.get("/login").text


def test_an_unknown_language_falls_back_to_spanish(client):
    assert "Iniciar sesión" in client.get("/login?lang=xx").text


def test_error_pages_speak_her_language(client):
    assert "Página no encontrada" in client.get("/no-such-page").text
    assert "Page not found" in client.get("/no-such-page?lang=en").text


@pytest.mark.parametrize("folder", catalog_dirs(), ids=lambda p: p.parent.name)
def test_every_string_has_its_spanish_translation(folder):
    from babel.messages.pofile import read_po

    po_path = folder / "es" / "LC_MESSAGES" / "messages.po"
    assert po_path.exists(), f"no Spanish catalog at {po_path}"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    extracted = {m.id for m in extract_messages(folder) if m.id}
    known = {m.id for m in catalog if m.id}
    assert not sorted(extracted - known, key=str), "strings missing from the catalog: run `flask i18n update`"
    missing = [m for m in untranslated(catalog) if m in extracted]
    assert not missing, f"untranslated strings: {missing}"


def test_gettext_outside_a_request_speaks_the_default_language(app):
    from flask import has_request_context
    from flask_babel import get_locale, gettext

    with app.app_context():
        assert not has_request_context()
        assert str(get_locale()) == app.config["BABEL_DEFAULT_LOCALE"] == "es"
        assert gettext("Log in") == "Iniciar sesión"
