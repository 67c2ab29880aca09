"""Forms of the planning pages (Flask-WTF, CSRF on)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, TextAreaField,
)
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.models import DIMENSIONS, STAY_TYPES
from app.planning.bridge import DEFAULT_WEIGHTS
from app.security.text import VISIBLE_FILTERS, Visible

WEIGHT_HELP = {
    "serve": _l("Points for each defender who gets a stay, multiplied by her urgency factor. "
                "Keep it the largest weight, so that serving someone always counts most."),
    "wait": _l("Points taken off per day a stay starts after the first day she can come, "
               "multiplied by her urgency factor. Higher: earlier stays."),
    "type_rank": _l("Points taken off for each place further down her list of preferred stay types."),
    "away": _l("Points taken off when the house is in another country than hers."),
    "session": _l("Points for each session she needs and gets, multiplied by her urgency factor."),
    "switch": _l("Points taken off for each extra therapist in the same care dimension of one stay. "
                 "Higher: the same person accompanies her."),
    "urgency_factor": _l("How much more a request counts at each urgency level."),
}
WEIGHT_LABELS = {
    "serve": _l("Serving a defender"), "wait": _l("Each day of waiting"),
    "type_rank": _l("A less preferred stay type"), "away": _l("A house away from home"),
    "session": _l("Each session she needs"), "switch": _l("Changing therapist"),
}
DEFAULTS = {name: value for name, value in DEFAULT_WEIGHTS.items() if name != "urgency_factor"}
URGENCY_DEFAULTS = tuple(DEFAULT_WEIGHTS["urgency_factor"])


def choices(pairs) -> list[SelectChoice]:
    """Options for a select field (WTForms 3.3 wants SelectChoice, not tuples)."""
    return [SelectChoice(value, text) for value, text in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _weight(name: str) -> IntegerField:
    return IntegerField(WEIGHT_LABELS[name], description=WEIGHT_HELP[name], default=DEFAULTS[name],
                        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])


class RunForm(FlaskForm):
    horizon_start = DateField(_l("First day of the horizon"), validators=[InputRequired()],
                              description=_l("Stays start on or after this day."))
    horizon_days = IntegerField(_l("Days in the horizon"), default=182,
                                validators=[InputRequired(), NumberRange(min=7, max=731)],
                                description=_l("From 7 to 731 days."))
    houses = MultiCheckboxField(_l("Houses"), coerce=int, validators=[DataRequired(_l("Choose at least one house."))])
    time_limit = IntegerField(_l("Time limit (seconds)"), default=30,
                              validators=[InputRequired(), NumberRange(min=1, max=3600)],
                              description=_l("How long the planner may search. It stops earlier when it proves "
                                             "the plan is the best possible."))
    serve = _weight("serve")
    wait = _weight("wait")
    type_rank = _weight("type_rank")
    away = _weight("away")
    session = _weight("session")
    switch = _weight("switch")
    urgency_0 = IntegerField(_l("Preventive"), default=URGENCY_DEFAULTS[0], validators=[InputRequired(), NumberRange(min=0, max=1000)])
    urgency_1 = IntegerField(_l("Moderate"), default=URGENCY_DEFAULTS[1], validators=[InputRequired(), NumberRange(min=0, max=1000)])
    urgency_2 = IntegerField(_l("High"), default=URGENCY_DEFAULTS[2], validators=[InputRequired(), NumberRange(min=0, max=1000)])
    urgency_3 = IntegerField(_l("Imminent risk"), default=URGENCY_DEFAULTS[3], validators=[InputRequired(), NumberRange(min=0, max=1000)])

    def weights(self) -> dict:
        values = {name: int(getattr(self, name).data) for name in DEFAULTS}
        values["urgency_factor"] = [int(getattr(self, f"urgency_{i}").data) for i in range(4)]
        return values


class VersionForm(FlaskForm):
    """A button that acts on a versioned row."""

    version = HiddenField(validators=[DataRequired()])


class PublishForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    stays = MultiCheckboxField(_l("Stays to publish"), coerce=int,
                               validators=[DataRequired(_l("Choose at least one proposed stay to publish."))])


class StayEditForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    house = SelectField(_l("House"), coerce=int, validators=[InputRequired()])
    start = DateField(_l("First day"), validators=[InputRequired()])
    type = SelectField(_l("Stay type"), choices=choices((t, t) for t in STAY_TYPES), validators=[InputRequired()])
    keep_programme = BooleanField(_l("Keep the programme (sessions move with the dates)"), default=True,
                                  description=_l("Untick it to have a new programme planned for the new "
                                                 "dates or house."))


class SessionTherapistForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    therapist = SelectField(_l("Therapist"), coerce=int, validators=[InputRequired()])


class AddSessionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    dimension = SelectField(_l("Care dimension"), choices=choices((d, d) for d in DIMENSIONS), validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired()])
    slot = SelectField(_l("Time"), coerce=int, validators=[InputRequired()])
    therapist = SelectField(_l("Therapist"), coerce=int, validators=[InputRequired()])


class SessionPickForm(FlaskForm):
    """The session to add, picked before choosing who gives it (a GET: it only shows who can)."""

    class Meta:
        csrf = False

    dimension = SelectField(_l("Care dimension"), validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired()])


class TimedSessionPickForm(SessionPickForm):
    """The session to add at a time she chooses (a proposal's stay)."""

    slot = SelectField(_l("Time"), coerce=int, validators=[InputRequired()])


class DeclineForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason she will read"), filters=VISIBLE_FILTERS,
                           validators=[DataRequired(_l("Please write the reason she will read.")), Visible(),
                                       Length(max=2000)],
                           description=_l("Write to her directly and kindly: she reads these words."))


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    urgency = SelectField(_l("Urgency"), choices=choices([("", "")]), validators=[Optional()], default="")
    stay_type = SelectField(_l("Stay type"), choices=choices([("", "")]), validators=[Optional()], default="")
    language = SelectField(_l("Language"), choices=choices([("", "")]), validators=[Optional()], default="")
    sort = SelectField(_l("Sort by"), choices=choices([("", "")]), validators=[Optional()], default="urgency")
