"""Forms of the interview, the request, the team's confirmation and her data.

No form here is ever `populate_obj`-ed: views pass named values to the rules,
so extra posted fields (role, house_id, defender_id) are ignored.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import labels
from app.interviews.rules import MAX_COMPANIONS, RETENTION_CHOICES
from app.models import DIMENSIONS
from app.security.text import VISIBLE_FILTERS, Visible

TEXT_MAX = 4000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def level_choices() -> list[tuple[int, str]]:
    return [(level, labels.NEED_LEVEL[level]) for level in range(4)]


def urgency_choices() -> list[tuple[int, str]]:
    return [(level, labels.URGENCY[level]) for level in range(4)]


def language_choices() -> list[tuple[str, str]]:
    """Spanish and English first, then the indigenous languages by name with their ISO 639-3 code."""
    first = [(code, str(labels.LANGUAGE[code])) for code in ("es", "en")]
    rest = sorted(((code, f"{name} ({code})") for code, name in labels.LANGUAGE.items() if code not in ("es", "en")),
                  key=lambda pair: pair[1])
    return first + rest


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(name)) for code, name in labels.COUNTRY.items()), key=lambda pair: pair[1])


def _text(label, description=None, max_length=TEXT_MAX):
    return TextAreaField(label, description=description,
                         validators=[Optional(), Length(max=max_length,
                                                        message=_l("Please keep this shorter (at most %(max)d characters)."))])


class StepForm(FlaskForm):
    version = HiddenField()


class DimensionForm(StepForm):
    how = _text(_l("How are you in this part of your life?"),
                _l("In your own words, as much or as little as you like."))
    work_on = _text(_l("What would you like to work on or look after?"))
    practices = _text(_l("What already helps you?"),
                      _l("Practices, people, places or remedies that do you good."))
    self_level = RadioField(_l("How much do you feel you need care here?"), coerce=int, choices=[],
                            validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.self_level.choices = level_choices()


class LifeForm(StepForm):
    narrative = _text(_l("Where are you in your life right now, and what would you like to work on during your stay?"),
                      _l("Only the people you allow can read this. It is stored encrypted."), max_length=8000)


STAY_TYPE_BLANK = ("", _l("— none —"))


def stay_type_choices(blank: bool):
    choices = [(code, labels.STAY_TYPE[code]) for code in ("individual", "collective", "family")]
    return [STAY_TYPE_BLANK, *choices] if blank else [("", _l("— choose —")), *choices]


class LogisticsForm(StepForm):
    type_1 = SelectField(_l("Your first choice"), choices=[], validators=[Optional()])
    type_2 = SelectField(_l("Second choice (optional)"), choices=[], validators=[Optional()])
    type_3 = SelectField(_l("Third choice (optional)"), choices=[], validators=[Optional()])
    earliest_start = DateField(_l("From which day could you arrive?"), validators=[Optional()],
                               description=_l("The earliest day your stay could start."))
    latest_start = DateField(_l("Until which day could you arrive?"), validators=[Optional()],
                             description=_l("The latest day your stay could start."))
    companions = IntegerField(_l("How many family members come with you?"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=MAX_COMPANIONS,
                                                                  message=_l("Between 0 and %(max)s.", max=MAX_COMPANIONS))],
                              description=_l("For a family stay: daughters, sons or other relatives who sleep at the house."))
    companions_note = _text(_l("Who comes with you?"), _l("For example their ages, so the house can prepare."), 1000)
    members = MultiCheckboxField(_l("Other defenders of an already formed group"), choices=[],
                                 description=_l("Only for a collective stay of a group that already exists."))
    languages = MultiCheckboxField(_l("Languages you speak"), choices=[])
    barred_countries = MultiCheckboxField(_l("Countries you cannot enter"), choices=[],
                                          description=_l("Because of migration papers or because it is not safe for you."))
    needs_accessible = BooleanField(_l("I need an accessible house (for example without stairs)"))
    accessibility_notes = _text(_l("Anything else the house should know to receive you well?"), None, 2000)
    food_notes = _text(_l("Food: what you do not eat, allergies, what you would like"),
                       _l("Only the house team reads this, to cook for you. It is stored encrypted."), 2000)
    urgency_self = RadioField(_l("How soon do you feel you need this stay?"), coerce=int, choices=[],
                              validators=[Optional()],
                              description=_l("The house team will talk it over with you and confirm it."))

    def __init__(self, *args, member_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_1.choices = stay_type_choices(blank=False)
        self.type_2.choices = stay_type_choices(blank=True)
        self.type_3.choices = stay_type_choices(blank=True)
        self.languages.choices = language_choices()
        self.barred_countries.choices = country_choices()
        self.urgency_self.choices = urgency_choices()
        self.members.choices = member_choices or []
        self.has_members = member_choices is not None
        if not self.has_members:
            del self.members

    def stay_types(self) -> list[str]:
        return [value for value in (self.type_1.data, self.type_2.data, self.type_3.data) if value]


def consent_choices():
    """Her two choices, worded as what the house team then reads (see `access.may_read_narrative` and
    templates/interviews/team_review.html).

    With either one the team reads her levels of care and what the house needs to receive her, listed in
    the description of `ConsentForm.consent_scope`. Only "narrative" adds what she wrote about her life
    and about each dimension (the narrative and the per-dimension answers).
    """
    return [("levels", _l("Only my levels of care (none, some, much, very much) and what the house needs to "
                          "receive me. Not what I wrote about my life or about each part of it.")),
            ("narrative", _l("My levels of care, what the house needs to receive me, and also what I wrote in my "
                             "own words about my life and about each part of it."))]


def retention_choices():
    names = {0: _l("Delete it when my stay ends"), 3: _l("3 months after my stay"),
             6: _l("6 months after my stay"), 12: _l("1 year after my stay"), 24: _l("2 years after my stay")}
    return [(months, names[months]) for months in RETENTION_CHOICES]


def yes_no(label, description):
    """A choice she makes herself: No unless she says Yes (consent is opt-in, so no answer is a No)."""
    return RadioField(label, choices=[], default="no", description=description, validators=[Optional()])


def yes_no_choices():
    return [("yes", _l("Yes")), ("no", _l("No"))]


class ConsentForm(StepForm):
    consent_scope = RadioField(_l("What may the house team read?"), choices=[], default="levels",
                               validators=[InputRequired(message=_l("Please choose one option."))],
                               description=_l("With either option, the house team reads what it needs to receive you: "
                                              "your dates, the kind of stay, who comes with you, your languages, "
                                              "your country and the countries you cannot enter, how soon you need "
                                              "the stay, and your notes on food and accessibility."))
    retention_months = SelectField(_l("How long may we keep what you wrote after your stay?"), coerce=int,
                                   choices=[], default=6,
                                   description=_l("What you wrote: your story, your answers about each part of "
                                                  "your life, and your notes on who comes with you, food and "
                                                  "accessibility. Your accessibility notes serve all your "
                                                  "requests, so we delete them once the time you chose in each "
                                                  "of your interviews has passed and no request of yours still "
                                                  "needs them."))
    share_with_therapists = yes_no(
        _l("May your therapists see what you wrote about a care dimension, for their sessions on it?"),
        _l("The house team prints for each therapist a sheet of her sessions with you; with Yes it carries what "
           "you wrote about that session's part of your life. Only possible if the house team may read your words."))
    count_in_statistics = yes_no(
        _l("May your answers count, without your name, in the network's statistics?"),
        _l("Coordinators count requests, waits and levels of care for the reports to the funders of the network. "
           "Nobody reads your words there, and groups of fewer than 5 people are never shown."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_scope.choices = consent_choices()
        self.retention_months.choices = retention_choices()
        self.share_with_therapists.choices = self.count_in_statistics.choices = yes_no_choices()


class SubmitForm(StepForm):
    agreed = BooleanField(_l("She has gone through these answers with me and agrees to send them."))


class ConfirmForm(FlaskForm):
    version = HiddenField()
    urgency = RadioField(_l("Urgency"), coerce=int, choices=[],
                         validators=[InputRequired(message=_l("Please choose one option."))])
    reason = TextAreaField(_l("Short reason"), filters=VISIBLE_FILTERS, validators=[
        DataRequired(message=_l("Please write a short reason.")), Visible(),
        Length(max=500, message=_l("Please keep this shorter (at most %(max)d characters)."))],
        description=_l("Why these levels and this urgency, in a sentence or two. Her words stay in the interview."))
    risk_notes = TextAreaField(_l("Risk notes (optional)"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                               validators=[Optional(), Length(max=TEXT_MAX, message=_l(
                                   "Please keep this shorter (at most %(max)d characters)."))],
                               description=_l("What the team knows of the risks she faces, for her safety during "
                                              "the stay. Encrypted under her own key; kept and shown like her own "
                                              "words: only where she shares them, and deleted with them."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urgency.choices = urgency_choices()
        for name in DIMENSIONS:
            getattr(self, f"need_{name}").choices = level_choices()

    def levels(self) -> dict[str, int]:
        return {name: getattr(self, f"need_{name}").data for name in DIMENSIONS}


for _name in DIMENSIONS:
    setattr(ConfirmForm, f"need_{_name}", RadioField(labels.DIMENSION[_name], coerce=int, choices=[],
                                                     validators=[InputRequired(message=_l("Please choose one option."))]))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AssistedForm(FlaskForm):
    alias = StringField(_l("Alias"), filters=VISIBLE_FILTERS,
                        validators=[DataRequired(message=_l("Please give an alias.")), Visible(), Length(max=80)],
                        description=_l("A name she chooses that does not identify her. Never her real name."))
    country = SelectField(_l("Country where she lives and works"), choices=[],
                          validators=[DataRequired(message=_l("Choose the country where she lives and works."))])
    languages = MultiCheckboxField(_l("Languages she speaks"), choices=[])
    barred_countries = MultiCheckboxField(_l("Countries she cannot enter"), choices=[])
    real_name = StringField(_l("Her real name (optional)"), filters=[_strip], validators=[Optional(), Length(max=200)],
                            description=_l("Encrypted under her own key. Nobody sees it on any page: a coordinator "
                                           "can reveal it, giving a reason that she will see."))
    contact = StringField(_l("A safe way to reach her (optional)"), filters=[_strip],
                          validators=[Optional(), Length(max=200)],
                          description=_l("A phone, a messaging account or a trusted person. Encrypted like her name."))
    defender_agreed = BooleanField(_l("She agrees that I fill in the interview with her."),
                                   validators=[DataRequired(message=_l("Her agreement is needed."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose her country"))] + country_choices()  # no country chosen for her
        self.languages.choices = language_choices()
        self.barred_countries.choices = country_choices()


class InviteForm(FlaskForm):
    email = EmailField(_l("Her email"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("An address that is safe for her. The link works once, for 24 hours."))


class ConfirmActionForm(FlaskForm):
    """Only the CSRF token: withdraw a request."""


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("I understand that this cannot be undone."),
                           validators=[DataRequired(message=_l("Please tick the box to confirm."))])


class IdentityForm(FlaskForm):
    """The team records (or replaces) her real name and a contact: write-only, shown only through a reveal."""

    real_name = StringField(_l("Her real name"), filters=[_strip], validators=[Optional(), Length(max=200)])
    contact = StringField(_l("A safe way to reach her"), filters=[_strip], validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.real_name.data or self.contact.data):
            self.real_name.errors = [_l("Please write her real name, a contact, or both.")]
            return False
        return True
