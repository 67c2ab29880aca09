from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class SettingsForm(FlaskForm):
    email = BooleanField(_l("Also tell me by e-mail that I have a new notice"),
                         description=_l("The e-mail only says \"You have a new notice in Respiro\" and gives a link: "
                                        "no name, house, date or place. You read the notice here, after logging in."))


class ReadForm(FlaskForm):
    """Mark read: a POST with its CSRF token (a GET never writes)."""
