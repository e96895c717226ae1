"""Anonymous answers through a unit's public survey link (/q/u/<unit code>/<instrument>/) or its
kiosk (/q/k/...): anyone may answer, so nothing ties a response to a person. Each form given
out carries a signed one-time nonce; the nonce is stored on the response under a unique
constraint, so a replayed or double-posted form records once."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from careloop.audit.services import audit_record
from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.orgs.models import Unit
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import Instrument, InstrumentVersion, Response
from careloop.surveys.services import (
    NO_COMMENT_NARRATIVE,
    anonymous_audit_source,
    answers_validate,
    answers_write,
    case_needed,
)

NONCE_SALT = "careloop.surveys.public"


def public_nonce_new() -> str:
    """A signed, timestamped one-time id for a survey form given out; accepted once."""
    return signing.dumps(secrets.token_hex(16), salt=NONCE_SALT)


def public_nonce_check(value: str) -> str | None:
    """The nonce inside a signed value, or None when tampered with or older than the public
    forms' maximum age."""
    try:
        nonce = signing.loads(value, salt=NONCE_SALT, max_age=settings.CARELOOP_PUBLIC_FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


def public_version_for(*, unit: Unit, instrument_id: int) -> InstrumentVersion | None:
    """The newest version of an instrument of the unit's organization, or None."""
    instrument = Instrument.objects.filter(
        pk=instrument_id, organization_id=unit.facility.organization_id
    ).first()
    if instrument is None:
        return None
    return instrument.versions.filter(published_at__isnull=False).order_by("-number").first()


def _anonymous_case(*, unit: Unit, language: str, comment: str, now: datetime) -> Case:
    data = NewCase(
        facility=unit.facility,
        unit=unit,
        kind=Kind.COMPLAINT,
        reporter_type=ReporterType.ANONYMOUS,
        channel=Channel.SURVEY,
        narrative=comment or NO_COMMENT_NARRATIVE,
        received_at=now,
        language=language,
        reporter_name="",
        reporter_email="",
        contact_preference=ContactPreference.NONE,
    )
    return case_open(actor=None, data=data, now=now)


def response_submit_public(
    *,
    version: InstrumentVersion,
    unit: Unit,
    raw: Mapping[str, str],
    nonce: str,
    language: str,
    now: datetime,
) -> Response:
    """Record one anonymous response through a unit's public link. ValidationError coded
    "answered" when the nonce was already used, "scope" when the instrument is another
    organization's, or as answers_validate refuses. A low score or a comment the safety
    screening flags opens an anonymous complaint in the unit (no reporter details); the audit
    events record no client address, and the response's names no case and no invitation."""
    organization_id = unit.facility.organization_id
    if version.instrument.organization_id != organization_id:
        raise ValidationError("The survey is not this organization's.", code="scope")
    if language not in LANGUAGES:
        language = "en"
    items = list(version.items.select_related("show_if_item").order_by("position"))
    chosen = answers_validate(items=items, raw=raw)
    with anonymous_audit_source(), transaction.atomic():
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    organization_id=organization_id,
                    version=version,
                    facility_id=unit.facility_id,
                    unit=unit,
                    anonymous=True,
                    language=language,
                    submitted_at=now,
                    form_nonce=nonce,
                )
        except IntegrityError:
            raise ValidationError("This form was already sent.", code="answered") from None
        by_position = {item.position: item for item in items}
        answers_write(response=response, by_position=by_position, chosen=chosen)
        opens, comment = case_needed(
            instrument=version.instrument,
            by_position=by_position,
            chosen=chosen,
            facility=unit.facility,
            language=language,
        )
        if opens:
            response.opened_case = _anonymous_case(
                unit=unit, language=language, comment=comment, now=now
            )
            response.save(update_fields=["opened_case"])
            from careloop.webhooks.events import emit_case

            emit_case("survey.low_score", response.opened_case, at=now, response_id=response.pk)
        # Last, after case_open's own audit event: the chain head is locked as late as possible.
        audit_record(
            actor=None,
            action="C",
            event_type="survey.response.recorded",
            at=now,
            organization_id=organization_id,
            object_type="surveyresponse",
            object_id=str(response.pk),
            fields=["answers"],
            detail={"anonymous": True},
        )
    return response
