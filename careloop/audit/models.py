"""Append-only, hash-chained audit events (DOMAIN.md 7.4)."""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    CREATE = "C", "create"
    READ = "R", "read"
    UPDATE = "U", "update"
    DELETE = "D", "delete"
    EXECUTE = "E", "execute"
    EXPORT = "X", "export"
    LOGIN = "L", "login"


class AuditEvent(models.Model):
    """One event. Never updated or deleted: database triggers refuse it, and the hash chain
    shows any change made behind the triggers' back (`careloop audit verify`)."""

    seq = models.BigIntegerField(unique=True)
    recorded_at = models.DateTimeField()
    organization_id = models.BigIntegerField(null=True, db_index=True)
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=1, choices=Action.choices)
    event_type = models.CharField(max_length=60)
    outcome = models.CharField(max_length=20, default="success")
    case_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=list)
    source = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} by {self.actor_label}"


class ChainHead(models.Model):
    """The single row every writer locks to append to the chain in order."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


class AuditReview(models.Model):
    """Evidence that someone reviewed the log up to an event (HIPAA 164.308(a)(1)(ii)(D))."""

    reviewer_id = models.BigIntegerField()
    reviewer_label = models.CharField(max_length=150)
    organization_id = models.BigIntegerField(null=True)
    reviewed_at = models.DateTimeField()
    up_to_seq = models.BigIntegerField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"review to #{self.up_to_seq} by {self.reviewer_label}"
