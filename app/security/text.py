"""Visible text: one rule for every form that takes a name, an alias or a reason (issue 14, item 7).

Text is normalised (NFC, so "é" typed two ways is one name) and stripped, and
text holding an invisible or direction-changing character is refused: a
zero-width space passes a "reason" that says nothing, and a right-to-left
override makes an alias read differently from what is stored (two people
who look the same, a name that spoofs another). Tabs and line breaks stay
allowed in long text; other control characters are refused.
"""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# Zero-width and invisible formatting characters, and the bidirectional controls (embeddings,
# overrides, isolates, marks). Everything of Unicode category Cf is refused too (soft hyphen,
# word joiner, invisible operators, tag characters...).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u034f\u115f\u1160\u3164\uffa0")
ALLOWED_CONTROLS = frozenset("\t\n\r")


def normalise(value):
    """NFC and no surrounding spaces (a WTForms filter: anything not a string passes through)."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value).strip()


def hidden_characters(value: str) -> list[str]:
    """The invisible, direction-changing or control characters in `value`, as U+XXXX."""
    found = []
    for char in value or "":
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS or char in ZERO_WIDTH or category == "Cf" \
                or (category == "Cc" and char not in ALLOWED_CONTROLS) or category in ("Zl", "Zp"):
            found.append(f"U+{ord(char):04X}")
    return sorted(set(found))


# The refusal's words, `codes` the characters found: a blueprint's table words its code with it
# (the network's CSV import refuses "hidden_characters" where it reads a row).
HIDDEN_MESSAGE = _l("This text holds invisible or direction-changing characters (%(codes)s). "
                    "Please type it again without them.")


def check_visible(value: str) -> str | None:
    """The message (in her language) refusing `value`, or None when it is all visible."""
    found = hidden_characters(value)
    if not found:
        return None
    return str(HIDDEN_MESSAGE) % {"codes": ", ".join(found)}


class Visible:
    """WTForms validator: refuse invisible and direction-changing characters."""

    def __call__(self, form, field):
        message = check_visible(field.data if isinstance(field.data, str) else "")
        if message:
            raise ValidationError(message)


# For a form field: filters=VISIBLE_FILTERS, validators=[..., Visible()]
VISIBLE_FILTERS = (normalise,)
