"""Invisible text (issue 14, item 7): names, aliases and reasons are normalised (NFC) and
refuse zero-width and direction-changing characters, through one helper every form uses."""
from __future__ import annotations

import importlib
import unicodedata

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms.fields.core import UnboundField

from app.extensions import db
from app.models import AuditEvent, Defender, Therapist
from app.security.text import Visible, hidden_characters, normalise

from .conftest import database_fingerprint

REFUSED = "Este texto tiene caracteres invisibles"
ZWSP, RLO, LRI, PDI = "\u200b", "\u202e", "\u2066", "\u2069"


@pytest.mark.parametrize("text", [ZWSP * 12, "Motivo" + ZWSP * 8, "\u2060\u2060 necesito verla", "a\ufeffbcdefghijk"])
def test_a_reveal_reason_of_invisible_characters_is_refused(client, make_user, make_defender, login, text):
    defender = make_defender()
    login(make_user("coordinator"))
    response = client.post(f"/admin/defenders/{defender.id}/reveal", data={"reason": text})
    assert response.status_code == 400 and REFUSED in response.text
    assert defender.real_name not in response.text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("alias", [f"Ceiba{RLO}abc", f"Ce{ZWSP}iba", f"{LRI}Ceiba{PDI}", "Ceiba\u200d", "Ceiba\u200f"])
def test_an_alias_with_invisible_or_direction_changing_characters_is_refused(client, make_user, login, alias):
    login(make_user("team"))
    before = database_fingerprint()
    response = client.post("/interviews/team/assisted", data={"alias": alias, "country": "GT", "languages": ["es"],
                                                              "defender_agreed": "y"})
    assert response.status_code == 400 and REFUSED in response.text
    assert database_fingerprint() == before


def test_an_alias_typed_in_decomposed_form_is_stored_composed(client, make_user, login):
    login(make_user("team"))
    decomposed = "Ame\u0301lie"  # "é" as e + combining accent
    response = client.post("/interviews/team/assisted", data={"alias": f"  {decomposed} ", "country": "GT",
                                                              "languages": ["es"], "defender_agreed": "y"})
    assert response.status_code == 302
    alias = db.session.scalar(select(Defender.alias))
    assert alias == "Amélie" and unicodedata.is_normalized("NFC", alias)


def test_a_therapist_name_with_a_zero_width_space_is_refused(client, make_user, login):
    team = make_user("team")
    login(team)
    response = client.post("/network/new", data={"name": f"Rosa{ZWSP}", "kind": "therapist",
                                                 "dimensions": ["emotional"], "languages": ["es"],
                                                 "houses": [team.house_id], "max_sessions_per_day": "2"})
    assert response.status_code == 400 and REFUSED in response.text
    assert db.session.scalar(select(func.count()).select_from(Therapist)) == 0


def test_visible_text_passes_untouched_apart_from_composition_and_spaces():
    for text in ("Ámbar del Río", "Ceiba", "نور", "María José\nSegunda línea", "Xochitl\tTab"):
        assert hidden_characters(text) == []
    assert normalise("  e\u0301  ") == "é"
    assert hidden_characters(f"a{RLO}b{ZWSP}c\x07") == ["U+0007", "U+200B", "U+202E"]


FORM_MODULES = ["app.admin.reveal", "app.admin.forms", "app.auth.forms", "app.houses.forms",
                "app.interviews.forms", "app.network.forms", "app.planning.forms"]
GUARDED = {"alias", "name", "reason", "note"}


def _forms():
    seen = set()
    for module in map(importlib.import_module, FORM_MODULES):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm) and value not in seen:
                seen.add(value)
                yield value


def test_every_form_field_for_a_name_alias_reason_or_note_uses_the_one_helper(app):
    checked, missing = 0, []
    for form in _forms():
        for name in dir(form):
            field = getattr(form, name, None)
            if not isinstance(field, UnboundField) or name not in GUARDED:
                continue
            if field.field_class.__name__ not in ("StringField", "TextAreaField"):
                continue  # a choice among fixed codes
            checked += 1
            validators = field.kwargs.get("validators") or ()
            filters = field.kwargs.get("filters") or ()
            if not any(isinstance(v, Visible) for v in validators) or normalise not in filters:
                missing.append(f"{form.__module__}.{form.__name__}.{name}")
    assert checked >= 6
    assert missing == []
