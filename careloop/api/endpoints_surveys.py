"""/api/v1/surveys: instruments, responses (anonymous ones never joined to a person), scores
with suppression, and invitations sent through the survey services."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from careloop.api.auth import TokenAuth, actor_of
from careloop.api.endpoints_cases import IDEMPOTENCY
from careloop.api.idempotency import idempotent_create
from careloop.api.models import Scope
from careloop.api.problems import ApiProblem
from careloop.api.responses import errors_with
from careloop.api.schemas import (
    DB_INT_MAX,
    AnswerOut,
    InstrumentOut,
    InvitationIn,
    InvitationOut,
    ResponseFilters,
    ResponseOut,
    ResponsePage,
    ScoreFilters,
    ScoreOut,
)
from careloop.api.selectors import (
    case_for_reference,
    instrument_for,
    instruments_for,
    response_cursor_decode,
    response_cursor_encode,
    responses_for,
)
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Unit
from careloop.orgs.permissions import org_id_of
from careloop.surveys.models import Response
from careloop.surveys.selectors import score_rows, survey_scores
from careloop.surveys.services import invitation_create, invitation_send, version_latest

router = Router(tags=["surveys"])
InstrumentId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


# --- surveys ----------------------------------------------------------------------------------


@router.get(
    "/surveys/instruments",
    auth=TokenAuth(Scope.SURVEYS_READ),
    response={200: list[InstrumentOut], **errors_with()},
    url_name="survey_instruments",
    summary="The organization's survey instruments",
)
def instrument_list(request: HttpRequest) -> Any:
    return [
        InstrumentOut(
            id=i.pk,
            name=i.name,
            kind=i.kind,
            minimum_n=i.minimum_n,
            versions=sorted(v.number for v in i.versions.all()),
        )
        for i in instruments_for(user=actor_of(request))
    ]


def _response_out(response: Response) -> ResponseOut:
    return ResponseOut(
        id=str(response.pk),
        version=response.version.number,
        facility_id=response.facility_id,
        unit_id=response.unit_id,
        anonymous=response.anonymous,
        language=response.language,
        submitted_at=response.submitted_at,
        case_reference=(
            response.case.reference if response.case and not response.anonymous else None
        ),
        answers=[
            AnswerOut(
                version=response.version.number,
                position=a.item.position,
                type=a.item.type,
                value=a.value,
            )
            for a in sorted(response.answers.all(), key=lambda a: a.item.position)
        ],
    )


@router.get(
    "/surveys/instruments/{instrument_id}/responses",
    auth=TokenAuth(Scope.SURVEYS_READ),
    response={200: ResponsePage, **errors_with(404)},
    url_name="survey_responses",
    summary="Responses to an instrument in the token's scope, newest first, by cursor",
)
def response_list(
    request: HttpRequest, instrument_id: InstrumentId, filters: Query[ResponseFilters]
) -> ResponsePage:
    user = actor_of(request)
    instrument = instrument_for(user=user, instrument_id=instrument_id)
    position = response_cursor_decode(filters.cursor) if filters.cursor else None
    if filters.cursor and position is None:
        raise ApiProblem(422, "cursor: not a cursor this API gave; start without one.")
    page, more = responses_for(
        user=user, instrument=instrument, position=position, limit=filters.limit, now=utcnow()
    )
    return ResponsePage(
        items=[_response_out(r) for r in page],
        next_cursor=response_cursor_encode(page[-1]) if more else None,
    )


@router.get(
    "/surveys/instruments/{instrument_id}/scores",
    auth=TokenAuth(Scope.SURVEYS_READ),
    response={200: list[ScoreOut], **errors_with(404)},
    url_name="survey_scores",
    summary="Scores per item for responses submitted from start_on to end_on (UTC dates, "
    "inclusive); scores below the instrument's minimum n are not shown",
)
def score_list(
    request: HttpRequest, instrument_id: InstrumentId, filters: Query[ScoreFilters]
) -> Any:
    instrument = instrument_for(user=actor_of(request), instrument_id=instrument_id)
    if filters.end_on < filters.start_on:
        raise ApiProblem(422, "end_on: must not be before start_on.")
    start = datetime.combine(filters.start_on, time.min, UTC)
    end = datetime.combine(filters.end_on + timedelta(days=1), time.min, UTC)
    return [
        ScoreOut(
            version=row.item.version,
            position=row.item.position,
            type=row.item.type,
            measure=row.measure,
            value=row.value,
            interval=row.interval,
            n=row.n,
        )
        for row in score_rows(survey_scores(instrument=instrument, start=start, end=end))
    ]


@router.post(
    "/surveys/instruments/{instrument_id}/invitations",
    auth=TokenAuth(Scope.SURVEYS_WRITE),
    response={201: InvitationOut, **errors_with(404)},
    url_name="survey_invitations",
    openapi_extra=IDEMPOTENCY,
    summary="Invite someone to answer the instrument's latest version, by email "
    "(invitation_create, invitation_send)",
)
def invitation_post(
    request: HttpRequest, response: HttpResponse, instrument_id: InstrumentId, data: InvitationIn
) -> Status[dict[str, Any]]:
    user = actor_of(request)
    now = utcnow()
    instrument = instrument_for(user=user, instrument_id=instrument_id)
    facility = Facility.objects.filter(pk=data.facility_id, organization_id=org_id_of(user)).first()
    if facility is None:
        raise ApiProblem(422, "facility_id: no such facility in this organization.")
    unit = None
    if data.unit_id is not None:
        unit = Unit.objects.filter(pk=data.unit_id, facility=facility).first()
        if unit is None:
            raise ApiProblem(422, "unit_id: no such unit in that facility.")
    case = None
    if data.case_reference is not None:
        case = case_for_reference(user=user, reference=data.case_reference, now=now, purpose="act")
    try:
        version = version_latest(instrument)
    except IndexError:
        raise ApiProblem(422, "This instrument has no published version yet.") from None

    def create() -> InvitationOut:
        invitation, _token = invitation_create(
            actor=user,
            version=version,
            facility=facility,
            unit=unit,
            case=case,
            email=data.email,
            language=data.language.value,
            anonymous=data.anonymous,
            now=now,
        )
        message = invitation_send(
            actor=user, invitation=invitation, base_url=settings.CARELOOP_BASE_URL, now=now
        )
        return InvitationOut(
            id=invitation.pk,
            instrument_id=instrument.pk,
            version=version.number,
            facility_id=facility.pk,
            unit_id=unit.pk if unit else None,
            case_reference=case.reference if case else None,
            language=invitation.language,
            anonymous=invitation.anonymous,
            expires_at=invitation.expires_at,
            message_id=message.pk,
        )

    return idempotent_create(request, response, status=201, create=create)
