"""Household search and registration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class HouseholdForm(FlaskForm):
    """A new household in a village of the user's area."""

    head_name = StringField(_l("Head of household"), validators=[DataRequired(),
                                                                 Length(max=50)])
    id_number = StringField(_l("ID number of the head"), validators=[DataRequired(),
                                                                     Length(min=18, max=18)])
    village_code = SelectField(_l("Village"), validators=[DataRequired()])
    members = IntegerField(_l("Members"), default=1, validators=[DataRequired(),
                                                                 NumberRange(min=1, max=50)])
    household_type = SelectField(_l("Household type"), choices=[
        SelectChoice("", _l("Ordinary household")),
        SelectChoice("formerly_poor", _l("Formerly poor household")),
        SelectChoice("monitoring", _l("Monitoring object"))], validate_choice=True, default="")
    income_per_head = DecimalField(_l("Net income per head (yuan/year)"), places=2,
                                   validators=[Optional(), NumberRange(min=0)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
