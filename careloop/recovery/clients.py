"""Which client a case's recovery counts against: linking an existing client of the
organization, creating one from the case's reporter (or, for an anonymous case, one for that
case only), and the Medicare/Medicaid beneficiary flag that turns on the R11 guard."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.cases.models import Case, ReporterType
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.orgs.models import User
from careloop.recovery.models import CaseClient, RecoveryClient
from careloop.recovery.permissions import can_approve_compliance, can_give_recovery

ALREADY_LINKED = "This case already has its client; recovery keeps counting against it."


def _check(actor: User, case: Case) -> None:
    if not can_give_recovery(actor, case):
        raise PermissionDenied("Your role cannot give recovery on this case.")
    if case.erased_at is not None:
        raise ValidationError("This case's client details were erased.")
    if CaseClient.objects.filter(case_id=case.pk).exists():
        raise ValidationError(ALREADY_LINKED, code="linked")


def _link(
    *, actor: User, case: Case, client: RecoveryClient, now: datetime, created: bool
) -> CaseClient:
    link = CaseClient.objects.create(case=case, client=client, linked_at=now, linked_by=actor)
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="recovery_client_linked",
        summary=f"Recovery client {'created and ' if created else ''}linked (client #{client.pk})",
        changes={"recovery_client": (None, client.pk)},
        fields=["client"],
        object_type="recovery_client",
        object_id=str(client.pk),
    )
    return link


def default_client_name(case: Case) -> str:
    """What the create form starts with: the reporter's name, or a label for an anonymous case."""
    if case.reporter_type == ReporterType.ANONYMOUS or not case.reporter_name:
        return f"Anonymous client of {case.reference}"
    return case.reporter_name


@transaction.atomic
def recovery_client_create(
    *,
    actor: User,
    case: Case,
    display_name: str,
    identifier: str,
    beneficiary: bool,
    now: datetime,
    case_only: bool = False,
) -> CaseClient:
    """Create a client and link the case to it. A client of an anonymous case is for that case
    only (never offered in searches); so is any client created without an identifier when
    `case_only` is asked for."""
    _check(actor, case)
    display_name = clean_text(display_name, field="Name", max_chars=200, required=True)
    identifier = clean_text(identifier, field="Identifier", max_chars=64)
    if case.reporter_type == ReporterType.ANONYMOUS:
        case_only = True
    if case_only and identifier:
        raise ValidationError("A client for this case only has no identifier.", code="identifier")
    if (
        identifier
        and RecoveryClient.objects.filter(
            organization_id=case.organization_id, identifier=identifier
        ).exists()
    ):
        raise ValidationError(
            "A client with that identifier exists: search for it and link it instead.",
            code="identifier",
        )
    try:
        with transaction.atomic():
            client = RecoveryClient.objects.create(
                organization_id=case.organization_id,
                display_name=display_name,
                identifier=identifier,
                beneficiary=beneficiary,
                case_only=case_only,
                created_at=now,
                created_by=actor,
            )
            return _link(actor=actor, case=case, client=client, now=now, created=True)
    except IntegrityError as exc:  # a racing link or identifier
        raise ValidationError(ALREADY_LINKED, code="linked") from exc


@transaction.atomic
def case_client_link(
    *, actor: User, case: Case, client: RecoveryClient, now: datetime
) -> CaseClient:
    """Link the case to an existing client of its organization."""
    _check(actor, case)
    client = RecoveryClient.objects.select_for_update().get(pk=client.pk)
    if client.organization_id != case.organization_id or client.case_only:
        raise ValidationError("That client cannot be chosen for this case.", code="client")
    try:
        with transaction.atomic():
            return _link(actor=actor, case=case, client=client, now=now, created=False)
    except IntegrityError as exc:
        raise ValidationError(ALREADY_LINKED, code="linked") from exc


@transaction.atomic
def recovery_client_set_beneficiary(
    *, actor: User, case: Case, beneficiary: bool, now: datetime
) -> RecoveryClient:
    """Mark the case's client as a Medicare/Medicaid beneficiary (anyone who gives recovery), or
    clear the mark (a compliance approver only, since it turns the R11 guard off)."""
    if not can_give_recovery(actor, case) and not can_approve_compliance(actor, case):
        raise PermissionDenied("Your role cannot give recovery on this case.")
    if not beneficiary and not can_approve_compliance(actor, case):
        raise PermissionDenied(
            "Only a compliance approver (executive or administrator) can clear the "
            "Medicare/Medicaid mark."
        )
    link = CaseClient.objects.filter(case_id=case.pk).first()
    if link is None:
        raise ValidationError("Choose or create the client first.", code="no_client")
    client = RecoveryClient.objects.select_for_update().get(pk=link.client_id)
    old = client.beneficiary
    if old == beneficiary:
        return client
    client.beneficiary = beneficiary
    client.save(update_fields=["beneficiary"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="recovery_client_changed",
        summary=f"Recovery client #{client.pk} marked as "
        + (
            "a Medicare/Medicaid beneficiary"
            if beneficiary
            else "not a Medicare/Medicaid beneficiary"
        ),
        changes={"beneficiary": (old, beneficiary)},
        fields=["beneficiary"],
        object_type="recovery_client",
        object_id=str(client.pk),
    )
    return client
