from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class ConfirmPublishForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    stays = SelectMultipleField(_l("Stays to publish"), coerce=int, widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput(),
                                validators=[DataRequired(_l("Choose at least one proposed stay to publish."))])
    deadline = DateField(_l("She answers by"), validators=[Optional()],
                         description=_l("7 days from today unless you choose; never later than 2 days before "
                                        "she arrives."))


class AnswerForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


class DeclineForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Why (optional; the coordination reads it)"), validators=[Optional(), Length(max=2000)])


class UnpublishForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (she reads that the stay was withdrawn)"),
                           validators=[DataRequired(_l("Please write the reason for withdrawing this stay.")),
                                       Length(max=2000)])


class DiffForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that only reads

    before = SelectField(_l("From"), validators=[DataRequired()])
    after = SelectField(_l("To"), validators=[DataRequired()])
