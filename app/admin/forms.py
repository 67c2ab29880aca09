from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

ROLE_LABELS = {
    "team": _l("House team member"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
}


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()])
    house_id = SelectField(_l("House (for a house team member)"), coerce=int, choices=[])
