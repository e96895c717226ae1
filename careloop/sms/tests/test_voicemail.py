"""Voicemail: a signed webhook opens a case with the transcript, after hours or not, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from careloop.cases.models import Case, Channel, Kind, Status
from careloop.cases.retention import case_anonymize
from careloop.orgs.models import User
from careloop.safety.models import SafetyFlag
from careloop.sms.models import FacilityNumber, Voicemail
from careloop.sms.tests.conftest import CLIENT_NUMBER, FACILITY_NUMBER, NURSING_NUMBER, signed_post

pytestmark = pytest.mark.django_db

VOICEMAIL = "/sms/voicemail/"
# Monday 2 March 2026 in Chicago: 22:30 (after hours) and 10:00 (office open).
NIGHT = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)
DAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
# Saturday 7 March 2026, 11:00 in Chicago.
SATURDAY = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
TRANSCRIPT = "Hi, my husband's hearing aids went missing from his room on 4 West yesterday."
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123"


def call(
    *, sid: str = "CA0001", to: str = FACILITY_NUMBER, transcript: str = TRANSCRIPT
) -> dict[str, str]:
    return {
        "CallSid": sid,
        "From": CLIENT_NUMBER,
        "To": to,
        "RecordingUrl": RECORDING,
        "RecordingDuration": "42",
        "TranscriptionText": transcript,
    }


@pytest.mark.usefixtures("number_x")
def test_a_voicemail_at_night_opens_an_after_hours_case_with_its_transcript(client: Client) -> None:
    with time_machine.travel(NIGHT, tick=False):
        response = signed_post(client, VOICEMAIL, call())

    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.channel, case.narrative, case.reporter_phone) == (
        Channel.VOICEMAIL,
        TRANSCRIPT,
        CLIENT_NUMBER,
    )
    voicemail = Voicemail.objects.get(case=case)
    assert (voicemail.recording_url, voicemail.duration_seconds, voicemail.after_hours) == (
        RECORDING,
        42,
        True,
    )
    assert case.events.get(kind="voicemail_received").summary.startswith(
        "Voicemail received after hours (42 s)"
    )


@pytest.mark.parametrize(("at", "after_hours"), [(DAY, False), (SATURDAY, True)])
@pytest.mark.usefixtures("number_x")
def test_office_hours_and_weekends_decide_after_hours(
    client: Client, at: datetime, after_hours: bool
) -> None:
    with time_machine.travel(at, tick=False):
        signed_post(client, VOICEMAIL, call())

    assert Voicemail.objects.get().after_hours is after_hours


@pytest.mark.usefixtures("number_x")
def test_a_replayed_voicemail_opens_one_case(client: Client) -> None:
    with time_machine.travel(NIGHT, tick=False):
        assert signed_post(client, VOICEMAIL, call()).status_code == 200
        assert signed_post(client, VOICEMAIL, call()).status_code == 200

    assert Case.objects.count() == 1


@pytest.mark.usefixtures("number_x")
def test_a_forged_voicemail_is_refused(client: Client) -> None:
    with time_machine.travel(NIGHT, tick=False):
        assert signed_post(client, VOICEMAIL, call(), token="wrong").status_code == 403
    assert not Case.objects.exists()


@pytest.mark.usefixtures("number_x")
@pytest.mark.parametrize(
    ("field", "value"),
    [("RecordingUrl", "http://example.org/r.mp3"), ("RecordingDuration", "long")],
)
def test_a_bad_recording_is_refused_and_opens_nothing(
    client: Client, field: str, value: str
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        response = signed_post(client, VOICEMAIL, call() | {field: value})

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_voicemail_describing_abuse_goes_through_safety_screening(
    client: Client, number_y: FacilityNumber
) -> None:
    words = "The aide hit my mother and pushed her against the wall last night."
    with time_machine.travel(NIGHT, tick=False):
        signed_post(client, VOICEMAIL, call(to=NURSING_NUMBER, transcript=words))

    case = Case.objects.get()
    assert case.facility == number_y.facility
    assert case.kind == Kind.SAFETY_CONCERN
    assert SafetyFlag.objects.filter(case=case).exists()


@pytest.mark.usefixtures("number_x")
def test_a_voicemail_with_no_transcript_still_opens_a_case(client: Client) -> None:
    with time_machine.travel(NIGHT, tick=False):
        signed_post(client, VOICEMAIL, call(transcript=""))

    assert Case.objects.get().narrative.startswith("[Voicemail with no transcript")


@pytest.mark.usefixtures("number_x")
def test_the_case_page_shows_the_recording_and_erasure_removes_it(
    client: Client, advocate_x: User
) -> None:
    with time_machine.travel(NIGHT, tick=False):
        signed_post(client, VOICEMAIL, call())
    case = Case.objects.get()
    client.force_login(advocate_x)

    page = client.get(f"/cases/{case.pk}/")

    assert b"Listen to the recording" in page.content
    assert b"after hours" in page.content
    assert b"Send text" not in page.content  # a caller is not texted unless they ask
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, retain_until=date(2026, 3, 1))
    case_anonymize(actor=None, case=case, now=NIGHT, reason="Retention period ended")
    assert Voicemail.objects.get(case=case).recording_url == ""
