"""/api/v1/cases: open, read, list, and the operations of the case page (acknowledge, assign,
note, resolve, close), each through the one service the UI calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from careloop.api.auth import TokenAuth, actor_of
from careloop.api.idempotency import HEADER, idempotent_create
from careloop.api.models import Scope
from careloop.api.problems import ApiProblem
from careloop.api.responses import errors_with
from careloop.api.schemas import (
    AcknowledgeIn,
    AssignIn,
    CaseDetail,
    CaseFilters,
    CaseIn,
    CaseListItem,
    CasePage,
    CaseSummary,
    NoteIn,
    NoteOut,
    Reference,
)
from careloop.api.selectors import case_cursor_valid, case_for_reference
from careloop.cases import records, services
from careloop.cases.models import Case
from careloop.cases.models import Status as CaseStatus
from careloop.cases.selectors import QueueFilters, case_queue_for
from careloop.cases.services import NewCase
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Unit, User
from careloop.orgs.permissions import org_id_of

router = Router(tags=["cases"])
READ, WRITE = TokenAuth(Scope.CASES_READ), TokenAuth(Scope.CASES_WRITE)
IDEMPOTENCY = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "A retry with the same key and body returns the first response.",
        }
    ]
}


def summary(case: Case) -> CaseSummary:
    return CaseSummary.model_validate(case, from_attributes=True)


def _detail(case: Case) -> CaseDetail:
    values: dict[str, Any] = summary(case).model_dump()
    values.update(
        {
            name: getattr(case, name)
            for name in (
                "safety_type",
                "narrative",
                "desired_outcome",
                "reporter_name",
                "reporter_email",
                "reporter_phone",
                "contact_preference",
                "incident_at",
            )
        },
        erased=case.erased_at is not None,
    )
    return CaseDetail(**values)


def _new_case(user: User, data: CaseIn) -> NewCase:
    facility = Facility.objects.filter(pk=data.facility_id, organization_id=org_id_of(user)).first()
    if facility is None:
        raise ApiProblem(422, "facility_id: no such facility in this organization.")
    unit = None
    if data.unit_id is not None:
        unit = Unit.objects.filter(pk=data.unit_id, facility=facility).first()
        if unit is None:
            raise ApiProblem(422, "unit_id: no such unit in that facility.")
    return NewCase(
        facility=facility,
        unit=unit,
        kind=data.kind,
        reporter_type=data.reporter_type,
        channel=data.channel,
        narrative=data.narrative,
        received_at=data.received_at,
        incident_at=data.incident_at,
        safety_type=data.safety_type,
        reporter_name=data.reporter_name,
        reporter_email=data.reporter_email,
        reporter_phone=data.reporter_phone,
        contact_preference=data.contact_preference,
        language=data.language,
        desired_outcome=data.desired_outcome,
    )


@router.post(
    "/cases",
    auth=WRITE,
    response={201: CaseSummary, **errors_with(403, 422)},
    url_name="cases",
    openapi_extra=IDEMPOTENCY,
    summary="Open a case (case_open)",
)
def case_create(
    request: HttpRequest, response: HttpResponse, data: CaseIn
) -> Status[dict[str, Any]]:
    user = actor_of(request)

    def create() -> CaseSummary:
        return summary(services.case_open(actor=user, data=_new_case(user, data), now=utcnow()))

    return idempotent_create(request, response, status=201, create=create)


@router.get(
    "/cases",
    auth=READ,
    response={200: CasePage, **errors_with(403, 422)},
    url_name="cases",
    summary="List cases, newest first, by cursor",
)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> CasePage:
    if filters.cursor and not case_cursor_valid(filters.cursor):
        raise ApiProblem(422, "cursor: not a cursor this API gave; start without one.")
    user = actor_of(request)
    page = case_queue_for(
        user=user,
        filters=QueueFilters(
            status=filters.status or "",
            kind=filters.kind or "",
            facility_id=filters.facility_id,
            unit_id=filters.unit_id,
            received_from=filters.received_from,
            received_to=filters.received_to,
            updated_since=filters.updated_since,
        ),
        now=utcnow(),
        cursor=filters.cursor,
        page_size=filters.limit,
    )
    items = [
        CaseListItem(**summary(c).model_dump(), clock_state=page.clock_states.get(c.pk))
        for c in page.cases
    ]
    return CasePage(items=items, next_cursor=page.next_cursor)


@router.get(
    "/cases/{reference}",
    auth=READ,
    response={200: CaseDetail, **errors_with(403, 404, 422)},
    url_name="case",
    summary="Read one case",
)
def case_read(request: HttpRequest, reference: Reference) -> CaseDetail:
    user = actor_of(request)
    return _detail(case_for_reference(user=user, reference=reference, now=utcnow(), purpose="view"))


def _acted(request: HttpRequest, reference: str) -> tuple[User, Case]:
    user = actor_of(request)
    return user, case_for_reference(user=user, reference=reference, now=utcnow(), purpose="act")


@router.post(
    "/cases/{reference}/acknowledge",
    auth=WRITE,
    response={200: CaseSummary, **errors_with(403, 404, 422)},
    url_name="case_acknowledge",
    summary="Record that the client was acknowledged (case_acknowledge)",
)
def case_acknowledge(request: HttpRequest, reference: Reference, data: AcknowledgeIn) -> Any:
    user, case = _acted(request, reference)
    return summary(
        services.case_acknowledge(actor=user, case=case, channel=data.channel, now=utcnow())
    )


@router.post(
    "/cases/{reference}/assign",
    auth=WRITE,
    response={200: CaseSummary, **errors_with(403, 404, 422)},
    url_name="case_assign",
    summary="Give the case an owner, or none (case_assign)",
)
def case_assign(request: HttpRequest, reference: Reference, data: AssignIn) -> Any:
    user, case = _acted(request, reference)
    owner = None
    if data.owner_id is not None:
        owner = User.objects.filter(
            pk=data.owner_id, organization_id=case.organization_id, is_active=True
        ).first()
        if owner is None:
            raise ApiProblem(422, "owner_id: no such active user in this organization.")
    return summary(services.case_assign(actor=user, case=case, owner=owner, now=utcnow()))


@router.post(
    "/cases/{reference}/notes",
    auth=WRITE,
    response={201: NoteOut, **errors_with(403, 404, 422)},
    url_name="case_notes",
    openapi_extra=IDEMPOTENCY,
    summary="Add a note (note_add)",
)
def case_note(
    request: HttpRequest, response: HttpResponse, reference: Reference, data: NoteIn
) -> Status[dict[str, Any]]:
    user, case = _acted(request, reference)

    def create() -> NoteOut:
        note = records.note_add(
            actor=user, case=case, body=data.body, visibility=data.visibility, now=utcnow()
        )
        return NoteOut(
            id=note.pk, case_reference=case.reference, visibility=note.visibility, at=note.at
        )

    return idempotent_create(request, response, status=201, create=create)


def _move(request: HttpRequest, reference: str, status: str) -> CaseSummary:
    user, case = _acted(request, reference)
    return summary(services.case_move(actor=user, case=case, status=status, now=utcnow()))


@router.post(
    "/cases/{reference}/resolve",
    auth=WRITE,
    response={200: CaseSummary, **errors_with(403, 404, 422)},
    url_name="case_resolve",
    summary="Resolve the case (case_move)",
)
def case_resolve(request: HttpRequest, reference: Reference) -> Any:
    return _move(request, reference, CaseStatus.RESOLVED)


@router.post(
    "/cases/{reference}/close",
    auth=WRITE,
    response={200: CaseSummary, **errors_with(403, 404, 422)},
    url_name="case_close",
    summary="Close the case once every required element is recorded (case_move)",
)
def case_close(request: HttpRequest, reference: Reference) -> Any:
    return _move(request, reference, CaseStatus.CLOSED)
