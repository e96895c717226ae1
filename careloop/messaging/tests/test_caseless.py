"""Messages with no case (e.g. a survey invitation to an imported encounter): queued on the
organization, delivered through a real SMTP server on loopback, audited with no case and never
put on a timeline."""

from __future__ import annotations

import pytest

from careloop.audit.models import AuditEvent
from careloop.cases.models import CaseEvent
from careloop.conftest import CaseOpener
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import message_queue, messages_deliver_due
from careloop.messaging.tests.conftest import CLIENT_ADDRESS, QUEUED_AT, Inbox
from careloop.orgs.models import Organization

pytestmark = pytest.mark.django_db

CONTEXT = {
    "facility_name": "Lakeside",
    "survey_url": "https://x/q/secret/",
    "optout_url": "https://x/q/optout/other/",
}


def _queue(organization: Organization) -> OutboundMessage:
    return message_queue(
        organization=organization,
        to=CLIENT_ADDRESS,
        template="survey_invitation",
        language="es",
        context=CONTEXT,
        now=QUEUED_AT,
        redact_after_send=True,
    )


@pytest.mark.usefixtures("dummy_tasks")
def test_a_message_without_a_case_is_queued_sent_and_audited_on_the_organization(
    org: Organization, inbox: Inbox
) -> None:
    message = _queue(org)
    assert message.case is None
    assert message.organization_id == org.pk
    assert messages_deliver_due(now=QUEUED_AT) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    (received,) = inbox.messages()
    assert received["To"] == CLIENT_ADDRESS
    assert "https://x/q/secret/" in received.get_content()
    events = AuditEvent.objects.filter(object_type="message").order_by("seq")
    assert [e.event_type for e in events] == ["message.queued", "message.sent"]
    assert all(e.case_id is None and e.organization_id == org.pk for e in events)
    assert not CaseEvent.objects.exists()


def test_a_message_needs_a_case_or_an_organization() -> None:
    with pytest.raises(ValueError, match="case or an organization"):
        message_queue(
            to=CLIENT_ADDRESS,
            template="survey_invitation",
            language="en",
            context=CONTEXT,
            now=QUEUED_AT,
        )


def test_a_case_of_another_organization_is_refused(
    open_case: CaseOpener, other_org: Organization
) -> None:
    with pytest.raises(ValueError, match="not in that organization"):
        message_queue(
            case=open_case(),
            organization=other_org,
            to=CLIENT_ADDRESS,
            template="survey_invitation",
            language="en",
            context=CONTEXT,
            now=QUEUED_AT,
        )
    assert not OutboundMessage.objects.exists()
