"""Recording audit events, the append-only triggers, and verification catching tampering made
behind the triggers' back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, transaction

from careloop.audit.chain import GENESIS, ChainProblem
from careloop.audit.context import set_source
from careloop.audit.models import AuditEvent, AuditReview, ChainHead
from careloop.audit.selectors import audit_chain_verify, audit_events_for_organization
from careloop.audit.services import audit_record, audit_review_record
from careloop.cases.selectors import case_get_for
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener
from careloop.orgs.models import Organization, User

LATER = RECEIVED_AT + timedelta(hours=1)


def record(actor: User | None, n: int = 1) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action="R",
            event_type="case.view",
            at=LATER + timedelta(seconds=i),
            organization_id=actor.organization_id if actor else None,
            case_id=100 + i,
            fields=["narrative"],
        )
        for i in range(n)
    ]


@pytest.fixture
def five_events(advocate_x: User) -> list[AuditEvent]:
    return record(advocate_x, 5)


def test_events_are_numbered_and_linked_in_order(advocate_x: User) -> None:
    first, second = record(advocate_x, 2)

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    head = ChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def test_an_event_names_the_actor_role_time_and_source(advocate_x: User) -> None:
    set_source("198.51.100.9")
    try:
        event = audit_record(
            actor=advocate_x,
            action="U",
            event_type="case.acknowledged",
            at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(hours=6),
            organization_id=advocate_x.organization_id,
            case_id=12,
            fields=["status"],
            actor_role="advocate",
        )
    finally:
        set_source("system")

    event.refresh_from_db()
    assert (event.actor_id, event.actor_label, event.actor_role) == (
        advocate_x.pk,
        "advocate_x",
        "advocate",
    )
    assert (event.case_id, event.fields, event.source) == (12, ["status"], "198.51.100.9")
    assert event.recorded_at == RECEIVED_AT


def test_a_system_event_outside_a_request_has_no_actor(db: None) -> None:
    (event,) = record(None)

    assert (event.actor_id, event.actor_label, event.source) == (None, "system", "system")


def test_the_organization_log_lists_only_its_own_events_newest_first(
    advocate_x: User, outsider: User
) -> None:
    record(advocate_x, 2)
    record(outsider, 1)
    assert advocate_x.organization_id is not None

    events = audit_events_for_organization(organization_id=advocate_x.organization_id)

    assert [e.seq for e in events] == [2, 1]


def test_a_review_is_recorded_and_audited(admin: User, org: Organization) -> None:
    review = audit_review_record(
        actor=admin, at=LATER, organization_id=org.pk, up_to_seq=3, notes="Weekly look"
    )

    assert AuditReview.objects.get() == review
    event = AuditEvent.objects.get(event_type="audit.reviewed")
    assert (event.detail, event.object_id) == ({"up_to_seq": 3}, str(review.pk))


# --- the append-only triggers --------------------------------------------------------------


def test_the_database_refuses_to_update_an_audit_event(five_events: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(actor_label="mallory")

    assert AuditEvent.objects.get(seq=2).actor_label == "advocate_x"


def test_the_database_refuses_to_delete_an_audit_event(five_events: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        five_events[0].delete()

    assert AuditEvent.objects.count() == 5


def test_saving_a_changed_event_is_refused_too(five_events: list[AuditEvent]) -> None:
    event = five_events[1]
    event.detail = {"note": "rewritten"}

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


# --- verification --------------------------------------------------------------------------


def test_an_untouched_chain_verifies(five_events: list[AuditEvent]) -> None:
    assert audit_chain_verify() == (5, [])


def test_a_fresh_database_has_an_empty_valid_chain(db: None) -> None:
    assert audit_chain_verify() == (0, [])


def test_verification_streams_in_batches(five_events: list[AuditEvent]) -> None:
    assert audit_chain_verify(batch=2) == (5, [])


def test_a_real_case_history_verifies(open_case: CaseOpener, advocate_x: User) -> None:
    case = open_case(actor=advocate_x)
    case_get_for(user=advocate_x, case_id=case.pk, now=LATER)

    count, problems = audit_chain_verify()

    assert count == AuditEvent.objects.count()
    assert set(AuditEvent.objects.values_list("event_type", flat=True)) >= {
        "case.opened",
        "case.view",
    }
    assert problems == []


def test_verification_catches_an_edited_event(
    five_events: list[AuditEvent], triggers_off: None
) -> None:
    AuditEvent.objects.filter(seq=3).update(actor_label="mallory")

    assert audit_chain_verify() == (5, [ChainProblem(3, "contents were changed after recording")])


def test_verification_catches_an_edited_detail(
    five_events: list[AuditEvent], triggers_off: None
) -> None:
    AuditEvent.objects.filter(seq=5).update(detail={"case_ids": [1]})

    _, problems = audit_chain_verify()

    assert problems == [ChainProblem(5, "contents were changed after recording")]


def test_verification_catches_a_deleted_event(
    five_events: list[AuditEvent], triggers_off: None
) -> None:
    AuditEvent.objects.filter(seq=2).delete()

    assert audit_chain_verify() == (
        4,
        [
            ChainProblem(3, "expected event #2, found #3"),
            ChainProblem(3, "link to the previous event is broken"),
        ],
    )


def test_verification_catches_two_swapped_events(
    five_events: list[AuditEvent], triggers_off: None
) -> None:
    AuditEvent.objects.filter(seq=2).update(seq=-2)
    AuditEvent.objects.filter(seq=3).update(seq=2)
    AuditEvent.objects.filter(seq=-2).update(seq=3)

    count, problems = audit_chain_verify()

    assert count == 5
    assert ChainProblem(2, "contents were changed after recording") in problems
    assert ChainProblem(2, "link to the previous event is broken") in problems
    assert ChainProblem(3, "contents were changed after recording") in problems


def test_verification_catches_a_truncated_last_event(
    five_events: list[AuditEvent], triggers_off: None
) -> None:
    AuditEvent.objects.filter(seq=5).delete()

    assert audit_chain_verify() == (4, [ChainProblem(4, "chain ends at #4, head says #5")])


def test_the_narrative_never_reaches_the_audit_log(open_case: CaseOpener, advocate_x: User) -> None:
    case = open_case(actor=advocate_x)
    case_get_for(user=advocate_x, case_id=case.pk, now=LATER)

    for event in AuditEvent.objects.all():
        assert NARRATIVE not in str(event.detail)
        assert "four hours" not in str(event.detail) + str(event.fields)
