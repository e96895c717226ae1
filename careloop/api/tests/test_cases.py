"""Cases through the API: opened by case_open, read and listed through the scoped selectors,
worked through the same services as the case page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from careloop.api.tests.conftest import NOW, ApiClient, TokenMaker, problem_of
from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Note, Status
from careloop.conftest import RECEIVED_AT, CaseOpener, row_counts
from careloop.orgs.models import Facility, Role, Unit, User


def new_case(facility: Facility, unit: Unit, **extra: Any) -> dict[str, Any]:
    return {
        "facility_id": facility.pk,
        "unit_id": unit.pk,
        "kind": "complaint",
        "reporter_type": "family",
        "channel": "email",
        "narrative": "The call bell was not answered for forty minutes.",
        "reporter_email": "kim@example.org",
        "contact_preference": "email",
        **extra,
    }


def test_it_opens_a_case_through_case_open(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    response = api_admin.post("/api/v1/cases", new_case(facility_x, unit_a))
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert body["status"] == "new"
    assert body["unit_id"] == unit_a.pk
    assert "narrative" not in body  # create responses carry coded fields only
    assert case.received_at == NOW
    assert case.channel == "email"
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()
    assert AuditEvent.objects.filter(event_type="case.opened", case_id=case.pk).exists()


def test_bad_input_is_a_422_problem_listing_each_error_and_writes_nothing(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    before = {**row_counts(), "audit_events": 0}
    response = api_admin.post(
        "/api/v1/cases", new_case(facility_x, unit_a, kind="rant", received_at="2026-03-01T10:00")
    )
    assert response.status_code == 422
    problem = problem_of(response)
    fields = {tuple(e["loc"][-1:]) for e in problem["errors"]}
    assert {("kind",), ("received_at",)} <= fields
    assert {**row_counts(), "audit_events": 0} == before
    assert (
        not AuditEvent.objects.exclude(event_type="api.called")
        .exclude(event_type__startswith="api.token")
        .exists()
    )


def test_a_service_refusal_is_a_422_problem(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    response = api_admin.post(
        "/api/v1/cases", new_case(facility_x, unit_a, narrative="Bell\x07 rang")
    )
    assert response.status_code == 422
    assert "control character" in problem_of(response)["detail"]
    assert not Case.objects.exists()


def test_a_facility_of_another_organization_is_refused(
    api_admin: ApiClient, other_facility: Facility, other_unit: Unit
) -> None:
    response = api_admin.post("/api/v1/cases", new_case(other_facility, other_unit))
    assert response.status_code == 422
    assert "facility_id" in problem_of(response)["detail"]


def test_a_unit_token_cannot_open_a_case_on_another_unit(
    make_token: TokenMaker, facility_x: Facility, unit_a: Unit, unit_b: Unit
) -> None:
    _token, secret = make_token(role=Role.FRONTLINE, facility=facility_x, unit=unit_a)
    client = ApiClient(secret)
    assert client.post("/api/v1/cases", new_case(facility_x, unit_b)).status_code == 403
    assert client.post("/api/v1/cases", new_case(facility_x, unit_a)).status_code == 201


def test_it_reads_one_case_with_the_clients_words_and_audits_the_read(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = open_case(reporter_name="Alex Morgan")
    body = api_admin.get(f"/api/v1/cases/{case.reference}").json()
    assert body["narrative"] == case.narrative
    assert body["reporter_name"] == "Alex Morgan"
    assert body["erased"] is False
    assert AuditEvent.objects.filter(event_type="case.view", case_id=case.pk).exists()


def test_the_list_filters_by_status_kind_place_and_dates(
    api_admin: ApiClient,
    open_case: CaseOpener,
    facility_x: Facility,
    facility_y: Facility,
    unit_a: Unit,
    unit_b: Unit,
    unit_c: Unit,
) -> None:
    first = open_case(now=RECEIVED_AT - timedelta(days=3))
    on_b = open_case(unit=unit_b, kind="complaint")
    in_y = open_case(facility=facility_y, unit=unit_c)

    def refs(**query: Any) -> set[str]:
        response = api_admin.get("/api/v1/cases", query)
        assert response.status_code == 200, response.content
        return {item["reference"] for item in response.json()["items"]}

    assert refs() == {first.reference, on_b.reference, in_y.reference}
    assert refs(unit_id=unit_b.pk) == {on_b.reference}
    assert refs(facility_id=facility_y.pk) == {in_y.reference}
    assert refs(kind="complaint") == {on_b.reference}
    assert refs(status="new", facility_id=facility_x.pk) == {first.reference, on_b.reference}
    day = RECEIVED_AT.date()
    assert refs(received_from=day.isoformat()) == {on_b.reference, in_y.reference}
    assert refs(received_to=(day - timedelta(days=1)).isoformat()) == {first.reference}
    assert refs(status="closed") == set()


def test_the_list_finds_cases_updated_since_a_time(
    api_admin: ApiClient, open_case: CaseOpener, admin: User
) -> None:
    from careloop.cases.records import note_add

    quiet, noted = open_case(), open_case()
    note_add(actor=admin, case=noted, body="Called back.", visibility="internal", now=NOW)
    response = api_admin.get(
        "/api/v1/cases", {"updated_since": (NOW - timedelta(hours=1)).isoformat()}
    )
    assert [i["reference"] for i in response.json()["items"]] == [noted.reference]
    assert quiet.reference


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"limit": 0},
        {"limit": 201},
        {"received_from": "yesterday"},
        {"updated_since": "2026-03-01T10:00:00"},  # no zone
        {"cursor": "not-a-cursor"},
    ],
)
def test_bad_list_queries_are_422_problems(api_admin: ApiClient, query: dict[str, Any]) -> None:
    response = api_admin.get("/api/v1/cases", query)
    assert response.status_code == 422
    problem_of(response)


def test_it_acknowledges_assigns_notes_resolves_and_closes_through_the_services(
    api_admin: ApiClient, open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(kind="complaint")
    path = f"/api/v1/cases/{case.reference}"
    acknowledged = api_admin.post(f"{path}/acknowledge", {"channel": "phone"})
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assigned = api_admin.post(f"{path}/assign", {"owner_id": advocate_x.pk})
    assert assigned.json()["owner_id"] == advocate_x.pk
    noted = api_admin.post(f"{path}/notes", {"body": "Spoke with the family."})
    assert noted.status_code == 201
    assert Note.objects.get(pk=noted.json()["id"]).body == "Spoke with the family."
    assert api_admin.post(f"{path}/resolve").json()["status"] == "resolved"
    closed = api_admin.post(f"{path}/close")
    assert closed.status_code == 200, closed.content
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.owner_id == advocate_x.pk
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"acknowledged", "assigned", "note_added", "resolved", "closed"} <= kinds


def test_an_operation_the_lifecycle_refuses_is_a_422_problem(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = open_case()
    path = f"/api/v1/cases/{case.reference}"
    assert api_admin.post(f"{path}/acknowledge", {"channel": "phone"}).status_code == 200
    again = api_admin.post(f"{path}/acknowledge", {"channel": "phone"})
    assert again.status_code == 422
    assert "already acknowledged" in problem_of(again)["detail"]


def test_closing_without_the_required_elements_is_refused(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = open_case()  # a hospital grievance needs its written response first
    api_admin.post(f"/api/v1/cases/{case.reference}/resolve")
    response = api_admin.post(f"/api/v1/cases/{case.reference}/close")
    assert response.status_code == 422
    assert "cannot be closed yet" in problem_of(response)["detail"]
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_assigning_to_someone_outside_the_organization_is_refused(
    api_admin: ApiClient, open_case: CaseOpener, outsider: User
) -> None:
    case = open_case()
    response = api_admin.post(f"/api/v1/cases/{case.reference}/assign", {"owner_id": outsider.pk})
    assert response.status_code == 422
    problem_of(response)


def test_a_reference_that_is_not_one_is_refused_before_any_lookup(api_admin: ApiClient) -> None:
    response = api_admin.get("/api/v1/cases/RH 2026 ∞")
    assert response.status_code in {404, 422}
    problem_of(response)
