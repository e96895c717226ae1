"""Texts out: through the provider's API (a stand-in on loopback), retried with back-off,
refused after STOP, their delivery reports recorded, sent from the case page."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from careloop.cases.models import Case, ContactPreference, Note
from careloop.cases.retention import case_anonymize
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.orgs.models import User
from careloop.sms.backends import ConsoleBackend
from careloop.sms.models import SmsOptOut, SmsThread
from careloop.sms.services import sms_case_send
from careloop.sms.tests.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CLIENT_NUMBER,
    FACILITY_NUMBER,
    FakeProvider,
    signed_post,
    text_params,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("number_x", "_frozen")]

SENT_AT = RECEIVED_AT + timedelta(hours=1)


@pytest.fixture
def _frozen() -> Iterator[None]:
    with time_machine.travel(RECEIVED_AT, tick=False):
        yield


@pytest.fixture
def texting_case(open_case: CaseOpener) -> Case:
    return open_case(contact_preference=ContactPreference.SMS, reporter_phone="(312) 555-0199")


def test_a_staff_text_is_sent_through_the_provider_and_retried_after_a_server_error(
    texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    provider.script = [500]
    sms_case_send(
        actor=advocate_x, case=texting_case, body="We have spoken to the night team.", now=SENT_AT
    )
    message = OutboundMessage.objects.get()
    assert (message.channel, message.to_address) == ("sms", CLIENT_NUMBER)

    assert messages_deliver_due(now=SENT_AT) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.QUEUED,
        1,
        "HTTPError 500",
    )
    assert message.next_attempt_at == SENT_AT + timedelta(minutes=1)
    assert messages_deliver_due(now=SENT_AT + timedelta(seconds=59)) == 0

    assert messages_deliver_due(now=SENT_AT + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.message_id) == (MessageStatus.SENT, "SMfake0001")
    path, headers, form = provider.requests[-1]
    assert path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert (
        headers["Authorization"]
        == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    )
    assert form["To"] == [CLIENT_NUMBER]
    assert form["From"] == [FACILITY_NUMBER]  # the facility's own number, so replies come back
    assert "We have spoken to the night team." in form["Body"][0]
    assert texting_case.reference in form["Body"][0]
    assert form["StatusCallback"] == ["https://careloop.example.org/sms/status/"]
    assert texting_case.events.filter(
        kind="message_sent", summary__startswith="Text message"
    ).exists()


def test_a_refusal_by_the_provider_is_not_retried(
    texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    provider.script = [400]
    sms_case_send(actor=advocate_x, case=texting_case, body="Hello", now=SENT_AT)

    messages_deliver_due(now=SENT_AT)

    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.FAILED,
        1,
        "HTTPError 400",
    )
    assert texting_case.events.get(kind="message_failed").summary.startswith(
        "Text message not delivered (HTTPError 400)"
    )


def test_stop_opts_the_number_out_and_nothing_is_sent_after_it(
    client: Client, texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="First", now=SENT_AT)

    assert signed_post(client, "/sms/inbound/", text_params("Stop")).status_code == 200

    assert SmsOptOut.objects.get(phone_number=CLIENT_NUMBER).opted_out
    assert Case.objects.count() == 1  # STOP opens no case and adds no note
    assert not Note.objects.filter(from_client=True).exists()
    messages_deliver_due(now=SENT_AT)  # queued before the STOP: given up, not sent
    message = OutboundMessage.objects.get()
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "OptedOut")
    assert provider.requests == []
    with pytest.raises(ValidationError, match="opted out"):
        sms_case_send(actor=advocate_x, case=texting_case, body="Second", now=SENT_AT)

    signed_post(client, "/sms/inbound/", text_params("START", sid="SM0002"))

    assert not SmsOptOut.objects.get(phone_number=CLIENT_NUMBER).opted_out
    sms_case_send(actor=advocate_x, case=texting_case, body="Third", now=SENT_AT)
    assert messages_deliver_due(now=SENT_AT) == 1
    assert len(provider.requests) == 1


def test_delivery_reports_update_the_message_once_and_in_order(
    client: Client, texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="Hello", now=SENT_AT)
    messages_deliver_due(now=SENT_AT)
    report = {"MessageSid": "SMfake0001", "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}

    assert signed_post(client, "/sms/status/", report).status_code == 204
    assert (
        signed_post(client, "/sms/status/", report | {"MessageStatus": "sent"}).status_code == 204
    )

    message = OutboundMessage.objects.get()
    assert (message.status, message.provider_status) == (MessageStatus.SENT, "delivered")
    assert texting_case.events.filter(kind="message_delivered").count() == 1


def test_an_undelivered_report_marks_the_text_failed(
    client: Client, texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="Hello", now=SENT_AT)
    messages_deliver_due(now=SENT_AT)

    signed_post(
        client, "/sms/status/", {"MessageSid": "SMfake0001", "MessageStatus": "undelivered"}
    )

    message = OutboundMessage.objects.get()
    assert (message.status, message.provider_status) == (MessageStatus.FAILED, "undelivered")
    assert texting_case.events.get(kind="message_failed").summary == (
        "Text message not delivered: Message to the client"
    )


def test_a_forged_delivery_report_is_refused(
    client: Client, texting_case: Case, advocate_x: User, provider: FakeProvider
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="Hello", now=SENT_AT)
    messages_deliver_due(now=SENT_AT)
    report = {"MessageSid": "SMfake0001", "MessageStatus": "failed"}

    assert signed_post(client, "/sms/status/", report, token="guess").status_code == 403
    assert OutboundMessage.objects.get().status == MessageStatus.SENT


def test_the_console_backend_logs_neither_the_number_nor_the_text(
    texting_case: Case, advocate_x: User, caplog: pytest.LogCaptureFixture
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="Private words", now=SENT_AT)

    with caplog.at_level(logging.INFO):
        assert messages_deliver_due(now=SENT_AT) == 1

    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "console backend" in logged
    assert "Private words" not in logged
    assert "5550199" not in logged
    assert ConsoleBackend.outbox[-1].to == CLIENT_NUMBER
    assert OutboundMessage.objects.get().message_id.startswith("console-")


def test_a_text_longer_than_three_segments_is_refused(texting_case: Case, advocate_x: User) -> None:
    with pytest.raises(ValidationError, match="too long"):
        sms_case_send(actor=advocate_x, case=texting_case, body="word " * 100, now=SENT_AT)
    assert not OutboundMessage.objects.exists()
    assert not Note.objects.exists()


def test_a_role_that_cannot_message_clients_cannot_text(
    texting_case: Case, executive: User
) -> None:
    with pytest.raises(PermissionDenied):
        sms_case_send(actor=executive, case=texting_case, body="Hi", now=SENT_AT)


def test_staff_text_from_the_case_page(
    client: Client, texting_case: Case, advocate_x: User, outsider: User
) -> None:
    client.force_login(advocate_x)
    page = client.get(f"/cases/{texting_case.pk}/")
    assert page.status_code == 200
    assert b"Send text" in page.content

    response = client.post(f"/sms/cases/{texting_case.pk}/send/", {"body": "We are on it."})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{texting_case.pk}/#sms")
    assert Note.objects.get().body == "We are on it."
    assert OutboundMessage.objects.get().channel == "sms"
    assert client.get(f"/sms/cases/{texting_case.pk}/send/").status_code == 405
    client.force_login(outsider)
    assert client.post(f"/sms/cases/{texting_case.pk}/send/", {"body": "x"}).status_code == 404


def test_a_client_who_asked_for_calls_is_not_texted(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(contact_preference=ContactPreference.PHONE, reporter_phone="312 555 0199")

    with pytest.raises(ValidationError, match="did not ask for text messages"):
        sms_case_send(actor=advocate_x, case=case, body="Hi", now=SENT_AT)


def test_erasure_forgets_the_number_kept_for_replies(
    client: Client, texting_case: Case, advocate_x: User
) -> None:
    sms_case_send(actor=advocate_x, case=texting_case, body="Hello", now=SENT_AT)
    Case.objects.filter(pk=texting_case.pk).update(
        status="closed", retain_until=RECEIVED_AT.date() - timedelta(days=1)
    )

    case_anonymize(actor=None, case=texting_case, now=SENT_AT, reason="Retention period ended")

    assert SmsThread.objects.get(case=texting_case).phone_number == ""
    signed_post(client, "/sms/inbound/", text_params("Anyone there?", sid="SM0009"))
    assert Case.objects.count() == 2  # the reply no longer finds the erased case


def test_the_check_back_and_its_reminder_go_by_text_with_a_one_time_link(
    texting_case: Case, advocate_x: User
) -> None:
    from careloop.cases.services import case_move
    from careloop.followups.checkbacks import followups_sweep
    from careloop.followups.models import CheckBackLink

    resolved_at = RECEIVED_AT + timedelta(days=1)
    case_move(actor=advocate_x, case=texting_case, status="resolved", now=resolved_at)

    followups_sweep(now=resolved_at + timedelta(days=3))
    followups_sweep(now=resolved_at + timedelta(days=7))

    question, reminder = OutboundMessage.objects.filter(channel="sms").order_by("pk")
    assert (question.template, reminder.template) == (
        "followup_checkback",
        "followup_checkback_reminder",
    )
    assert reminder.body.startswith("A reminder from Riverside General")
    assert CheckBackLink.objects.count() == 2  # a fresh one-time link in each text
    assert texting_case.events.filter(summary="Check-back reminder 1 sent by text message").exists()
