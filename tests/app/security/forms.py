"""Reading the POST forms a page offers, and fuzzing them field by field (item 22).

`page_forms(html)` returns every `<form method="post">` with its fields as the page
would post them: hidden values, ticked boxes, selected options, and the values each
field offers. `fuzzed_form(draw, form)` then keeps, drops, swaps or spoils each
field and adds junk extra fields, so a fuzzed post can reach past validation into
the view (a fresh version number, a real house) as often as it is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

# Fields a button-only form may hold: nothing she types.
BUTTON_KINDS = {"hidden", "checkbox", "radio", "button", "submit"}
TYPED_KINDS = {"text", "textarea", "password", "email", "date", "number", "search", "tel", "url", "select", "file"}


@dataclass
class Field:
    name: str
    kind: str
    offered: list[str] = field(default_factory=list)  # options, box values, the hidden value
    posted: list[str] = field(default_factory=list)  # what the page posts as it stands


@dataclass
class Form:
    action: str
    form_id: str = ""
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.action).path

    @property
    def button_only(self) -> bool:
        return all(f.kind in BUTTON_KINDS for name, f in self.fields.items() if not name.endswith("csrf_token"))

    def as_posted(self) -> dict[str, list[str]]:
        return {n: list(f.posted) for n, f in self.fields.items() if f.posted and n != "csrf_token"}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.orphans: list[tuple[str, dict]] = []  # (form id, attrs) of inputs outside their form
        self.current: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def _owner(self, attrs) -> Form | None:
        if attrs.get("form"):
            return self.by_id.get(attrs["form"]) or self._later(attrs)
        return self.current

    def _later(self, attrs):
        self.orphans.append((attrs["form"], attrs))
        return None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                self.current = Form(action=attrs.get("action", ""), form_id=attrs.get("id", ""))
                self.forms.append(self.current)
                if self.current.form_id:
                    self.by_id[self.current.form_id] = self.current
            return
        if tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select.offered.append(value)
            if "selected" in attrs:
                self.select.posted = [value]
            return
        if tag not in ("input", "select", "textarea", "button") or not attrs.get("name"):
            return
        form = self._owner(attrs)
        if form is None:
            return
        self._add(form, tag, attrs)

    def _add(self, form: Form, tag: str, attrs: dict) -> None:
        name = attrs["name"]
        kind = attrs.get("type", "text").lower() if tag == "input" else tag
        if tag == "button":
            kind = "button"
        f = form.fields.setdefault(name, Field(name, kind))
        value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        if tag == "select":
            self.select = f
        elif tag == "textarea":
            self.textarea = f
        elif kind in ("checkbox", "radio"):
            f.offered.append(value)
            if "checked" in attrs:
                f.posted.append(value)
        elif kind not in ("button", "submit"):
            f.offered.append(value)
            f.posted = [value]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.posted = [(self.textarea.posted or [""])[0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            if self.select is not None and not self.select.posted and self.select.offered:
                self.select.posted = [self.select.offered[0]]
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def page_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    for form_id, attrs in parser.orphans:  # boxes placed before the form they belong to
        if form_id in parser.by_id:
            parser._add(parser.by_id[form_id], "input", attrs)
    return parser.forms


def endpoint_of(app, form: Form) -> str | None:
    adapter = app.url_map.bind(app.config["SERVER_NAME"])
    try:
        endpoint, _ = adapter.match(form.path, method="POST")
    except HTTPException:
        return None
    return endpoint


# ---------------------------------------------------------------- fuzzing one form
#
# What to do with each field is drawn before looking at the form (a fixed number of
# choices, used by position), so Hypothesis sees the same draws whatever the page
# shows now: after a saved edit or a publish the forms change, the draws do not.

MODES = ("drop", "junk", "keep", "keep", "other")  # the simplest example drops every field: a refusal first
SLOTS = 8


def recipes(junk, extra_names):
    """A strategy for how to fuzz one form, whatever its fields."""
    return st.fixed_dictionaries({
        "modes": st.lists(st.sampled_from(MODES), min_size=SLOTS, max_size=SLOTS),
        "gentle": st.booleans(),  # every field kept or swapped for another real value: a post that may be saved
        "junk": st.lists(junk, min_size=SLOTS, max_size=SLOTS),
        "picks": st.lists(st.lists(st.integers(0, 50), max_size=3), min_size=SLOTS, max_size=SLOTS),
        "shifts": st.lists(st.sampled_from([1, -1, 2, 3, 7, -7]) | st.integers(-45, 45), min_size=SLOTS, max_size=SLOTS),
        "extra": st.lists(st.tuples(st.sampled_from(extra_names) | st.text(min_size=1, max_size=8), junk),
                          max_size=3),
        "csrf": st.sampled_from(["valid"] * 8 + ["junk", "missing"]),
        "csrf_junk": junk,
    })


def _near(value: str, shift: int) -> str:
    """A value near a real one: a date some days away, a number off by a little."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return (day + dt.timedelta(days=shift)).isoformat()
    if value.lstrip("-").isdigit():
        return str(int(value) + shift % 5 - 2)
    return value


def fuzzed_form(recipe: dict, form: Form) -> dict[str, list[str] | str]:
    """The form as the page would post it, each field kept, dropped, swapped or spoiled, plus extra fields,
    and its CSRF token as the recipe says (kept unless `csrf` is 'junk'; 'missing' is up to the caller)."""
    out: dict[str, list[str] | str] = {}
    # No token from the page (a prefixed form has its own, `s7-csrf_token`): the client adds a valid one.
    names = [n for n, f in form.fields.items() if not n.endswith("csrf_token") and f.kind not in ("button", "submit")]
    for i, name in enumerate(names):
        f, slot = form.fields[name], i % SLOTS
        mode = recipe["modes"][slot]
        if recipe["gentle"] and (mode in ("drop", "junk") or f.kind == "hidden"):
            mode = "keep"
        if mode == "keep":
            if f.posted:
                out[name] = list(f.posted)
        elif mode == "junk":
            out[name] = recipe["junk"][slot]
        elif mode == "other":
            if f.kind in ("checkbox", "select") and f.offered:
                picks = [f.offered[k % len(f.offered)] for k in recipe["picks"][slot]]
                out[name] = list(dict.fromkeys(picks)) or ([] if f.kind == "checkbox" else [f.offered[0]])
            elif f.posted:
                out[name] = [_near(v, recipe["shifts"][slot]) for v in f.posted]
    for name, value in recipe["extra"]:
        if not name.endswith("csrf_token"):
            out.setdefault(name, value)
    if recipe["csrf"] == "junk":
        out["csrf_token"] = recipe["csrf_junk"]
    return out
