"""Text intelligence records: codebooks and their cross-walk onto HCAT, suggestions computed in
the background, staff corrections (training data), the model registry and confirmed links
between cases (duplicates and repeats). Writes happen only in the text services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.cases.models import HCAT_CATEGORIES, Case
from careloop.orgs.models import Organization
from careloop.surveys.models import Answer

HCAT_CODEBOOK_NAME = "HCAT"


class Codebook(models.Model):
    """A set of codes an organization codes narratives with. Each organization has the HCAT
    codebook (created on first use) and may import others (CSV, NHS frameworks)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    source = models.CharField(max_length=300, blank=True)
    is_hcat = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # A retrain is claimed by a conditional UPDATE of this column, so two sweepers never both
    # train the same codebook.
    training_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "-is_hcat", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="text_codebook_name"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_hcat=True), name="text_codebook_one_hcat"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    # Top of the severity scale when the code is rated (3 for HCAT categories: 0-3); None when
    # the code is only present or absent.
    severity_max = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["codebook_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "code"], name="text_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class Crosswalk(models.Model):
    """Maps a code onto one HCAT category (a Case severity field); accepting a suggested code
    rates that category on the case."""

    code = models.OneToOneField(Code, on_delete=models.CASCADE, related_name="crosswalk")
    hcat_category = models.CharField(max_length=30, choices=HCAT_CATEGORIES)

    def __str__(self) -> str:
        return f"{self.code_id} -> {self.hcat_category}"


class ModelKind(models.TextChoices):
    THEME = "theme", "Themes (multi-label codes)"
    SENTIMENT = "sentiment", "Sentiment 1-5"
    SEVERITY = "severity", "Severity 0-3"
    HARM = "harm", "Harm 0-5"


class ModelVersion(models.Model):
    """One trained model, kept forever with what it was trained on and how it scored."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="models")
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    blob = models.BinaryField(help_text="The model file written by careloop.text.themes.save.")
    blob_sha256 = models.CharField(max_length=64)
    # The training data snapshot: example keys ("case:12", "answer:7", "seed:<sha>"), the
    # held-out keys, and a digest of every (key, text digest, labels) row trained on.
    training_keys = models.JSONField(default=list)
    heldout_keys = models.JSONField(default=list)
    training_digest = models.CharField(max_length=64)
    corrections_seen = models.PositiveIntegerField(
        default=0, help_text="Corrections in the codebook when this model was trained."
    )
    metrics = models.JSONField(default=dict)
    # The ids the suggestion sweep has covered with this model: case_low..case_high and
    # answer_low..answer_high (moved by conditional UPDATEs; see text.suggestions.claim_ids).
    case_low = models.BigIntegerField(null=True, blank=True)
    case_high = models.BigIntegerField(null=True, blank=True)
    answer_low = models.BigIntegerField(null=True, blank=True)
    answer_high = models.BigIntegerField(null=True, blank=True)
    promoted = models.BooleanField(default=False)
    promoted_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["codebook", "kind"],
                condition=Q(promoted=True),
                name="text_model_one_promoted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} model #{self.pk}"


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    NONE = "none", "No suggestion"


class NoSuggestionReason(models.TextChoices):
    NONE = "", "—"
    NO_MODEL = "no_model", "No model has been trained and promoted yet"
    EMPTY = "empty", "The text is empty"
    NO_LETTERS = "no_letters", "The text has no letters (emoji or punctuation only)"
    UNSUPPORTED_SCRIPT = "unsupported_script", "The text is in a script the models do not read"
    NO_CODE = "no_code", "No code scored above its threshold"


class Suggestion(models.Model):
    """What the promoted models suggest for one case narrative or one survey comment."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="text_suggestions"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="text_suggestions"
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices)
    reason = models.CharField(max_length=30, choices=NoSuggestionReason.choices, blank=True)
    codes = models.JSONField(default=list, help_text='[{"code": ..., "confidence": 0.83}]')
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    harm = models.PositiveSmallIntegerField(null=True, blank=True)
    sentiment = models.PositiveSmallIntegerField(null=True, blank=True)
    criticality = models.PositiveSmallIntegerField(null=True, blank=True)
    truncated = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, answer__isnull=True)
                | Q(case__isnull=True, answer__isnull=False),
                name="text_suggestion_one_target",
            ),
            models.UniqueConstraint(
                fields=["case", "codebook", "model_version"],
                condition=Q(case__isnull=False, model_version__isnull=False),
                name="text_suggestion_case_model",
            ),
            models.UniqueConstraint(
                fields=["case", "codebook"],
                condition=Q(case__isnull=False, model_version__isnull=True),
                name="text_suggestion_case_nomodel",
            ),
            models.UniqueConstraint(
                fields=["answer", "codebook", "model_version"],
                condition=Q(answer__isnull=False, model_version__isnull=False),
                name="text_suggestion_answer_model",
            ),
            models.UniqueConstraint(
                fields=["answer", "codebook"],
                condition=Q(answer__isnull=False, model_version__isnull=True),
                name="text_suggestion_answer_nomodel",
            ),
        ]

    def __str__(self) -> str:
        return f"suggestion #{self.pk}"


class Correction(models.Model):
    """A person's coding of a text: accepting a suggestion or correcting it. Training data."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="corrections")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="text_corrections"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="text_corrections"
    )
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted = models.BooleanField(help_text="True: the suggestion as it was; False: corrected.")
    labels = models.JSONField(default=list)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    harm = models.PositiveSmallIntegerField(null=True, blank=True)
    sentiment = models.PositiveSmallIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, answer__isnull=True)
                | Q(case__isnull=True, answer__isnull=False),
                name="text_correction_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"correction #{self.pk}"


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", "Same event (duplicate)"
    REPEAT = "repeat", "Repeat complaint"


class CaseLink(models.Model):
    """Staff confirmed that `from_case` reports the same event as `to_case` (duplicate) or
    repeats the same person's complaint on the same issue (repeat). Insights reads confirmed
    links for M13 counting."""

    from_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_from")
    to_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_to")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="text_case_link_pair"),
            models.CheckConstraint(
                condition=~Q(from_case=models.F("to_case")), name="text_case_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} {self.kind} of {self.to_case_id}"
