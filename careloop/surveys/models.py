"""Survey instruments (immutable versions of items), invitations with one-time links, opt-outs
and responses. Written only through surveys.services.

Anonymity: a response to an anonymous invitation stores no invitation and no case; the
invitation keeps only a ``used`` flag (no time of use), responses have random UUID keys (no
ordering shared with invitations), and the audit event of such a response names neither."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization, Unit
from careloop.surveys.scoring import DEFAULT_MINIMUM_N


class InstrumentKind(models.TextChoices):
    CSAT = "csat", "Post-resolution satisfaction (CSAT)"
    NPS = "nps", "Net Promoter Score"
    FFT = "fft", "Friends and Family Test"
    INPATIENT = "inpatient", "Inpatient experience (HCAHPS-style)"
    HOME_CARE = "home_care", "Home care experience"
    CUSTOM = "custom", "Custom"


class ItemType(models.TextChoices):
    NPS_0_10 = "nps_0_10", "Likelihood to recommend, 0-10"
    CSAT_1_5 = "csat_1_5", "Satisfaction, 1-5"
    FFT_6 = "fft_6", "Friends and Family Test (six options)"
    FREQUENCY_4 = "frequency_4", "Never / sometimes / usually / always"
    YES_NO = "yes_no", "Yes / no"
    RATING_0_10 = "rating_0_10", "Overall rating, 0-10"
    DEFINITELY_4 = "definitely_4", "Definitely / probably yes / no"
    AGREE_4 = "agree_4", "Strongly disagree / disagree / agree / strongly agree"
    FREE_TEXT = "free_text", "Free text"


class Instrument(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="survey_instruments"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=InstrumentKind.choices)
    minimum_n = models.PositiveSmallIntegerField(
        default=DEFAULT_MINIMUM_N,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Scores from fewer responses than this are not shown.",
    )
    # Item type -> the answers that open a case (instruments.low_values); a type left out uses
    # the default (CSAT 1-2, NPS 0-6, FFT poor / very poor), an empty list never opens one.
    low_scores = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """A draft (published_at None) is edited in the builder and sent to nobody; a published
    version is never edited again: a change starts the next draft."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instrument_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="survey_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.number}"


class Item(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=20, choices=ItemType.choices)
    required = models.BooleanField(default=False)
    # {"en": "...", "es": "...", "it": "..."}: survey content is data, translated in the data.
    texts = models.JSONField()
    show_if_item = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    show_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="survey_item_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"item {self.position} of version {self.version_id}"


class InvitationOrigin(models.TextChoices):
    STAFF = "staff", "Sent by staff"
    RESOLUTION = "resolution", "After a case was resolved"
    IMPORT = "import", "Imported encounter"


class SurveySettings(models.Model):
    """How an organization surveys clients on its own. Without a row: the defaults (off)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="survey_settings"
    )
    after_resolution = models.BooleanField(
        default=False, help_text="Email a survey to clients some days after their case is resolved."
    )
    after_resolution_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    after_resolution_days = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(60)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(30)],
        help_text="Days after the email before one reminder to non-respondents (0: none).",
    )
    after_encounter_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(60)],
        help_text="Days after an imported visit or discharge before its invitation is sent.",
    )
    minimum_n = models.PositiveSmallIntegerField(
        default=DEFAULT_MINIMUM_N,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="No score from fewer responses is shown, whatever an instrument allows.",
    )
    anonymous_default = models.BooleanField(
        default=False,
        help_text="Invitations from imports and after resolutions are anonymous: answers are "
        "never joined to the person or the case.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "survey settings"

    def __str__(self) -> str:
        return f"survey settings of organization {self.organization_id}"


class Invitation(models.Model):
    """One person asked once. Only SHA-256 hashes of the link tokens are kept."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="invitations"
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_invitations"
    )
    email = models.EmailField(blank=True)
    # E.164; used only when there is no email address (the invitation then goes by text).
    mobile = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=10)
    anonymous = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    optout_token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # No time of use: for an anonymous invitation it would join it to its response.
    used = models.BooleanField(default=False)
    origin = models.CharField(
        max_length=12, choices=InvitationOrigin.choices, default=InvitationOrigin.STAFF
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Imported encounters: the visit or discharge date and the client's name when given, and
    # when the invitation is due (the sweep sends it then).
    encounter_on = models.DateField(null=True, blank=True)
    client_name = models.CharField(max_length=200, blank=True)
    send_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The sweep asks once per case, however many sweepers race.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(origin="resolution"),
                name="survey_invitation_once_per_resolved_case",
            )
        ]
        indexes = [
            models.Index(
                fields=["sent_at"],
                name="survey_inv_reminder_due",
                condition=models.Q(used=False, reminded_at__isnull=True),
            ),
            models.Index(
                fields=["send_after"],
                name="survey_inv_send_due",
                condition=models.Q(sent_at__isnull=True, used=False),
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class SurveyOptOut(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    email_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email_hash"], name="survey_optout_unique"
            )
        ]

    def __str__(self) -> str:
        return f"opt-out in organization {self.organization_id}"


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Both None when the invitation was anonymous.
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_responses"
    )
    anonymous = models.BooleanField(default=False)
    language = models.CharField(max_length=10)
    submitted_at = models.DateTimeField()
    # The signed one-time form id of a public link's submission: a replayed or double-posted
    # form records once. Random, so it joins the response to nothing.
    form_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The case a low score opened (one per response).
    opened_case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_response"
    )

    class Meta:
        ordering = ["submitted_at"]
        indexes = [models.Index(fields=["version", "submitted_at"], name="survey_resp_version_at")]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    # The scale's value ("7", "very_good", "always") or the text typed.
    value = models.TextField()
    # The response's time, copied so results count answers per item and period from this
    # table alone (no join with a million responses). Not `value` in the index: comments are long.
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="survey_answer_unique")
        ]
        indexes = [models.Index(fields=["item", "submitted_at"], name="survey_answer_item_at")]

    def __str__(self) -> str:
        return f"answer to item {self.item_id}"
