"""Facility numbers (administrators only) and the acknowledgement by text at intake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.cases.models import ContactPreference
from careloop.conftest import RECEIVED_AT
from careloop.intake.services import PublicConcern, intake_submit
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Facility, User
from careloop.sms.models import FacilityNumber, SmsThread
from careloop.sms.tests.conftest import CLIENT_NUMBER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.fixture
def _frozen() -> Iterator[None]:
    with time_machine.travel(RECEIVED_AT, tick=False):
        yield


def concern(facility: Facility, **fields: str) -> PublicConcern:
    values = {
        "facility": facility,
        "source": "facility",
        "path": "complaint",
        "reporter_role": "family",
        "narrative": "Nobody told us about the change of ward.",
        "form_nonce": "n" * 32,
        "language": "en",
        **fields,
    }
    return PublicConcern(**values)  # type: ignore[arg-type]  # test data


def test_a_client_who_chose_texts_gets_the_acknowledgement_by_text(facility_x: Facility) -> None:
    filed = intake_submit(
        concern=concern(facility_x, contact_method="sms", phone="312 555 0199"),
        link_base="https://careloop.example.org",
        now=RECEIVED_AT,
    )

    ack = OutboundMessage.objects.get()
    assert (ack.channel, ack.template, ack.to_address) == (
        "sms",
        "intake_acknowledgement",
        CLIENT_NUMBER,
    )
    assert f"https://careloop.example.org/s/{filed.token}/" in ack.body
    assert ack.redact_after_send
    assert SmsThread.objects.get().case == filed.case
    assert filed.case.contact_preference == ContactPreference.SMS


def test_a_number_that_cannot_be_texted_is_noted_and_the_concern_still_filed(
    facility_x: Facility,
) -> None:
    facility_x.jurisdiction = "ZZ"
    facility_x.save(update_fields=["jurisdiction"])

    filed = intake_submit(
        concern=concern(facility_x, contact_method="sms", phone="555 0199"),
        link_base="https://careloop.example.org",
        now=RECEIVED_AT,
    )

    assert not OutboundMessage.objects.exists()
    assert filed.case.events.get(kind="message_not_sent").summary.startswith(
        "Text message not sent"
    )


def test_an_administrator_adds_a_number_and_others_cannot(
    client: Client, admin: User, advocate_x: User, facility_x: Facility, other_facility: Facility
) -> None:
    client.force_login(admin)
    form = {
        "facility": facility_x.pk,
        "phone_number": "+1 312 555 0100",
        "language": "es",
        "opens_at": "07:30",
        "closes_at": "19:00",
        "active": "on",
    }
    assert client.get("/sms/numbers/new/").status_code == 200
    response = client.post("/sms/numbers/new/", form)

    assert response.status_code == 302
    number = FacilityNumber.objects.get()
    assert (number.phone_number, number.language) == ("+13125550100", "es")
    assert AuditEvent.objects.filter(event_type="sms.number.saved").exists()
    assert b"+13125550100" in client.get("/sms/numbers/").content
    assert (
        client.post("/sms/numbers/new/", form | {"facility": other_facility.pk}).status_code == 400
    )
    assert client.post("/sms/numbers/new/", form | {"closes_at": "07:00"}).status_code == 400

    client.force_login(advocate_x)
    assert client.get("/sms/numbers/").status_code == 403
    assert client.post(f"/sms/numbers/{number.pk}/", form).status_code == 403


def test_another_organizations_number_is_not_found(
    client: Client, outsider: User, facility_x: Facility
) -> None:
    number = FacilityNumber.objects.create(
        organization=facility_x.organization, facility=facility_x, phone_number="+13125550100"
    )
    client.force_login(outsider)

    assert client.get(f"/sms/numbers/{number.pk}/").status_code == 404
