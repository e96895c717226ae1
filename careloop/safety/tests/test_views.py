"""Safety screens for every persona: the panel on the case page, the pending list, decisions,
page acknowledgement and the on-call rota. Out of scope looks missing (404), in scope but not
allowed is 403, anonymous goes to the login page, and the wrong method is 405."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Unit, User
from careloop.safety.models import FlagStatus, OnCallEntry, OnCallRota, SafetyFlag, SafetyPage
from careloop.safety.tests.conftest import ABUSE

PERSONAS = [
    "frontline_a",
    "manager_a",
    "advocate_x",
    "advocate_y",
    "executive",
    "admin",
    "outsider",
]
# Who sees the unit A case, and who may decide its flag.
SEES_A = {"frontline_a", "manager_a", "advocate_x", "executive", "admin"}
DECIDES_A = {"manager_a", "advocate_x", "admin"}


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def flagged(personas: dict[str, User], flag_a: SafetyFlag) -> SafetyFlag:
    """The unit A flag, opened once everyone exists (so its managers and advocates are paged)."""
    return flag_a


def decide_url(flag: SafetyFlag, decision: str) -> str:
    return reverse("safety:flag_decide", args=[flag.pk, decision])


# --- the panel on the case page ------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(SEES_A))
def test_the_case_page_shows_the_flag_and_offers_decisions_only_to_those_who_may_decide(
    client: Client, personas: dict[str, User], flagged: SafetyFlag, persona: str
) -> None:
    page = logged_in(client, personas[persona]).get(reverse("web:case", args=[flagged.case_id]))

    assert page.status_code == 200
    assert 'id="safety"' in page.text
    assert "en.abuse.assault" in page.text
    assert "likely" in page.text
    assert (decide_url(flagged, "dismiss") in page.text) is (persona in DECIDES_A)


def test_the_panel_says_what_dismissing_a_filed_case_does(
    client: Client, advocate_y: User, flag_y: SafetyFlag
) -> None:
    page = logged_in(client, advocate_y).get(reverse("web:case", args=[flag_y.case_id]))

    assert "filed as a safety concern by screening (was grievance)" in page.text
    assert "files the case back as grievance" in page.text


def test_a_case_without_a_flag_shows_no_panel(
    client: Client, advocate_x: User, open_case: CaseOpener
) -> None:
    case = open_case(narrative="The food was cold and the room was noisy.")

    page = logged_in(client, advocate_x).get(reverse("web:case", args=[case.pk]))

    assert page.status_code == 200
    assert 'id="safety"' not in page.text


# --- the pending list ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pending_list_shows_only_flags_in_scope(
    client: Client,
    personas: dict[str, User],
    flagged: SafetyFlag,
    flag_y: SafetyFlag,
    persona: str,
) -> None:
    page = logged_in(client, personas[persona]).get(reverse("safety:flags"))

    assert page.status_code == 200
    listed = {
        name for name, flag in (("a", flagged), ("y", flag_y)) if flag.case.reference in page.text
    }
    sees = {"a"} if persona in SEES_A else set()
    if persona in {"advocate_y", "executive", "admin"}:
        sees.add("y")
    assert listed == sees
    assert "slapped" not in page.text


def test_the_pending_list_audits_which_cases_it_showed(
    client: Client, executive: User, flagged: SafetyFlag
) -> None:
    logged_in(client, executive).get(reverse("safety:flags"))

    event = AuditEvent.objects.get(event_type="safety.listed")
    assert event.detail == {"case_ids": [flagged.case_id]}
    assert event.actor_id == executive.pk


def test_the_pending_list_leaves_out_decided_flags(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    SafetyFlag.objects.filter(pk=flagged.pk).update(status=FlagStatus.CONFIRMED)

    page = logged_in(client, advocate_x).get(reverse("safety:flags"))

    assert flagged.case.reference not in page.text
    assert "Nothing pending" in page.text


def test_the_pending_list_shows_my_pages(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    page = logged_in(client, advocate_x).get(reverse("safety:flags"))

    mine = SafetyPage.objects.get(flag=flagged, user=advocate_x)
    assert reverse("safety:page_ack", args=[mine.pk]) in page.text


@pytest.mark.parametrize(
    "url",
    [
        reverse("safety:flags"),
        reverse("safety:page_ack", args=[1]),
        reverse("safety:rota", args=[1]),
    ],
)
def test_anonymous_visitors_go_to_the_login_page(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_refuses_post(client: Client, admin: User) -> None:
    assert logged_in(client, admin).post(reverse("safety:flags")).status_code == 405


# --- decisions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["confirm", "dismiss"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_right_answer_when_deciding(
    client: Client, personas: dict[str, User], flagged: SafetyFlag, persona: str, decision: str
) -> None:
    response = logged_in(client, personas[persona]).post(
        decide_url(flagged, decision), {"reason": "Spoke to the family"}
    )

    expected = 302 if persona in DECIDES_A else 403 if persona in SEES_A else 404
    assert response.status_code == expected
    flagged.refresh_from_db()
    decided = "confirmed" if decision == "confirm" else "dismissed"
    assert flagged.status == (decided if expected == 302 else FlagStatus.PENDING)
    if expected == 302:
        assert response["Location"] == reverse("web:case", args=[flagged.case_id]) + "#safety"


def test_dismissing_from_the_page_files_the_case_back(
    client: Client, advocate_y: User, flag_y: SafetyFlag
) -> None:
    response = logged_in(client, advocate_y).post(
        decide_url(flag_y, "dismiss"), {"reason": "A figure of speech"}, follow=True
    )

    assert response.status_code == 200
    assert "Safety flag dismissed." in response.text
    assert Case.objects.get(pk=flag_y.case_id).kind == Kind.GRIEVANCE


def test_a_decision_without_a_reason_is_refused_on_the_page(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    response = logged_in(client, advocate_x).post(decide_url(flagged, "dismiss"), {"reason": ""})

    assert response.status_code == 400
    assert "This field is required." in response.text
    flagged.refresh_from_db()
    assert flagged.status == FlagStatus.PENDING


def test_deciding_twice_shows_why_it_was_refused(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    browser = logged_in(client, advocate_x)
    browser.post(decide_url(flagged, "confirm"), {"reason": "Real"})

    response = browser.post(decide_url(flagged, "dismiss"), {"reason": "Not real"})

    assert response.status_code == 400
    assert "already confirmed" in response.text


def test_deciding_needs_post_and_a_known_decision(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    browser = logged_in(client, advocate_x)

    assert browser.get(decide_url(flagged, "dismiss")).status_code == 405
    assert browser.post(decide_url(flagged, "delete"), {"reason": "x"}).status_code == 404
    missing = reverse("safety:flag_decide", args=[999_999, "confirm"])
    assert browser.post(missing, {"reason": "x"}).status_code == 404


# --- acknowledging a page ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_paged_person_finds_the_page(
    client: Client, personas: dict[str, User], flagged: SafetyFlag, persona: str
) -> None:
    page = SafetyPage.objects.get(flag=flagged, user__username="advocate_x")
    url = reverse("safety:page_ack", args=[page.pk])
    browser = logged_in(client, personas[persona])

    assert browser.get(url).status_code == (200 if persona == "advocate_x" else 404)
    response = browser.post(url)

    assert response.status_code == (302 if persona == "advocate_x" else 404)
    page.refresh_from_db()
    assert (page.acknowledged_at is not None) is (persona == "advocate_x")


def test_acknowledging_goes_to_the_case_and_a_second_time_is_refused(
    client: Client, advocate_x: User, flagged: SafetyFlag
) -> None:
    page = SafetyPage.objects.get(flag=flagged, user=advocate_x)
    url = reverse("safety:page_ack", args=[page.pk])
    browser = logged_in(client, advocate_x)

    first = browser.post(url)
    again = browser.post(url)

    assert first["Location"] == reverse("web:case", args=[flagged.case_id]) + "#safety"
    assert again.status_code == 400
    assert "already acknowledged" in again.text
    assert browser.get(url).status_code == 200
    assert browser.put(url).status_code == 405


# --- the on-call rota ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_reach_the_rota(
    client: Client, personas: dict[str, User], facility_y: Facility, persona: str
) -> None:
    response = logged_in(client, personas[persona]).get(
        reverse("safety:rota", args=[facility_y.pk])
    )

    expected = {"admin": 200, "outsider": 404}.get(persona, 403)
    assert response.status_code == expected


def test_an_administrator_adds_someone_to_the_rota_with_an_audit_event(
    client: Client, admin: User, advocate_y: User, facility_y: Facility
) -> None:
    response = logged_in(client, admin).post(
        reverse("safety:rota_add", args=[facility_y.pk]),
        {
            "user": advocate_y.pk,
            "position": "0",
            "weekdays": ["5", "6"],
            "start_time": "22:00",
            "end_time": "06:00",
        },
    )

    assert response.status_code == 302
    entry = OnCallEntry.objects.get()
    assert (entry.user, entry.weekdays, entry.start_time, entry.end_time) == (
        advocate_y,
        [5, 6],
        time(22),
        time(6),
    )
    event = AuditEvent.objects.get(event_type="safety.rota.entry_added")
    assert (event.actor_id, event.object_id) == (admin.pk, str(entry.pk))
    page = client.get(reverse("safety:rota", args=[facility_y.pk]))
    assert "Sat, Sun" in page.text
    assert "22:00 to 06:00 (next day)" in page.text


def test_someone_who_cannot_work_the_facility_cases_cannot_go_on_its_rota(
    client: Client, admin: User, advocate_x: User, facility_y: Facility
) -> None:
    response = logged_in(client, admin).post(
        reverse("safety:rota_add", args=[facility_y.pk]),
        {"user": advocate_x.pk, "position": "0"},
    )

    assert response.status_code == 400
    assert not OnCallEntry.objects.exists()


def test_a_start_without_an_end_is_refused(
    client: Client, admin: User, advocate_y: User, facility_y: Facility
) -> None:
    response = logged_in(client, admin).post(
        reverse("safety:rota_add", args=[facility_y.pk]),
        {"user": advocate_y.pk, "position": "0", "start_time": "08:00"},
    )

    assert response.status_code == 400
    assert "both a start and an end time" in response.text
    assert not OnCallEntry.objects.exists()


def test_an_administrator_takes_someone_off_the_rota_and_back(
    client: Client, admin: User, rota_y: list[OnCallEntry], facility_y: Facility
) -> None:
    entry = rota_y[0]
    url = reverse("safety:rota_entry_active", args=[facility_y.pk, entry.pk])
    browser = logged_in(client, admin)

    assert browser.post(url, {"active": "0"}).status_code == 302
    entry.refresh_from_db()
    assert entry.active is False
    assert browser.post(url, {"active": "1"}).status_code == 302
    entry.refresh_from_db()
    assert entry.active is True
    assert list(
        AuditEvent.objects.filter(event_type__startswith="safety.rota.entry_").values_list(
            "event_type", flat=True
        )
    ) == [
        "safety.rota.entry_added",
        "safety.rota.entry_added",
        "safety.rota.entry_deactivated",
        "safety.rota.entry_activated",
    ]


def test_an_entry_of_another_facility_is_not_found(
    client: Client, admin: User, rota_y: list[OnCallEntry], facility_x: Facility
) -> None:
    url = reverse("safety:rota_entry_active", args=[facility_x.pk, rota_y[0].pk])

    assert logged_in(client, admin).post(url, {"active": "0"}).status_code == 404


def test_an_administrator_sets_the_escalation_minutes(
    client: Client, admin: User, facility_y: Facility
) -> None:
    url = reverse("safety:rota_settings", args=[facility_y.pk])
    browser = logged_in(client, admin)

    assert browser.post(url, {"escalate_after_minutes": "0"}).status_code == 400
    assert browser.post(url, {"escalate_after_minutes": "10"}).status_code == 302

    assert OnCallRota.objects.get(facility=facility_y).escalate_after_minutes == 10
    event = AuditEvent.objects.get(event_type="safety.rota.changed")
    assert event.detail == {"facility_id": facility_y.pk, "escalate_after_minutes": [15, 10]}


@pytest.mark.parametrize("persona", ["executive", "advocate_y", "frontline_a"])
def test_rota_writes_are_refused_to_everyone_but_administrators(
    client: Client,
    personas: dict[str, User],
    rota_y: list[OnCallEntry],
    facility_y: Facility,
    persona: str,
) -> None:
    browser = logged_in(client, personas[persona])

    add = browser.post(
        reverse("safety:rota_add", args=[facility_y.pk]),
        {"user": personas["advocate_y"].pk, "position": "3"},
    )
    off = browser.post(
        reverse("safety:rota_entry_active", args=[facility_y.pk, rota_y[0].pk]), {"active": "0"}
    )
    minutes = browser.post(
        reverse("safety:rota_settings", args=[facility_y.pk]), {"escalate_after_minutes": "5"}
    )

    assert (add.status_code, off.status_code, minutes.status_code) == (403, 403, 403)
    assert OnCallEntry.objects.filter(active=True).count() == 2


def test_the_rota_shows_who_is_on_call_now_in_the_facility_time(
    client: Client, admin: User, rota_y: list[OnCallEntry], facility_y: Facility
) -> None:
    OnCallEntry.objects.filter(pk=rota_y[1].pk).update(start_time=time(22), end_time=time(6))

    page = logged_in(client, admin).get(reverse("safety:rota", args=[facility_y.pk]))

    assert page.text.count("on call now") == 1  # 10:00 in New York: the night shift is off
    assert "Mon 2026-03-02 10:00 EST" in page.text


def test_a_flag_opened_through_quick_entry_shows_on_the_new_case(
    client: Client, frontline_a: User, advocate_x: User, unit_a: Unit
) -> None:
    response = logged_in(client, frontline_a).post(
        reverse("web:quick_entry"),
        {
            "unit": unit_a.pk,
            "kind": "complaint",
            "reporter_type": "family",
            "channel": "phone",
            "narrative": ABUSE,
            "contact_preference": "none",
            "language": "en",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "en.abuse.assault" in response.text
    assert SafetyPage.objects.filter(user=advocate_x).exists()
