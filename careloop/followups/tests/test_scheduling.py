"""A resolution schedules a check-back by the client's preferred channel, or says on the timeline
why there is none; reopening cancels it and resolving again schedules a new one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, ContactPreference, Kind, Status
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.followups.checkbacks import followups_sweep
from careloop.followups.models import (
    CheckBack,
    CheckBackChannel,
    CheckBackStatus,
    FollowUpSettings,
    Via,
)
from careloop.followups.services import followup_record_answer
from careloop.followups.tests.conftest import (
    DUE_AT,
    RESOLVED_AT,
    EmailedCaseMaker,
    Resolver,
    check_back_of,
)
from careloop.intake.models import ClientAccess
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.fixture
def _frozen() -> Iterator[None]:
    with time_machine.travel(RESOLVED_AT, tick=False):
        yield


def test_resolving_an_email_clients_case_schedules_a_check_back_three_days_later(
    emailed_case: EmailedCaseMaker,
) -> None:
    case = emailed_case()

    check_back = check_back_of(case)
    assert (check_back.status, check_back.channel) == (
        CheckBackStatus.SCHEDULED,
        CheckBackChannel.EMAIL,
    )
    assert (check_back.resolution_at, check_back.due_at) == (RESOLVED_AT, DUE_AT)
    assert check_back.reminders_sent == 0
    assert check_back.sent_at is None
    assert not check_back.links.exists()  # the token is made when the email is sent
    event = case.events.get(kind="checkback_scheduled")
    assert event.summary == "Check-back by email scheduled for 2026-03-07 09:00 CST"
    audit = AuditEvent.objects.get(event_type="case.checkback_scheduled")
    assert (audit.object_type, audit.object_id) == ("checkback", str(check_back.pk))


def test_the_wait_is_the_organizations_setting(
    emailed_case: EmailedCaseMaker, org: Organization
) -> None:
    FollowUpSettings.objects.create(organization=org, checkback_after_days=7)

    case = emailed_case()

    assert check_back_of(case).due_at == RESOLVED_AT + timedelta(days=7)


def test_nothing_is_sent_before_it_is_due(emailed_case: EmailedCaseMaker) -> None:
    case = emailed_case()

    assert followups_sweep(now=DUE_AT - timedelta(seconds=1)) == 0

    assert check_back_of(case).status == CheckBackStatus.SCHEDULED
    assert not OutboundMessage.objects.filter(template="followup_checkback").exists()


@pytest.mark.parametrize(
    ("preference", "fields", "reason"),
    [
        (
            ContactPreference.PHONE,
            {"reporter_phone": "+1 312 555 0199"},
            "No automatic check-back: the client prefers phone calls: call them to ask",
        ),
        (
            ContactPreference.LETTER,
            {},
            "No automatic check-back: the client prefers letters: ask them in writing",
        ),
        (
            ContactPreference.EMAIL,
            {},
            "No automatic check-back: no email address is recorded for the client",
        ),
        (
            ContactPreference.NONE,
            {},
            "No check-back: the client left no way to reach them and has no status page",
        ),
    ],
)
def test_without_an_email_address_no_check_back_is_sent_and_the_timeline_says_why(
    open_case: CaseOpener, resolve: Resolver, preference: str, fields: dict[str, Any], reason: str
) -> None:
    case = resolve(open_case(contact_preference=preference, **fields))

    assert not CheckBack.objects.exists()
    event = case.events.get(kind="checkback_not_sent")
    assert event.summary == reason
    assert AuditEvent.objects.filter(event_type="case.checkback_not_sent").count() == 1
    assert followups_sweep(now=DUE_AT + timedelta(days=60)) == 0
    assert not OutboundMessage.objects.exists()


def test_an_anonymous_client_with_a_status_page_is_asked_there_only(
    open_case: CaseOpener, resolve: Resolver
) -> None:
    case = open_case(contact_preference=ContactPreference.NONE)
    ClientAccess.objects.create(case=case, token_hash="0" * 64, created_at=RECEIVED_AT)

    case = resolve(case)

    assert not CheckBack.objects.exists()
    assert case.events.get(kind="checkback_not_sent").summary == (
        "Check-back through the status page only: the client left no contact"
    )


def test_a_text_message_client_is_asked_by_text_with_a_one_time_link(
    open_case: CaseOpener, resolve: Resolver
) -> None:
    case = resolve(
        open_case(contact_preference=ContactPreference.SMS, reporter_phone="+1 312 555 0199")
    )

    check_back = check_back_of(case)
    assert (check_back.channel, check_back.status) == (
        CheckBackChannel.SMS,
        CheckBackStatus.SCHEDULED,
    )
    assert "by text message scheduled" in case.events.get(kind="checkback_scheduled").summary
    assert followups_sweep(now=DUE_AT) == 1
    text = OutboundMessage.objects.get()
    assert (text.channel, text.to_address) == ("sms", "+13125550199")
    assert "Reply YES, PARTLY or NO" in text.body
    assert "/c/" in text.body
    assert "/partly/" in text.body


def test_reopening_cancels_the_check_back_and_resolving_again_schedules_a_new_one(
    emailed_case: EmailedCaseMaker, reopen: Resolver, resolve: Resolver
) -> None:
    case = emailed_case()
    first = check_back_of(case)

    case = reopen(case, at=RESOLVED_AT + timedelta(hours=1))

    first.refresh_from_db()
    assert (first.status, first.ended_at) == (
        CheckBackStatus.CANCELLED,
        RESOLVED_AT + timedelta(hours=1),
    )
    assert case.events.get(kind="checkback_cancelled").summary == (
        "Check-back cancelled: the case was reopened"
    )

    again = RESOLVED_AT + timedelta(days=1)
    case = resolve(case, at=again)

    second = check_back_of(case)
    assert second.pk != first.pk
    assert (second.status, second.resolution_at, second.due_at) == (
        CheckBackStatus.SCHEDULED,
        again,
        again + timedelta(days=3),
    )
    assert followups_sweep(now=DUE_AT) == 0  # the first one's time: nothing for it
    assert followups_sweep(now=again + timedelta(days=3)) == 1
    assert OutboundMessage.objects.filter(template="followup_checkback").count() == 1


def test_a_sent_check_back_is_cancelled_when_the_case_is_reopened(
    emailed_case: EmailedCaseMaker, reopen: Resolver
) -> None:
    case = emailed_case()
    assert followups_sweep(now=DUE_AT) == 1

    reopen(case, at=DUE_AT + timedelta(days=1))

    check_back = CheckBack.objects.get(case=case)
    assert (check_back.status, check_back.next_reminder_at) == (CheckBackStatus.CANCELLED, None)
    assert followups_sweep(now=DUE_AT + timedelta(days=40)) == 0
    assert OutboundMessage.objects.filter(template__startswith="followup_checkback").count() == 1


def test_an_answer_on_the_status_page_means_no_email_is_sent(
    emailed_case: EmailedCaseMaker,
) -> None:
    case = emailed_case()

    followup_record_answer(
        case=case, answer="yes", comment="", via=Via.STATUS_PAGE, now=RESOLVED_AT
    )

    check_back = CheckBack.objects.get(case=case)
    assert (check_back.status, check_back.answered_at) == (CheckBackStatus.ANSWERED, RESOLVED_AT)
    assert followups_sweep(now=DUE_AT) == 0
    assert not OutboundMessage.objects.filter(template="followup_checkback").exists()
    assert case.events.filter(kind="loop_closed").count() == 1


def test_closing_a_resolved_case_keeps_its_check_back(
    emailed_case: EmailedCaseMaker,
) -> None:
    case = emailed_case()
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=RESOLVED_AT)

    assert followups_sweep(now=DUE_AT) == 1
    assert CheckBack.objects.get(case=case).status == CheckBackStatus.SENT


def test_an_erased_case_gets_no_question(emailed_case: EmailedCaseMaker) -> None:
    case = emailed_case()
    Case.objects.filter(pk=case.pk).update(erased_at=RESOLVED_AT + timedelta(days=1))

    assert followups_sweep(now=DUE_AT) == 0

    check_back = CheckBack.objects.get(case=case)
    assert check_back.status == CheckBackStatus.CANCELLED
    assert not OutboundMessage.objects.filter(template="followup_checkback").exists()


@pytest.mark.parametrize("kind", [Kind.COMPLIMENT, Kind.SUGGESTION])
def test_thanks_and_ideas_are_not_asked_whether_they_were_put_right(
    open_case: CaseOpener, resolve: Resolver, kind: str
) -> None:
    case = resolve(
        open_case(
            kind=kind, contact_preference=ContactPreference.EMAIL, reporter_email="a@example.org"
        )
    )

    assert not CheckBack.objects.filter(case=case).exists()
    assert not case.events.filter(kind__startswith="checkback_").exists()
