"""The sweep: warnings and breaches recorded exactly once, however many workers run, and the
escalation emails they send after commit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.cases.models import CaseEvent
from careloop.cases.services import case_acknowledge, case_assign
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener, clock_of
from careloop.orgs.models import User
from careloop.policies.escalation import escalation_recipients, notification_deliver
from careloop.policies.models import ClockStatus, Notification
from careloop.policies.services import clocks_sweep

ACK_DUE_AT = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # acknowledge_1wd on a RECEIVED_AT case
ACK_WARN_AT = RECEIVED_AT + (ACK_DUE_AT - RECEIVED_AT) * 0.75
BEFORE_ANY_WARNING = RECEIVED_AT + timedelta(hours=1)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def staffed(manager_a: User, advocate_x: User, executive: User, admin: User) -> None:
    """Everyone who could be told about a unit A case."""


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def dummy_tasks(settings: Any) -> None:
    settings.TASKS = DUMMY


def test_nothing_is_recorded_before_a_clock_is_at_risk(
    open_case: CaseOpener, staffed: None
) -> None:
    open_case()

    assert clocks_sweep(now=BEFORE_ANY_WARNING) == (0, 0)
    assert not Notification.objects.exists()


def test_a_warning_is_recorded_once_and_tells_the_advocate(
    open_case: CaseOpener, staffed: None, dummy_tasks: None
) -> None:
    case = open_case()

    warned, breached = clocks_sweep(now=ACK_WARN_AT)
    again = clocks_sweep(now=ACK_WARN_AT + timedelta(minutes=1))

    assert (warned, breached) == (1, 0)
    assert again == (0, 0)
    clock = clock_of(case, "acknowledge_1wd")
    assert (clock.status, clock.warned_at) == (ClockStatus.RUNNING, ACK_WARN_AT)
    assert list(Notification.objects.values_list("level", "recipient_email")) == [
        ("warning", "advocate_x@example.org")
    ]


def test_a_breach_is_recorded_once_with_a_timeline_event(
    open_case: CaseOpener, staffed: None, dummy_tasks: None
) -> None:
    case = open_case()

    first = clocks_sweep(now=ACK_DUE_AT)
    second = clocks_sweep(now=ACK_DUE_AT + timedelta(minutes=5))

    assert first == (0, 1)
    assert second == (0, 0)
    clock = clock_of(case, "acknowledge_1wd")
    assert (clock.status, clock.breached_at) == (ClockStatus.BREACHED, ACK_DUE_AT)
    assert case.events.filter(kind="clock_breached").count() == 1


def test_a_breach_tells_the_unit_manager_the_executive_and_the_owner(
    open_case: CaseOpener, staffed: None, advocate_x: User, dummy_tasks: None
) -> None:
    case = open_case()
    case_assign(actor=advocate_x, case=case, owner=advocate_x, now=RECEIVED_AT)

    clocks_sweep(now=ACK_DUE_AT)

    assert set(Notification.objects.values_list("recipient_email", flat=True)) == {
        "manager_a@example.org",
        "executive@example.org",
        "advocate_x@example.org",
    }


def test_a_manager_of_another_unit_is_not_told(
    open_case: CaseOpener, staffed: None, unit_b: Any
) -> None:
    case = open_case(unit=unit_b)
    clock = clock_of(case, "acknowledge_1wd")

    emails = {u.email for u in escalation_recipients(clock=clock, level="breach")}

    assert emails == {"executive@example.org"}


def test_users_without_an_email_or_inactive_are_not_told(
    open_case: CaseOpener, manager_a: User, executive: User
) -> None:
    manager_a.email = ""
    manager_a.save()
    executive.is_active = False
    executive.save()
    clock = clock_of(open_case(), "acknowledge_1wd")

    assert escalation_recipients(clock=clock, level="breach") == []


def test_the_escalation_email_names_the_case_and_clock_but_not_the_client_narrative(
    open_case: CaseOpener,
    staffed: None,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    case = open_case()

    with django_capture_on_commit_callbacks(execute=True):
        clocks_sweep(now=ACK_DUE_AT)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "executive@example.org",
        "manager_a@example.org",
    ]
    message = mail.outbox[0]
    assert case.reference in message.subject
    assert "Acknowledge by the end of the next working day BREACHED" in message.subject
    assert case.reference in message.body
    assert NARRATIVE not in f"{message.subject} {message.body}"
    assert "four hours" not in message.body
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_no_email_is_sent_before_the_sweep_commits(
    open_case: CaseOpener,
    staffed: None,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    open_case()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        clocks_sweep(now=ACK_DUE_AT)

    assert len(callbacks) == 2
    assert mail.outbox == []


def test_a_notification_is_delivered_once(
    open_case: CaseOpener, staffed: None, dummy_tasks: None
) -> None:
    open_case()
    clocks_sweep(now=ACK_DUE_AT)
    notification = Notification.objects.first()
    assert notification is not None

    assert notification_deliver(notification_id=notification.pk, now=ACK_DUE_AT) is True
    assert notification_deliver(notification_id=notification.pk, now=ACK_DUE_AT) is False
    assert len(mail.outbox) == 1


def test_a_met_clock_is_never_breached(open_case: CaseOpener, advocate_x: User) -> None:
    case = open_case()
    case_acknowledge(actor=advocate_x, case=case, channel="phone", now=RECEIVED_AT)

    assert clocks_sweep(now=ACK_DUE_AT + timedelta(days=1)) == (0, 0)
    assert clock_of(case, "acknowledge_1wd").status == ClockStatus.MET


# --- two workers -------------------------------------------------------------------------------


def _sweep_in_thread(now: datetime, barrier: threading.Barrier, results: list[Any]) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(clocks_sweep(now=now))
    except Exception as exc:  # reported to the test thread
        results.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_record_one_breach(
    audit_log_cleared_after: None, open_case: CaseOpener, staffed: None, immediate_tasks: None
) -> None:
    case = open_case()
    breach_at = ACK_DUE_AT + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results: list[Any] = []
    workers = [
        threading.Thread(target=_sweep_in_thread, args=(breach_at, barrier, results))
        for _ in range(2)
    ]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(breached for _warned, breached in results) == 1
    assert CaseEvent.objects.filter(case=case, kind="clock_breached").count() == 1
    assert sorted(Notification.objects.values_list("recipient_email", flat=True)) == [
        "executive@example.org",
        "manager_a@example.org",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "executive@example.org",
        "manager_a@example.org",
    ]
    assert all(case.reference in m.subject and NARRATIVE not in m.body for m in mail.outbox)
