"""The reports catalog merges with the others without breaking their plurals.

Flask-Babel merges every blueprint's catalog into one; a catalog written with another
Plural-Forms (newer Babel gives Spanish three forms) made every other blueprint's plural
messages fall back to English.
"""
from __future__ import annotations

from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from app.i18n import catalog_dirs


def test_every_catalog_has_the_same_plural_forms():
    forms = set()
    for folder in catalog_dirs():
        with (folder / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            forms.add(read_po(handle, locale="es").plural_forms)
    assert forms == {"nplurals=2; plural=(n != 1);"}


def test_another_blueprints_plural_message_is_still_spanish(app):
    with app.test_request_context(), force_locale("es"):
        text = ngettext("%(num)s stay was published. Those staying and the house team can see it now.",
                        "%(num)s stays were published. Defenders and house teams can see them now.", 13)
    assert text.startswith("Se publicaron 13 estancias")
