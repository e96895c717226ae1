"""The administrators' screens: subscriptions, the delivery log and the test event."""

from __future__ import annotations

import pytest
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.webhooks.delivery import webhooks_deliver_due
from careloop.webhooks.models import TEST_EVENT, WebhookDelivery, WebhookSubscription
from careloop.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


def test_an_administrator_subscribes_and_sends_a_test_event(
    client: Client, admin: User, receiver: Receiver
) -> None:
    client.force_login(admin)
    assert client.get("/webhooks/new/").status_code == 200

    response = client.post(
        "/webhooks/new/",
        {
            "target_url": receiver.url,
            "event_types": ["case.opened", "clock.breached"],
            "active": "on",
        },
    )

    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert subscription.event_types == ["case.opened", "clock.breached"]
    assert len(subscription.secret) == 64
    created = AuditEvent.objects.get(event_type="webhook.subscription.created")
    assert subscription.secret not in str(created.detail)

    assert client.post(f"/webhooks/{subscription.pk}/test/").status_code == 302
    assert client.get(f"/webhooks/{subscription.pk}/test/").status_code == 405
    assert receiver.received == []  # never sent in the request
    assert webhooks_deliver_due(now=utcnow()) == 1
    assert receiver.received[0].headers["X-Careloop-Event"] == TEST_EVENT

    log = client.get(f"/webhooks/{subscription.pk}/")
    delivery = WebhookDelivery.objects.get()
    assert log.status_code == 200
    assert f'id="delivery-{delivery.pk}"'.encode() in log.content
    assert b"delivered" in log.content


def test_plain_http_is_refused_outside_this_machine(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = client.post(
        "/webhooks/new/",
        {"target_url": "http://hooks.example.org/x", "event_types": ["case.opened"]},
    )

    assert response.status_code == 400
    assert b"https://" in response.content
    assert not WebhookSubscription.objects.exists()


def test_a_new_secret_replaces_the_old(client: Client, admin: User, receiver: Receiver) -> None:
    client.force_login(admin)
    client.post("/webhooks/new/", {"target_url": receiver.url, "event_types": ["case.opened"]})
    subscription = WebhookSubscription.objects.get()
    old = subscription.secret

    client.post(f"/webhooks/{subscription.pk}/secret/")

    subscription.refresh_from_db()
    assert subscription.secret != old


@pytest.mark.parametrize("persona", ["advocate_x", "manager_a", "executive"])
def test_only_administrators_may_see_webhooks(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])

    assert client.get("/webhooks/").status_code == 403
    assert client.post("/webhooks/new/", {}).status_code == 403


def test_another_organizations_subscription_is_not_found(
    client: Client, admin: User, outsider: User, receiver: Receiver
) -> None:
    client.force_login(admin)
    client.post("/webhooks/new/", {"target_url": receiver.url, "event_types": ["case.opened"]})
    subscription = WebhookSubscription.objects.get()
    client.force_login(outsider)

    for path in ("", "edit/"):
        assert client.get(f"/webhooks/{subscription.pk}/{path}").status_code == 404
    assert client.post(f"/webhooks/{subscription.pk}/test/").status_code == 404
