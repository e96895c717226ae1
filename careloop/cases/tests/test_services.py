"""Case services: opening (and refusing bad input with nothing half-written), references,
assignment, acknowledgement, classification, HCAT coding and retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Kind, SafetyType, Status
from careloop.cases.services import (
    NewCase,
    case_acknowledge,
    case_assign,
    case_code,
    case_open,
    case_reclassify,
    case_set_retention,
)
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener, row_counts
from careloop.orgs.models import Facility, Person, Unit, User

LATER = RECEIVED_AT + timedelta(hours=2)
NEW_YEAR_EVE_IN_CHICAGO = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # 21:00 on 31 December 2026


@pytest.fixture
def new_case(facility_x: Facility, unit_a: Unit) -> NewCase:
    return NewCase(
        facility=facility_x,
        unit=unit_a,
        kind=Kind.GRIEVANCE,
        reporter_type="family",
        channel="phone",
        narrative=NARRATIVE,
        received_at=RECEIVED_AT,
    )


# --- opening -----------------------------------------------------------------------------------


def test_a_frontline_aide_opens_a_case_on_their_unit(new_case: NewCase, frontline_a: User) -> None:
    case = case_open(actor=frontline_a, data=new_case, now=RECEIVED_AT)

    assert case.reference == "RH-2026-000001"
    assert (case.status, case.received_by, case.created_at) == (
        Status.NEW,
        frontline_a,
        RECEIVED_AT,
    )
    assert list(case.events.values_list("kind", flat=True)) == ["opened"] + ["clock_started"] * 4


def test_references_count_up_per_organization_and_local_year(
    open_case: CaseOpener, outsider: User, other_unit: Unit
) -> None:
    first, second = open_case(), open_case()
    elsewhere = open_case(unit=other_unit)
    late = open_case(now=NEW_YEAR_EVE_IN_CHICAGO)

    assert [first.reference, second.reference] == ["RH-2026-000001", "RH-2026-000002"]
    assert elsewhere.reference == "OO-2026-000001"
    assert late.reference == "RH-2026-000003"  # still 2026 in Chicago


def test_a_case_received_without_a_time_is_received_now(new_case: NewCase) -> None:
    case = case_open(actor=None, data=replace(new_case, received_at=None), now=LATER)

    assert case.received_at == LATER


def test_an_abuse_concern_is_marked_alleged_and_known_when_received(
    facility_y: Facility, unit_c: Unit
) -> None:
    data = NewCase(
        facility=facility_y,
        unit=unit_c,
        kind=Kind.SAFETY_CONCERN,
        safety_type=SafetyType.ABUSE,
        reporter_type="staff",
        channel="in_person",
        narrative="Bruises seen on the resident's arm.",
        received_at=RECEIVED_AT,
    )

    case = case_open(actor=None, data=data, now=RECEIVED_AT)

    assert (case.abuse_alleged, case.allegation_known_at) == (True, RECEIVED_AT)


def test_the_narrative_is_stored_normalized_but_never_copied_into_events(
    new_case: NewCase,
) -> None:
    decomposed = "Cafe\u0301 staff were rude  "
    case = case_open(actor=None, data=replace(new_case, narrative=decomposed), now=RECEIVED_AT)

    assert case.narrative == "Caf\u00e9 staff were rude"
    for event in CaseEvent.objects.filter(case=case):
        assert "rude" not in event.summary
    for audit in AuditEvent.objects.all():
        assert "rude" not in str(audit.detail)


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("unknown kind", {"kind": "ticket"}, "Kind 'ticket' is not one of"),
    ("unknown reporter", {"reporter_type": "alien"}, "Reporter 'alien' is not one of"),
    ("unknown channel", {"channel": "pigeon"}, "Channel 'pigeon' is not one of"),
    ("unknown contact", {"contact_preference": "fax"}, "Contact preference 'fax'"),
    ("unknown safety type", {"safety_type": "theft"}, "Safety type 'theft'"),
    ("untyped safety concern", {"kind": Kind.SAFETY_CONCERN}, "needs its type"),
    ("future receipt", {"received_at": LATER + timedelta(minutes=6)}, "Received at is in the"),
    ("future incident", {"incident_at": LATER + timedelta(days=1)}, "Incident time is in the"),
    ("control character", {"narrative": "rang the bell\x07"}, "control character (U+0007)"),
    ("lone surrogate", {"narrative": "broken \ud800 text"}, "invalid Unicode"),
    ("undecodable bytes", {"narrative": "caf\ufffd"}, "invalid Unicode"),
    ("empty narrative", {"narrative": "   \n"}, "Narrative is required"),
    ("huge narrative", {"narrative": "x" * 50_001}, "Narrative is too long: 50,001"),
    ("null in name", {"reporter_name": "Ann\x00"}, "Name contains a control character"),
    ("bad email", {"reporter_email": "not-an-email"}, "Enter a valid email address"),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in BAD_INPUT], ids=[i for i, _, _ in BAD_INPUT]
)
def test_bad_input_is_refused_with_nothing_written(
    new_case: NewCase, frontline_a: User, change: dict[str, Any], message: str
) -> None:
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        case_open(actor=frontline_a, data=replace(new_case, **change), now=LATER)

    assert message in " ".join(caught.value.messages)
    assert row_counts() == before


def test_a_receipt_time_a_little_ahead_of_the_server_clock_is_tolerated(
    new_case: NewCase,
) -> None:
    ahead = LATER + timedelta(minutes=4)

    assert case_open(actor=None, data=replace(new_case, received_at=ahead), now=LATER).pk


def test_a_unit_of_another_facility_is_refused(
    new_case: NewCase, unit_c: Unit, advocate_x: User
) -> None:
    before = row_counts()

    with pytest.raises(ValidationError, match="That unit belongs to another facility"):
        case_open(actor=advocate_x, data=replace(new_case, unit=unit_c), now=LATER)

    assert row_counts() == before


def test_staff_of_another_organization_cannot_be_named(
    new_case: NewCase, other_facility: Facility
) -> None:
    stranger = Person.objects.create(
        organization=other_facility.organization, facility=other_facility, full_name="Stranger"
    )

    with pytest.raises(ValidationError, match="belongs to another organization"):
        case_open(actor=None, data=replace(new_case, staff_involved=(stranger,)), now=LATER)


@pytest.mark.parametrize("persona", ["executive", "outsider"])
def test_someone_who_may_not_open_cases_here_is_refused(
    new_case: NewCase, persona: str, personas: dict[str, User]
) -> None:
    before = row_counts()

    with pytest.raises(PermissionDenied):
        case_open(actor=personas[persona], data=new_case, now=LATER)

    assert row_counts() == before


def test_a_frontline_aide_cannot_open_a_case_on_another_unit(
    new_case: NewCase, unit_b: Unit, frontline_a: User
) -> None:
    with pytest.raises(PermissionDenied):
        case_open(actor=frontline_a, data=replace(new_case, unit=unit_b), now=LATER)


# --- working the case --------------------------------------------------------------------------


def test_a_case_is_assigned_to_an_advocate_and_unassigned(
    open_case: CaseOpener, advocate_x: User, manager_a: User
) -> None:
    case = case_assign(actor=manager_a, case=open_case(), owner=advocate_x, now=LATER)
    assert case.owner == advocate_x

    case = case_assign(actor=manager_a, case=case, owner=None, now=LATER)

    assert case.owner is None
    assert list(case.events.filter(kind="assigned").values_list("changes", flat=True)) == [
        {"owner": [None, advocate_x.pk]},
        {"owner": [advocate_x.pk, None]},
    ]


def test_frontline_staff_cannot_own_a_case(
    open_case: CaseOpener, advocate_x: User, frontline_a: User
) -> None:
    with pytest.raises(ValidationError, match="cannot own cases here"):
        case_assign(actor=advocate_x, case=open_case(), owner=frontline_a, now=LATER)


def test_acknowledging_moves_a_new_case_on_and_happens_once(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = case_acknowledge(actor=advocate_x, case=open_case(), channel="email", now=LATER)
    assert (case.status, case.acknowledged_at) == (Status.ACKNOWLEDGED, LATER)

    with pytest.raises(ValidationError, match="already acknowledged"):
        case_acknowledge(actor=advocate_x, case=case, channel="email", now=LATER)


def test_acknowledging_by_an_unknown_channel_is_refused(
    open_case: CaseOpener, advocate_x: User
) -> None:
    with pytest.raises(ValidationError, match="Channel 'pigeon'"):
        case_acknowledge(actor=advocate_x, case=open_case(), channel="pigeon", now=LATER)


def test_reclassifying_records_who_why_and_when(open_case: CaseOpener, advocate_x: User) -> None:
    case = case_reclassify(
        actor=advocate_x, case=open_case(), kind=Kind.COMPLAINT, reason="Verbal only", now=LATER
    )

    assert (case.kind, case.classification_reason) == (Kind.COMPLAINT, "Verbal only")
    assert (case.classified_by, case.classified_at) == (advocate_x, LATER)
    assert case.events.get(kind="reclassified").changes == {"kind": ["grievance", "complaint"]}


@pytest.mark.parametrize(
    ("kind", "reason", "message"),
    [
        ("ticket", "x", "Kind 'ticket'"),
        (Kind.COMPLAINT, "  ", "Reason is required"),
        (Kind.SAFETY_CONCERN, "abuse?", "Record the safety concern's type"),
    ],
)
def test_reclassifying_needs_a_known_kind_a_reason_and_a_safety_type(
    open_case: CaseOpener, advocate_x: User, kind: str, reason: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        case_reclassify(actor=advocate_x, case=open_case(), kind=kind, reason=reason, now=LATER)


def test_hcat_coding_is_recorded_with_its_changes(
    open_case: CaseOpener, advocate_x: User, nurse_a: Person, unit_a: Unit
) -> None:
    case = case_code(
        actor=advocate_x,
        case=open_case(),
        severities={"sev_safety": 3, "sev_communication": 2},
        stage_of_care="care_on_ward",
        harm=2,
        staff_involved=[nurse_a],
        units_involved=[unit_a],
        now=LATER,
    )

    assert (case.sev_safety, case.sev_communication, case.sev_quality) == (3, 2, 0)
    assert list(case.staff_involved.all()) == [nurse_a]
    changes = case.events.get(kind="coded").changes
    assert changes["sev_safety"] == [0, 3]
    assert changes["harm"] == [None, 2]
    assert changes["staff_involved"] == [None, [nurse_a.pk]]


@pytest.mark.parametrize(
    ("severities", "harm", "message"),
    [({"sev_safety": 4}, None, "must be 0 to 3"), ({}, 6, "Harm must be 0 to 5")],
)
def test_hcat_coding_out_of_range_is_refused(
    open_case: CaseOpener,
    advocate_x: User,
    severities: dict[str, int],
    harm: int | None,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        case_code(
            actor=advocate_x,
            case=open_case(),
            severities=severities,
            stage_of_care="",
            harm=harm,
            staff_involved=[],
            units_involved=[],
            now=LATER,
        )


def test_a_legal_hold_is_set_by_an_advocate_but_not_a_manager(
    open_case: CaseOpener, advocate_x: User, manager_a: User
) -> None:
    case = open_case()
    with pytest.raises(PermissionDenied):
        case_set_retention(
            actor=manager_a, case=case, retain_until=None, legal_hold=True, now=LATER
        )

    case = case_set_retention(
        actor=advocate_x, case=case, retain_until=date(2040, 1, 1), legal_hold=True, now=LATER
    )

    assert (case.legal_hold, case.retain_until) == (True, date(2040, 1, 1))
    assert case.events.get(kind="retention").summary == "Legal hold on"


def test_opening_is_audited_with_the_fields_but_not_their_values(
    new_case: NewCase, frontline_a: User
) -> None:
    case = case_open(actor=frontline_a, data=new_case, now=RECEIVED_AT)

    event = AuditEvent.objects.get(event_type="case.opened")
    assert (event.actor_id, event.actor_role, event.action) == (frontline_a.pk, "frontline", "C")
    assert (event.case_id, event.organization_id) == (case.pk, case.organization_id)
    assert "narrative" in event.fields
    assert NARRATIVE not in str(event.detail)
    assert Case.objects.count() == 1
