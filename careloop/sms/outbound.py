"""The text message channel of messaging: checking a number, rendering a text, sending it.

messaging.services.message_queue(channel="sms") calls `sms_address_check` and `sms_render`
when it queues; its delivery calls `sms_deliver`, with the same claims and retries as email."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from careloop.cases.models import Case
from careloop.messaging.catalogue import MessageTemplate
from careloop.messaging.models import OutboundMessage
from careloop.sms.backends import SmsSendError, backend_get
from careloop.sms.models import FacilityNumber, SmsOptOut, SmsThread
from careloop.sms.phones import E164, MAX_SEGMENTS, gsm_fold, segments


def sms_opted_out(*, organization_id: int, number: str) -> bool:
    return SmsOptOut.objects.filter(
        organization_id=organization_id, phone_number=number, opted_out=True
    ).exists()


def sms_address_check(*, organization_id: int, to: str) -> None:
    """ValidationError for a number that is not in E.164 form or has opted out."""
    if not E164.match(to):
        raise ValidationError("That is not a phone number in international form.", code="phone")
    if sms_opted_out(organization_id=organization_id, number=to):
        raise ValidationError(
            "This number has opted out of text messages (the client texted STOP).",
            code="opted_out",
        )


def sms_render(*, template: MessageTemplate, language: str, context: dict[str, str]) -> str:
    """The text from ``messaging/<name>.sms.txt``: lines trimmed, blank lines dropped. A text
    longer than three segments is refused (ValidationError)."""
    with translation.override(language):
        raw = render_to_string(f"messaging/{template.name}.sms.txt", context)
    body = gsm_fold("\n".join(line.strip() for line in raw.splitlines() if line.strip()))
    if segments(body) > MAX_SEGMENTS:
        raise ValidationError(
            f"This text is too long for {MAX_SEGMENTS} text messages; shorten it.",
            code="too_long",
        )
    return body


def sms_sender_for(*, facility_id: int | None, organization_id: int) -> str:
    """The facility's own number, else any of the organization's, else the default sender."""
    numbers = FacilityNumber.objects.filter(organization_id=organization_id, active=True)
    if facility_id is not None:
        own = numbers.filter(facility_id=facility_id).values_list("phone_number", flat=True)
        if own:
            return own[0]
    first = numbers.values_list("phone_number", flat=True).first()
    return first or settings.CARELOOP_SMS_FROM


def sms_deliver(message: OutboundMessage) -> str:
    """Send one queued text (outside any transaction); the provider's id for it. A number that
    opted out after the text was queued gets nothing (a permanent failure)."""
    if sms_opted_out(organization_id=message.organization_id, number=message.to_address):
        raise SmsSendError("OptedOut", permanent=True)
    facility_id = (
        Case.objects.filter(pk=message.case_id).values_list("facility_id", flat=True).first()
        if message.case_id is not None
        else None
    )
    sender = sms_sender_for(facility_id=facility_id, organization_id=message.organization_id)
    return backend_get().send(to=message.to_address, body=message.body, sender=sender)


def sms_thread_touch(*, case: Case, number: str, now: datetime) -> None:
    """Replies from `number` thread onto `case` (in the caller's transaction)."""
    updated = SmsThread.objects.filter(case=case, phone_number=number).update(last_at=now)
    if not updated:
        SmsThread.objects.create(
            organization_id=case.organization_id, case=case, phone_number=number, last_at=now
        )
