"""Imported encounters with only a mobile number get their invitation and reminder by text
message (messaging's sms channel), with the opt-outs of surveys and of texts (STOP) honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from careloop.cases.models import ContactPreference
from careloop.messaging.models import MessageChannel, OutboundMessage
from careloop.orgs.models import Organization, Unit, User
from careloop.sms.models import SmsOptOut
from careloop.surveys.distribution import surveys_sweep
from careloop.surveys.encounters import ImportReport, encounters_import_csv
from careloop.surveys.models import Instrument, Invitation
from careloop.surveys.services import optout_record, response_submit, version_latest
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dummy_tasks")]

HEADER = "email,mobile,language,unit_code,encounter_date\n"
MOBILE = "+13125550142"


@pytest.fixture
def nps(make_instrument: InstrumentMaker) -> Instrument:
    return make_instrument("nps")


def _import(admin: User, org: Organization, nps: Instrument, text: str) -> ImportReport:
    return encounters_import_csv(
        actor=admin, organization=org, version=version_latest(nps), text=text, now=NOW
    )


def test_a_mobile_only_encounter_is_invited_and_reminded_by_text(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit
) -> None:
    text = (
        HEADER
        + f",{MOBILE},es,{unit_a.intake_code},2026-02-27\n"
        + f"eva@example.org,+13125550199,en,{unit_a.intake_code},2026-02-27\n"
    )
    report = _import(admin, org, nps, text)
    assert (report.invited, report.errors) == (2, [])
    texted = OutboundMessage.objects.get(channel=MessageChannel.SMS)
    assert texted.to_address == MOBILE
    assert texted.template == "survey_invitation"
    assert "/q/" in texted.body
    assert texted.redact_after_send
    emailed = OutboundMessage.objects.get(channel=MessageChannel.EMAIL)
    assert emailed.to_address == "eva@example.org"  # an address wins over a number
    assert Invitation.objects.get(email="eva@example.org").mobile == ""
    assert surveys_sweep(now=NOW + timedelta(days=7)) == (0, 2)
    reminder = OutboundMessage.objects.get(channel=MessageChannel.SMS, template="survey_reminder")
    assert reminder.to_address == MOBILE


def test_a_low_score_by_text_opens_a_case_the_client_can_be_texted_about(
    invite: Inviter, nps: Instrument
) -> None:
    invitation, _ = invite(nps, email="", mobile=MOBILE)
    response = response_submit(invitation=invitation, raw={"item_1": "2"}, now=NOW)
    case = response.opened_case
    assert case is not None
    assert (case.reporter_phone, case.contact_preference) == (MOBILE, ContactPreference.SMS)


def test_numbers_that_opted_out_are_skipped_and_bad_numbers_are_reported(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit, invite: Inviter
) -> None:
    SmsOptOut.objects.create(organization=org, phone_number=MOBILE, opted_out=True, changed_at=NOW)
    code = unit_a.intake_code
    bad = _import(
        admin, org, nps, HEADER + f",0312 555,en,{code},2026-02-27\n,,en,{code},2026-02-27\n"
    )
    assert [e.message for e in bad.errors] == [
        "The mobile number must be in international form (+15551234567).",
        "No email address or mobile number.",
    ]
    skipped = _import(admin, org, nps, HEADER + f",{MOBILE},en,{code},2026-02-27\n")
    assert (skipped.invited, skipped.opted_out) == (0, 1)
    assert not Invitation.objects.exists()
    with pytest.raises(ValidationError):
        invite(nps, email="", mobile=MOBILE)


def test_the_survey_opt_out_link_of_a_text_stops_further_texts(
    invite: Inviter, nps: Instrument
) -> None:
    invitation, _ = invite(nps, email="", mobile="+13125550177")
    assert optout_record(invitation=invitation, now=NOW) is not None
    with pytest.raises(ValidationError, match="asked not to get surveys"):
        invite(nps, email="", mobile="+13125550177")
