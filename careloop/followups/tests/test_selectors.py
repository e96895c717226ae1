"""Recovery success (yes / answered) by unit, facility and overall, and resolution times, on a
small organization with answers inside and outside the period and in another organization."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from careloop.cases.models import Case, Status
from careloop.cases.services import case_move
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.followups.models import Via
from careloop.followups.selectors import (
    GROUPINGS,
    RecoverySuccess,
    ResolutionTimes,
    recovery_success,
    resolution_times,
)
from careloop.followups.services import followup_record_answer
from careloop.orgs.models import Facility, Organization, Unit, User

START = RECEIVED_AT - timedelta(hours=9)  # 1 March 2026 00:00 in Chicago
END = START + timedelta(days=31)  # 1 April

pytestmark = pytest.mark.django_db


class Org:
    """Opens, resolves and answers cases through the services."""

    def __init__(self, open_case: CaseOpener, actor: User) -> None:
        self.open_case = open_case
        self.actor = actor

    def resolved(
        self,
        *,
        unit: Unit | None = None,
        facility: Facility | None = None,
        after: timedelta = timedelta(days=1),
        received_at: datetime = RECEIVED_AT,
    ) -> Case:
        case = self.open_case(unit=unit, facility=facility, now=received_at)
        return case_move(
            actor=self.actor, case=case, status=Status.RESOLVED, now=received_at + after
        )

    def answered(self, answer: str, **where: Any) -> Case:
        case = self.resolved(**where)
        assert case.resolved_at is not None
        followup_record_answer(
            case=case,
            answer=answer,
            comment="",
            via=Via.EMAIL_LINK,
            now=case.resolved_at + timedelta(days=4),
        )
        return case


@pytest.fixture
def answers(
    open_case: CaseOpener,
    admin: User,
    outsider: User,
    unit_a: Unit,
    unit_b: Unit,
    unit_c: Unit,
    facility_x: Facility,
    other_unit: Unit,
) -> None:
    ours = Org(open_case, admin)
    for answer in ("yes", "no", "partly"):
        ours.answered(answer, unit=unit_a)
    for answer in ("yes", "yes"):
        ours.answered(answer, unit=unit_b)
    ours.answered("no", unit=unit_c)
    ours.answered("yes", facility=facility_x)  # no unit
    ours.resolved(unit=unit_a)  # not answered: not counted
    ours.answered("yes", unit=unit_a, received_at=START - timedelta(days=5))  # resolved before
    ours.answered("no", unit=unit_a, after=timedelta(days=32))  # resolved after the period
    Org(open_case, outsider).answered("yes", unit=other_unit)  # another organization


def test_by_unit(
    answers: None, org: Organization, unit_a: Unit, unit_b: Unit, unit_c: Unit
) -> None:
    rows = recovery_success(organization=org, start=START, end=END, group_by="unit")

    assert rows == [
        RecoverySuccess(key=unit_a.pk, label="4 West", answered=3, yes=1, partly=1, no=1),
        RecoverySuccess(key=unit_b.pk, label="ICU", answered=2, yes=2, partly=0, no=0),
        RecoverySuccess(key=unit_c.pk, label="Oak Wing", answered=1, yes=0, partly=0, no=1),
        RecoverySuccess(key=None, label="No unit", answered=1, yes=1, partly=0, no=0),
    ]
    assert [row.rate for row in rows] == [pytest.approx(1 / 3), 1.0, 0.0, 1.0]


def test_by_facility(
    answers: None, org: Organization, facility_x: Facility, facility_y: Facility
) -> None:
    rows = recovery_success(organization=org, start=START, end=END, group_by="facility")

    assert rows == [
        RecoverySuccess(key=facility_y.pk, label="Maple Grove", answered=1, yes=0, partly=0, no=1),
        RecoverySuccess(
            key=facility_x.pk, label="Riverside General", answered=6, yes=4, partly=1, no=1
        ),
    ]


def test_overall(answers: None, org: Organization) -> None:
    [row] = recovery_success(organization=org, start=START, end=END, group_by="overall")

    assert (row.answered, row.yes, row.partly, row.no) == (7, 4, 1, 2)
    assert row.rate == pytest.approx(4 / 7)


def test_a_period_without_answers_has_no_rate(answers: None, org: Organization) -> None:
    later = END + timedelta(days=100)

    [row] = recovery_success(
        organization=org, start=later, end=later + timedelta(days=1), group_by="overall"
    )
    assert (row.answered, row.rate) == (0, None)
    assert (
        recovery_success(
            organization=org, start=later, end=later + timedelta(days=1), group_by="unit"
        )
        == []
    )


def test_an_unknown_grouping_is_a_programming_error(org: Organization) -> None:
    with pytest.raises(ValueError, match="Unknown grouping"):
        recovery_success(organization=org, start=START, end=END, group_by="colour")  # type: ignore[arg-type]  # on purpose


def test_groupings_are_data() -> None:
    assert set(GROUPINGS) == {"unit", "facility", "item_type", "overall"}


def test_by_recovery_item_type(
    open_case: CaseOpener, admin: User, advocate_x: User, org: Organization, unit_a: Unit
) -> None:
    from decimal import Decimal

    from careloop.recovery.clients import recovery_client_create
    from careloop.recovery.configuration import ItemTypeValues, authority_limit_set, item_type_save
    from careloop.recovery.services import RecoveryOrder, recovery_issue

    meal = item_type_save(
        actor=admin,
        organization=org,
        values=ItemTypeValues(kind="meal_voucher", name="Meal voucher", retail_value=Decimal(10)),
        now=RECEIVED_AT,
    )
    authority_limit_set(
        actor=admin,
        item_type=meal,
        role="advocate",
        per_case=Decimal(50),
        per_client=Decimal(100),
        period="calendar_year",
        now=RECEIVED_AT,
    )
    ours = Org(open_case, admin)
    given = []
    for _ in range(3):
        case = open_case(unit=unit_a, now=RECEIVED_AT)
        recovery_client_create(
            actor=advocate_x,
            case=case,
            display_name="A client",
            identifier="",
            beneficiary=False,
            now=RECEIVED_AT,
            case_only=True,
        )
        recovery_issue(
            actor=advocate_x, case=case, order=RecoveryOrder(item_type=meal), now=RECEIVED_AT
        )
        given.append(case)
    for case, answer in zip(given, ("yes", "yes", "no"), strict=True):
        case = case_move(
            actor=admin, case=case, status=Status.RESOLVED, now=RECEIVED_AT + timedelta(days=1)
        )
        followup_record_answer(
            case=case,
            answer=answer,
            comment="",
            via=Via.EMAIL_LINK,
            now=RECEIVED_AT + timedelta(days=4),
        )
    ours.answered("no", unit=unit_a)  # nothing given

    rows = recovery_success(organization=org, start=START, end=END, group_by="item_type")

    assert rows == [
        RecoverySuccess(key=meal.pk, label="Meal voucher", answered=3, yes=2, partly=0, no=1),
        RecoverySuccess(key=None, label="Nothing given", answered=1, yes=0, partly=0, no=1),
    ]


def test_resolution_times_are_the_median_and_90th_percentile_in_hours(
    open_case: CaseOpener,
    admin: User,
    outsider: User,
    unit_a: Unit,
    other_unit: Unit,
    org: Organization,
) -> None:
    ours = Org(open_case, admin)
    for hours in (10, 24, 48, 72, 100):
        ours.resolved(unit=unit_a, after=timedelta(hours=hours))
    ours.resolved(unit=unit_a, received_at=START - timedelta(days=9))  # resolved before START
    open_case(unit=unit_a)  # not resolved
    Org(open_case, outsider).resolved(unit=other_unit, after=timedelta(hours=1))

    times = resolution_times(organization=org, start=START, end=END)

    assert times.count == 5
    assert times.median_hours == pytest.approx(48.0)
    assert times.p90_hours == pytest.approx(88.8)


def test_a_reopened_case_counts_from_receipt_to_its_latest_resolution(
    open_case: CaseOpener, admin: User, unit_a: Unit, org: Organization
) -> None:
    case = Org(open_case, admin).resolved(unit=unit_a, after=timedelta(hours=5))
    case = case_move(
        actor=admin,
        case=case,
        status=Status.INVESTIGATING,
        reason="Not put right",
        now=RECEIVED_AT + timedelta(hours=6),
    )
    case_move(actor=admin, case=case, status=Status.RESOLVED, now=RECEIVED_AT + timedelta(hours=30))

    assert resolution_times(organization=org, start=START, end=END) == ResolutionTimes(
        count=1, median_hours=30.0, p90_hours=30.0
    )


def test_no_resolutions_have_no_times(org: Organization) -> None:
    assert resolution_times(organization=org, start=START, end=END) == ResolutionTimes(
        count=0, median_hours=None, p90_hours=None
    )
