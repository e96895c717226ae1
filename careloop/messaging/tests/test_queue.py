"""Queueing: rendered in the client's language, validated, timelined and audited, sent after
commit; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Kind
from careloop.conftest import NARRATIVE, CaseOpener
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import language_pick, message_queue
from careloop.messaging.tests.conftest import (
    AFTER_HOURS_PHONE,
    CLIENT_ADDRESS,
    QUEUED_AT,
    STATUS_URL,
    ack_context,
    ack_queue,
)
from careloop.orgs.models import User


def counts() -> dict[str, int]:
    return {
        "messages": OutboundMessage.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def test_it_queues_a_rendered_acknowledgement_due_now(open_case: CaseOpener) -> None:
    case = open_case()

    message = ack_queue(case)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    assert (message.next_attempt_at, message.created_at) == (QUEUED_AT, QUEUED_AT)
    assert (message.to_address, message.language) == (CLIENT_ADDRESS, "en")
    assert message.organization_id == case.organization_id
    assert message.subject == f"We received your message \N{EN DASH} reference {case.reference}"
    assert case.reference in message.body
    assert STATUS_URL in message.body
    assert "Anyone who has this link can see your case" in message.body
    assert AFTER_HOURS_PHONE in message.body
    assert message.message_id.startswith("<")
    assert message.message_id.endswith("@localhost>")


def test_it_records_a_timeline_event_without_client_text_or_the_address(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    message = message_queue(
        case=case,
        to=CLIENT_ADDRESS,
        template="intake_acknowledgement",
        language="en",
        context=ack_context(case),
        now=QUEUED_AT,
        actor=advocate_x,
    )

    event = case.events.get(kind="message_queued")
    assert event.summary == "Email queued: Acknowledgement of receipt"
    assert (event.actor, event.at) == (advocate_x, QUEUED_AT)
    audit = AuditEvent.objects.get(event_type="case.message_queued")
    assert (audit.action, audit.object_type, audit.object_id) == ("C", "message", str(message.pk))
    recorded = f"{event.summary} {event.changes} {audit.fields}"
    assert CLIENT_ADDRESS not in recorded
    assert NARRATIVE not in recorded


def test_it_sends_after_commit_not_before(
    open_case: CaseOpener, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    case = open_case()

    with django_capture_on_commit_callbacks() as callbacks:
        ack_queue(case)

    assert len(callbacks) == 1


def test_a_concern_hears_staff_will_look_into_it_without_a_promised_time(
    open_case: CaseOpener,
) -> None:
    body = ack_queue(open_case(kind=Kind.GRIEVANCE)).body

    assert "A member of staff will look into it." in body
    assert "We aim to reply within a few working days." in body
    assert "pass this on" not in body


def test_a_concern_with_a_reply_date_names_it(open_case: CaseOpener) -> None:
    body = ack_queue(open_case(kind=Kind.GRIEVANCE), reply_by="Monday 9 March 2026").body

    assert "You will hear from us by Monday 9 March 2026." in body
    assert "a few working days" not in body


def test_a_compliment_gets_thanks_and_is_passed_on(open_case: CaseOpener) -> None:
    body = ack_queue(open_case(kind=Kind.COMPLIMENT)).body

    assert "Thank you for taking the time to share your kind words" in body
    assert "We will pass this on" in body
    assert "look into it" not in body
    assert "reply within" not in body


def test_without_an_after_hours_phone_it_still_points_to_emergency_help(
    open_case: CaseOpener,
) -> None:
    body = ack_queue(open_case(), phone="").body

    assert "If you need help urgently" not in body
    assert "call your local emergency number" in body
    assert "\n\n\n" not in body


def test_the_status_link_is_not_html_escaped(open_case: CaseOpener) -> None:
    body = ack_queue(open_case()).body

    assert "&amp;" not in body
    assert "?lang=es&v=1" in body


@pytest.mark.parametrize(
    ("requested", "used"),
    [("es", "es"), ("it", "it"), ("es-MX", "es"), ("es_mx", "es"), ("fr", "en"), ("", "en")],
)
def test_the_language_falls_back_to_a_supported_one(requested: str, used: str) -> None:
    assert language_pick(requested) == used


def test_an_unsupported_language_is_sent_in_english(open_case: CaseOpener) -> None:
    message = ack_queue(open_case(), language="fr")

    assert message.language == "en"


@pytest.mark.parametrize("address", ["not-an-address", "maria@", "a b@example.org", ""])
def test_an_invalid_address_is_refused_and_nothing_is_written(
    open_case: CaseOpener,
    address: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    case = open_case()
    before = counts()

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        ack_queue(case, to=address)

    assert counts() == before
    assert callbacks == []


def test_an_unknown_template_is_a_programming_error(open_case: CaseOpener) -> None:
    case = open_case()
    before = counts()

    with pytest.raises(ValueError, match="Unknown message template"):
        message_queue(
            case=case,
            to=CLIENT_ADDRESS,
            template="no_such_template",
            language="en",
            context={},
            now=QUEUED_AT,
        )

    assert counts() == before


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"status_url": None}, "missing context status_url"),
        ({"colour": "blue"}, "unknown context colour"),
        ({"kind": "praise"}, "kind 'praise' is not one of"),
    ],
)
def test_a_wrong_context_is_a_programming_error(
    open_case: CaseOpener, change: dict[str, str | None], error: str
) -> None:
    case = open_case()
    changed = {**ack_context(case), **change}
    context = {key: value for key, value in changed.items() if value is not None}
    before = counts()

    with pytest.raises(ValueError, match=error):
        message_queue(
            case=case,
            to=CLIENT_ADDRESS,
            template="intake_acknowledgement",
            language="en",
            context=context,
            now=QUEUED_AT,
        )

    assert counts() == before


def test_nothing_is_sent_about_an_erased_case(open_case: CaseOpener) -> None:
    case = open_case()
    Case.objects.filter(pk=case.pk).update(erased_at=QUEUED_AT)
    case.refresh_from_db()

    with pytest.raises(ValidationError, match="erased"):
        ack_queue(case)

    assert not OutboundMessage.objects.exists()
