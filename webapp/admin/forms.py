"""User, area and calendar forms; the engine checks what they submit."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, PasswordField, SelectChoice, SelectField, SelectMultipleField,
                     StringField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

LEVELS = [SelectChoice("village", _l("Village")), SelectChoice("township", _l("Township")),
          SelectChoice("county", _l("County"))]
ROLES = [SelectChoice("staff", _l("Staff")), SelectChoice("admin", _l("Administrator")),
         SelectChoice("auditor", _l("Auditor")),
         SelectChoice("lead", _l("Lead of the level (负责人)"))]


class UserForm(FlaskForm):
    """A new account."""

    username = StringField(_l("User name"), validators=[Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=100)])
    level = SelectField(_l("Level"), choices=LEVELS)
    area_code = SelectField(_l("Area"), validate_choice=False)
    roles = SelectMultipleField(_l("Roles"), choices=ROLES, default=["staff"],
                                widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    password = PasswordField(_l("Initial password"))


class ResetPasswordForm(FlaskForm):
    """A new password set by an administrator."""

    password = PasswordField(_l("New password"))


class AreaForm(FlaskForm):
    """A new county (6 digits), township (9) or village (12)."""

    code = StringField(_l("Division code"), validators=[Length(max=12)])
    name = StringField(_l("Name"), validators=[Length(max=100)])


class CalendarDayForm(FlaskForm):
    """An override of one day in the working-day calendar."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(_l("This day is"), choices=[
        SelectChoice("holiday", _l("a holiday (day off)")),
        SelectChoice("workday", _l("a working day (调休)"))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=100)])
