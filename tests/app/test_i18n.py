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


@pytest.fixture
def uncompiled(tmp_path, monkeypatch):
    """The app's catalogs copied to a tree of their own, with no .mo: as a fresh checkout has them."""
    import shutil

    from app import i18n

    dirs = []
    for folder in catalog_dirs():
        copy = tmp_path / folder.parent.name / "translations"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("*.mo"))
        dirs.append(copy)
    monkeypatch.setattr(i18n, "catalog_dirs", lambda: dirs)
    return dirs


def test_a_start_without_compiled_catalogs_says_so_loudly_once(make_app, uncompiled, caplog):
    from app.i18n import missing_catalogs

    assert missing_catalogs(uncompiled)
    served = make_app()
    with served.app_context():
        client = served.test_client()
        client.get("/login")
        client.get("/login")
    assert caplog.text.count("TRANSLATIONS NOT COMPILED") == 1


def test_i18n_compile_on_a_tree_without_mo_files_says_no_such_warning(make_app, uncompiled, caplog):
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    from app.i18n import missing_catalogs

    flask = FlaskGroup(create_app=make_app, load_dotenv=False)  # the `flask` command, as `flask --app wsgi` runs
    result = CliRunner().invoke(flask, ["i18n", "compile"])
    assert result.exit_code == 0, result.output
    assert result.output.count("compiled ") == len(uncompiled)
    assert missing_catalogs(uncompiled) == []
    assert "NOT COMPILED" not in caplog.text + result.output
