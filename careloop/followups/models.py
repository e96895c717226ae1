"""The client's answer to "Was this put right?" (closing the loop)."""

from __future__ import annotations

from django.db import models

from careloop.cases.models import Case


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Via(models.TextChoices):
    STATUS_PAGE = "status_page", "Client's status page"


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
