from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.security.passwords import MAX_LENGTH


# An address's form: something@somewhere.tld, no spaces or control characters (what the login field takes).
EMAIL_FORM = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254),
                                                Regexp(EMAIL_FORM, message=_l("Please give a valid email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             description=_l("At least 8 characters. A long phrase is easiest to remember."))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class TotpCodeForm(FlaskForm):
    """The six-digit code from her authenticator app (security item 5)."""

    code = StringField(_l("Six-digit code"), validators=[DataRequired(), Length(max=12)],
                       description=_l("Open your authenticator app and type the code it shows for Respiro."))


class TotpDisableForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    code = StringField(_l("Six-digit code"), validators=[DataRequired(), Length(max=12)])
