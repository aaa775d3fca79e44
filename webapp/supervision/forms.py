"""The forms of supervision: an urge with its note, and plain POST buttons."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class UrgeForm(FlaskForm):
    """Urge (催办) the holder of a step, with a note they will read."""

    note = StringField(_l("Note to the holder"), validators=[Length(max=500)])
