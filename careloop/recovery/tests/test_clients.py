"""The client limits count against: created from the case's reporter, or an existing client
of the organization found by identifier or name; anonymous cases get a client for that case
only; a case's client is chosen once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, ReporterType
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Unit, User
from careloop.recovery.clients import (
    case_client_link,
    default_client_name,
    recovery_client_create,
)
from careloop.recovery.models import CaseClient, ItemType, RecoveryClient
from careloop.recovery.selectors import recovery_clients_search
from careloop.recovery.tests.conftest import NOW, give


def test_a_client_is_created_from_the_reporter_and_linked(
    case_a: Case, client_a: RecoveryClient, frontline_a: User
) -> None:
    assert default_client_name(case_a) == "Alex Morgan"
    assert CaseClient.objects.get(case=case_a).client == client_a
    assert (client_a.identifier, client_a.case_only, client_a.created_by) == (
        "MRN-1001",
        False,
        frontline_a,
    )
    event = CaseEvent.objects.get(case=case_a, kind="recovery_client_linked")
    assert event.summary == f"Recovery client created and linked (client #{client_a.pk})"


def test_an_anonymous_case_gets_a_client_for_that_case_only(
    open_case: CaseOpener, frontline_a: User
) -> None:
    case = open_case(reporter_type=ReporterType.ANONYMOUS)
    name = default_client_name(case)
    assert name == f"Anonymous client of {case.reference}"

    with pytest.raises(ValidationError, match="for this case only has no identifier"):
        recovery_client_create(
            actor=frontline_a,
            case=case,
            display_name=name,
            identifier="X1",
            beneficiary=False,
            now=NOW,
        )
    link = recovery_client_create(
        actor=frontline_a, case=case, display_name=name, identifier="", beneficiary=False, now=NOW
    )

    assert link.client.case_only is True
    assert recovery_clients_search(user=frontline_a, case=case, query="Anonymous", now=NOW) == []


def test_an_identifier_is_unique_in_the_organization(
    open_case: CaseOpener, client_a: RecoveryClient, frontline_a: User
) -> None:
    with pytest.raises(ValidationError, match="search for it and link it"):
        recovery_client_create(
            actor=frontline_a,
            case=open_case(),
            display_name="Someone",
            identifier="MRN-1001",
            beneficiary=False,
            now=NOW,
        )


def test_an_existing_client_is_found_and_linked_and_the_search_is_audited(
    open_case: CaseOpener, client_a: RecoveryClient, frontline_a: User
) -> None:
    case = open_case()

    assert recovery_clients_search(user=frontline_a, case=case, query="mrn-1001", now=NOW) == [
        client_a
    ]
    assert recovery_clients_search(user=frontline_a, case=case, query="morg", now=NOW) == [client_a]
    assert recovery_clients_search(user=frontline_a, case=case, query="m", now=NOW) == []
    case_client_link(actor=frontline_a, case=case, client=client_a, now=NOW)

    assert CaseClient.objects.get(case=case).client == client_a
    audit = AuditEvent.objects.filter(event_type="recovery.clients_searched").last()
    assert audit is not None
    assert audit.detail == {"client_ids": [client_a.pk]}


def test_a_case_chooses_its_client_once(
    case_a: Case, client_a: RecoveryClient, frontline_a: User, open_case: CaseOpener
) -> None:
    other = recovery_client_create(
        actor=frontline_a,
        case=open_case(),
        display_name="B",
        identifier="",
        beneficiary=False,
        now=NOW,
    ).client

    with pytest.raises(ValidationError, match="already has its client"):
        case_client_link(actor=frontline_a, case=case_a, client=other, now=NOW)
    with pytest.raises(ValidationError, match="already has its client"):
        recovery_client_create(
            actor=frontline_a,
            case=case_a,
            display_name="C",
            identifier="",
            beneficiary=False,
            now=NOW,
        )


def test_a_client_of_another_organization_cannot_be_linked(
    case_a: Case,
    frontline_a: User,
    outsider: User,
    other_facility: Facility,
    other_unit: Unit,
    open_case: CaseOpener,
) -> None:
    theirs = recovery_client_create(
        actor=outsider,
        case=open_case(unit=other_unit),
        display_name="Theirs",
        identifier="",
        beneficiary=False,
        now=NOW,
    ).client

    with pytest.raises(ValidationError, match="cannot be chosen"):
        case_client_link(actor=frontline_a, case=case_a, client=theirs, now=NOW)


def test_only_people_who_give_recovery_on_the_case_choose_its_client(
    case_a: Case, executive: User, advocate_y: User
) -> None:
    for user in (executive, advocate_y):
        with pytest.raises(PermissionDenied):
            recovery_client_create(
                actor=user, case=case_a, display_name="X", identifier="", beneficiary=False, now=NOW
            )


def test_nothing_is_given_before_the_client_is_chosen(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    with pytest.raises(ValidationError, match="Choose or create the client"):
        give(frontline_a, case_a, items["meal"])
