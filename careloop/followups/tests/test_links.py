"""The check-back email through a real SMTP server on loopback, and its one-click links: a GET
shows the answer preselected and changes nothing; the POST records it once; replayed, tampered
and expired links get clear pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Status
from careloop.followups.checkbacks import followups_sweep
from careloop.followups.models import CheckBack, CheckBackStatus, FollowUpAnswer, Via
from careloop.followups.tests.conftest import (
    BASE_URL,
    CLIENT_ADDRESS,
    DUE_AT,
    OFFICE_PHONE,
    EmailedCaseMaker,
    Resolver,
)
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import (  # noqa: F401  # fixtures
    Inbox,
    SmtpServer,
    inbox,
    smtp_port,
    smtp_server,
)
from careloop.orgs.models import Facility, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_clear_cache")]

LINK = re.compile(re.escape(BASE_URL) + r"(/c/[A-Za-z0-9_-]+/(yes|partly|no)/)")


@pytest.fixture
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def at_due() -> Iterator[None]:
    with time_machine.travel(DUE_AT, tick=False):
        yield


def sent_links(body: str) -> dict[str, str]:
    """The answer links in an email body, by answer (paths on this server)."""
    return {answer: path for path, answer in LINK.findall(body)}


@pytest.fixture
def links(emailed_case: EmailedCaseMaker, facility_x: Facility) -> dict[str, str]:
    """A resolved case whose check-back was just queued; its links, read before delivery."""
    facility_x.phone = OFFICE_PHONE
    facility_x.save(update_fields=["phone"])
    emailed_case()
    followups_sweep(now=DUE_AT)
    return sent_links(OutboundMessage.objects.get(template="followup_checkback").body)


def state() -> dict[str, Any]:
    """What a GET must not change."""
    return {
        "answers": FollowUpAnswer.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "check_backs": list(CheckBack.objects.values_list("status", "answered_at")),
        "cases": list(Case.objects.values_list("status", "reopened_count")),
    }


def test_the_email_arrives_and_its_no_link_followed_then_sent_reopens_the_case(
    emailed_case: EmailedCaseMaker,
    advocate_x: User,
    inbox: Inbox,  # noqa: F811  # the fixture imported above
    client: Client,
    at_due: None,
) -> None:
    case = emailed_case(language="es")
    assert followups_sweep(now=DUE_AT) == 1
    assert messages_deliver_due(now=DUE_AT) == 1

    [message] = inbox.messages()
    assert message["To"] == CLIENT_ADDRESS
    assert message["Content-Language"] == "es"
    assert message["Auto-Submitted"] == "auto-generated"
    assert case.reference in message["Subject"]
    body = message.get_content()
    assert case.reference in body
    found = sent_links(body)
    assert sorted(found) == ["no", "partly", "yes"]
    assert len({path.split("/")[2] for path in found.values()}) == 1  # one token, three answers
    stored = OutboundMessage.objects.get(template="followup_checkback")
    assert "/c/" not in stored.body  # the links are not kept once sent

    before = state()
    page = client.get(found["no"])
    assert page.status_code == 200
    assert state() == before
    html = page.content.decode()
    assert page["Content-Language"] == "es"
    assert 'lang="es"' in html
    with translation.override("es"):
        question = translation.gettext("Was this put right?")
    assert question != "Was this put right?"  # already translated: the page is in Spanish
    assert question in html
    assert re.search(r'id="answer_no" name="answer" value="no" checked', html)
    assert "checked" not in html.split('id="answer_no"')[0]

    response = client.post(found["no"], {"answer": "no", "comment": "Still cold at dinner."})

    assert response.status_code == 302
    assert response["Location"] == found["no"].replace("/no/", "/thanks/")
    case.refresh_from_db()
    assert (case.status, case.reopened_count, case.resolved_at) == (
        Status.INVESTIGATING,
        1,
        None,
    )
    answer = FollowUpAnswer.objects.get(case=case)
    assert (answer.answer, answer.via, answer.comment) == (
        "no",
        Via.EMAIL_LINK,
        "Still cold at dinner.",
    )
    check_back = CheckBack.objects.get(case=case)
    assert (check_back.status, check_back.answered_at) == (CheckBackStatus.ANSWERED, DUE_AT)
    told = OutboundMessage.objects.get(template="followup_reopened")
    assert told.to_address == advocate_x.email
    assert case.events.filter(kind="reopened", actor__isnull=True).exists()
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert 'lang="es"' in thanks.content.decode()


def test_a_get_alone_changes_nothing_however_often(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    before = state()

    for answer in ("yes", "partly", "no", "yes"):
        assert client.get(links[answer]).status_code == 200
        assert client.head(links[answer]).status_code == 200

    assert state() == before
    assert CheckBack.objects.get().status == CheckBackStatus.SENT


def test_yes_closes_the_loop(links: dict[str, str], client: Client, at_due: None) -> None:
    response = client.post(links["yes"], {"answer": "yes", "comment": ""})

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.RESOLVED
    assert case.events.get(kind="loop_closed").summary == (
        "Loop closed: the client says it was put right"
    )
    assert "We are glad it was put right." in client.get(response["Location"]).content.decode()


def test_the_answer_sent_is_the_one_chosen_on_the_page_not_the_links(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    client.post(links["yes"], {"answer": "partly", "comment": "The food is better now."})

    assert FollowUpAnswer.objects.get().answer == "partly"
    assert Case.objects.get().status == Status.INVESTIGATING


def test_a_replayed_link_says_already_answered_and_records_nothing_more(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    client.post(links["no"], {"answer": "no"})
    before = state()

    for answer in ("no", "yes"):
        again = client.get(links[answer])
        assert again.status_code == 409
        assert "Already answered" in again.content.decode()
        posted = client.post(links[answer], {"answer": "yes"})
        assert posted.status_code == 409

    assert state() == before
    assert FollowUpAnswer.objects.count() == 1


def test_an_answer_given_on_the_status_page_makes_the_link_already_answered(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    from careloop.followups.services import followup_record_answer

    followup_record_answer(
        case=Case.objects.get(), answer="yes", comment="", via=Via.STATUS_PAGE, now=DUE_AT
    )

    assert client.get(links["no"]).status_code == 409


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path.replace("/c/", "/c/x", 1),
        lambda path: path[:-5] + ("A" if path[-5] != "A" else "B") + path[-4:],
        lambda path: "/c/" + "a" * 200 + "/no/",
        lambda path: path.replace("/no/", "/maybe/"),
    ],
    ids=["prefixed", "one_character_changed", "too_long", "unknown_answer"],
)
def test_a_tampered_link_is_not_found(
    links: dict[str, str], client: Client, at_due: None, tamper: Any
) -> None:
    before = state()

    for method in (client.get, client.post):
        response = method(tamper(links["no"]))
        assert response.status_code == 404
        assert "We could not find this page" in response.content.decode()

    assert state() == before


def test_guessing_links_is_slowed(
    links: dict[str, str], client: Client, at_due: None, settings: Any
) -> None:
    settings.CARELOOP_INTAKE_LIMITS = {
        **settings.CARELOOP_INTAKE_LIMITS,
        "status_miss_address": (3, 600),
    }

    codes = [client.get(f"/c/guess{i}/no/").status_code for i in range(5)]

    assert codes == [404, 404, 404, 429, 429]


def test_an_expired_link_says_so_with_the_facilitys_phone_and_records_nothing(
    links: dict[str, str], client: Client
) -> None:
    before = state()

    with time_machine.travel(DUE_AT + timedelta(days=30), tick=False):
        page = client.get(links["no"])
        posted = client.post(links["no"], {"answer": "no"})

    assert (page.status_code, posted.status_code) == (410, 410)
    html = page.content.decode()
    assert "This link has expired" in html
    assert OFFICE_PHONE in html
    assert state() == before


def test_a_link_about_a_resolution_that_was_reopened_is_no_longer_open(
    links: dict[str, str], client: Client, reopen: Resolver, at_due: None
) -> None:
    reopen(Case.objects.get(), at=DUE_AT)

    page = client.get(links["yes"])

    assert page.status_code == 410
    assert "This question is no longer open" in page.content.decode()
    assert client.post(links["yes"], {"answer": "yes"}).status_code == 410
    assert not FollowUpAnswer.objects.exists()


def test_the_page_meets_the_intake_pages_bar(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    html = client.get(links["partly"]).content.decode()

    assert "<fieldset" in html
    assert "<legend><h1>Was this put right?</h1></legend>" in html
    for answer in ("yes", "partly", "no"):
        assert f'<label class="option" for="answer_{answer}">' in html
    assert '<label for="id_comment">' in html
    assert 'aria-describedby="comment_hint"' in html
    assert "<script" not in html
    assert 'type="submit"' in html
    assert html.count('<form method="post" novalidate>') == 1  # one form, one button


def test_a_missing_answer_gets_the_error_summary_and_keeps_the_comment(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    response = client.post(links["no"], {"comment": "Kept <b>as typed</b>"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#answer_yes">Please choose yes, partly or no.</a>' in html
    assert 'aria-describedby="answer_hint answer_error"' in html
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in html
    assert "checked" not in html
    assert "<title>Error: Was this put right?" in html
    assert not FollowUpAnswer.objects.exists()


def test_a_comment_too_long_is_refused_with_a_clear_message(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    response = client.post(links["no"], {"answer": "no", "comment": "x" * 5001})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_comment">Your text is too long.' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'id="answer_no" name="answer" value="no" checked', html)
    assert not FollowUpAnswer.objects.exists()


def test_the_visitors_own_language_choice_wins(
    links: dict[str, str], client: Client, at_due: None
) -> None:
    client.post(reverse("set_language"), {"language": "it", "next": links["no"]})

    page = client.get(links["no"])

    assert 'lang="it"' in page.content.decode()


def test_other_methods_are_not_allowed(links: dict[str, str], client: Client) -> None:
    assert client.put(links["no"]).status_code == 405
    assert client.post(links["no"].replace("/no/", "/thanks/")).status_code == 405


def test_the_thanks_page_needs_an_answer(links: dict[str, str], client: Client) -> None:
    assert client.get(links["no"].replace("/no/", "/thanks/")).status_code == 404
