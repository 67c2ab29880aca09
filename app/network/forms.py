"""Forms of the network pages. No populate_obj: views build plain data from the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.houses.forms import MultiCheckboxField, choices
from app.labels import DIMENSION, KIND, LANGUAGE
from app.models import DIMENSIONS, KINDS
from app.security.text import VISIBLE_FILTERS, Visible


class TherapistForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("First name or the name she uses in public; defenders see it."),
                       filters=VISIBLE_FILTERS,
                       validators=[DataRequired(_l("Please give a name.")), Visible(), Length(max=120)])
    kind = SelectField(_l("She is a"), choices=choices((k, KIND[k]) for k in KINDS))
    dimensions = MultiCheckboxField(_l("Care dimensions she works on"), choices=choices((d, DIMENSION[d]) for d in DIMENSIONS),
                                    validators=[DataRequired(_l("Choose at least one dimension."))])
    techniques = TextAreaField(_l("Techniques"), description=_l("In her own words, e.g. massage, herbal baths, listening circles."),
                               validators=[Optional(), Length(max=2000)])
    languages = MultiCheckboxField(_l("Languages"), choices=choices((code, LANGUAGE[code]) for code in LANGUAGE),
                                   validators=[DataRequired(_l("Choose at least one language."))])
    houses = MultiCheckboxField(_l("Houses where she works"), coerce=int, choices=[])
    max_sessions_per_day = IntegerField(_l("Most sessions she gives in a day"),
                                        description=_l("Her rest matters: across all houses."),
                                        validators=[InputRequired(_l("Please give a number.")),
                                                    NumberRange(1, 8, _l("Please give a number from %(min)s to %(max)s."))])
    max_sessions_per_week = IntegerField(
        _l("Most sessions she gives in a week"),
        description=_l("Optional, Monday to Sunday, across all houses. Leave it empty for no weekly limit."),
        validators=[Optional(), NumberRange(1, 40, _l("Please give a number from %(min)s to %(max)s."))])
    contact = TextAreaField(_l("Contact"), description=_l("Phone, Signal or email. Kept encrypted; only house teams and coordinators see it."),
                            validators=[Optional(), Length(max=500)])
    active = BooleanField(_l("Active in the network"), default=True)
    version = HiddenField()


class AvailabilityForm(FlaskForm):
    start = DateField(_l("First day"), validators=[InputRequired(_l("Please give a date."))])
    end = DateField(_l("Last day"), validators=[InputRequired(_l("Please give a date."))])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or technique"), validators=[Optional(), Length(max=100)])
    dimension = SelectField(_l("Dimension"), default="", choices=choices([("", _l("Any"))] + [(d, DIMENSION[d]) for d in DIMENSIONS]))
    language = SelectField(_l("Language"), default="", choices=choices([("", _l("Any"))] + [(c, LANGUAGE[c]) for c in LANGUAGE]))
    house = SelectField(_l("House"), coerce=str, default="", choices=[])
    on = DateField(_l("Available on"), validators=[Optional()])


class ImportForm(FlaskForm):
    what = SelectField(_l("What the file holds"), choices=choices([("therapists", _l("Therapists")),
                                                                  ("availability", _l("Availability"))]))
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Please choose a file."))])
