"""The attachment upload form (the step's own form is rendered from its JSON Schema)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField

KIND_LABELS = {"minutes": _l("Meeting minutes"), "publicity_photo": _l("Publicity photo"),
               "authorisation": _l("Signed authorisation"), "other": _l("Other")}


class AttachmentForm(FlaskForm):
    """A PDF, JPEG or PNG file and what it is."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    file = FileField(_l("File (PDF, JPEG or PNG)"), validators=[FileRequired()])
