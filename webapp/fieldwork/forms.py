"""Forms of the visit and screening pages; the engine checks every value again."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateField, DecimalField, SelectChoice, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

INCOME_LABELS = {"up": _l("Increased"), "stable": _l("About the same"),
                 "down": _l("Decreased"), "sharp_drop": _l("Dropped sharply")}
SPENDING_LABELS = {"stable": _l("About the same"), "up": _l("Increased"),
                   "sharp_rise": _l("Rose sharply (illness, schooling, accident)")}
GUARANTEE_LABELS = {"food_clothing": _l("Enough food and clothing (吃穿不愁)"),
                    "education": _l("Compulsory education secured"),
                    "medical": _l("Basic medical care secured"),
                    "housing": _l("Safe housing"), "safe_water": _l("Safe drinking water")}
WARNING_LABELS = {"sharp_drop": _l("income dropped sharply"),
                  "sharp_rise": _l("spending rose sharply"),
                  **{k: _l("%(guarantee)s does not hold", guarantee=v)
                     for k, v in GUARANTEE_LABELS.items()}}
SCOPE_LABELS = {"all": _l("Every registered household"),
                "watched": _l("Households under watch only (formerly poor, monitored)")}


class VisitForm(FlaskForm):
    """A monthly visit to one household."""

    visited_on = DateField(_l("Visit date"), validators=[DataRequired()])
    visitors = StringField(_l("Visited by (names)"), validators=[DataRequired(),
                                                                 Length(max=200)])
    income_change = SelectField(_l("Income since the last visit"), choices=[
        SelectChoice(k, v) for k, v in INCOME_LABELS.items()], default="stable")
    income_per_head = DecimalField(_l("Net income per head now (yuan/year, if known)"),
                                   places=2, validators=[Optional(), NumberRange(min=0)])
    spending_change = SelectField(_l("Rigid spending since the last visit"), choices=[
        SelectChoice(k, v) for k, v in SPENDING_LABELS.items()], default="stable")
    food_clothing = BooleanField(GUARANTEE_LABELS["food_clothing"], default=True)
    education = BooleanField(GUARANTEE_LABELS["education"], default=True)
    medical = BooleanField(GUARANTEE_LABELS["medical"], default=True)
    housing = BooleanField(GUARANTEE_LABELS["housing"], default=True)
    safe_water = BooleanField(GUARANTEE_LABELS["safe_water"], default=True)
    aid_received = TextAreaField(_l("Aid received since the last visit"),
                                 validators=[Length(max=1000)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    photos = MultipleFileField(_l("Photos (JPEG, PNG or PDF, at most 6)"))


class ScreeningForm(FlaskForm):
    """A new screening campaign."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("To"), validators=[DataRequired()])
    scope = SelectField(_l("Households to screen"), choices=[
        SelectChoice(k, v) for k, v in SCOPE_LABELS.items()], default="all")
