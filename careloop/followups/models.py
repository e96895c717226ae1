"""Closing the loop: the client's answer to "Was this put right?", the check-backs that ask it
after a resolution, and each organization's settings for them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from careloop.cases.models import Case
from careloop.orgs.models import Organization


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Via(models.TextChoices):
    STATUS_PAGE = "status_page", "Client's status page"
    EMAIL_LINK = "email_link", "Link in the check-back email or text"
    SMS_REPLY = "sms_reply", "Reply to the check-back text"


class FollowUpAnswer(models.Model):
    """Append-only: each answer the client gives is kept, with the resolution it answered."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="followup_answers")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    comment = models.TextField(blank=True)
    via = models.CharField(max_length=20, choices=Via.choices)
    resolution_at = models.DateTimeField(help_text="The resolution this answer is about.")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "resolution_at"], name="followup_one_answer_per_resolution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.answer} for case {self.case_id}"


class FollowUpSettings(models.Model):
    """How an organization checks back with clients after a resolution. An organization without
    a row uses the defaults (followups.selectors.followup_settings_for)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="followup_settings"
    )
    checkback_after_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(60)],
        help_text="Days after the resolution before the client is asked (0: at once).",
    )
    reminders = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(3)],
        help_text="Reminders sent when the client has not answered (0 to 3).",
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Days between the question and each reminder.",
    )
    link_valid_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(90)],
        help_text="Days the answer links work after the first email is sent.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "follow-up settings"

    def __str__(self) -> str:
        return f"follow-up settings of organization {self.organization_id}"


class CheckBackChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class CheckBackStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    # Kept for check-backs scheduled before texts could be sent; new ones are "scheduled".
    PENDING_CHANNEL = "pending_channel", "Waiting for the text message channel"
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    EXPIRED_UNANSWERED = "expired_unanswered", "Expired with no answer"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (
    CheckBackStatus.SCHEDULED,
    CheckBackStatus.PENDING_CHANNEL,
    CheckBackStatus.SENT,
)


class CheckBack(models.Model):
    """Asking the client, some days after a resolution, whether it was put right. Written only
    by followups.checkbacks (and answered through followups.services)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="checkbacks")
    resolution_at = models.DateTimeField(help_text="The resolution this check-back is about.")
    channel = models.CharField(max_length=10, choices=CheckBackChannel.choices)
    status = models.CharField(
        max_length=20, choices=CheckBackStatus.choices, default=CheckBackStatus.SCHEDULED
    )
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(null=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True, help_text="When it was cancelled or expired.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["scheduled", "pending_channel", "sent"]),
                name="checkback_one_active_per_case",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="checkback_scheduled_due", condition=Q(status="scheduled")
            ),
            models.Index(
                fields=["next_reminder_at"],
                name="checkback_reminder_due",
                condition=Q(status="sent"),
            ),
            models.Index(
                fields=["expires_at"], name="checkback_sent_expiry", condition=Q(status="sent")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} check-back {self.pk} ({self.status})"


class CheckBackLink(models.Model):
    """One emailed set of answer links (the question, then each reminder). Only the SHA-256 of
    the random token is kept: the link cannot be rebuilt from the database."""

    check_back = models.ForeignKey(CheckBack, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link for check-back {self.check_back_id}"
