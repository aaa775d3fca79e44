"""Forms of the audit pages: print buttons and the batch request."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired


class PrintForm(FlaskForm):
    """A print button: printing is recorded, so it is a POST with a CSRF token."""


class BatchForm(FlaskForm):
    """The trails of an area's cases started in a date range, as one PDF."""

    area = SelectField(_l("Area"), validators=[DataRequired()])
    date_from = DateField(_l("Started from"), validators=[DataRequired()])
    date_to = DateField(_l("Started until"), validators=[DataRequired()])
    process_key = SelectField(_l("Process"), default="")
    status = SelectField(_l("Status"), default="")
