"""Dashboard figures from the database, the organization dashboard, hotspots on the facility
page, and special-cause alerts: recorded once, emailed after commit, acknowledged (audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, Kind
from careloop.cases.services import case_acknowledge
from careloop.conftest import CaseOpener
from careloop.insights.alerts import COMPLAINT_RATE, insights_alerts_sweep, quality_lead_emails
from careloop.insights.models import InsightAlert
from careloop.insights.rollups import rollups_refresh
from careloop.insights.tests.test_dashboard import NOW, exposure
from careloop.orgs.models import Facility, Unit, User
from careloop.recovery.models import Budget

MARCH = date(2026, 3, 1)


def months_back(count: int) -> list[date]:
    months, current = [], MARCH
    for _ in range(count):
        months.append(current)
        current = (current - timedelta(days=1)).replace(day=1)
    return months


@pytest.fixture
def signalling_march(open_case: CaseOpener, unit_a: Unit) -> None:
    """12 months of 1,000 patient days on unit A; one grievance in three earlier months, eight
    in March: far above the upper limit (about 3.8 per 1,000)."""
    for month_on in months_back(12):
        exposure(unit_a, month_on, 1000)
    for month_on in (date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)):
        open_case(now=datetime(month_on.year, month_on.month, 10, 15, tzinfo=UTC))
    for day in range(2, 10):
        open_case(now=datetime(2026, 3, day, 15, tzinfo=UTC))


def test_the_sweep_records_a_signal_once_and_emails_the_quality_leads_after_commit(
    signalling_march: None,
    personas: dict[str, User],
    facility_x: Facility,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert insights_alerts_sweep(now=NOW) == 0  # the rollups are not built yet
        rollups_refresh(now=NOW)
        assert insights_alerts_sweep(now=NOW) == 1
    alert = InsightAlert.objects.get()
    assert (alert.facility_id, alert.metric, alert.month_on, alert.rule) == (
        facility_x.pk,
        COMPLAINT_RATE,
        MARCH,
        "above the upper limit",
    )
    assert alert.value == pytest.approx(8.0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["admin@example.org", "executive@example.org"]
    assert "Riverside General" in message.subject
    assert "Case" not in message.body
    assert "@" not in message.body
    assert AuditEvent.objects.filter(event_type="insights.alert_raised").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert insights_alerts_sweep(now=NOW + timedelta(hours=1)) == 0
    assert InsightAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_calm_month_or_too_little_data_raises_nothing(
    open_case: CaseOpener, unit_a: Unit, facility_x: Facility
) -> None:
    for month_on in months_back(3):
        exposure(unit_a, month_on, 1000)
    open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC))
    rollups_refresh(now=NOW)
    assert insights_alerts_sweep(now=NOW) == 0
    assert not InsightAlert.objects.exists()


def test_quality_leads_are_executives_and_admins_covering_the_facility(
    personas: dict[str, User], facility_x: Facility, facility_y: Facility
) -> None:
    assert quality_lead_emails(facility_x) == ["admin@example.org", "executive@example.org"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 302),
        ("executive", 302),
        ("advocate_x", 404),
        ("frontline_a", 404),
        ("outsider", 404),
    ],
)
def test_only_a_quality_lead_acknowledges_an_alert_and_it_is_audited(
    client: Client,
    personas: dict[str, User],
    facility_x: Facility,
    persona: str,
    status: int,
) -> None:
    alert = InsightAlert.objects.create(
        organization_id=facility_x.organization_id,
        facility=facility_x,
        metric=COMPLAINT_RATE,
        month_on=MARCH,
        rule="above the upper limit",
        created_at=NOW,
    )
    client.force_login(personas[persona])
    url = reverse("insights:alert_ack", args=[alert.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == status
    alert.refresh_from_db()
    acknowledged = status == 302
    assert (alert.acknowledged_by_id == personas[persona].pk) is acknowledged
    assert AuditEvent.objects.filter(event_type="insights.alert_acknowledged").count() == (
        1 if acknowledged else 0
    )


def test_the_facility_page_shows_figures_hotspots_and_alerts(
    client: Client,
    admin: User,
    advocate_x: User,
    facility_x: Facility,
    unit_a: Unit,
    unit_b: Unit,
    signalling_march: None,
    open_case: CaseOpener,
) -> None:
    case = Case.objects.filter(unit=unit_a).order_by("received_at").last()
    assert case is not None
    case_acknowledge(
        actor=advocate_x,
        case=case,
        channel=Channel.PHONE,
        now=case.received_at + timedelta(hours=6),
    )
    Case.objects.filter(pk=case.pk).update(sev_safety=2, sev_respect=1)
    open_case(kind=Kind.COMPLIMENT, now=datetime(2026, 3, 5, 15, tzinfo=UTC))
    Budget.objects.create(
        unit=unit_a,
        start_on=date(2026, 1, 1),
        end_on=date(2026, 12, 31),
        amount=Decimal("500.00"),
        created_at=NOW,
    )
    for month_on in months_back(12):
        exposure(unit_b, month_on, 200)
    rollups_refresh(now=NOW)
    insights_alerts_sweep(now=NOW)
    client.force_login(admin)
    response = client.get(
        reverse("insights:facility", args=[facility_x.pk]) + "?start=2025-04&end=2026-03"
    )
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.acknowledge.count == 1
    assert figures.acknowledge.median_hours == pytest.approx(6.0)
    assert figures.compliments == 1
    assert dict(figures.categories)["Safety"] == 1
    assert [(b.currency, b.budget, b.level) for b in figures.budget] == [
        ("USD", Decimal("500.00"), "ok")
    ]
    hotspots = response.context["funnel"]
    assert {p.label: p.events for p in hotspots.points} == {"4 West": 11, "ICU": 0}
    body = response.content.decode()
    assert 'class="funnel-plot"' in body
    assert reverse("insights:staff", args=[facility_x.pk]) in body  # admin: peer review
    assert "above the upper limit" in body
    assert "Acknowledge</button>" in body


@pytest.mark.parametrize(
    ("persona", "whole"),
    [
        ("admin", True),
        ("executive", True),
        ("advocate_x", False),
        ("manager_a", False),
        ("outsider", True),  # an administrator of another organization, seeing that one
    ],
)
def test_the_organization_dashboard_is_for_organization_wide_access(
    client: Client, personas: dict[str, User], facility_x: Facility, persona: str, whole: bool
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("insights:index"))
    assert response.status_code == 200
    assert response.context["whole"] is whole
    assert ("Organization dashboard" in response.content.decode()) is whole
    assert (
        AuditEvent.objects.filter(event_type="insights.viewed", object_type="organization").exists()
        is whole
    )
