"""The inbox has no input forms besides the claim buttons, which carry only a CSRF token."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST button (claim, unclaim): only the CSRF token."""
