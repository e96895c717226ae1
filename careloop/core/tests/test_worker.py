"""Several worker processes' loops against one database: every job runs exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django_tasks_db.models import DBTaskResult

from careloop.cases.models import Channel, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.core.worker import task_worker
from careloop.orgs.models import Facility, Membership, Organization, Role, Unit, User
from careloop.policies.models import CaseClock, Notification
from careloop.policies.services import clocks_sweep

OPENED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _organization_with_cases(count: int) -> list[int]:
    org = Organization.objects.create(name="Lakeside", slug="lakeside", reference_prefix="LK")
    facility = Facility.objects.create(
        organization=org,
        name="Lakeside Hospital",
        setting="hospital",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        holiday_calendar="us_federal",
        policy_packs=["house.standard"],
    )
    unit = Unit.objects.create(facility=facility, name="Ward 1")
    for name, role in (("lead", Role.ADVOCATE), ("boss", Role.EXECUTIVE)):
        user = User.objects.create_user(
            username=name, email=f"{name}@lakeside.example", organization=org
        )
        Membership.objects.create(user=user, role=role, facility=facility)
    return [
        case_open(
            actor=None,
            data=NewCase(
                facility=facility,
                unit=unit,
                kind=Kind.COMPLAINT,
                reporter_type=ReporterType.FAMILY,
                channel=Channel.PHONE,
                narrative=f"Private words number {i}",
                received_at=OPENED_AT,
            ),
            now=OPENED_AT,
        ).pk
        for i in range(count)
    ]


def _run_worker_batch(errors: list[BaseException]) -> None:
    try:
        worker = task_worker(interval=0)
        worker.batch = True
        worker.startup_delay = False
        worker.run()
    except BaseException as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_escalation_email_exactly_once(
    settings: Any, audit_log_cleared_after: None
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _organization_with_cases(6)
    warned, breached = clocks_sweep(now=OPENED_AT + timedelta(days=30))
    assert breached == CaseClock.objects.filter(status="breached").count() == 12
    queued = DBTaskResult.objects.count()
    # house.standard escalates a breach to managers and executives: the boss, not the lead.
    assert queued == Notification.objects.count() == 12
    errors: list[BaseException] = []
    workers = [threading.Thread(target=_run_worker_batch, args=(errors,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    assert len(mail.outbox) == 12
    assert {m.to[0] for m in mail.outbox} == {"boss@lakeside.example"}
    assert not any("Private words" in m.body or "Private words" in m.subject for m in mail.outbox)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert warned == 0
