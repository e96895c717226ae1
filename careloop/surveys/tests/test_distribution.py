"""Surveys Careloop sends on its own: after a resolution (once per case, however many sweepers),
one reminder to non-respondents, and opt-outs honoured by both."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection

from careloop.cases.models import ContactPreference
from careloop.core.worker import SWEEPS
from careloop.followups.tests.conftest import DUE_AT, RESOLVED_AT, EmailedCaseMaker
from careloop.messaging.models import MessageChannel, OutboundMessage
from careloop.orgs.models import Organization
from careloop.surveys.distribution import (
    surveys_sweep,
    surveys_sweep_summary,
)
from careloop.surveys.models import Invitation, InvitationOrigin, SurveySettings
from careloop.surveys.services import (
    INVITATION_VALID_DAYS,
    optout_record,
    response_submit,
    version_latest,
)
from careloop.surveys.tests.conftest import InstrumentMaker, Inviter

pytestmark = pytest.mark.usefixtures("dummy_tasks")

REMIND_AT = DUE_AT + timedelta(days=7)


@pytest.fixture
def after_resolution(org: Organization, make_instrument: InstrumentMaker) -> SurveySettings:
    instrument = make_instrument("csat_post_resolution")
    return SurveySettings.objects.create(
        organization=org,
        after_resolution=True,
        after_resolution_version=version_latest(instrument),
        after_resolution_days=3,
        reminder_after_days=7,
    )


def _messages(template: str = "survey_invitation") -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template=template))


@pytest.mark.django_db
def test_nothing_is_sent_after_a_resolution_by_default(emailed_case: EmailedCaseMaker) -> None:
    emailed_case()
    assert surveys_sweep(now=DUE_AT) == (0, 0)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_resolved_case_is_asked_once_after_the_delay_in_its_language(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    case = emailed_case(language="es")
    assert surveys_sweep(now=DUE_AT - timedelta(minutes=1)) == (0, 0)
    assert surveys_sweep(now=DUE_AT) == (1, 0)
    assert surveys_sweep(now=DUE_AT + timedelta(hours=1)) == (0, 0)
    invitation = Invitation.objects.get()
    assert invitation.case == case
    assert invitation.origin == InvitationOrigin.RESOLUTION
    assert invitation.language == "es"
    (message,) = _messages()
    assert message.case == case
    assert message.language == "es"


@pytest.mark.django_db
def test_a_client_who_chose_texts_is_asked_by_text_after_a_resolution(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    case = emailed_case(
        language="it",
        contact_preference=ContactPreference.SMS,
        reporter_email="",
        reporter_phone="(312) 555-0142",
    )
    assert surveys_sweep(now=DUE_AT) == (1, 0)
    invitation = Invitation.objects.get()
    assert (invitation.case, invitation.email, invitation.mobile) == (case, "", "+13125550142")
    (message,) = _messages()
    assert (message.channel, message.to_address, message.language) == (
        MessageChannel.SMS,
        "+13125550142",
        "it",
    )
    assert "/q/" in message.body


@pytest.mark.django_db
def test_a_client_who_chose_texts_with_an_unusable_number_is_not_asked(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    emailed_case(contact_preference=ContactPreference.SMS, reporter_email="", reporter_phone="12")
    assert surveys_sweep(now=DUE_AT) == (0, 0)
    assert not Invitation.objects.exists()
    assert not _messages()


@pytest.mark.django_db
def test_a_case_whose_client_opted_out_is_not_asked(
    emailed_case: EmailedCaseMaker,
    after_resolution: SurveySettings,
    make_instrument: InstrumentMaker,
    invite: Inviter,
) -> None:
    earlier, _ = invite(make_instrument("nps"))
    optout_record(invitation=earlier, now=RESOLVED_AT)
    emailed_case()
    assert surveys_sweep(now=DUE_AT) == (0, 0)
    assert Invitation.objects.filter(origin=InvitationOrigin.RESOLUTION).count() == 0
    assert _messages() == []


@pytest.mark.django_db
def test_cases_resolved_long_before_the_setting_are_not_asked(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    emailed_case()
    assert surveys_sweep(now=DUE_AT + timedelta(days=60)) == (0, 0)


@pytest.mark.django_db
def test_one_reminder_goes_to_a_non_respondent(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    emailed_case()
    surveys_sweep(now=DUE_AT)
    assert surveys_sweep(now=REMIND_AT - timedelta(minutes=1)) == (0, 0)
    assert surveys_sweep(now=REMIND_AT) == (0, 1)
    assert surveys_sweep(now=REMIND_AT + timedelta(days=7)) == (0, 0)
    (reminder,) = _messages("survey_reminder")
    assert "only reminder" in reminder.body
    invitation = Invitation.objects.get()
    assert invitation.reminded_at == REMIND_AT
    assert invitation.sent_at == DUE_AT


@pytest.mark.django_db
def test_no_reminder_after_a_response_an_opt_out_or_expiry(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    answered, opted_out, expiring = (emailed_case() for _ in range(3))
    surveys_sweep(now=DUE_AT)
    response_submit(
        invitation=Invitation.objects.get(case=answered), raw={"item_1": "5"}, now=DUE_AT
    )
    optout_record(invitation=Invitation.objects.get(case=opted_out), now=DUE_AT)
    Invitation.objects.filter(case=expiring).update(expires_at=REMIND_AT)
    assert surveys_sweep(now=REMIND_AT) == (0, 0)
    assert _messages("survey_reminder") == []


@pytest.mark.django_db
def test_reminders_are_off_at_zero_days(
    emailed_case: EmailedCaseMaker, after_resolution: SurveySettings
) -> None:
    emailed_case()
    surveys_sweep(now=DUE_AT)
    SurveySettings.objects.update(reminder_after_days=0)
    assert surveys_sweep(now=DUE_AT + timedelta(days=INVITATION_VALID_DAYS - 1)) == (0, 0)


def _sweep_twice_at_once(now: datetime) -> int:
    done: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sweeper() -> None:
        try:
            start.wait(timeout=30)
            done.append(surveys_sweep(now=now))
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return sum(invited + reminded for invited, reminded in done)


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_ask_each_case_and_remind_exactly_once(
    emailed_case: EmailedCaseMaker,
    after_resolution: SurveySettings,
    audit_log_cleared_after: None,
) -> None:
    for _ in range(4):
        emailed_case()
    assert _sweep_twice_at_once(DUE_AT) == 4
    assert _sweep_twice_at_once(REMIND_AT) == 4
    assert Invitation.objects.count() == 4
    assert len(_messages()) == 4
    assert len(_messages("survey_reminder")) == 4


def test_every_worker_runs_the_survey_sweep() -> None:
    assert ("survey invitations and reminders", surveys_sweep_summary) in SWEEPS
