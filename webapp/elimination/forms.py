"""Forms of the rollback, the national entry and the export; the engine checks them again."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional


class RollbackForm(FlaskForm):
    """回退: why the elimination is rolled back."""

    reason = TextAreaField(_l("Reason for the rollback"), validators=[Length(max=500)])


class EntryForm(FlaskForm):
    """That the case was entered into the national system."""

    note = StringField(_l("Note (e.g. the national system's record number)"),
                       validators=[Optional(), Length(max=200)])


class ExportForm(FlaskForm):
    """The date range of the export (both optional)."""

    start = StringField(_l("From"), validators=[Optional(), Length(max=10)])
    end = StringField(_l("To"), validators=[Optional(), Length(max=10)])
