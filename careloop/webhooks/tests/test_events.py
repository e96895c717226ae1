"""Which events are queued, for whom, and only when the change commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from careloop.cases.models import Case, Kind, Status
from careloop.cases.services import case_move
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.policies.models import CaseClock
from careloop.policies.services import clocks_sweep
from careloop.webhooks.events import emit
from careloop.webhooks.models import EventType, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def subscribe(org: Organization, *events: str, active: bool = True) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        organization=org,
        target_url="https://hooks.example.org/careloop",
        event_types=list(events),
        active=active,
        created_at=RECEIVED_AT,
    )


def test_nothing_is_queued_for_a_change_that_rolls_back(
    org: Organization, open_case: CaseOpener
) -> None:
    subscribe(org, EventType.CASE_OPENED)

    def open_then_fail() -> None:
        with transaction.atomic():
            open_case()
            assert WebhookDelivery.objects.count() == 1  # written in the caller's transaction
            raise Boom

    with pytest.raises(Boom):
        open_then_fail()

    assert not Case.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_only_active_subscriptions_of_the_organization_to_that_event_get_it(
    org: Organization, other_org: Organization, open_case: CaseOpener
) -> None:
    wanted = subscribe(org, EventType.CASE_OPENED, EventType.CASE_RESOLVED)
    subscribe(org, EventType.CASE_RESOLVED)
    subscribe(org, EventType.CASE_OPENED, active=False)
    subscribe(other_org, EventType.CASE_OPENED)

    case = open_case()

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.subscription == wanted
    assert delivery.payload["case_id"] == case.pk
    assert delivery.payload["occurred_at"] == RECEIVED_AT.isoformat()


def test_an_unknown_event_is_a_programming_error(org: Organization) -> None:
    with pytest.raises(ValueError, match="Unknown webhook event"):
        emit("case.deleted", org, {}, at=RECEIVED_AT)


def test_resolving_a_case_emits_case_resolved(
    org: Organization, open_case: CaseOpener, advocate_x: User
) -> None:
    subscribe(org, EventType.CASE_RESOLVED)
    case = open_case()

    case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=RECEIVED_AT)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.event_type, delivery.payload["status"]) == ("case.resolved", "resolved")


def test_clock_warnings_and_breaches_are_emitted_once(
    org: Organization, open_case: CaseOpener
) -> None:
    subscribe(org, EventType.CLOCK_AT_RISK, EventType.CLOCK_BREACHED)
    case = open_case()
    clock = CaseClock.objects.filter(case=case, warn_at__isnull=False).order_by("due_at").first()
    assert clock is not None
    assert clock.warn_at is not None

    clocks_sweep(now=clock.warn_at)
    clocks_sweep(now=clock.warn_at)
    clocks_sweep(now=clock.due_at)

    at_risk = WebhookDelivery.objects.filter(event_type="clock.at_risk", payload__clock_id=clock.pk)
    breached = WebhookDelivery.objects.filter(
        event_type="clock.breached", payload__clock_id=clock.pk
    )
    assert at_risk.count() == 1
    assert breached.count() == 1
    assert breached.get().payload["clock"] == clock.clock_id


def test_a_safety_flag_emits_safety_concern_without_the_words(
    org: Organization, open_case: CaseOpener, facility_y: Facility
) -> None:
    subscribe(org, EventType.SAFETY_CONCERN)
    words = "The aide hit my mother and pushed her against the wall last night."

    case = open_case(facility=facility_y, kind=Kind.COMPLAINT, narrative=words)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "safety.concern"
    assert delivery.payload["case_id"] == case.pk
    assert delivery.payload["risks"]
    assert "hit" not in str(delivery.payload)
    assert NARRATIVE not in str(delivery.payload)


def test_a_low_survey_score_emits_survey_low_score(
    org: Organization, admin: User, facility_x: Facility, unit_a: Unit
) -> None:
    from careloop.surveys.services import (
        instrument_from_template,
        invitation_create,
        response_submit,
        version_latest,
    )

    subscribe(org, EventType.SURVEY_LOW_SCORE)
    instrument = instrument_from_template(
        actor=admin, organization=org, template="nps", now=RECEIVED_AT
    )
    invitation, _token = invitation_create(
        actor=None,
        version=version_latest(instrument),
        now=RECEIVED_AT,
        facility=facility_x,
        unit=unit_a,
        email="maria.lopez@example.org",
    )

    response = response_submit(invitation=invitation, raw={"item_1": "2"}, now=RECEIVED_AT)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "survey.low_score"
    assert delivery.payload["case_id"] == response.opened_case_id
    assert delivery.payload["response_id"] == str(response.pk)
    assert "maria" not in str(delivery.payload)
