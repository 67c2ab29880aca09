"""Forms of the schedule pages (Flask-WTF, CSRF on)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.planning.forms import MultiCheckboxField


class VersionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


class ChangeForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    house = SelectField(_l("House"), coerce=int, validators=[InputRequired()])
    start = DateField(_l("First day"), validators=[InputRequired()])
    type = SelectField(_l("Stay type"), validators=[InputRequired()])
    keep = MultiCheckboxField(_l("People who stay in it"), coerce=int)
    add = SelectField(_l("Add a request from the queue"), validators=[Optional()], default="")
    keep_programme = BooleanField(_l("Keep the programme (sessions move with the dates)"), default=True,
                                  description=_l("Untick it to have a new programme planned for the new "
                                                 "dates or house."))
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for cancelling"),
                           validators=[DataRequired(_l("Please give the reason for cancelling.")), Length(max=2000)])


class AttendanceForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    status = SelectField(_l("What happened"), validators=[InputRequired()])
    day = DateField(_l("Day she left (left early only)"), validators=[Optional()])


class SessionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    therapist = SelectField(_l("Therapist"), coerce=int, validators=[InputRequired()])


class AddSessionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    dimension = SelectField(_l("Care dimension"), validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired()])
    therapist = SelectField(_l("Therapist"), coerce=int, validators=[InputRequired()])


class UnavailableForm(FlaskForm):
    first = DateField(_l("Unavailable from"), validators=[InputRequired()])
    confirm = BooleanField(_l("I have read the sessions this affects"))


class FillForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    request = IntegerField(validators=[InputRequired()])
    type = HiddenField(validators=[DataRequired()])
    start = DateField(validators=[InputRequired()])
