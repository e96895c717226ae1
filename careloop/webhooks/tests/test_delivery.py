"""Delivery by the sweep to a real HTTP receiver on loopback: signed, retried with back-off on
errors and timeouts, given up after the limit, claimed so that nothing is sent twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener
from careloop.webhooks.delivery import (
    MAX_ATTEMPTS,
    webhook_deliver,
    webhooks_deliver_due,
    webhooks_sweep_summary,
)
from careloop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from careloop.webhooks.signing import webhook_signature, webhook_signature_valid
from careloop.webhooks.tests.conftest import CLIENT_TIMEOUT, SLOW, Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("subscription")]

SWEEP_AT = RECEIVED_AT + timedelta(seconds=20)


def opened(open_case: CaseOpener) -> tuple[Case, WebhookDelivery]:
    case = open_case(reporter_name="Maria Lopez", reporter_phone="+13125550199")
    return case, WebhookDelivery.objects.get(event_type="case.opened")


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    signature = webhook_signature(secret="s3cret", timestamp=1772463600, body=b'{"a":1}')

    # printf '1772463600.{"a":1}' | openssl dgst -sha256 -hmac s3cret
    assert (
        signature
        == "v1=" + __import__("hmac").new(b"s3cret", b'1772463600.{"a":1}', "sha256").hexdigest()
    )
    assert webhook_signature_valid(
        secret="s3cret", timestamp=1772463600, body=b'{"a":1}', signature=signature
    )
    assert not webhook_signature_valid(
        secret="s3cret", timestamp=1772463601, body=b'{"a":1}', signature=signature
    )


def test_a_delivery_posts_signed_json_without_client_text(
    open_case: CaseOpener, receiver: Receiver, subscription: WebhookSubscription
) -> None:
    case, delivery = opened(open_case)

    assert webhooks_deliver_due(now=SWEEP_AT) == 1

    (got,) = receiver.received
    assert got.path == "/hooks/careloop"
    assert got.headers["X-Careloop-Event"] == "case.opened"
    assert got.headers["X-Careloop-Delivery"] == str(delivery.pk)
    timestamp = int(got.headers["X-Careloop-Timestamp"])
    assert timestamp == int(SWEEP_AT.timestamp())
    assert webhook_signature_valid(
        secret=subscription.secret,
        timestamp=timestamp,
        body=got.body,
        signature=got.headers["X-Careloop-Signature"],
    )
    document = json.loads(got.body)
    assert document["type"] == "case.opened"
    assert document["id"] == delivery.pk
    assert document["data"]["case_id"] == case.pk
    assert document["data"]["reference"] == case.reference
    text = got.body.decode()
    for private in (NARRATIVE, "Maria", "5550199"):
        assert private not in text
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert AuditEvent.objects.filter(event_type="webhook.delivered").count() == 1


def test_a_server_error_is_retried_with_exponential_back_off(
    open_case: CaseOpener, receiver: Receiver
) -> None:
    _case, delivery = opened(open_case)
    receiver.script = [500, 503]

    assert webhooks_deliver_due(now=SWEEP_AT) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        500,
        "HTTP 500",
    )
    assert delivery.next_attempt_at == SWEEP_AT + timedelta(minutes=1)
    assert webhooks_deliver_due(now=SWEEP_AT + timedelta(seconds=59)) == 0
    assert len(receiver.received) == 1

    second = SWEEP_AT + timedelta(minutes=1)
    assert webhooks_deliver_due(now=second) == 0
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == second + timedelta(minutes=2)

    assert webhooks_deliver_due(now=second + timedelta(minutes=2)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    ids = {r.headers["X-Careloop-Delivery"] for r in receiver.received}
    assert ids == {str(delivery.pk)}  # the same delivery id on every attempt


def test_a_timeout_is_retried(open_case: CaseOpener, receiver: Receiver) -> None:
    _case, delivery = opened(open_case)
    receiver.script = [SLOW]

    assert webhooks_deliver_due(now=SWEEP_AT, timeout=CLIENT_TIMEOUT) == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "TimeoutError",
    )
    assert delivery.response_code is None


def test_a_redirect_is_a_failure_not_followed(open_case: CaseOpener, receiver: Receiver) -> None:
    _case, delivery = opened(open_case)
    receiver.script = [302]

    webhooks_deliver_due(now=SWEEP_AT)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "HTTP 302")
    assert len(receiver.received) == 1


def test_it_gives_up_after_the_limit(open_case: CaseOpener, receiver: Receiver) -> None:
    _case, delivery = opened(open_case)
    receiver.script = [500] * MAX_ATTEMPTS
    at = SWEEP_AT

    for _ in range(MAX_ATTEMPTS):
        webhooks_deliver_due(now=at)
        delivery.refresh_from_db()
        at = delivery.next_attempt_at

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert webhooks_deliver_due(now=at + timedelta(days=1)) == 0
    assert len(receiver.received) == MAX_ATTEMPTS
    assert AuditEvent.objects.filter(event_type="webhook.failed").count() == 1


def test_a_delivery_another_worker_holds_is_not_sent_until_its_lease_runs_out(
    open_case: CaseOpener, receiver: Receiver
) -> None:
    _case, delivery = opened(open_case)
    lease = SWEEP_AT + timedelta(minutes=2)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_until=lease
    )

    assert not webhook_deliver(delivery_id=delivery.pk, now=SWEEP_AT)
    assert receiver.received == []

    assert webhook_deliver(delivery_id=delivery.pk, now=lease + timedelta(seconds=1))
    assert len(receiver.received) == 1
    assert not webhook_deliver(delivery_id=delivery.pk, now=lease + timedelta(minutes=5))
    assert len(receiver.received) == 1


def test_an_address_no_longer_allowed_is_not_called(
    open_case: CaseOpener, subscription: WebhookSubscription, receiver: Receiver
) -> None:
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        target_url="http://example.org/hook"
    )
    _case, delivery = opened(open_case)

    webhooks_deliver_due(now=SWEEP_AT)

    delivery.refresh_from_db()
    assert delivery.last_error == "TargetRefused"
    assert receiver.received == []


def test_the_worker_sweeps_webhooks_and_reports_only_counts(
    open_case: CaseOpener, receiver: Receiver
) -> None:
    from careloop.core.worker import SWEEPS

    opened(open_case)

    assert ("outbound webhooks", webhooks_sweep_summary) in SWEEPS
    with time_machine.travel(SWEEP_AT, tick=False):
        assert webhooks_sweep_summary() == "1 delivered"
        assert webhooks_sweep_summary() == ""
    assert len(receiver.received) == 1
