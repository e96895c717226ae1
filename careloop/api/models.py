"""API tokens and the idempotency keys of their create calls. Written only by api.services and
api.idempotency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.orgs.models import Facility, Organization, Role, Unit


class Scope(models.TextChoices):
    CASES_READ = "cases:read", "Read cases"
    CASES_WRITE = "cases:write", "Open and work cases"
    MESSAGES_WRITE = "messages:write", "Send messages to clients"
    RECOVERY_READ = "recovery:read", "Read service recovery"
    RECOVERY_WRITE = "recovery:write", "Give service recovery"
    FOLLOWUPS_READ = "followups:read", "Read follow-up check-backs"
    SURVEYS_READ = "surveys:read", "Read survey instruments and responses"
    SURVEYS_WRITE = "surveys:write", "Send survey invitations"
    DENOMINATORS_WRITE = "denominators:write", "Write exposure denominators"
    CODEBOOKS_READ = "codebooks:read", "Read codebooks"


class ApiToken(models.Model):
    """A credential for one integration. It acts through its own service user, whose single
    membership (role over the organization, a facility or a unit) scopes it exactly like a
    person; `scopes` further limit which endpoints it may call. Only the SHA-256 of the secret
    is kept: the secret is shown once, when the token is created."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The secret's first characters.")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    role = models.CharField(max_length=20, choices=Role.choices)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(facility__isnull=False),
                name="api_token_unit_needs_facility",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A create call's key, per token, with the hash of what was sent and the response given:
    a retry with the same key and body gets the same response and creates nothing more."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"Idempotency key {self.pk} of token {self.token_id}"
