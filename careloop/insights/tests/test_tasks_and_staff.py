"""Improvement tasks opened from special-cause alerts (POST only, scoped, audited) and
hotspots per named staff member (peer review: capability, suppression, audit)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind
from careloop.conftest import CaseOpener
from careloop.insights.improvement import TaskInput, TaskInvalid, task_open, task_update
from careloop.insights.models import (
    ImprovementTask,
    InsightAlert,
    Measure,
    StaffExposure,
    TaskStatus,
)
from careloop.insights.selectors import Period
from careloop.insights.services import exposure_import_csv
from careloop.insights.staff import StaffInput, group_funnels, staff_inputs, staff_measure
from careloop.orgs.models import Facility, Organization, Person, Unit, User

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 4, 10)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alert(facility_x: Facility) -> InsightAlert:
    return InsightAlert.objects.create(
        organization_id=facility_x.organization_id,
        facility=facility_x,
        metric="complaint_rate",
        month_on=date(2026, 3, 1),
        rule="above the upper limit",
        value=9.5,
        created_at=NOW,
    )


def good(owner: User, **changes: object) -> TaskInput:
    values: dict[str, object] = {
        "title": "Review March",
        "owner_id": owner.pk,
        "due_on": date(2026, 5, 1),
    }
    values.update(changes)
    return TaskInput(**values)  # type: ignore[arg-type]  # test data


def test_a_quality_lead_opens_a_task_on_an_alert_audited(
    executive: User, advocate_x: User, alert: InsightAlert
) -> None:
    task = task_open(
        actor=executive, alert_id=alert.pk, data=good(advocate_x), today=TODAY, now=NOW
    )
    assert (task.alert_id, task.facility_id, task.owner_id, task.status) == (
        alert.pk,
        alert.facility_id,
        advocate_x.pk,
        TaskStatus.OPEN,
    )
    event = AuditEvent.objects.get(event_type="insights.task_opened")
    assert (event.object_id, event.detail["alert"]) == (str(task.pk), alert.pk)
    assert "Review March" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": "  "}, "Give the task a title."),
        ({"title": "x" * 201}, "longer than 200"),
        ({"due_on": date(2026, 4, 9)}, "must not be in the past"),
    ],
)
def test_a_bad_task_is_refused_and_nothing_written(
    executive: User, alert: InsightAlert, changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(TaskInvalid) as caught:
        task_open(
            actor=executive,
            alert_id=alert.pk,
            data=good(executive, **changes),
            today=TODAY,
            now=NOW,
        )
    assert problem in str(caught.value)
    assert not ImprovementTask.objects.exists()
    assert not AuditEvent.objects.filter(event_type="insights.task_opened").exists()


def test_a_task_owner_must_cover_the_facility(
    executive: User, advocate_y: User, outsider: User, alert: InsightAlert
) -> None:
    for owner in (advocate_y, outsider):
        with pytest.raises(TaskInvalid, match="owner"):
            task_open(actor=executive, alert_id=alert.pk, data=good(owner), today=TODAY, now=NOW)


def test_an_update_writes_only_changes_and_audits_the_status_move(
    executive: User, alert: InsightAlert
) -> None:
    task = task_open(actor=executive, alert_id=alert.pk, data=good(executive), today=TODAY, now=NOW)
    task_update(
        actor=executive,
        task_id=task.pk,
        data=good(executive),
        status=TaskStatus.OPEN,
        today=TODAY,
        now=NOW,
    )
    assert not AuditEvent.objects.filter(event_type="insights.task_updated").exists()
    task_update(
        actor=executive,
        task_id=task.pk,
        data=good(executive),
        status=TaskStatus.DONE,
        today=TODAY,
        now=NOW,
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    event = AuditEvent.objects.get(event_type="insights.task_updated")
    assert (event.fields, event.detail) == (["status"], {"from": "open", "to": "done"})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("executive", 302),
        ("admin", 302),
        ("advocate_x", 404),
        ("manager_a", 404),
        ("outsider", 404),
    ],
)
def test_only_quality_leads_open_tasks_from_the_alert_page(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    alert: InsightAlert,
    persona: str,
    status: int,
) -> None:
    user = personas[persona]
    client.force_login(user)
    url = reverse("insights:task_open", args=[alert.pk])
    payload = {"title": "Look at March", "owner": user.pk, "due_on": "2026-05-01"}
    response = client.post(url, payload)
    assert response.status_code == status
    assert ImprovementTask.objects.count() == (1 if status == 302 else 0)


def test_the_task_form_shows_on_get_and_opening_needs_post(
    client: Client, frozen: None, executive: User, alert: InsightAlert, facility_x: Facility
) -> None:
    client.force_login(executive)
    page = client.get(reverse("insights:task_open", args=[alert.pk]))
    assert page.status_code == 200
    assert "Review the complaint-rate signal of March 2026" in page.content.decode()
    assert not ImprovementTask.objects.exists()
    dashboard = client.get(reverse("insights:facility", args=[facility_x.pk]))
    assert reverse("insights:task_open", args=[alert.pk]) in dashboard.content.decode()
    bad = client.post(
        reverse("insights:task_open", args=[alert.pk]),
        {"title": "x", "owner": executive.pk, "due_on": "2020-01-01"},
    )
    assert bad.status_code == 400
    assert "must not be in the past" in bad.content.decode()


def test_the_task_list_shows_tasks_and_leads_update_them_by_post(
    client: Client, frozen: None, executive: User, advocate_x: User, alert: InsightAlert
) -> None:
    task = task_open(
        actor=executive, alert_id=alert.pk, data=good(advocate_x), today=TODAY, now=NOW
    )
    client.force_login(advocate_x)
    page = client.get(reverse("insights:tasks")).content.decode()
    assert "Review March" in page
    assert "<form" not in page.split("<table")[1]
    url = reverse("insights:task_update", args=[task.pk])
    assert client.post(url, {}).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(executive)
    prefix = f"t{task.pk}-"
    response = client.post(
        url,
        {
            prefix + "title": "Review March",
            prefix + "owner": advocate_x.pk,
            prefix + "due_on": "2026-05-01",
            prefix + "status": "in_progress",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


# --- hotspots per staff member ---------------------------------------------------------------


def test_group_funnels_compare_peers_and_suppress_small_groups() -> None:
    nurses = [
        StaffInput(name=f"N{i}", group="Nursing", events=e, exposure=1000)
        for i, e in enumerate([5, 6, 5, 30])
    ]
    doctors = [StaffInput(name="D1", group="Medical", events=9, exposure=500)]
    idle = [StaffInput(name="Z", group="Nursing", events=0, exposure=0)]
    groups = {g.group: g for g in group_funnels([*nurses, *doctors, *idle], per=1000)}
    assert groups["Medical"].funnel is None
    assert groups["Medical"].people == 1
    nursing = groups["Nursing"].funnel
    assert nursing is not None
    assert groups["Nursing"].people == 4
    verdicts = {p.label: str(p.verdict) for p in nursing.points}
    assert verdicts["N3"] == "above 99.8 %"
    assert verdicts["N0"] == "within"


@pytest.fixture
def staffed(
    org: Organization, facility_x: Facility, unit_a: Unit, open_case: CaseOpener
) -> list[Person]:
    people = [
        Person.objects.create(
            organization=org,
            facility=facility_x,
            unit=unit_a,
            full_name=f"Nurse {n}",
            email=f"nurse{n}@example.org",
        )
        for n in range(4)
    ]
    for person, complaints in zip(people, [6, 5, 7, 30], strict=True):
        StaffExposure.objects.create(
            organization=org,
            person=person,
            measure=Measure.ENCOUNTERS,
            period_start_on=date(2026, 3, 1),
            period_end_on=date(2026, 3, 31),
            value=1000,
            updated_at=NOW,
        )
        for day in range(complaints):
            case = open_case(
                kind=Kind.COMPLAINT, now=datetime(2026, 3, 1 + day % 28, 15, tzinfo=UTC)
            )
            case.staff_involved.add(person)
    return people


def test_staff_inputs_count_cases_naming_each_person(
    facility_x: Facility, staffed: list[Person]
) -> None:
    period = Period(first_on=date(2026, 3, 1), last_on=date(2026, 3, 1))
    assert staff_measure(facility=facility_x, period=period) == Measure.ENCOUNTERS
    inputs = staff_inputs(facility=facility_x, period=period, measure=Measure.ENCOUNTERS)
    assert [(i.name, i.events, i.exposure) for i in inputs] == [
        ("Nurse 0", 6, 1000),
        ("Nurse 1", 5, 1000),
        ("Nurse 2", 7, 1000),
        ("Nurse 3", 30, 1000),
    ]
    assert Case.objects.count() == 48


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("executive", 200),
        ("admin", 200),
        ("advocate_x", 403),
        ("manager_a", 404),
        ("outsider", 404),
    ],
)
def test_per_person_outliers_show_only_to_peer_review_roles_and_are_audited(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    facility_x: Facility,
    staffed: list[Person],
    persona: str,
    status: int,
) -> None:
    client.force_login(personas[persona])
    url = reverse("insights:staff", args=[facility_x.pk]) + "?start=2026-03&end=2026-03"
    response = client.get(url)
    assert response.status_code == status
    viewed = AuditEvent.objects.filter(event_type="insights.peer_review_viewed")
    if status != 200:
        assert not viewed.exists()
        if status == 403:
            page = client.get(reverse("insights:facility", args=[facility_x.pk])).content.decode()
            assert "Nurse 3" not in page
            assert reverse("insights:staff", args=[facility_x.pk]) not in page
        return
    body = response.content.decode()
    assert "Nurse 3" in body
    assert "above 99.8 %" in body
    # One plot per staff group: ids stay unique so each plot keeps its own text alternative.
    ids = re.findall(r'id="(funnel-[^"]+)"', body)
    assert ids
    assert len(ids) == len(set(ids))
    event = viewed.get()
    assert event.detail["people"] == 4
    assert "Nurse" not in str(event.detail)
    export = client.get(
        reverse("insights:staff_export_xlsx", args=[facility_x.pk]) + "?start=2026-03&end=2026-03"
    )
    assert export.status_code == 200
    assert viewed.count() == 2


def test_the_exposure_import_takes_a_staff_column_all_or_nothing(
    admin: User, unit_a: Unit, staffed: list[Person]
) -> None:
    assert admin.organization is not None
    header = "unit_code,staff_email,month,measure,value\n"
    bad = (
        header
        + ",NURSE0@example.org,2026-04,encounters,310\n"
        + ",nobody@example.org,2026-04,encounters,5\n"
        + ",nurse1@example.org,2026-04,patient_days,5\n"
        + f"{unit_a.intake_code},,2026-04,patient_days,900\n"
    )
    result = exposure_import_csv(actor=admin, organization=admin.organization, text=bad, now=NOW)
    assert [(p.line, p.reason) for p in result.problems] == [
        (3, "unknown staff member"),
        (4, "a staff member's measure must be encounters or shifts"),
    ]
    assert StaffExposure.objects.filter(period_start_on=date(2026, 4, 1)).count() == 0
    good_file = (
        header
        + ",NURSE0@example.org,2026-04,shifts,21\n"
        + (f"{unit_a.intake_code},,2026-04,patient_days,900\n")
    )
    result = exposure_import_csv(
        actor=admin, organization=admin.organization, text=good_file, now=NOW
    )
    assert result.ok
    assert result.created == 2
    row = StaffExposure.objects.get(period_start_on=date(2026, 4, 1))
    assert (row.person_id, row.measure, row.value) == (staffed[0].pk, Measure.SHIFTS, 21)
