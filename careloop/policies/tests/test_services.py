"""Clock services on real cases: every shipped pack's clocks start with exact due datetimes,
stop on the events their rules name, and pause and resume only where the rule allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from careloop.cases.models import Case, ContactPreference, Kind, ReportKind, SafetyType, Status
from careloop.cases.records import (
    external_report_record,
    interim_notice_record,
    letter_issue,
    letter_update,
)
from careloop.cases.services import case_acknowledge, case_move, case_reclassify
from careloop.conftest import RECEIVED_AT, CaseOpener, clock_of, clocks_by_id
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.policies.models import ClockStatus
from careloop.policies.services import clock_pause, clock_resume, clocks_sweep

# Chicago moves to daylight time on Sunday 8 March 2026, so day clocks from RECEIVED_AT end at
# a CDT midnight (05:00 UTC) and the next-working-day clock at a CST midnight (06:00 UTC).
CHICAGO_MIDNIGHT_4_MARCH = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
CHICAGO_MIDNIGHT_10_MARCH = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
CHICAGO_MIDNIGHT_2_APRIL = datetime(2026, 4, 2, 5, 0, tzinfo=UTC)

# Friday 22 May 2026, 10:00 in New York, before Memorial Day (Monday 25 May).
SNF_RECEIVED_AT = datetime(2026, 5, 22, 14, 0, tzinfo=UTC)
NEW_YORK_MIDNIGHT_2_JUNE = datetime(2026, 6, 2, 4, 0, tzinfo=UTC)

# An allegation known at 03:00 on Saturday 21 November 2026 in New York (EST, UTC-5); the
# incident was late on Friday evening. Thanksgiving is Thursday 26 November.
ALLEGATION_KNOWN_AT = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
INCIDENT_AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # Friday 20th, 22:00 local
NEW_YORK_MIDNIGHT_1_DECEMBER = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)

# Thursday 24 December 2026, 10:00 in London: Christmas Friday, Boxing Day substitute Monday 28th.
UK_RECEIVED_AT = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
LONDON_MIDNIGHT_1_JANUARY = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
LONDON_MIDNIGHT_25_JUNE = datetime(2027, 6, 24, 23, 0, tzinfo=UTC)  # BST

LATER = RECEIVED_AT + timedelta(days=1)


def due_dates(case: Case) -> dict[str, datetime]:
    return {
        cid: c.due_at for cid, c in clocks_by_id(case).items() if c.status == ClockStatus.RUNNING
    }


# --- starting ----------------------------------------------------------------------------------


def test_a_hospital_grievance_starts_the_7_and_30_day_clocks_and_the_house_standard(
    open_case: CaseOpener,
) -> None:
    case = open_case()

    assert due_dates(case) == {
        "respond_or_interim_7d": CHICAGO_MIDNIGHT_10_MARCH,
        "written_response": CHICAGO_MIDNIGHT_2_APRIL,
        "acknowledge_1wd": CHICAGO_MIDNIGHT_4_MARCH,
        "resolve_7d": CHICAGO_MIDNIGHT_10_MARCH,
    }


def test_a_clock_records_its_pack_version_rule_and_stop_events(open_case: CaseOpener) -> None:
    clock = clock_of(open_case(), "respond_or_interim_7d")

    assert (clock.pack_id, clock.pack_version, clock.rule) == (
        "us.hospital.grievance",
        "2026.1",
        "H5",
    )
    assert clock.stops_on == ["letter_issued", "interim_notice_sent"]
    assert clock.started_at == RECEIVED_AT
    assert clock.warn_at == RECEIVED_AT + (CHICAGO_MIDNIGHT_10_MARCH - RECEIVED_AT) * 0.75


def test_a_hospital_complaint_runs_only_the_house_standard(open_case: CaseOpener) -> None:
    case = open_case(kind=Kind.COMPLAINT)

    assert set(due_dates(case)) == {"acknowledge_1wd", "resolve_7d"}


def test_a_compliment_starts_no_clock(open_case: CaseOpener) -> None:
    assert due_dates(open_case(kind=Kind.COMPLIMENT)) == {}


def test_an_snf_grievance_is_due_in_5_working_days_skipping_memorial_day(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(unit=unit_c, now=SNF_RECEIVED_AT)

    assert due_dates(case)["review_5wd"] == NEW_YORK_MIDNIGHT_2_JUNE


def test_an_abuse_allegation_needs_its_initial_report_within_2_hours(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(
        unit=unit_c,
        kind=Kind.SAFETY_CONCERN,
        safety_type=SafetyType.ABUSE,
        incident_at=INCIDENT_AT,
        now=ALLEGATION_KNOWN_AT,
    )

    dues = due_dates(case)
    assert dues["initial_report_2h"] == ALLEGATION_KNOWN_AT + timedelta(hours=2)
    assert "initial_report_24h" not in dues
    assert dues["results_report_5wd"] == NEW_YORK_MIDNIGHT_1_DECEMBER


def test_neglect_with_serious_injury_also_needs_the_report_within_2_hours(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(
        unit=unit_c,
        kind=Kind.SAFETY_CONCERN,
        safety_type=SafetyType.NEGLECT,
        serious_injury=True,
        now=ALLEGATION_KNOWN_AT,
    )

    assert set(due_dates(case)) >= {"initial_report_2h"}
    assert "initial_report_24h" not in due_dates(case)


def test_neglect_without_serious_injury_gives_24_hours_through_the_weekend(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(
        unit=unit_c,
        kind=Kind.SAFETY_CONCERN,
        safety_type=SafetyType.NEGLECT,
        now=ALLEGATION_KNOWN_AT,
    )

    dues = due_dates(case)
    assert dues["initial_report_24h"] == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert "initial_report_2h" not in dues
    # No incident time: the results clock counts from when the allegation became known.
    assert dues["results_report_5wd"] == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_an_nhs_england_complaint_is_acknowledged_in_3_working_days_and_answered_in_6_months(
    open_case: CaseOpener, facility_uk: Facility
) -> None:
    ward = Unit.objects.create(facility=facility_uk, name="Ward 9")

    case = open_case(unit=ward, kind=Kind.COMPLAINT, now=UK_RECEIVED_AT)

    assert due_dates(case) == {
        "acknowledge_3wd": LONDON_MIDNIGHT_1_JANUARY,
        "respond_6m": LONDON_MIDNIGHT_25_JUNE,
    }


def test_an_organization_override_changes_the_house_standard_durations(
    open_case: CaseOpener, org: Organization
) -> None:
    org.clock_overrides = {"house.standard:acknowledge_1wd": 2, "house.standard:resolve_7d": 3}
    org.save()

    case = open_case(kind=Kind.COMPLAINT)

    assert due_dates(case) == {
        "acknowledge_1wd": datetime(2026, 3, 5, 6, 0, tzinfo=UTC),
        "resolve_7d": datetime(2026, 3, 6, 6, 0, tzinfo=UTC),
    }
    assert clock_of(case, "acknowledge_1wd").duration == 2


def test_reclassifying_a_complaint_as_a_grievance_starts_the_cms_clocks_from_receipt(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(kind=Kind.COMPLAINT)

    case_reclassify(actor=advocate_x, case=case, kind=Kind.GRIEVANCE, reason="Written", now=LATER)

    assert due_dates(case)["respond_or_interim_7d"] == CHICAGO_MIDNIGHT_10_MARCH
    assert due_dates(case)["written_response"] == CHICAGO_MIDNIGHT_2_APRIL


def test_reclassifying_away_from_a_grievance_cancels_the_cms_clocks(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    case_reclassify(actor=advocate_x, case=case, kind=Kind.SUGGESTION, reason="Idea", now=LATER)

    clocks = clocks_by_id(case)
    assert clocks["written_response"].status == ClockStatus.CANCELLED
    assert clocks["resolve_7d"].status == ClockStatus.RUNNING
    assert case.events.filter(kind="clock_cancelled").count() == 2


def test_reclassifying_an_snf_complaint_as_abuse_starts_the_allegation_clocks(
    open_case: CaseOpener, unit_c: Unit, advocate_y: User
) -> None:
    case = open_case(
        unit=unit_c, kind=Kind.COMPLAINT, safety_type=SafetyType.ABUSE, now=ALLEGATION_KNOWN_AT
    )
    assert "initial_report_2h" not in due_dates(case)

    case_reclassify(
        actor=advocate_y,
        case=case,
        kind=Kind.SAFETY_CONCERN,
        reason="Alleged abuse",
        now=ALLEGATION_KNOWN_AT + timedelta(minutes=30),
    )

    dues = due_dates(case)
    # A complaint has no allegation time, so the clock runs from receipt.
    assert dues["initial_report_2h"] == ALLEGATION_KNOWN_AT + timedelta(hours=2)
    assert clock_of(case, "review_5wd").status == ClockStatus.CANCELLED


def test_reclassifying_back_restarts_a_cancelled_clock(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()
    case_reclassify(actor=advocate_x, case=case, kind=Kind.COMPLAINT, reason="No", now=LATER)

    case_reclassify(actor=advocate_x, case=case, kind=Kind.GRIEVANCE, reason="Yes", now=LATER)

    assert clock_of(case, "written_response").status == ClockStatus.RUNNING


# --- stopping ----------------------------------------------------------------------------------


def test_acknowledging_meets_the_acknowledgement_clock_only(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    case_acknowledge(actor=advocate_x, case=case, channel=ContactPreference.PHONE, now=LATER)

    clocks = clocks_by_id(case)
    assert (clocks["acknowledge_1wd"].status, clocks["acknowledge_1wd"].met_at) == (
        ClockStatus.MET,
        LATER,
    )
    assert clocks["respond_or_interim_7d"].status == ClockStatus.RUNNING


def test_an_interim_notice_meets_the_7_day_clock_but_not_the_written_response(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    interim_notice_record(
        actor=advocate_x,
        case=case,
        channel=ContactPreference.LETTER,
        sent_at=LATER - timedelta(hours=1),
        follow_up_on=LATER.date() + timedelta(days=20),
        now=LATER,
    )

    clocks = clocks_by_id(case)
    assert clocks["respond_or_interim_7d"].met_at == LATER - timedelta(hours=1)
    assert clocks["respond_or_interim_7d"].status == ClockStatus.MET
    assert clocks["written_response"].status == ClockStatus.RUNNING


def test_issuing_the_letter_meets_both_cms_clocks(open_case: CaseOpener, advocate_x: User) -> None:
    case = open_case()
    letter_update(
        actor=advocate_x,
        case=case,
        values={
            "contact_person": "Pat Lee",
            "steps_taken": "Read the notes",
            "results": "Apology",
            "completion_on": LATER.date(),
        },
        now=LATER,
    )

    letter_issue(actor=advocate_x, case=case, delivery=ContactPreference.LETTER, now=LATER)

    clocks = clocks_by_id(case)
    assert clocks["respond_or_interim_7d"].status == ClockStatus.MET
    assert clocks["written_response"].status == ClockStatus.MET
    assert clocks["resolve_7d"].status == ClockStatus.RUNNING


def test_resolving_meets_the_house_resolution_clock(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=LATER)

    assert clock_of(case, "resolve_7d").status == ClockStatus.MET


def test_the_initial_and_results_reports_meet_the_allegation_clocks(
    open_case: CaseOpener, unit_c: Unit, advocate_y: User
) -> None:
    case = open_case(
        unit=unit_c,
        kind=Kind.SAFETY_CONCERN,
        safety_type=SafetyType.ABUSE,
        now=ALLEGATION_KNOWN_AT,
    )
    sent = ALLEGATION_KNOWN_AT + timedelta(minutes=90)
    for kind, at in ((ReportKind.INITIAL, sent), (ReportKind.RESULTS, sent + timedelta(days=3))):
        external_report_record(
            actor=advocate_y,
            case=case,
            kind=kind,
            agency="NY DOH",
            recipients="Administrator\nState Survey Agency",
            method="portal",
            sent_at=at,
            confirmation_ref="DOH-1",
            now=at,
        )

    clocks = clocks_by_id(case)
    assert (clocks["initial_report_2h"].status, clocks["initial_report_2h"].met_at) == (
        ClockStatus.MET,
        sent,
    )
    assert clocks["results_report_5wd"].status == ClockStatus.MET


def test_a_breached_clock_met_later_stays_breached_with_the_time_it_was_met(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()
    clocks_sweep(now=CHICAGO_MIDNIGHT_4_MARCH)
    late = CHICAGO_MIDNIGHT_4_MARCH + timedelta(hours=3)

    case_acknowledge(actor=advocate_x, case=case, channel=ContactPreference.EMAIL, now=late)

    clock = clock_of(case, "acknowledge_1wd")
    assert (clock.status, clock.met_at) == (ClockStatus.BREACHED, late)
    assert case.events.filter(kind="clock_met", summary__contains="(late)").exists()


def test_a_met_clock_keeps_its_first_met_time_after_a_reopen(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()
    case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=LATER)
    case_move(actor=advocate_x, case=case, status=Status.INVESTIGATING, reason="Family", now=LATER)

    case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=LATER + timedelta(days=1))

    assert clock_of(case, "resolve_7d").met_at == LATER


# --- pausing -----------------------------------------------------------------------------------


def test_pausing_then_resuming_pushes_the_due_and_warning_times_by_the_pause(
    open_case: CaseOpener, advocate_x: User
) -> None:
    clock = clock_of(open_case(), "resolve_7d")
    warn_before = clock.warn_at
    assert warn_before is not None

    paused = clock_pause(actor=advocate_x, clock=clock, now=LATER)
    assert (paused.status, paused.paused_at) == (ClockStatus.PAUSED, LATER)
    resumed = clock_resume(actor=advocate_x, clock=clock, now=LATER + timedelta(days=2, hours=3))

    assert resumed.status == ClockStatus.RUNNING
    assert resumed.paused_at is None
    assert resumed.due_at == CHICAGO_MIDNIGHT_10_MARCH + timedelta(days=2, hours=3)
    assert resumed.warn_at == warn_before + timedelta(days=2, hours=3)
    kinds = list(clock.case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["clock_paused", "clock_resumed"]


def test_a_paused_clock_is_not_breached_by_the_sweep(
    open_case: CaseOpener, advocate_x: User
) -> None:
    clock = clock_pause(actor=advocate_x, clock=clock_of(open_case(), "resolve_7d"), now=LATER)

    clocks_sweep(now=CHICAGO_MIDNIGHT_10_MARCH + timedelta(days=1))

    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED


def test_a_regulatory_clock_refuses_to_pause(open_case: CaseOpener, advocate_x: User) -> None:
    clock = clock_of(open_case(), "respond_or_interim_7d")

    with pytest.raises(ValidationError, match="cannot be paused"):
        clock_pause(actor=advocate_x, clock=clock, now=LATER)

    clock.refresh_from_db()
    assert clock.status == ClockStatus.RUNNING


def test_only_a_running_clock_pauses_and_only_a_paused_clock_resumes(
    open_case: CaseOpener, advocate_x: User
) -> None:
    clock = clock_of(open_case(), "resolve_7d")

    with pytest.raises(ValidationError, match="Only a paused clock"):
        clock_resume(actor=advocate_x, clock=clock, now=LATER)
    clock_pause(actor=advocate_x, clock=clock, now=LATER)
    with pytest.raises(ValidationError, match="Only a running clock"):
        clock_pause(actor=advocate_x, clock=clock, now=LATER)
