"""The follow-up form: her level now in each of the five dimensions, and optional words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app import labels
from app.models import DIMENSIONS
from app.reports.followup import WORDS_MAX


def _level(dimension: str) -> RadioField:
    return RadioField(labels.DIMENSION[dimension], coerce=int, choices=[],
                      validators=[InputRequired(message=_l("Please choose how much care you need now here."))])


class FollowUpForm(FlaskForm):
    physical = _level("physical")
    mental = _level("mental")
    emotional = _level("emotional")
    spiritual = _level("spiritual")
    energetic = _level("energetic")
    words = TextAreaField(_l("Anything you want to tell us about how you are (optional)"),
                          validators=[Optional(), Length(max=WORDS_MAX, message=_l(
                              "Please keep this shorter (at most %(max)d characters)."))])
    agreed = BooleanField(_l("She is with us and agrees to answer together"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DIMENSIONS:  # set after the fields are bound, as the interview's level fields are
            getattr(self, name).choices = [(level, labels.NEED_LEVEL[level]) for level in range(4)]

    def levels(self) -> dict:
        return {name: getattr(self, name).data for name in DIMENSIONS}

    def level_fields(self):
        return [getattr(self, name) for name in DIMENSIONS]
