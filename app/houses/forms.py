"""Forms of the house pages. No populate_obj: views copy the fields they own."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.labels import CLOSURE_REASON, COUNTRY, STAY_TYPE, WEEKDAY
from app.models import CLOSURE_REASONS, STAY_TYPES
from app.houses.slots import MAX_SLOTS, MIN_SLOTS, SlotTimesError, format_slot_times, parse_slot_times
from app.security.text import VISIBLE_FILTERS, Visible


def choices(pairs) -> list[SelectChoice]:
    """Options for a select or checkbox group (WTForms 3.3 wants SelectChoice, not tuples)."""
    return [SelectChoice(value, text) for value, text in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(label, low, high, description=None):
    return IntegerField(label, description=description,
                        validators=[InputRequired(_l("Please give a number.")),
                                    NumberRange(low, high, _l("Please give a number from %(min)s to %(max)s."))])


class SlotTimesField(StringField):
    """Session times as "09:30, 11:30, 16:00, 18:00": `data` is the list of "HH:MM", earliest first."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_slot_times(self.data) if isinstance(self.data, (list, tuple)) else (self.data or "")

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form):
        try:
            self.data = parse_slot_times(self.data if isinstance(self.data, str) else format_slot_times(self.data))
        except SlotTimesError as error:
            self.data = []
            raise ValidationError(str(error)) from None


class HouseSettingsForm(FlaskForm):
    beds = _number(_l("Beds"), 1, 200, _l("People (defenders and companions) who can sleep here on one day."))
    max_concurrent_stays = _number(_l("Stays at the same time"), 1, 50,
                                   _l("A collective stay counts once."))
    family_units = _number(_l("Family units"), 0, 50, _l("Family stays that can run at the same time."))
    stay_types = MultiCheckboxField(_l("Stay types offered"), choices=choices((t, STAY_TYPE[t]) for t in STAY_TYPES),
                                    validators=[DataRequired(_l("Choose at least one stay type."))])
    length_individual = IntegerField(_l("Length of an individual stay (days)"),
                                     validators=[Optional(), NumberRange(1, 90, _l("From 1 to 90 days."))])
    length_collective = IntegerField(_l("Length of a collective stay (days)"),
                                     validators=[Optional(), NumberRange(1, 90, _l("From 1 to 90 days."))])
    length_family = IntegerField(_l("Length of a family stay (days)"),
                                 validators=[Optional(), NumberRange(1, 90, _l("From 1 to 90 days."))])
    collective_min = _number(_l("Smallest collective (defenders)"), 1, 50)
    collective_max = _number(_l("Largest collective (defenders)"), 1, 50)
    accessible = BooleanField(_l("The house is accessible (wheelchair, no steps)"))
    turnover_days = _number(_l("Turnover days"), 0, 14,
                            _l("Days after a stay during which its beds stay taken (cleaning, the team's rest)."))
    slot_times = SlotTimesField(
        _l("Session times"),
        description=_l("The clock time of each session of the day, earliest first, separated by commas "
                       "(from %(low)s to %(high)s times), e.g. 09:30, 11:30, 16:00, 18:00.", low=MIN_SLOTS,
                       high=MAX_SLOTS))
    arrival_weekdays = MultiCheckboxField(_l("Weekdays allowed for arrival"), coerce=int,
                                          choices=choices((d, WEEKDAY[d]) for d in range(7)),
                                          validators=[DataRequired(_l("Choose at least one weekday."))])
    version = HiddenField()

    def lengths(self) -> dict[str, int]:
        return {t: getattr(self, f"length_{t}").data for t in STAY_TYPES if getattr(self, f"length_{t}").data}


class NewHouseForm(HouseSettingsForm):
    code = StringField(_l("Short code"), description=_l("Lowercase letters, digits and dashes, e.g. serena."),
                       validators=[DataRequired(), Length(max=40),
                                   Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lowercase letters, digits and dashes."))])
    name = StringField(_l("Name"), filters=VISIBLE_FILTERS, validators=[DataRequired(), Visible(), Length(max=120)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), choices=choices(COUNTRY.items()))


class ClosureForm(FlaskForm):
    start = DateField(_l("First closed day"), validators=[InputRequired(_l("Please give a date."))])
    end = DateField(_l("Last closed day"), validators=[InputRequired(_l("Please give a date."))])
    reason = SelectField(_l("Reason"), choices=choices((r, CLOSURE_REASON[r]) for r in CLOSURE_REASONS))
    note = TextAreaField(_l("Note"), description=_l("Needed when the reason is “other”. Shown to the team and coordinators."),
                         filters=VISIBLE_FILTERS, validators=[Optional(), Visible(), Length(max=500)])
    confirm_replan = BooleanField(_l("I confirm that the stays this closure covers will be re-planned"))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), choices=choices([("month", _l("Month")), ("quarter", _l("Quarter"))]),
                         default="month")
    start = StringField(_l("From the month"), validators=[Optional(), Regexp(r"^\d{4}-\d{2}$")],
                        description=_l("Year and month, e.g. 2027-03."))
