"""Household registration form: the engine checks the name, ID number, members and village."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional


class HouseholdForm(FlaskForm):
    """A new household in a village of the user's area."""

    head_name = StringField(_l("Head of household"), validators=[Length(max=50)])
    id_number = StringField(_l("ID number of the head"), validators=[Length(max=18)])
    # Any code is passed on: the engine says whether the village exists and is the user's.
    village_code = SelectField(_l("Village"), validate_choice=False)
    members = IntegerField(_l("Members"), default=1,
                           validators=[Optional(), NumberRange(min=1, max=100)])
    household_type = SelectField(_l("Household type"), choices=[
        SelectChoice("", _l("Ordinary household")),
        SelectChoice("formerly_poor", _l("Formerly poor household")),
        SelectChoice("monitoring", _l("Monitoring object"))], validate_choice=True, default="")
    income_per_head = DecimalField(_l("Net income per head (yuan/year)"), places=2,
                                   validators=[Optional(),
                                               NumberRange(min=0, max=9_999_999_999.99)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
