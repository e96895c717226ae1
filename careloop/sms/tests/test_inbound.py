"""Texts coming in: signed or refused, handled once, opening a case or threading onto one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, ContactPreference, Note, Status
from careloop.cases.services import case_assign, case_move
from careloop.conftest import RECEIVED_AT
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import User
from careloop.sms.models import FacilityNumber, InboundEvent, InboundOutcome, SmsThread
from careloop.sms.tests.conftest import (
    CLIENT_NUMBER,
    signed_post,
    text_params,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("number_x", "_frozen")]

INBOUND = "/sms/inbound/"
FIRST_TEXT = "The night nurse on 4 West ignored my mother's call bell for an hour."


@pytest.fixture
def _frozen() -> Iterator[None]:
    with time_machine.travel(RECEIVED_AT, tick=False):
        yield


def test_a_forged_signature_is_refused_and_records_nothing(client: Client) -> None:
    response = signed_post(client, INBOUND, text_params(FIRST_TEXT), token="not-the-token")

    assert response.status_code == 403
    assert not Case.objects.exists()
    assert not InboundEvent.objects.exists()


def test_a_missing_signature_or_a_changed_field_is_refused(client: Client) -> None:
    assert client.post(INBOUND, text_params(FIRST_TEXT)).status_code == 403
    good = signed_post(client, INBOUND, text_params("x", sid="SM9")).wsgi_request
    signature = good.headers["X-Twilio-Signature"]
    tampered = signed_post(client, INBOUND, text_params("y", sid="SM9"), signature=signature)
    assert tampered.status_code == 403


def test_without_a_configured_token_no_webhook_is_accepted(
    client: Client, settings: object
) -> None:
    settings.CARELOOP_SMS_AUTH_TOKEN = ""  # type: ignore[attr-defined]  # pytest-django settings

    assert signed_post(client, INBOUND, text_params(FIRST_TEXT), token="").status_code == 403


def test_a_first_text_opens_a_case_and_texts_back_the_acknowledgement(client: Client) -> None:
    response = signed_post(client, INBOUND, text_params(FIRST_TEXT))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    case = Case.objects.get()
    assert (case.channel, case.narrative, case.reporter_phone) == (
        Channel.SMS,
        FIRST_TEXT,
        CLIENT_NUMBER,
    )
    assert case.contact_preference == ContactPreference.SMS
    assert case.facility.name == "Riverside General"
    ack = OutboundMessage.objects.get()
    assert (ack.channel, ack.template, ack.to_address) == (
        "sms",
        "intake_acknowledgement",
        CLIENT_NUMBER,
    )
    assert case.reference in ack.body
    assert "https://careloop.example.org/" in ack.body
    assert InboundEvent.objects.get().outcome == InboundOutcome.OPENED
    assert case.events.filter(kind="message_queued").exists()


def test_a_replayed_webhook_is_accepted_once_and_the_replay_does_nothing(client: Client) -> None:
    first = signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SMreplay"))
    events_after_first = AuditEvent.objects.count()

    replay = signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SMreplay"))

    assert (first.status_code, replay.status_code) == (200, 200)
    assert Case.objects.count() == 1
    assert InboundEvent.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    assert AuditEvent.objects.count() == events_after_first


def test_a_reply_threads_onto_the_open_case_as_what_the_client_added(
    client: Client, advocate_x: User
) -> None:
    signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SM1"))
    case = Case.objects.get()
    case_assign(actor=advocate_x, case=case, owner=advocate_x, now=RECEIVED_AT)

    with time_machine.travel(RECEIVED_AT + timedelta(days=3), tick=False):
        response = signed_post(
            client, INBOUND, text_params("It happened again last night.", sid="SM2")
        )

    assert response.status_code == 200
    assert Case.objects.count() == 1
    note = Note.objects.get(case=case)
    assert (note.from_client, note.body) == (True, "It happened again last night.")
    assert case.events.filter(kind="client_added", summary__contains="by text message").exists()
    told = OutboundMessage.objects.get(template="client_added_information")
    assert (told.channel, told.to_address) == ("email", advocate_x.email)
    assert InboundEvent.objects.get(provider_id="SM2").outcome == InboundOutcome.THREADED


def test_a_text_after_the_window_or_once_the_case_is_closed_opens_a_new_case(
    client: Client, settings: object
) -> None:
    signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SM1"))
    later = RECEIVED_AT + timedelta(days=31)

    with time_machine.travel(later, tick=False):
        signed_post(client, INBOUND, text_params("Something else now.", sid="SM2"))

    assert Case.objects.count() == 2
    assert SmsThread.objects.filter(phone_number=CLIENT_NUMBER).count() == 2


def test_a_closed_case_takes_no_reply(client: Client, advocate_x: User) -> None:
    signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SM1"))
    case = Case.objects.get()
    case.status = Status.CLOSED  # as if closed long ago (closing needs the pack's elements)
    case.save(update_fields=["status"])

    signed_post(client, INBOUND, text_params("Hello again", sid="SM2"))

    assert Case.objects.count() == 2
    assert not Note.objects.filter(case=case).exists()


def test_a_text_to_a_number_no_facility_has_is_not_found(client: Client) -> None:
    params = text_params(FIRST_TEXT) | {"To": "+13125550177"}

    assert signed_post(client, INBOUND, params).status_code == 404
    assert not Case.objects.exists()


def test_a_switched_off_number_opens_nothing(client: Client, number_x: FacilityNumber) -> None:
    number_x.active = False
    number_x.save(update_fields=["active"])

    assert signed_post(client, INBOUND, text_params(FIRST_TEXT)).status_code == 404


def test_only_post_is_allowed(client: Client) -> None:
    assert client.get(INBOUND).status_code == 405


def test_resolution_by_text_gets_a_check_back_answered_by_keyword(
    client: Client, advocate_x: User
) -> None:
    signed_post(client, INBOUND, text_params(FIRST_TEXT, sid="SM1"))
    case = Case.objects.get()
    resolved_at = RECEIVED_AT + timedelta(days=1)
    case = case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=resolved_at)
    from careloop.followups.checkbacks import followups_sweep

    assert followups_sweep(now=resolved_at + timedelta(days=3)) == 1
    question = OutboundMessage.objects.get(template="followup_checkback")
    assert question.channel == "sms"

    with time_machine.travel(resolved_at + timedelta(days=4), tick=False):
        signed_post(client, INBOUND, text_params(" yes! ", sid="SM3"))

    answer = case.followup_answers.get()
    assert (answer.answer, answer.via) == ("yes", "sms_reply")
    assert case.events.filter(kind="loop_closed").exists()
    assert InboundEvent.objects.get(provider_id="SM3").outcome == InboundOutcome.CHECKBACK
