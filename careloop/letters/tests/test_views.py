"""Letter PDFs on the web: the draft preview and issued letters, scoped like the case (missing
and out of scope are the same 404), every read audited, and the case page's letter section."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.cases.records import letter_issue, letter_update
from careloop.conftest import CaseOpener
from careloop.letters.models import IssuedLetter
from careloop.letters.tests.conftest import CMS_LETTER, ISSUED_AT, pdf_text
from careloop.orgs.models import User


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(ISSUED_AT, tick=False):
        yield


@pytest.fixture
def issued(cms_case: Case, advocate_x: User) -> IssuedLetter:
    letter_issue(actor=advocate_x, case=cms_case, delivery="letter", now=ISSUED_AT)
    return IssuedLetter.objects.get(case=cms_case)


def download_url(issued: IssuedLetter) -> str:
    return reverse("letters:issued", args=[issued.case_id, issued.pk])


def get(client: Client, user: User, url: str) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    return bytes(response.content)


def test_staff_preview_the_draft_letter_before_issuing_it(
    client: Client, advocate_x: User, cms_case: Case
) -> None:
    pdf = get(client, advocate_x, reverse("letters:preview", args=[cms_case.pk]))

    text = pdf_text(pdf)
    assert "DRAFT, NOT ISSUED" in text
    assert CMS_LETTER["results"] in text
    assert not IssuedLetter.objects.exists()
    event = AuditEvent.objects.get(event_type="case.letter_preview")
    assert (event.action, event.case_id, event.actor_id) == ("R", cms_case.pk, advocate_x.pk)


def test_the_preview_of_an_unstarted_letter_marks_every_missing_element(
    client: Client, advocate_x: User, open_case: CaseOpener
) -> None:
    case = open_case()

    text = pdf_text(get(client, advocate_x, reverse("letters:preview", args=[case.pk])))

    assert "[missing: letter.contact_person]" in text
    assert "[missing: letter.completion_on]" in text


def test_an_issued_letter_downloads_as_stored_and_the_read_is_audited(
    client: Client, advocate_x: User, issued: IssuedLetter
) -> None:
    client.force_login(advocate_x)
    response = client.get(download_url(issued), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert bytes(response.content) == bytes(issued.pdf)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{issued.case.reference}-decision-{issued.pk}.pdf"'
    )
    event = AuditEvent.objects.get(event_type="letter.downloaded")
    assert (event.action, event.case_id, event.object_type, event.object_id) == (
        "R",
        issued.case_id,
        "issued_letter",
        str(issued.pk),
    )
    assert (event.actor_id, event.actor_role, event.source) == (
        advocate_x.pk,
        "advocate",
        "203.0.113.7",
    )
    assert event.fields == ["pdf"]
    assert event.detail == {"kind": "decision", "sha256": issued.sha256}


def test_frontline_staff_of_the_unit_may_read_the_letter(
    client: Client, frontline_a: User, issued: IssuedLetter
) -> None:
    assert get(client, frontline_a, download_url(issued)) == bytes(issued.pdf)


@pytest.mark.parametrize("persona", ["outsider", "frontline_b", "advocate_y"])
def test_out_of_scope_staff_get_404_for_the_letter_and_its_draft(
    client: Client,
    persona: str,
    personas: dict[str, User],
    frontline_b: User,
    issued: IssuedLetter,
) -> None:
    user = frontline_b if persona == "frontline_b" else personas[persona]
    client.force_login(user)

    assert client.get(download_url(issued)).status_code == 404
    assert client.get(reverse("letters:preview", args=[issued.case_id])).status_code == 404
    assert not AuditEvent.objects.filter(event_type="letter.downloaded").exists()


def test_a_letter_is_only_found_under_its_own_case(
    client: Client, advocate_x: User, issued: IssuedLetter, open_case: CaseOpener
) -> None:
    other = open_case()
    client.force_login(advocate_x)

    url = reverse("letters:issued", args=[other.pk, issued.pk])
    assert client.get(url).status_code == 404


def test_letters_need_sign_in_and_a_get(
    client: Client, advocate_x: User, issued: IssuedLetter
) -> None:
    assert client.get(download_url(issued)).status_code == 302  # to the sign-in page
    client.force_login(advocate_x)
    assert client.post(download_url(issued)).status_code == 405


def test_the_case_page_lists_missing_elements_before_issuing(
    client: Client, advocate_x: User, open_case: CaseOpener
) -> None:
    case = open_case()
    letter_update(
        actor=advocate_x,
        case=case,
        values={**CMS_LETTER, "contact_person": ""},
        now=ISSUED_AT,
    )
    client.force_login(advocate_x)

    page = client.get(reverse("web:case", args=[case.pk])).content.decode()

    assert reverse("letters:preview", args=[case.pk]) in page
    assert "Before it can be issued, the letter needs:" in page
    assert "Decision letter names the hospital contact person" in page
    assert "us.hospital.grievance.decision" in page


def test_the_case_page_links_each_issued_letter(
    client: Client, advocate_x: User, issued: IssuedLetter
) -> None:
    client.force_login(advocate_x)

    page = client.get(reverse("web:case", args=[issued.case_id])).content.decode()

    assert download_url(issued) in page
    assert issued.sha256[:12] in page
    assert "Before it can be issued" not in page


def test_a_refused_issue_names_the_missing_elements_on_the_page(
    client: Client, advocate_x: User, open_case: CaseOpener
) -> None:
    case = open_case()
    letter_update(
        actor=advocate_x, case=case, values={**CMS_LETTER, "steps_taken": ""}, now=ISSUED_AT
    )
    client.force_login(advocate_x)

    response = client.post(
        reverse("web:case_action", args=[case.pk, "letter_issue"]),
        {"letter_issue-delivery": "letter"},
    )

    assert response.status_code == 400
    assert "The letter cannot be issued yet. Missing: Decision letter lists the steps taken" in (
        response.content.decode()
    )
    assert not IssuedLetter.objects.exists()
