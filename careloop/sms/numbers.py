"""Administrators set up their facilities' numbers (the one writer of FacilityNumber)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.sms.models import FacilityNumber

FIELDS = ("facility", "phone_number", "language", "opens_at", "closes_at", "active")


def numbers_for(*, actor: User) -> list[FacilityNumber]:
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Administrators only.")
    return list(
        FacilityNumber.objects.filter(organization_id=org_id_of(actor)).select_related("facility")
    )


@transaction.atomic
def facility_number_save(*, actor: User, number: FacilityNumber, now: datetime) -> FacilityNumber:
    """Create or change a number (a validated, unsaved instance) in the actor's organization."""
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Administrators only.")
    organization_id = org_id_of(actor)
    if number.facility.organization_id != organization_id:
        raise ValidationError("That facility belongs to another organization.")
    created = number.pk is None
    changed: list[str] = list(FIELDS)
    if not created:
        old = FacilityNumber.objects.select_for_update().get(
            pk=number.pk, organization_id=organization_id
        )
        changed = [f for f in FIELDS if getattr(old, f) != getattr(number, f)]
    number.organization_id = organization_id
    number.full_clean()
    if created:
        number.save()
    else:
        number.save(update_fields=["organization", *FIELDS])
    audit_record(
        actor=actor,
        action="C" if created else "U",
        event_type="sms.number.saved",
        at=now,
        organization_id=organization_id,
        object_type="facilitynumber",
        object_id=str(number.pk),
        fields=changed,
        actor_role="admin",
    )
    return number
