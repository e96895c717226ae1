"""The sweep sends each due check-back once however many sweepers run, reminds, and records
"no answer" when the links expire."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from careloop.audit.models import AuditEvent
from careloop.core.worker import SWEEPS
from careloop.followups.checkbacks import followups_sweep, followups_sweep_summary
from careloop.followups.models import CheckBack, CheckBackLink, CheckBackStatus, FollowUpSettings
from careloop.followups.tests.conftest import (
    CLIENT_ADDRESS,
    DUE_AT,
    EmailedCaseMaker,
    check_back_of,
)
from careloop.messaging.models import OutboundMessage
from careloop.messaging.tests.conftest import dummy_tasks  # noqa: F401  # fixture
from careloop.orgs.models import Organization


def checkback_messages() -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(template__startswith="followup_checkback").order_by("pk")
    )


@pytest.mark.django_db
def test_a_due_check_back_is_queued_once_in_the_clients_language(
    emailed_case: EmailedCaseMaker,
) -> None:
    case = emailed_case(language="es")

    assert followups_sweep(now=DUE_AT) == 1
    assert followups_sweep(now=DUE_AT) == 0
    assert followups_sweep(now=DUE_AT + timedelta(hours=1)) == 0

    [message] = checkback_messages()
    assert (message.template, message.to_address, message.language) == (
        "followup_checkback",
        CLIENT_ADDRESS,
        "es",
    )
    assert message.redact_after_send
    assert case.reference in message.subject
    check_back = check_back_of(case)
    assert (check_back.status, check_back.sent_at) == (CheckBackStatus.SENT, DUE_AT)
    assert check_back.expires_at == DUE_AT + timedelta(days=30)
    assert check_back.next_reminder_at == DUE_AT + timedelta(days=4)
    [link] = CheckBackLink.objects.filter(check_back=check_back)
    assert link.token_hash not in message.body  # the hash is no link
    assert message.body.count("https://care.example.org/c/") == 3
    kinds = list(case.events.filter(at=DUE_AT).values_list("kind", flat=True))
    assert kinds == ["message_queued", "checkback_sent"]
    assert AuditEvent.objects.filter(event_type="case.checkback_sent").count() == 1


@pytest.mark.django_db
def test_one_reminder_after_four_days_then_no_answer_when_the_links_expire(
    emailed_case: EmailedCaseMaker,
) -> None:
    case = emailed_case()
    followups_sweep(now=DUE_AT)

    assert followups_sweep(now=DUE_AT + timedelta(days=4) - timedelta(seconds=1)) == 0
    assert followups_sweep(now=DUE_AT + timedelta(days=4)) == 1
    assert followups_sweep(now=DUE_AT + timedelta(days=8)) == 0  # one reminder by default

    first, reminder = checkback_messages()
    assert reminder.template == "followup_checkback_reminder"
    assert "We have not heard from you yet" in reminder.body
    assert "We have not heard from you yet" not in first.body
    check_back = check_back_of(case)
    assert (check_back.reminders_sent, check_back.next_reminder_at) == (1, None)
    assert check_back.links.count() == 2  # each email has its own links; both work

    assert followups_sweep(now=DUE_AT + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert followups_sweep(now=DUE_AT + timedelta(days=30)) == 1
    assert followups_sweep(now=DUE_AT + timedelta(days=31)) == 0

    check_back.refresh_from_db()
    assert (check_back.status, check_back.ended_at) == (
        CheckBackStatus.EXPIRED_UNANSWERED,
        DUE_AT + timedelta(days=30),
    )
    event = case.events.get(kind="checkback_expired")
    assert event.summary == "Check-back expired: no answer from the client"
    assert event.changes == {"status": ["sent", "expired_unanswered"]}
    audit = AuditEvent.objects.get(event_type="case.checkback_expired")
    assert (audit.object_type, audit.object_id, audit.actor_id) == (
        "checkback",
        str(check_back.pk),
        None,
    )
    assert len(checkback_messages()) == 2


@pytest.mark.django_db
def test_reminders_follow_the_organizations_settings(
    emailed_case: EmailedCaseMaker, org: Organization
) -> None:
    FollowUpSettings.objects.create(
        organization=org, reminders=2, reminder_after_days=3, link_valid_days=8
    )
    case = emailed_case()
    followups_sweep(now=DUE_AT)

    assert followups_sweep(now=DUE_AT + timedelta(days=3)) == 1
    assert followups_sweep(now=DUE_AT + timedelta(days=6)) == 1
    assert followups_sweep(now=DUE_AT + timedelta(days=9)) == 1  # the expiry, no third reminder

    assert [m.template for m in checkback_messages()] == [
        "followup_checkback",
        "followup_checkback_reminder",
        "followup_checkback_reminder",
    ]
    check_back = check_back_of(case)
    assert (check_back.reminders_sent, check_back.status) == (
        2,
        CheckBackStatus.EXPIRED_UNANSWERED,
    )


@pytest.mark.django_db
def test_no_reminder_is_sent_when_the_organization_wants_none(
    emailed_case: EmailedCaseMaker, org: Organization
) -> None:
    FollowUpSettings.objects.create(organization=org, reminders=0)
    emailed_case()
    followups_sweep(now=DUE_AT)

    assert check_back_of_only().next_reminder_at is None
    assert followups_sweep(now=DUE_AT + timedelta(days=10)) == 0
    assert len(checkback_messages()) == 1


def check_back_of_only() -> CheckBack:
    return CheckBack.objects.get()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_each_check_back_exactly_once(
    emailed_case: EmailedCaseMaker,
    dummy_tasks: None,  # noqa: F811  # the fixture imported above
    audit_log_cleared_after: None,
) -> None:
    for _ in range(5):
        emailed_case()
    done: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sweeper() -> None:
        try:
            start.wait(timeout=30)
            done.append(followups_sweep(now=DUE_AT))
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
    assert sum(done) == 5
    assert len(checkback_messages()) == 5
    assert CheckBack.objects.filter(status=CheckBackStatus.SENT).count() == 5
    assert CheckBackLink.objects.count() == 5
    assert AuditEvent.objects.filter(event_type="case.checkback_sent").count() == 5


def test_every_worker_runs_the_check_back_sweep() -> None:
    assert ("follow-up check-backs", followups_sweep_summary) in SWEEPS


@pytest.mark.django_db
def test_the_sweeps_log_line_holds_counts_only(emailed_case: EmailedCaseMaker) -> None:
    import time_machine

    emailed_case()
    with time_machine.travel(DUE_AT, tick=False):
        assert followups_sweep_summary() == "1 check-back steps (sent, reminded or expired)"
        assert followups_sweep_summary() == ""
