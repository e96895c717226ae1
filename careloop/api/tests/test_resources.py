"""Messages, recovery, follow-ups, surveys, denominators and codebooks through the API, each
through the services and selectors the UI uses."""

from __future__ import annotations

from decimal import Decimal

from careloop.api.tests.conftest import NOW, ApiClient, TokenMaker, problem_of
from careloop.cases.models import Case, Note
from careloop.conftest import CaseOpener
from careloop.followups.models import CheckBack
from careloop.insights.models import Exposure
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.recovery.models import ItemType, LedgerEntry, RecoveryClient
from careloop.recovery.tests.conftest import case_a, client_a, items  # noqa: F401
from careloop.surveys.models import Invitation
from careloop.surveys.services import response_submit
from careloop.surveys.tests.conftest import NOW as SURVEYED_AT
from careloop.surveys.tests.conftest import InstrumentMaker, Inviter, invite, make_instrument  # noqa: F401
from careloop.text.models import Code, Codebook


def emailed(open_case: CaseOpener) -> Case:
    return open_case(kind="complaint", reporter_email="kim@example.org", contact_preference="email")


# --- messages ---------------------------------------------------------------------------------


def test_a_message_to_a_client_who_asked_for_email_is_queued_through_message_queue(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = emailed(open_case)
    response = api_admin.post(
        f"/api/v1/cases/{case.reference}/messages", {"body": "We have spoken to the ward."}
    )
    assert response.status_code == 201
    body = response.json()
    message = OutboundMessage.objects.get(pk=body["message_id"])
    assert body["by_email"] is True
    assert message.to_address == "kim@example.org"
    assert message.template == "case_message"
    assert Note.objects.get(pk=body["note_id"]).visibility == "client"
    listed = api_admin.get(f"/api/v1/cases/{case.reference}/messages").json()
    assert [m["id"] for m in listed] == [message.pk]
    assert listed[0]["status"] == "queued"


def test_a_message_to_a_client_without_email_is_kept_for_the_status_page(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = open_case()
    body = api_admin.post(f"/api/v1/cases/{case.reference}/messages", {"body": "Update."}).json()
    assert body["by_email"] is False
    assert body["message_id"] is None
    assert not OutboundMessage.objects.exists()


def test_sending_messages_needs_its_scope(make_token: TokenMaker, open_case: CaseOpener) -> None:
    case = emailed(open_case)
    _token, secret = make_token(scopes=["cases:read", "cases:write"])
    response = ApiClient(secret).post(f"/api/v1/cases/{case.reference}/messages", {"body": "Hi"})
    assert response.status_code == 403
    problem_of(response)


# --- recovery ---------------------------------------------------------------------------------


def test_recovery_is_given_through_recovery_issue_and_listed(
    api_admin: ApiClient,
    case_a: Case,  # noqa: F811
    client_a: RecoveryClient,  # noqa: F811
    items: dict[str, ItemType],  # noqa: F811
) -> None:
    path = f"/api/v1/cases/{case_a.reference}/recovery"
    given = api_admin.post(path, {"item_type_id": items["meal"].pk, "reason_code": "wait"})
    assert given.status_code == 201, given.content
    assert given.json()["status"] == "issued"
    listed = api_admin.get(path).json()
    assert len(listed) == 1
    assert listed[0]["status"] == "issued"
    assert Decimal(listed[0]["value"]) == Decimal(listed[0]["net"]) == Decimal("10.00")
    assert LedgerEntry.objects.filter(case=case_a, kind="issue").count() == 1


def test_recovery_with_an_unknown_item_type_is_refused(
    api_admin: ApiClient,
    case_a: Case,  # noqa: F811
) -> None:
    response = api_admin.post(
        f"/api/v1/cases/{case_a.reference}/recovery", {"item_type_id": 999_999}
    )
    assert response.status_code == 422
    assert not LedgerEntry.objects.exists()


# --- follow-ups -------------------------------------------------------------------------------


def test_a_resolved_cases_check_back_is_readable(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    case = emailed(open_case)
    api_admin.post(f"/api/v1/cases/{case.reference}/resolve")
    listed = api_admin.get(f"/api/v1/cases/{case.reference}/followups").json()
    check_back = CheckBack.objects.get(case=case)
    assert [c["id"] for c in listed] == [check_back.pk]
    assert listed[0]["status"] == "scheduled"
    assert listed[0]["resolution_at"]


# --- surveys ----------------------------------------------------------------------------------


def test_responses_are_listed_with_answers_and_anonymous_ones_are_not_joined_to_anyone(
    api_admin: ApiClient,
    make_instrument: InstrumentMaker,  # noqa: F811
    invite: Inviter,  # noqa: F811
) -> None:
    instrument = make_instrument("nps")
    for value, anonymous in (("9", True), ("3", False)):
        invitation, _ = invite(instrument, anonymous=anonymous)
        response_submit(invitation=invitation, raw={"item_1": value}, now=SURVEYED_AT)
    instruments = api_admin.get("/api/v1/surveys/instruments").json()
    assert [i["id"] for i in instruments] == [instrument.pk]
    page = api_admin.get(
        f"/api/v1/surveys/instruments/{instrument.pk}/responses", {"limit": 1}
    ).json()
    rest = api_admin.get(
        f"/api/v1/surveys/instruments/{instrument.pk}/responses", {"cursor": page["next_cursor"]}
    ).json()
    listed = page["items"] + rest["items"]
    assert sorted(i["answers"][0]["value"] for i in listed) == ["3", "9"]
    assert rest["next_cursor"] is None
    anonymous = next(i for i in listed if i["anonymous"])
    assert anonymous["case_reference"] is None
    assert "invitation" not in anonymous
    assert "email" not in anonymous


def test_scores_are_given_per_item_with_suppression(
    api_admin: ApiClient,
    make_instrument: InstrumentMaker,  # noqa: F811
    invite: Inviter,  # noqa: F811
) -> None:
    instrument = make_instrument("nps")
    invitation, _ = invite(instrument, anonymous=True)
    response_submit(invitation=invitation, raw={"item_1": "10"}, now=SURVEYED_AT)
    day = SURVEYED_AT.date().isoformat()
    rows = api_admin.get(
        f"/api/v1/surveys/instruments/{instrument.pk}/scores", {"start_on": day, "end_on": day}
    ).json()
    assert rows[0]["n"] == 1
    assert rows[0]["measure"].startswith("Not shown")  # below the instrument's minimum n


def test_survey_responses_outside_the_tokens_unit_are_not_listed(
    make_token: TokenMaker,
    make_instrument: InstrumentMaker,  # noqa: F811
    invite: Inviter,  # noqa: F811
    facility_x: Facility,
    unit_b: Unit,
) -> None:
    instrument = make_instrument("nps")
    invitation, _ = invite(instrument, anonymous=True)  # unit A
    response_submit(invitation=invitation, raw={"item_1": "9"}, now=SURVEYED_AT)
    _token, secret = make_token(role=Role.MANAGER, facility=facility_x, unit=unit_b)
    page = ApiClient(secret).get(f"/api/v1/surveys/instruments/{instrument.pk}/responses")
    assert page.json()["items"] == []


def test_an_instrument_of_another_organization_is_not_found(
    make_token: TokenMaker, outsider: User, other_org: Organization
) -> None:
    from careloop.surveys.services import instrument_from_template

    elsewhere = instrument_from_template(
        actor=outsider, organization=other_org, template="nps", now=NOW
    )
    response = ApiClient(make_token()[1]).get(
        f"/api/v1/surveys/instruments/{elsewhere.pk}/responses"
    )
    assert response.status_code == 404
    problem_of(response)


def test_an_invitation_is_created_and_emailed_through_the_survey_services(
    api_admin: ApiClient,
    make_instrument: InstrumentMaker,  # noqa: F811
    open_case: CaseOpener,
    facility_x: Facility,
    unit_a: Unit,
) -> None:
    instrument = make_instrument("nps")
    case = open_case()
    body = {
        "facility_id": facility_x.pk,
        "unit_id": unit_a.pk,
        "case_reference": case.reference,
        "email": "maria.lopez@example.org",
        "language": "es",
    }
    path = f"/api/v1/surveys/instruments/{instrument.pk}/invitations"
    first = api_admin.post(path, body, **{"Idempotency-Key": "invite-1"})
    again = api_admin.post(path, body, **{"Idempotency-Key": "invite-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert "email" not in first.json()
    invitation = Invitation.objects.get()
    assert (invitation.case_id, invitation.language) == (case.pk, "es")
    message = OutboundMessage.objects.get(pk=first.json()["message_id"])
    assert message.to_address == "maria.lopez@example.org"


def test_invitations_need_the_write_scope_and_a_valid_address(
    make_token: TokenMaker,
    make_instrument: InstrumentMaker,  # noqa: F811
    facility_x: Facility,
) -> None:
    instrument = make_instrument("nps")
    path = f"/api/v1/surveys/instruments/{instrument.pk}/invitations"
    body = {"facility_id": facility_x.pk, "email": "not an address"}
    reader = ApiClient(make_token(scopes=["surveys:read"])[1])
    assert reader.post(path, body).status_code == 403
    writer = ApiClient(make_token(name="Writer")[1])
    refused = writer.post(path, body)
    assert refused.status_code == 422
    problem_of(refused)
    assert not Invitation.objects.exists()


# --- denominators -----------------------------------------------------------------------------


def test_exposure_rows_are_created_through_the_insights_service(
    api_admin: ApiClient, unit_a: Unit, unit_b: Unit
) -> None:
    rows = [
        {"unit_id": unit_a.pk, "month": "2026-01", "measure": "patient_days", "value": 900},
        {"unit_id": unit_b.pk, "month": "2026-01", "measure": "patient_days", "value": 300},
    ]
    response = api_admin.post("/api/v1/denominators", {"rows": rows})
    assert response.status_code == 201
    assert response.json() == {"rows": 2, "created": 2, "updated": 0}
    assert Exposure.objects.get(unit=unit_a).value == 900


def test_a_bad_exposure_row_writes_nothing_and_is_named(api_admin: ApiClient, unit_a: Unit) -> None:
    row = {"unit_id": unit_a.pk, "month": "2026-01", "measure": "patient_days", "value": 900}
    response = api_admin.post("/api/v1/denominators", {"rows": [row, {**row, "month": "2026-13"}]})
    assert response.status_code == 422
    problem = problem_of(response)
    assert problem["errors"][0]["loc"] == ["body", "rows", 1]
    assert not Exposure.objects.exists()


def test_only_an_administrators_token_writes_exposure(make_token: TokenMaker, unit_a: Unit) -> None:
    _token, secret = make_token(role=Role.EXECUTIVE)
    row = {"unit_id": unit_a.pk, "month": "2026-01", "measure": "patient_days", "value": 9}
    assert ApiClient(secret).post("/api/v1/denominators", {"rows": [row]}).status_code == 403


# --- codebooks --------------------------------------------------------------------------------


def test_codebooks_are_listed_with_their_codes(
    api_admin: ApiClient, org: Organization, other_org: Organization
) -> None:
    book = Codebook.objects.create(organization=org, name="Local", created_at=NOW)
    parent = Code.objects.create(codebook=book, code="FOOD", label="Food", position=1)
    Code.objects.create(
        codebook=book, code="FOOD.COLD", label="Cold food", parent=parent, position=2
    )
    Codebook.objects.create(organization=other_org, name="Theirs", created_at=NOW)
    listed = api_admin.get("/api/v1/codebooks").json()
    assert [b["name"] for b in listed] == ["Local"]
    assert [(c["code"], c["parent"]) for c in listed[0]["codes"]] == [
        ("FOOD", None),
        ("FOOD.COLD", "FOOD"),
    ]
