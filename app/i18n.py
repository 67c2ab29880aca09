"""Spanish first, English too: locale choice and the translation catalogs.

Each blueprint keeps its own catalog (`app/<blueprint>/translations`) beside
the shared one (`app/translations`); Flask-Babel merges them all, so teams can
work on different parts without touching one shared file.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from app.extensions import babel

APP_DIR = Path(__file__).resolve().parent


def catalog_dirs() -> list[Path]:
    """Every translations folder of the app, the shared one first."""
    dirs = [APP_DIR / "translations"]
    dirs += sorted(p for p in APP_DIR.glob("*/translations") if p.is_dir())
    return dirs


def select_locale() -> str:
    """`?lang=` (remembered in the session), then the user's choice, then Spanish.

    Outside a request (CLI commands, RQ workers) there is no one to ask: the default locale.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


def _owned_sources(folder: Path) -> list[Path]:
    """The files whose strings go into the catalog at `folder`.

    A blueprint with its own `translations` owns `app/<bp>/` and
    `templates/<bp>/`; the shared catalog owns everything else.
    """
    root = APP_DIR.parent
    blueprints = [p.parent.name for p in catalog_dirs()[1:]]
    if folder.parent.name in blueprints:
        name = folder.parent.name
        return sorted((APP_DIR / name).rglob("*.py")) + sorted((root / "templates" / name).rglob("*.html"))
    files = [p for p in APP_DIR.rglob("*.py") if p.relative_to(APP_DIR).parts[0] not in blueprints]
    files += [p for p in (root / "templates").rglob("*.html")
              if p.relative_to(root / "templates").parts[0] not in blueprints]
    return sorted(files)


def extract_messages(folder: Path):
    """Extract every translatable string of the files a catalog owns."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    root = APP_DIR.parent
    template = Catalog(project="respiro")
    for path in _owned_sources(folder):
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if path.suffix == ".py" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                    options=options):
            template.add(message, None, [(str(path.relative_to(root)), lineno)], auto_comments=comments,
                         context=context)
    return template


def update_catalogs(locale: str = "es", only: str | None = None) -> dict[Path, list[str]]:
    """Extract strings into each catalog for `locale`; return what is untranslated.

    `only` names one blueprint (or "shared") to touch just that catalog.
    """
    from babel.messages.pofile import read_po, write_po
    from babel.messages.catalog import Catalog

    missing = {}
    for folder in catalog_dirs():
        name = "shared" if folder == APP_DIR / "translations" else folder.parent.name
        if only and name != only:
            continue
        po_path = folder / locale / "LC_MESSAGES" / "messages.po"
        template = extract_messages(folder)
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            po_path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=locale, project="respiro")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False)
        missing[folder] = untranslated(catalog)
    return missing


def untranslated(catalog) -> list[str]:
    """Message ids with no translation (or only a fuzzy one)."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def compile_catalogs() -> list[Path]:
    """Compile every .po catalog into its .mo file; return the files written."""
    from app._build import compile_catalog

    return [compile_catalog(po_path) for folder in catalog_dirs() for po_path in folder.glob("*/LC_MESSAGES/*.po")]


SOURCE_LANGUAGE = "en"  # the msgids: what a page says when no catalog is found


def missing_catalogs(dirs: list[Path]) -> list[Path]:
    """Catalogs written (`.po`) but not compiled (`.mo`): their language would not be served."""
    return [po for folder in dirs for po in sorted(folder.glob("*/LC_MESSAGES/*.po")) if not po.with_suffix(".mo").exists()]


def served_languages(languages, dirs: list[Path]) -> set[str]:
    """The languages a page can really be read in: the source one, and those whose every catalog is compiled."""
    missing = {po.parent.parent.name for po in missing_catalogs(dirs)}
    return {lang for lang in languages
            if lang == SOURCE_LANGUAGE or (lang not in missing and any((d / lang).is_dir() for d in dirs))}


def served_locale() -> str:
    """The language of the text actually served, for `<html lang>`: a language asked for but not compiled is English."""
    from flask_babel import get_locale

    asked = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return asked if asked in current_app.extensions["respiro_served_languages"] else SOURCE_LANGUAGE


def init_app(app: Flask) -> None:
    dirs = catalog_dirs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in dirs)
    babel.init_app(app, locale_selector=select_locale)
    app.extensions["respiro_served_languages"] = served_languages(app.config["LANGUAGES"], dirs)
    missing = missing_catalogs(dirs)
    if missing:
        _warn_when_serving(app, missing)


def _warn_when_serving(app: Flask, missing: list[Path]) -> None:
    """Say loudly, at the first page served, that catalogs are not compiled (their language is served in English).

    Not when the app is built: `flask i18n compile` builds it too, to compile the very catalogs that are missing.
    """
    said: list[bool] = []

    @app.before_request
    def _say_once() -> None:
        if not said:
            said.append(True)
            app.logger.error("TRANSLATIONS NOT COMPILED: %d catalog(s) have no .mo, so their language is served in "
                             "English: %s. Run 'flask --app wsgi i18n compile' (a wheel build does it).",
                             len(missing), ", ".join(str(p) for p in missing))
