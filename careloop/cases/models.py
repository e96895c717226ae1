"""Cases and everything recorded on them. Writes happen only in cases.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.orgs.models import Facility, Organization, Person, Unit


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    GRIEVANCE = "grievance", "Grievance"
    COMPLIMENT = "compliment", "Compliment"
    SUGGESTION = "suggestion", "Suggestion"
    SAFETY_CONCERN = "safety_concern", "Safety concern"
    PRIVACY_COMPLAINT = "privacy_complaint", "Privacy complaint"


class SafetyType(models.TextChoices):
    NONE = "", "Not a safety concern"
    ABUSE = "abuse", "Abuse"
    NEGLECT = "neglect", "Neglect"
    INJURY_UNKNOWN = "injury_unknown_source", "Injury of unknown source"
    MISAPPROPRIATION = "misappropriation", "Misappropriation of property"
    EXPLOITATION = "exploitation", "Exploitation or mistreatment"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class ReporterType(models.TextChoices):
    PATIENT = "patient", "Patient"
    RESIDENT = "resident", "Resident"
    REPRESENTATIVE = "representative", "Representative"
    FAMILY = "family", "Family member"
    ANONYMOUS = "anonymous", "Anonymous"
    STAFF = "staff", "Staff member"
    OUTSIDE_AGENCY = "outside_agency", "Outside agency"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    WEB = "web", "Web form"
    KIOSK = "kiosk", "Kiosk"
    SMS = "sms", "Text message"
    VOICEMAIL = "voicemail", "Voicemail"
    SURVEY = "survey", "Survey comment"
    ANONYMOUS_BOX = "anonymous_box", "Comment box"


WRITTEN_CHANNELS = frozenset(
    {
        Channel.LETTER,
        Channel.EMAIL,
        Channel.WEB,
        Channel.KIOSK,
        Channel.SMS,
        Channel.ANONYMOUS_BOX,
    }
)


class ContactPreference(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"
    NONE = "none", "No contact"


class StageOfCare(models.TextChoices):
    NONE = "", "Not coded"
    ADMISSIONS = "admissions", "Admissions"
    EXAMINATION = "examination_diagnosis", "Examination and diagnosis"
    CARE_ON_WARD = "care_on_ward", "Care on ward"
    PROCEDURE = "operation_procedure", "Operation or procedure"
    DISCHARGE = "discharge_transfer", "Discharge / transfers"
    OTHER = "other", "Other"


HCAT_CATEGORIES = (
    ("sev_quality", "Quality"),
    ("sev_safety", "Safety"),
    ("sev_environment", "Environment"),
    ("sev_institutional", "Institutional processes"),
    ("sev_listening", "Listening"),
    ("sev_communication", "Communication"),
    ("sev_respect", "Respect and patient rights"),
)
SEVERITY_CHOICES = [(0, "Not present"), (1, "Low"), (2, "Medium"), (3, "High")]
HARM_CHOICES = [
    (0, "0 None"),
    (1, "1 Minimal"),
    (2, "2 Minor"),
    (3, "3 Moderate"),
    (4, "4 Major"),
    (5, "5 Catastrophic"),
]


class Case(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    reference = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    safety_type = models.CharField(max_length=30, choices=SafetyType.choices, blank=True)
    abuse_alleged = models.BooleanField(default=False)
    serious_injury = models.BooleanField(default=False)
    resolved_at_time = models.BooleanField(
        default=False, help_text="Put right on the spot by the staff present."
    )
    response_requested = models.BooleanField(default=False)
    classification_reason = models.TextField(blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    classified_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)

    reporter_type = models.CharField(max_length=30, choices=ReporterType.choices)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)
    contact_preference = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.NONE
    )
    language = models.CharField(max_length=10, default="en")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    incident_at = models.DateTimeField(null=True, blank=True)
    allegation_known_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField()
    desired_outcome = models.TextField(blank=True)
    people_involved = models.TextField(
        blank=True, help_text="Who was involved, in the client's words (the staff to thank)."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="owned_cases"
    )

    sev_quality = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_safety = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_environment = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_institutional = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_listening = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_communication = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    sev_respect = models.PositiveSmallIntegerField(default=0, choices=SEVERITY_CHOICES)
    stage_of_care = models.CharField(max_length=30, choices=StageOfCare.choices, blank=True)
    harm = models.PositiveSmallIntegerField(null=True, blank=True, choices=HARM_CHOICES)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    coded_at = models.DateTimeField(null=True)
    staff_involved = models.ManyToManyField(Person, blank=True, related_name="cases")
    units_involved = models.ManyToManyField(Unit, blank=True, related_name="cases_involving")

    clock_breached_at = models.DateTimeField(
        null=True, help_text="When a clock on this case first breached (kept for queue filters)."
    )
    acknowledged_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    reopened_count = models.PositiveIntegerField(default=0)
    findings = models.TextField(blank=True)
    confirmed = models.BooleanField(null=True)
    confirmed_by = models.CharField(
        max_length=20,
        blank=True,
        choices=[("facility", "Facility"), ("external", "Outside entity")],
    )
    retain_until = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When client details were erased (cases.retention)."
    )
    erased_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-received_at", "-id"], name="case_org_recent"),
            models.Index(fields=["facility", "-received_at", "-id"], name="case_fac_recent"),
            models.Index(fields=["unit", "-received_at", "-id"], name="case_unit_recent"),
            models.Index(fields=["owner", "-received_at", "-id"], name="case_owner_recent"),
            models.Index(fields=["status", "-received_at", "-id"], name="case_status_recent"),
            # Training sets for text intelligence: the coded cases, newest first.
            models.Index(
                fields=["organization", "-coded_at"],
                name="case_coded_recent",
                condition=Q(coded_at__isnull=False),
            ),
            models.Index(
                fields=["retain_until"],
                name="case_erasure_due",
                condition=Q(status="closed", legal_hold=False, erased_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(harm__lte=5), name="case_harm_0_5"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class CaseCounter(models.Model):
    """Next reference number per organization and year (locked while a case opens)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last}"


