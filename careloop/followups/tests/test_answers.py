"""The client's answer to "Was this put right?", on their status page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from careloop.cases.models import Case, Status
from careloop.cases.services import case_assign, case_move
from careloop.conftest import CaseOpener
from careloop.followups.models import FollowUpAnswer
from careloop.followups.services import followup_open_for, followup_record_answer
from careloop.intake.forms import new_nonce
from careloop.intake.models import ClientAccess
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Unit, User

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(client: Client, unit_a: Unit, advocate_x: User) -> tuple[Case, str]:
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("intake:unit", args=[unit_a.intake_code]),
            {
                "path": "complaint",
                "reporter_role": "client",
                "narrative": "The food was cold every day.",
                "contact_method": "none",
                "language": "en",
                "unit": unit_a.pk,
                "form_nonce": new_nonce(),
            },
        )
        assert response.status_code == 302
        token = client.session["careloop_intake_done"]["token"]
    case = Case.objects.get()
    case_assign(actor=advocate_x, case=case, owner=advocate_x, now=NOW)
    case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=NOW + timedelta(days=1))
    return Case.objects.get(), token


def test_no_question_is_asked_before_the_case_is_resolved(open_case: CaseOpener) -> None:
    opened = open_case()
    assert not followup_open_for(opened)
    with pytest.raises(ValidationError):
        followup_record_answer(case=opened, answer="yes", comment="", via="status_page", now=NOW)


@time_machine.travel(LATER, tick=False)
def test_yes_closes_the_loop_and_the_question_goes_away(
    client: Client, filed: tuple[Case, str]
) -> None:
    case, token = filed
    url = reverse("intake:status", args=[token])
    assert "Was this put right?" in client.get(url).content.decode()
    response = client.post(url, {"form": "followup", "answer": "yes", "comment": "Thanks"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert FollowUpAnswer.objects.get(case=case).answer == "yes"
    page = client.get(url).content.decode()
    assert "Was this put right?" not in page
    assert case.events.filter(kind="followup_answered").exists()


@time_machine.travel(LATER, tick=False)
@pytest.mark.parametrize("answer", ["no", "partly"])
def test_no_or_partly_reopens_the_case_and_tells_its_owner(
    client: Client, filed: tuple[Case, str], advocate_x: User, answer: str
) -> None:
    case, token = filed
    client.post(reverse("intake:status", args=[token]), {"form": "followup", "answer": answer})
    case.refresh_from_db()
    assert case.status == Status.INVESTIGATING
    assert case.reopened_count == 1
    assert case.resolved_at is None
    assert case.events.filter(kind="reopened", actor__isnull=True).exists()
    told = OutboundMessage.objects.get(template="followup_reopened")
    assert told.to_address == advocate_x.email


@time_machine.travel(LATER, tick=False)
def test_a_second_answer_to_the_same_resolution_is_refused(
    client: Client, filed: tuple[Case, str]
) -> None:
    case, token = filed
    followup_record_answer(case=case, answer="yes", comment="", via="status_page", now=LATER)
    with pytest.raises(ValidationError):
        followup_record_answer(case=case, answer="no", comment="", via="status_page", now=LATER)
    assert FollowUpAnswer.objects.count() == 1
    response = client.post(
        reverse("intake:status", args=[token]), {"form": "followup", "answer": "no"}
    )
    assert response.status_code == 400
    assert "already answered" in response.content.decode()


@time_machine.travel(LATER, tick=False)
def test_an_answer_outside_yes_partly_no_is_refused(
    client: Client, filed: tuple[Case, str]
) -> None:
    case, token = filed
    response = client.post(
        reverse("intake:status", args=[token]), {"form": "followup", "answer": "maybe"}
    )
    assert response.status_code == 400
    assert not FollowUpAnswer.objects.exists()
    assert ClientAccess.objects.get(case=case).case.status == Status.RESOLVED
