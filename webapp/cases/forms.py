"""The case page's one form: county staff cancel a running case, with a reason."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class CancelForm(FlaskForm):
    """Why the case is cancelled (e.g. a duplicate declaration); the engine requires one."""

    reason = TextAreaField(_l("Reason for cancelling"), validators=[Length(max=500)])
