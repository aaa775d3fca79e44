"""Forms of the funds pages, and the words for the library's codes. The engine checks every
value again; these forms only read the input."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

TYPE_LABELS = {"industry": _l("Industry development"), "employment": _l("Employment"),
               "three_guarantees": _l("Consolidating the three guarantees"),
               "rural_construction": _l("Rural construction"),
               "management_fee": _l("Management fee")}
STATUS_LABELS = {"proposed": _l("In intake"), "admitted": _l("In the library"),
                 "rejected": _l("Not admitted"), "withdrawn": _l("Withdrawn")}
SOURCE_LABELS = {"central": _l("Central"), "provincial": _l("Provincial"),
                 "municipal": _l("Municipal"), "county": _l("County"), "other": _l("Other")}
KIND_LABELS = {"advance": _l("Advance at the start of works"),
               "progress": _l("Payment by progress"), "payment": _l("Payment")}
AMOUNT = [DataRequired(), NumberRange(min=0.01, max=10 ** 12)]
# Why a payment is refused, by the engine's rule names (engine.errors.PaymentRefused).
PAYMENT_REASONS = {
    "no_allocation": _l("Payment refused: no funds are allocated to the project yet."),
    "over_allocation": _l("Payment refused: payments would reach %(total)s yuan, more than the "
                          "%(allocated)s yuan allocated."),
    "not_engineering": _l("Payment refused: advances and progress payments are for engineering "
                          "projects; record a payment."),
    "engineering_kind": _l("Payment refused: an engineering project is paid an advance at the "
                           "start of works, then by progress."),
    "advance_max": _l("Payment refused: the advance at the start of works may be at most 50%% of "
                      "the allocation (%(limit)s yuan); it would be %(total)s yuan. The rest is "
                      "paid by progress."),
    "advance_min": _l("Payment refused: the advance at the start of works is 30%%–50%% of the "
                      "allocation: at least %(limit)s yuan."),
    "progress_missing": _l("Payment refused: give the progress of the works (1–100%%)."),
    "progress_cap": _l("Payment refused: at %(progress)s%% progress at most %(limit)s yuan may "
                       "have been paid; payments would reach %(total)s yuan."),
}
ALLOCATION_REASONS = {
    "more than the release has left": _l("The release has less left to assign than this "
                                         "amount."),
}


class AllocationForm(FlaskForm):
    """Assign part of a release to the project."""

    release_id = SelectField(_l("Fund release"), coerce=int, validate_choice=False)
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=AMOUNT)
    allocated_on = DateField(_l("Date"), validators=[Optional()])


class PaymentForm(FlaskForm):
    """Record a payment to the project."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=AMOUNT)
    progress = IntegerField(_l("Progress of the works (per cent)"),
                            validators=[Optional(), NumberRange(min=1, max=100)])
    paid_on = DateField(_l("Date"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ReleaseForm(FlaskForm):
    """Record connection funds released to the county."""

    document = StringField(_l("Document number"), validators=[DataRequired(), Length(max=100)])
    source = SelectField(_l("Fund source"),
                         choices=[SelectChoice(k, v) for k, v in SOURCE_LABELS.items()])
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=AMOUNT)
    released_on = DateField(_l("Released on"), validators=[DataRequired()])


class CampaignForm(FlaskForm):
    """A campaign's years and dates."""

    name = StringField(_l("Campaign"), validators=[DataRequired(), Length(max=100)])
    first_year = IntegerField(_l("First year"), validators=[DataRequired(),
                                                            NumberRange(2000, 2100)])
    last_year = IntegerField(_l("Last year"), validators=[DataRequired(),
                                                          NumberRange(2000, 2100)])
    guide_due = DateField(_l("Guide by"), validators=[DataRequired()])
    intake_due = DateField(_l("Intake done by"), validators=[DataRequired()])
    entry_due = DateField(_l("System entry by"), validators=[DataRequired()])
