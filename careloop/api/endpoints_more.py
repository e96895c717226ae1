"""/api/v1: messages, recovery and follow-ups of a case; exposure denominators. Each through
the services and selectors the UI uses."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Status

from careloop.api.auth import TokenAuth, actor_of
from careloop.api.endpoints_cases import IDEMPOTENCY
from careloop.api.idempotency import idempotent_create
from careloop.api.models import Scope
from careloop.api.problems import ApiProblem
from careloop.api.responses import errors_with
from careloop.api.schemas import (
    DB_INT_MAX,
    CheckBackOut,
    ExposureIn,
    ExposureOut,
    MessageIn,
    MessageOut,
    MessageSent,
    RecoveryActionOut,
    RecoveryGiven,
    RecoveryIn,
    Reference,
)
from careloop.api.selectors import (
    case_for_reference,
)
from careloop.cases import records
from careloop.cases.models import Visibility
from careloop.core.time import utcnow
from careloop.followups.models import CheckBack
from careloop.insights.permissions import can_import_exposure
from careloop.insights.services import exposure_import_csv
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Organization, Unit
from careloop.orgs.permissions import org_id_of
from careloop.recovery.models import ItemType
from careloop.recovery.selectors import recovery_actions_for_case
from careloop.recovery.services import RecoveryOrder, recovery_issue

router = Router()
InstrumentId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


# --- messages ---------------------------------------------------------------------------------


@router.get(
    "/cases/{reference}/messages",
    auth=TokenAuth(Scope.CASES_READ),
    response={200: list[MessageOut], **errors_with(404)},
    url_name="case_messages",
    tags=["messages"],
    summary="Messages sent (or queued) to the client of a case",
)
def message_list(request: HttpRequest, reference: Reference) -> Any:
    user = actor_of(request)
    case = case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")
    return list(OutboundMessage.objects.filter(case=case).order_by("created_at", "id"))


@router.post(
    "/cases/{reference}/messages",
    auth=TokenAuth(Scope.MESSAGES_WRITE),
    response={201: MessageSent, **errors_with(404)},
    url_name="case_messages",
    tags=["messages"],
    openapi_extra=IDEMPOTENCY,
    summary="Send a message to the client: shown on their status page, and emailed "
    "(message_queue) when they asked to hear by email",
)
def message_send(
    request: HttpRequest, response: HttpResponse, reference: Reference, data: MessageIn
) -> Status[dict[str, Any]]:
    user = actor_of(request)
    case = case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")

    def create() -> MessageSent:
        now = utcnow()
        note = records.note_add(
            actor=user, case=case, body=data.body, visibility=Visibility.CLIENT, now=now
        )
        email = (
            OutboundMessage.objects.filter(case=case, template="case_message", created_at=now)
            .order_by("-id")
            .first()
        )
        return MessageSent(
            note_id=note.pk,
            case_reference=case.reference,
            at=now,
            by_email=email is not None,
            message_id=email.pk if email else None,
        )

    return idempotent_create(request, response, status=201, create=create)


# --- recovery ---------------------------------------------------------------------------------


@router.get(
    "/cases/{reference}/recovery",
    auth=TokenAuth(Scope.RECOVERY_READ),
    response={200: list[RecoveryActionOut], **errors_with(404)},
    url_name="case_recovery",
    tags=["recovery"],
    summary="Service recovery requested and given on a case",
)
def recovery_list(request: HttpRequest, reference: Reference) -> Any:
    user = actor_of(request)
    case = case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")
    return [
        RecoveryActionOut(
            request_id=a.request.pk,
            item_type_id=a.request.item_type_id,
            item_type=a.request.item_type.name,
            quantity=a.request.quantity,
            value=a.request.value,
            net=a.net,
            currency=a.request.currency,
            reason_code=a.request.reason_code,
            status=a.status,
            requested_at=a.request.at,
            issued_at=a.issue.at if a.issue else None,
        )
        for a in recovery_actions_for_case(case)
    ]


@router.post(
    "/cases/{reference}/recovery",
    auth=TokenAuth(Scope.RECOVERY_WRITE),
    response={201: RecoveryGiven, **errors_with(404)},
    url_name="case_recovery",
    tags=["recovery"],
    openapi_extra=IDEMPOTENCY,
    summary="Give service recovery on a case (recovery_issue): at once within authority, "
    "else as a request awaiting approval",
)
def recovery_give(
    request: HttpRequest, response: HttpResponse, reference: Reference, data: RecoveryIn
) -> Status[dict[str, Any]]:
    user = actor_of(request)
    case = case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")
    item_type = ItemType.objects.filter(
        pk=data.item_type_id, organization_id=case.organization_id
    ).first()
    if item_type is None:
        raise ApiProblem(422, "item_type_id: no such item type in this organization.")
    order = RecoveryOrder(
        item_type=item_type,
        quantity=data.quantity,
        unit_value=data.unit_value,
        serial=data.serial,
        reason_code=data.reason_code,
        exception_reason=data.exception_reason,
    )

    def create() -> RecoveryGiven:
        outcome = recovery_issue(actor=user, case=case, order=order, now=utcnow())
        return RecoveryGiven(
            request_id=outcome.request.pk,
            case_reference=case.reference,
            status="issued" if outcome.issue is not None else "pending",
            waiting_for=outcome.waiting_for,
            warnings=list(outcome.warnings),
        )

    return idempotent_create(request, response, status=201, create=create)


# --- follow-ups -------------------------------------------------------------------------------


@router.get(
    "/cases/{reference}/followups",
    auth=TokenAuth(Scope.FOLLOWUPS_READ),
    response={200: list[CheckBackOut], **errors_with(404)},
    url_name="case_followups",
    tags=["follow-ups"],
    summary="Check-backs of a case: whether the client was asked, and answered",
)
def followup_list(request: HttpRequest, reference: Reference) -> Any:
    user = actor_of(request)
    case = case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")
    return list(CheckBack.objects.filter(case=case).order_by("created_at", "id"))


# --- denominators -----------------------------------------------------------------------------


def _exposure_csv(data: ExposureIn, organization_id: int) -> str:
    """The rows as the exposure import's CSV, units named by their code."""
    wanted = {row.unit_id for row in data.rows}
    codes = dict(
        Unit.objects.filter(pk__in=wanted, facility__organization_id=organization_id).values_list(
            "pk", "intake_code"
        )
    )
    missing = sorted(wanted - set(codes))
    if missing:
        raise ApiProblem(422, f"unit_id: no such unit in this organization: {missing[:10]}.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit_code", "month", "measure", "value"])
    for row in data.rows:
        writer.writerow([codes[row.unit_id], row.month, row.measure, row.value])
    return out.getvalue()


@router.post(
    "/denominators",
    auth=TokenAuth(Scope.DENOMINATORS_WRITE),
    response={201: ExposureOut, **errors_with()},
    url_name="denominators",
    tags=["denominators"],
    openapi_extra=IDEMPOTENCY,
    summary="Create or replace monthly exposure per unit (all rows or none)",
)
def exposure_create(
    request: HttpRequest, response: HttpResponse, data: ExposureIn
) -> Status[dict[str, Any]]:
    user = actor_of(request)
    if not can_import_exposure(user):
        raise PermissionDenied("Only an organization administrator's token can write exposure.")
    organization = Organization.objects.get(pk=org_id_of(user))
    text = _exposure_csv(data, organization.pk)

    def create() -> ExposureOut:
        result = exposure_import_csv(actor=user, organization=organization, text=text, now=utcnow())
        if not result.ok:
            errors = [
                {"loc": ["body", "rows", p.line - 2], "msg": p.reason} for p in result.problems
            ]
            raise ApiProblem(422, "Some rows cannot be used; nothing was written.", errors=errors)
        return ExposureOut(rows=len(data.rows), created=result.created, updated=result.updated)

    return idempotent_create(request, response, status=201, create=create)
