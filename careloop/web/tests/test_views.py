"""Views doing their job: happy paths, refusals shown on the page, and the audit trail every
read and write leaves, with the address the request came from."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent, AuditReview
from careloop.cases.models import Case, CaseEvent, Note, Status
from careloop.cases.selectors import CASE_DETAIL_FIELDS, QUEUE_FIELDS
from careloop.cases.services import case_move
from careloop.conftest import NARRATIVE, clock_of
from careloop.orgs.models import Facility, Unit, User
from careloop.policies.models import ClockStatus
from careloop.web.tests.conftest import NOW

ADDRESS = "203.0.113.7"


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- reads are audited -----------------------------------------------------------------------


def test_the_case_page_shows_the_case_and_audits_the_read(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    response = logged_in(client, advocate_x).get(
        reverse("web:case", args=[case_a.pk]), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 200
    assert case_a.reference in response.text
    assert NARRATIVE in response.text
    assert "Written response or interim" in response.text
    event = AuditEvent.objects.get(event_type="case.view")
    assert (event.actor_id, event.actor_label, event.actor_role) == (
        advocate_x.pk,
        "advocate_x",
        "advocate",
    )
    assert (event.action, event.case_id, event.source) == ("R", case_a.pk, ADDRESS)
    assert event.fields == CASE_DETAIL_FIELDS
    assert event.recorded_at == NOW


def test_the_queue_audits_which_cases_were_listed(
    client: Client, executive: User, case_a: Case, case_y: Case
) -> None:
    response = logged_in(client, executive).get(
        reverse("web:queue"), {"scope": "all"}, REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(event_type="case.listed")
    assert (event.actor_id, event.actor_role, event.action) == (executive.pk, "executive", "R")
    assert event.detail == {"case_ids": [case_y.pk, case_a.pk]}
    assert (event.fields, event.source) == (QUEUE_FIELDS, ADDRESS)
    assert NARRATIVE not in str(event.detail)


def test_an_empty_queue_is_not_audited_as_a_read(client: Client, frontline_a: User) -> None:
    response = logged_in(client, frontline_a).get(reverse("web:queue"))

    assert "No cases match" in response.text
    assert not AuditEvent.objects.filter(event_type="case.listed").exists()


# --- writes are audited ----------------------------------------------------------------------


def test_a_note_from_frontline_staff_is_saved_timelined_and_audited(
    client: Client, frontline_a: User, case_a: Case
) -> None:
    body = "The patient's daughter says the call bell was unplugged."

    response = logged_in(client, frontline_a).post(
        reverse("web:case_action", args=[case_a.pk, "note"]),
        {"note-visibility": "internal", "note-body": body},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302
    assert Note.objects.get(case=case_a).body == body
    event = CaseEvent.objects.get(case=case_a, kind="note_added")
    assert (event.actor, event.summary, event.at) == (frontline_a, "Internal note", NOW)
    audit = AuditEvent.objects.get(event_type="case.note_added")
    assert (audit.actor_id, audit.actor_role, audit.action) == (frontline_a.pk, "frontline", "C")
    assert (audit.case_id, audit.fields, audit.source) == (case_a.pk, ["body"], ADDRESS)
    assert AuditEvent.objects.filter(event_type="case.act", case_id=case_a.pk).count() == 1
    assert "unplugged" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_acknowledging_through_the_page_meets_the_clock_and_audits_the_change(
    client: Client, manager_a: User, case_a: Case
) -> None:
    response = logged_in(client, manager_a).post(
        reverse("web:case_action", args=[case_a.pk, "acknowledge"]),
        {"acknowledge-channel": "phone"},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.status, case_a.acknowledged_at) == (Status.ACKNOWLEDGED, NOW)
    assert clock_of(case_a, "acknowledge_1wd").status == ClockStatus.MET
    audit = AuditEvent.objects.get(event_type="case.acknowledged")
    assert (audit.actor_role, audit.action, audit.fields) == ("manager", "U", ["status"])
    assert audit.source == ADDRESS


def test_no_client_words_reach_the_timeline_or_the_audit_log(
    client: Client, advocate_x: User, frontline_a: User, unit_a: Unit
) -> None:
    secret = "Nurse Ratched shouted at my mother in room 412"
    logged_in(client, frontline_a).post(
        reverse("web:quick_entry"),
        {
            "unit": unit_a.pk,
            "kind": "grievance",
            "reporter_type": "family",
            "channel": "in_person",
            "narrative": secret,
            "desired_outcome": secret,
            "contact_preference": "none",
            "language": "en",
        },
    )
    case = Case.objects.get()
    logged_in(client, advocate_x).get(reverse("web:case", args=[case.pk]))
    logged_in(client, advocate_x).get(reverse("web:queue"), {"q": "Ratched"})

    summaries = " ".join(CaseEvent.objects.values_list("summary", flat=True))
    audit_text = " ".join(str(e.detail) + str(e.fields) for e in AuditEvent.objects.all())
    assert "Ratched" not in summaries
    assert "Ratched" not in audit_text


# --- refusals shown on the page --------------------------------------------------------------


def test_an_illegal_move_is_shown_as_an_error_and_nothing_changes(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    response = logged_in(client, advocate_x).post(
        reverse("web:case_action", args=[case_a.pk, "move"]), {"move-status": "closed"}
    )

    assert response.status_code == 400
    assert "A new case cannot move to closed." in response.text
    case_a.refresh_from_db()
    assert case_a.status == Status.NEW


def test_a_blocked_closure_lists_the_missing_letter_elements(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    case_move(actor=advocate_x, case=case_a, status=Status.RESOLVED, now=NOW)

    response = logged_in(client, advocate_x).post(
        reverse("web:case_action", args=[case_a.pk, "move"]), {"move-status": "closed"}
    )

    assert response.status_code == 400
    assert "The case cannot be closed yet." in response.text
    assert "Decision letter names the hospital contact person" in response.text
    assert "Before this case can close:" in response.text


def test_pausing_a_clock_twice_is_an_error_on_the_page_not_a_crash(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    clock = clock_of(case_a, "resolve_7d")
    url = reverse("web:case_action", args=[case_a.pk, "clock_pause"])
    browser = logged_in(client, advocate_x)

    first = browser.post(url, {"clock_pause-object_id": clock.pk})
    second = browser.post(url, {"clock_pause-object_id": clock.pk})

    assert (first.status_code, second.status_code) == (302, 400)
    assert "Only a running clock can be paused." in second.text


def test_pausing_a_regulatory_clock_through_the_page_is_refused(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    clock = clock_of(case_a, "respond_or_interim_7d")

    response = logged_in(client, advocate_x).post(
        reverse("web:case_action", args=[case_a.pk, "clock_pause"]),
        {"clock_pause-object_id": clock.pk},
    )

    assert response.status_code == 400
    assert "This clock cannot be paused" in response.text


def test_a_clock_of_another_case_is_404(
    client: Client, advocate_x: User, case_a: Case, case_b: Case
) -> None:
    other = clock_of(case_b, "resolve_7d")

    response = logged_in(client, advocate_x).post(
        reverse("web:case_action", args=[case_a.pk, "clock_pause"]),
        {"clock_pause-object_id": other.pk},
    )

    assert response.status_code == 404
    assert clock_of(case_b, "resolve_7d").status == ClockStatus.RUNNING


def test_a_bad_queue_filter_is_a_400_with_the_form(client: Client, advocate_x: User) -> None:
    response = logged_in(client, advocate_x).get(reverse("web:queue"), {"status": "lost"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text


# --- quick entry, sign-in, administration and the audit log ----------------------------------


def test_quick_entry_opens_a_case_and_goes_to_it(
    client: Client, frontline_a: User, unit_a: Unit
) -> None:
    response = logged_in(client, frontline_a).post(
        reverse("web:quick_entry"),
        {
            "unit": unit_a.pk,
            "kind": "complaint",
            "reporter_type": "patient",
            "channel": "in_person",
            "narrative": "Cold dinner again.",
            "contact_preference": "none",
            "language": "en",
        },
    )

    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    assert (case.unit, case.received_at, case.received_by) == (unit_a, NOW, frontline_a)


def test_quick_entry_offers_only_the_units_where_one_may_open_cases(
    client: Client, frontline_a: User, unit_a: Unit, unit_b: Unit
) -> None:
    response = logged_in(client, frontline_a).get(reverse("web:quick_entry"))

    assert f'value="{unit_a.pk}"' in response.text
    assert f'value="{unit_b.pk}"' not in response.text


def test_signing_in_is_audited(client: Client, advocate_x: User) -> None:
    response = client.post(
        reverse("login"),
        {"username": "advocate_x", "password": "correct horse battery staple"},
        REMOTE_ADDR=ADDRESS,
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    event = AuditEvent.objects.get(event_type="auth.login")
    assert (event.actor_id, event.action, event.source) == (advocate_x.pk, "L", ADDRESS)


def test_a_failed_sign_in_is_audited_as_a_failure(client: Client, advocate_x: User) -> None:
    response = client.post(reverse("login"), {"username": "advocate_x", "password": "guess"})

    assert response.status_code == 200
    event = AuditEvent.objects.get(event_type="auth.login_failed")
    assert (event.actor_id, event.outcome) == (advocate_x.pk, "failure")


def test_signing_out_goes_back_to_the_login_page(client: Client, advocate_x: User) -> None:
    response = logged_in(client, advocate_x).post(reverse("logout"))

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get(reverse("web:queue")).status_code == 302


def test_an_administrator_adds_a_unit_with_an_audit_event(
    client: Client, admin: User, facility_x: Facility
) -> None:
    response = logged_in(client, admin).post(
        reverse("web:manage_new", args=["units"]),
        {"facility": facility_x.pk, "name": "5 East", "kind": "ward", "active": "on"},
    )

    assert (response.status_code, response["Location"]) == (302, "/manage/units/")
    unit = Unit.objects.get(name="5 East")
    event = AuditEvent.objects.get(event_type="org.unit.created")
    assert (event.object_id, event.actor_role, event.action) == (str(unit.pk), "admin", "C")


def test_an_administrator_cannot_add_a_unit_to_another_organization(
    client: Client, outsider: User, facility_x: Facility
) -> None:
    response = logged_in(client, outsider).post(
        reverse("web:manage_new", args=["units"]),
        {"facility": facility_x.pk, "name": "Sneaky", "kind": "ward"},
    )

    assert response.status_code == 400
    assert not Unit.objects.filter(name="Sneaky").exists()


def test_a_facility_with_an_unknown_time_zone_is_refused(client: Client, admin: User) -> None:
    response = logged_in(client, admin).post(
        reverse("web:manage_new", args=["facilities"]),
        {
            "name": "Lakeside",
            "setting": "clinic",
            "jurisdiction": "US-IL",
            "time_zone": "Mars/Olympus",
            "holiday_calendar": "us_federal",
        },
    )

    assert response.status_code == 400
    assert "is not an IANA time zone" in response.text
    assert not Facility.objects.filter(name="Lakeside").exists()


def test_the_audit_log_shows_the_organization_events_and_records_the_viewing(
    client: Client, admin: User, advocate_x: User, outsider: User, case_a: Case
) -> None:
    logged_in(client, outsider).get(reverse("web:audit"))
    logged_in(client, advocate_x).get(reverse("web:case", args=[case_a.pk]))

    response = logged_in(client, admin).get(reverse("web:audit"), {"case_id": case_a.pk})

    assert response.status_code == 200
    assert "case.view" in response.text
    assert "outsider" not in response.text
    assert AuditEvent.objects.filter(event_type="audit.viewed", actor_id=admin.pk).exists()


def test_recording_an_audit_review(client: Client, admin: User) -> None:
    response = logged_in(client, admin).post(
        reverse("web:audit_review"), {"up_to_seq": "1", "notes": "Checked"}
    )

    assert (response.status_code, response["Location"]) == (302, "/audit/")
    review = AuditReview.objects.get()
    assert (review.reviewer_id, review.up_to_seq, review.notes) == (admin.pk, 1, "Checked")


@pytest.mark.parametrize("up_to_seq", ["", "0", "many"])
def test_a_review_without_an_event_number_is_not_recorded(
    client: Client, admin: User, up_to_seq: str
) -> None:
    response = logged_in(client, admin).post(reverse("web:audit_review"), {"up_to_seq": up_to_seq})

    assert response.status_code == 302
    assert not AuditReview.objects.exists()


def test_the_hcat_coding_form_is_rendered_only_when_asked_for(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    page = reverse("web:case", args=[case_a.pk])
    logged_in(client, advocate_x)

    folded = client.get(page)
    opened = client.get(page + "?form=code")

    assert 'href="?form=code#code"' in folded.text
    assert 'name="code-sev_quality"' not in folded.text
    assert 'name="code-sev_quality"' in opened.text
    assert '<details class="action" id="code" open>' in opened.text


def test_a_facility_time_zone_does_not_leak_into_the_next_request(
    client: Client, advocate_x: User, case_a: Case
) -> None:
    from django.utils import timezone

    logged_in(client, advocate_x).get(reverse("web:case", args=[case_a.pk]))

    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ('{"house.standard:nope": 2}', "No clock"),
        ('{"house.standard:acknowledge_1wd": -1}', "whole number"),
        ('{"house.standard:acknowledge_1wd": "two"}', "whole number"),
        ("[1, 2]", "like"),
    ],
)
def test_clock_overrides_are_checked_against_the_shipped_packs(
    client: Client, admin: User, overrides: str, message: str
) -> None:
    url = reverse("web:manage_edit", args=["organization", admin.organization_id])
    form = {"name": "Riverside Health", "reference_prefix": "RH", "clock_overrides": overrides}

    response = logged_in(client, admin).post(url, form)

    assert response.status_code == 400
    assert message in response.text
    assert admin.organization is not None
    admin.organization.refresh_from_db()
    assert admin.organization.clock_overrides == {}


def test_an_administrator_shortens_the_house_standard(client: Client, admin: User) -> None:
    url = reverse("web:manage_edit", args=["organization", admin.organization_id])
    form = {
        "name": "Riverside Health",
        "reference_prefix": "RH",
        "clock_overrides": '{"house.standard:acknowledge_1wd": 2}',
    }

    response = logged_in(client, admin).post(url, form)

    assert response.status_code == 302
    assert admin.organization is not None
    admin.organization.refresh_from_db()
    assert admin.organization.clock_overrides == {"house.standard:acknowledge_1wd": 2}
    assert AuditEvent.objects.filter(event_type="org.organization.changed").exists()


def test_the_queue_downloads_as_csv_with_codes_only_and_is_audited_as_an_export(
    client: Client, advocate_x: User, case_a: Case, case_y: Case
) -> None:
    response = logged_in(client, advocate_x).get(
        reverse("web:queue_export") + "?scope=all&q=pain", REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    header, *rows = body.strip().splitlines()
    assert header.startswith("reference,kind,status,facility_name,unit_name")
    assert [r.split(",")[0] for r in rows] == [case_a.reference]  # case_y is out of scope
    assert NARRATIVE not in body
    event = AuditEvent.objects.get(event_type="case.exported")
    assert (event.action, event.source, event.actor_label) == ("X", ADDRESS, "advocate_x")
    assert event.detail["rows"] == 1
    assert event.detail["search"] is True
    assert "pain" not in str(event.detail)  # search words may be client words


def test_a_spreadsheet_formula_in_a_cell_is_defused() -> None:
    from zoneinfo import ZoneInfo

    from careloop.web.views import _csv_value

    assert _csv_value("=HYPERLINK(1)", ZoneInfo("UTC")) == "'=HYPERLINK(1)"
    assert _csv_value("4 West", ZoneInfo("UTC")) == "4 West"
    assert _csv_value(None, ZoneInfo("UTC")) == ""


def test_quick_entry_offers_only_units_where_the_user_may_log_cases(
    client: Client, frontline_a: User, facility_y: Facility, unit_a: Unit, unit_c: Unit
) -> None:
    from careloop.orgs.models import Membership

    # Also an executive (read-only) of the nursing facility: that gives no right to log there.
    Membership.objects.create(user=frontline_a, role="executive", facility=facility_y)

    page = logged_in(client, frontline_a).get(reverse("web:quick_entry"))

    assert f'<option value="{unit_a.pk}"' in page.text
    assert f'<option value="{unit_c.pk}"' not in page.text
