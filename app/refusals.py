"""One way to refuse: a rule raises `Refused` with a code, the view words it from its blueprint's table.

A rule (a plain function that only flushes) never translates. It raises

    Refused("window_past", "earliest_start")            # a code, the field it concerns
    Refused("too_long", "words", max=4000)              # parameters for the message
    Refused.many([reason, reason, ...])                 # several reasons at once

Each blueprint keeps its messages in `app/<blueprint>/messages.py`:
`MESSAGES = {code: lazy_gettext("... %(param)s ...")}`. The view calls
`refuse(error, MESSAGES, form)` once: it rolls the session back, words each
reason in her language (parameters filled in after translation, dates in her
format) and puts it on its field, on the form's summary, in a flash, or hands
it back for the page to list. tests/app/test_refusals.py checks that every
code raised in a package has a message in its table.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from flask import flash
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.extensions import db

FALLBACK = _l("This change is not possible.")


class Refused(Exception):
    """A rule refused the change: `code` says which, `field` where, `params` fill its message.

    `reasons` lists every reason refused at once (the refusal itself when it
    has one): a reason is a `Refused` or any record with `code` and `params`
    (and optionally `field`), such as a house rule's `Clash`.
    """

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
        self.reasons: list = [self]

    @classmethod
    def many(cls, reasons: Iterable) -> "Refused":
        """One refusal for several reasons (the first gives its code and field)."""
        reasons = list(reasons)
        first = reasons[0]
        error = cls(first.code, getattr(first, "field", None), **first.params)
        error.reasons = reasons
        return error

    def __str__(self) -> str:
        return self.code


def _shown(value):
    """A parameter as she reads it: a date in her format, a lazy text in her language."""
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, (str, int, float)):
        return value
    return str(value)


def message_for(reason, table: Mapping, **extra) -> str:
    """The reason in her language: its code's message, translated, then its parameters (and `extra`) filled in."""
    text = str(table.get(reason.code, FALLBACK))
    params = {**getattr(reason, "params", {}), **extra}
    return text % {k: _shown(v) for k, v in params.items()} if params else text


def refuse(error: Refused, table: Mapping, form=None, *, field: str | None = None, summary: bool = False,
           flash_as: str | None = None, wording: Callable[[object], dict] | None = None) -> list[str]:
    """Undo what the refused change wrote and tell her why; return what no field took, each said once.

    Each reason goes on the form's field it names (else on `field`); what no
    field takes goes on the form's summary (`summary`, the form's
    `form_errors`), is flashed (`flash_as`, the flash category) or is only
    returned for the page to list. `wording(reason)` gives parameters only the
    view can word (stays named as she may see them, labels).
    """
    db.session.rollback()
    rest: list[str] = []
    for reason in error.reasons:
        text = message_for(reason, table, **(wording(reason) if wording else {}))
        target = getattr(form, getattr(reason, "field", None) or field or "", None) if form is not None else None
        if target is not None and hasattr(target, "errors"):
            errors = target.errors if isinstance(target.errors, list) else []
            if text not in errors:
                target.errors = [*errors, text]
        elif text not in rest:
            rest.append(text)
    if summary and form is not None:
        form.form_errors.extend(rest)
    if flash_as:
        for text in rest:
            flash(text, flash_as)
    return rest
