"""Reads for the API, scoped like every other read: cases by reference through
cases.selectors, survey responses by the caller's facility/unit scope."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from django.db.models import Q
from django.http import Http404

from careloop.api.schemas import DB_INT_MAX
from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.cases.selectors import case_get_for, decode_cursor
from careloop.orgs.models import User
from careloop.orgs.permissions import org_id_of, role_label, scope_q
from careloop.surveys.models import Instrument, Response
from careloop.surveys.selectors import can_view_survey_results


def case_for_reference(*, user: User, reference: str, now: datetime, purpose: str) -> Case:
    """The case with this reference if the user may see it (the read is audited); Http404 for
    missing and out of scope alike."""
    case_id = (
        Case.objects.filter(scope_q(user), reference=reference).values_list("pk", flat=True).first()
    )
    if case_id is None:
        raise Http404("No such case.")
    return case_get_for(user=user, case_id=case_id, now=now, purpose=purpose)


def case_cursor_valid(cursor: str) -> bool:
    """Whether a case list cursor is one we could have given: an aware time and an id."""
    position = decode_cursor(cursor)
    return position is not None and position[0].tzinfo is not None and 0 < position[1] <= DB_INT_MAX


def instruments_for(*, user: User) -> list[Instrument]:
    if not can_view_survey_results(user):
        return []
    return list(
        Instrument.objects.filter(organization_id=org_id_of(user))
        .prefetch_related("versions")
        .order_by("name", "id")
    )


def instrument_for(*, user: User, instrument_id: int) -> Instrument:
    found = Instrument.objects.filter(pk=instrument_id, organization_id=org_id_of(user)).first()
    if found is None or not can_view_survey_results(user):
        raise Http404("No such instrument.")
    return found


def response_cursor_encode(response: Response) -> str:
    raw = f"{response.submitted_at.isoformat()}|{response.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def response_cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID] | None:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        when = datetime.fromisoformat(at)
        return (when, uuid.UUID(pk)) if when.tzinfo is not None else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def responses_for(
    *,
    user: User,
    instrument: Instrument,
    position: tuple[datetime, uuid.UUID] | None,
    limit: int,
    now: datetime,
) -> tuple[list[Response], bool]:
    """One page of the instrument's responses in the user's facility/unit scope, newest
    first, by keyset (submitted_at, id), with their answers: three queries whatever the page.
    Audited with the response ids (answers may hold the respondent's comments)."""
    qs = Response.objects.filter(scope_q(user), version__instrument=instrument)
    if position is not None:
        at, pk = position
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))
    rows = list(
        qs.select_related("version", "case")
        .prefetch_related("answers__item")
        .order_by("-submitted_at", "-pk")[: limit + 1]
    )
    page = rows[:limit]
    if page:
        audit_record(
            actor=user,
            action="R",
            event_type="survey.responses_listed",
            at=now,
            organization_id=instrument.organization_id,
            object_type="instrument",
            object_id=str(instrument.pk),
            fields=["answers"],
            actor_role=role_label(user),
            detail={"response_ids": [str(r.pk) for r in page]},
        )
    return page, len(rows) > limit
