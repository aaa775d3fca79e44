"""Login, password change and language forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))
    next = HiddenField()


class PasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    old = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("new", _l("Passwords differ"))])


class LanguageForm(FlaskForm):
    """The UI language."""

    locale = SelectField(_l("Language"), choices=[SelectChoice("zh_CN", "中文"),
                                                  SelectChoice("en", "English")])
    next = HiddenField()
