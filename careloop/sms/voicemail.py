"""Voicemail: a message left on a facility's line opens a case (channel voicemail) with the
transcript as its narrative, screened for safety like every case, and the recording kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.orgs.models import ClosureDay, Setting
from careloop.policies.calendars import holiday_check
from careloop.sms.hours import is_after_hours
from careloop.sms.models import FacilityNumber, InboundEvent, InboundKind, InboundOutcome, Voicemail
from careloop.sms.phones import phone_normalize
from careloop.sms.services import facility_number_for, inbound_seen

NO_TRANSCRIPT = "[Voicemail with no transcript: listen to the recording.]"
TRANSCRIPT_LIMIT = 20_000
MAX_DURATION_SECONDS = 24 * 3600
_https = URLValidator(schemes=["https"])


@dataclass(frozen=True)
class IncomingVoicemail:
    provider_id: str  # the call's id (CallSid)
    from_number: str
    to_number: str
    recording_url: str
    duration_seconds: int
    transcript: str


def _after_hours(number: FacilityNumber, at: datetime) -> bool:
    facility = number.facility
    closures = frozenset(ClosureDay.objects.filter(facility=facility).values_list("on", flat=True))
    return is_after_hours(
        at=at,
        tz_name=facility.time_zone,
        opens_at=number.opens_at,
        closes_at=number.closes_at,
        is_holiday=holiday_check(calendar_id=facility.holiday_calendar, extra_dates=closures),
    )


def _validated(call: IncomingVoicemail) -> tuple[str, str]:
    if not call.provider_id or len(call.provider_id) > 64:
        raise ValidationError("A voicemail needs its call id.", code="provider_id")
    if len(call.recording_url) > 500:
        raise ValidationError("The recording address is too long.", code="recording_url")
    _https(call.recording_url)
    if not 0 <= call.duration_seconds <= MAX_DURATION_SECONDS:
        raise ValidationError("The recording's duration is out of range.", code="duration")
    caller = phone_normalize(call.from_number) if call.from_number else ""
    transcript = clean_text(call.transcript, field="Transcript", max_chars=TRANSCRIPT_LIMIT)
    return caller, transcript or NO_TRANSCRIPT


def voicemail_receive(*, call: IncomingVoicemail, now: datetime) -> Case | None:
    """Open a case from a voicemail, once: None when this call was already handled (a replayed
    webhook). UnknownNumber for a number no facility has; ValidationError for a bad recording
    address or duration."""
    number = facility_number_for(phone_normalize(call.to_number))
    caller, transcript = _validated(call)
    if inbound_seen(call.provider_id):
        return None
    after_hours = _after_hours(number, now)
    facility = number.facility
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                provider_id=call.provider_id,
                kind=InboundKind.VOICEMAIL,
                organization_id=number.organization_id,
                facility_id=number.facility_id,
                outcome=InboundOutcome.OPENED,
                received_at=now,
            )
            case = case_open(
                actor=None,
                data=NewCase(
                    facility=facility,
                    kind=Kind.COMPLAINT,
                    reporter_type=(
                        ReporterType.RESIDENT
                        if facility.setting in (Setting.NURSING_FACILITY, Setting.ASSISTED_LIVING)
                        else ReporterType.PATIENT
                    ),
                    channel=Channel.VOICEMAIL,
                    narrative=transcript,
                    reporter_phone=caller,
                    contact_preference=ContactPreference.PHONE if caller else "none",
                    language=number.language,
                ),
                now=now,
            )
            voicemail = Voicemail.objects.create(
                case=case,
                recording_url=call.recording_url,
                duration_seconds=call.duration_seconds,
                after_hours=after_hours,
                received_at=now,
            )
            event.case = case
            event.save(update_fields=["case"])
            case_event_record(
                case=case,
                actor=None,
                at=now,
                action="C",
                kind="voicemail_received",
                summary=f"Voicemail received {'after hours' if after_hours else 'in hours'} "
                f"({call.duration_seconds} s); the transcript is the narrative",
                changes={"after_hours": (None, after_hours)},
                fields=["recording_url", "duration_seconds", "after_hours"],
                object_type="voicemail",
                object_id=str(voicemail.pk),
            )
    except IntegrityError:
        if inbound_seen(call.provider_id):
            return None
        raise
    return case
