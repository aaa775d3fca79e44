"""The case page's one form: county staff cancel a running case, with a reason."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class CancelForm(FlaskForm):
    """Why the case is cancelled (e.g. a duplicate declaration)."""

    reason = TextAreaField(_l("Reason for cancelling"),
                           validators=[DataRequired(), Length(max=500)])