class CaseEvent(models.Model):
    """The immutable timeline: who did what, when, with old and new values."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="case_event_case_at"),
            # "Updated since" filters (API case list) look events up by time.
            models.Index(fields=["at"], name="case_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal note"
    CLIENT = "client", "Message to the client"


class Note(models.Model):
    """A staff note or message; `from_client` marks what the client added (no author)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    from_client = models.BooleanField(default=False)
    at = models.DateTimeField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visibility} note #{self.pk}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="case_tasks"
    )
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class InvestigationStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigation_steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    description = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"step #{self.pk}"


class CorrectiveAction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="corrective_actions")
    description = models.TextField()
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"corrective action #{self.pk}"


class ReportKind(models.TextChoices):
    INITIAL = "initial", "Initial report of an allegation"
    RESULTS = "results", "Results of the investigation"
    OTHER = "other", "Other external report"


class ExternalReport(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="external_reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    agency = models.CharField(max_length=200)
    recipients = models.TextField(help_text="Everyone the report went to, one per line.")
    method = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField()
    confirmation_ref = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} report to {self.agency}"


class InterimNotice(models.Model):
    """A 'still working on it' notice with the promised follow-up date (SOM A-0122)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interim_notices")
    sent_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=ContactPreference.choices)
    follow_up_on = models.DateField()
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"interim notice #{self.pk}"


class DecisionLetter(models.Model):
    """The written decision. Its fields cover CMS 482.13 (4 elements), 483.10(j)(4)(v)
    (7 fields) and NHS England reg 14; which are required is the pack's choice."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="letter")
    contact_person = models.CharField(max_length=200, blank=True)
    received_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    steps_taken = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    results = models.TextField(blank=True)
    confirmed = models.CharField(
        max_length=15,
        blank=True,
        choices=[("confirmed", "Confirmed"), ("not_confirmed", "Not confirmed")],
    )
    corrective_action = models.TextField(blank=True)
    completion_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    signed_by = models.CharField(max_length=200, blank=True)
    ombudsman_rights = models.BooleanField(default=False)
    issued_at = models.DateTimeField(null=True)
    delivery = models.CharField(max_length=20, blank=True, choices=ContactPreference.choices)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"letter for case {self.case_id}"
