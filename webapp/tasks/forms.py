"""The attachment upload and hand-over forms (the step's own form is rendered from its JSON
Schema)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

KIND_LABELS = {"minutes": _l("Meeting minutes"), "publicity_photo": _l("Publicity photo"),
               "authorisation": _l("Signed authorisation"), "other": _l("Other")}


class AttachmentForm(FlaskForm):
    """A PDF, JPEG or PNG file and what it is."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    file = FileField(_l("File (PDF, JPEG or PNG)"), validators=[FileRequired()])


class TakeOverForm(FlaskForm):
    """接管: why a claimed item is taken from its holder, and (for an administrator) to whom."""

    # 0: the default (the one taking over, if they may act on it, else back to the group).
    to_user = SelectField(_l("Give it to"), coerce=int, validate_choice=False, default=0)
    # Whom the page showed holding it: if the item moved since, the take-over is stale.
    holder = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (recorded in the history)"),
                           validators=[DataRequired(), Length(max=500)])


class ReassignForm(FlaskForm):
    """转办: the colleague who takes the work item over, and why."""

    # Any user id is accepted here: the engine decides who may take the item.
    to_user = SelectField(_l("Hand over to"), coerce=int, validate_choice=False,
                          validators=[DataRequired()])
    comment = TextAreaField(_l("Comment (recorded in the history)"),
                            validators=[Length(max=500)])
