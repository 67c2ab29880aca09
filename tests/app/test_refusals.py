"""One way to refuse (issue 17): one `Refused`, a message table per blueprint, one `refuse` helper.

- no module but app/refusals.py defines a refusal class, and the name Conflict means one thing;
- every code a package raises has a message in its blueprint's table (an AST scan of the source);
- `refuse` puts a reason on its field, on the form's summary, in a flash, or hands it back, and undoes the writes.
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
from pathlib import Path

import pytest
from flask import get_flashed_messages
from flask_babel import force_locale
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from app.extensions import db
from app.models import House
from app.refusals import Refused, message_for, refuse

APP = Path(__file__).resolve().parents[2] / "app"
TABLES = sorted(p.parent.name for p in APP.glob("*/messages.py"))
# Codes that reach a table through a name, not a literal (the engine's codes, worded per blueprint).
INDIRECT = {"houses": "app.houses.rules:CAPACITY_CODES", "network": "app.planning.bridge:THERAPIST_CODES"}
REFUSING = {"Refused", "Clash", "add"}  # `add` is the local helper of houses.rules.settings_conflicts


def _name(func_node) -> str:
    if isinstance(func_node, ast.Name):
        return func_node.id
    if isinstance(func_node, ast.Attribute):
        return func_node.attr
    return ""


def _codes(node) -> list:
    """The literal codes an argument can be: a string, either branch of `a if c else b`, or an f-string pattern."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    if isinstance(node, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values]
        return [re.compile("".join(parts))]
    return []


def raised_codes(package: str) -> set:
    """Every code written as the first argument of Refused(...) / Clash(...) in the package's source."""
    found = set()
    for path in (APP / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in REFUSING and node.args:
                if _name(node.func) == "add" and path.name != "rules.py":
                    continue
                found.update(_codes(node.args[0]))
    return found


def test_one_refused_class_and_one_meaning_of_conflict():
    defined = {}
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(str(path.relative_to(APP)))
    refusals = {name: where for name, where in defined.items() if re.search(r"Refus|RuleError|AccountError", name)}
    assert refusals == {"Refused": ["refusals.py"]}
    assert "Conflict" not in defined  # the HTTP 409 is NotInThatState, a house rule's reason a Clash


@pytest.mark.parametrize("package", TABLES)
def test_every_code_raised_has_a_message(package):
    table = importlib.import_module(f"app.{package}.messages").MESSAGES
    codes = raised_codes(package)
    if package in INDIRECT:
        module, name = INDIRECT[package].split(":")
        codes |= set(getattr(importlib.import_module(module), name).values())
    assert codes, f"app/{package} raises no code: is the scan still looking at the right calls?"
    missing = sorted(str(c) for c in codes if (c not in table if isinstance(c, str)
                                                 else not any(c.fullmatch(k) for k in table)))
    assert missing == [], f"codes without a message in app/{package}/messages.py: {missing}"


def test_the_scan_sees_the_packages_that_refuse():
    assert {"auth", "houses", "interviews", "network", "offers", "planning", "reports", "schedule"} <= set(TABLES)


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")


TABLE = {"taken": "That name is taken.", "late": "Too late: it closed on %(day)s.",
         "other": "Something else (%(n)s)."}


def _with_a_new_house() -> int:
    """A house added in the session, not committed: a refusal must leave no trace of it."""
    before = db.session.scalar(select(func.count(House.id)))
    db.session.add(House(code="tmp", name="Temporary", place="", country="MX", beds=4, max_concurrent_stays=1))
    db.session.flush()
    return before


def test_refuse_puts_a_reason_on_its_field_and_undoes_the_writes(app):
    with app.test_request_context(method="POST"):
        before = _with_a_new_house()
        form = NameForm()
        rest = refuse(Refused("taken", "name"), TABLE, form)
        assert form.name.errors == ["That name is taken."]
        assert rest == [] and form.form_errors == []
        assert db.session.scalar(select(func.count(House.id))) == before


def test_refuse_puts_a_reason_without_a_field_on_the_form_summary(app):
    with app.test_request_context(method="POST"):
        form = NameForm()
        rest = refuse(Refused("other", n=3), TABLE, form, summary=True)
        assert form.form_errors == ["Something else (3)."] == rest
        assert not form.name.errors


def test_refuse_flashes_for_a_page_and_says_each_reason_once(app):
    with app.test_request_context(), force_locale("en"):
        day = dt.date(2027, 3, 5)
        error = Refused.many([Refused("late", day=day), Refused("late", day=day), Refused("unknown")])
        assert refuse(error, TABLE, flash_as="error") == ["Too late: it closed on Mar 5, 2027.",
                                                          "This change is not possible."]
        assert get_flashed_messages(with_categories=True) == [("error", "Too late: it closed on Mar 5, 2027."),
                                                              ("error", "This change is not possible.")]


def test_the_words_are_hers_translated_first_then_filled_in(app):
    from app.reports.messages import MESSAGES

    with app.test_request_context(), force_locale("es"):
        text = message_for(Refused("too_long", "words", max=4000), MESSAGES)
    assert "4000" in text and "Please" not in text


def test_a_refusal_is_its_code_for_logs_and_the_command_line():
    error = Refused("email_taken", "email")
    assert str(error) == "email_taken" and error.reasons == [error] and error.params == {}
