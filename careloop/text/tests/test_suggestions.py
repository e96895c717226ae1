from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind
from careloop.conftest import CaseOpener
from careloop.core.worker import SWEEPS
from careloop.orgs.models import Facility, Organization, User
from careloop.surveys.models import Answer, ItemType, Response
from careloop.surveys.services import instrument_from_template, version_latest
from careloop.text.checks import text_check
from careloop.text.learning import codebook_train
from careloop.text.models import Codebook, Correction, ModelVersion, Suggestion
from careloop.text.suggestions import (
    claim_ids,
    codebook_suggest_batch,
    models_for,
    suggestions_for_texts,
    text_sweep,
    text_sweep_summary,
    texts_of_cases,
)
from careloop.text.tests.conftest import TRAINED_AT, CodedCases
from careloop.text.themes import MAX_CHARS

pytestmark = pytest.mark.django_db
LATER = TRAINED_AT + timedelta(hours=2)
FOOD = "Dinner was cold and the food tray was dirty."


@pytest.fixture
def trained(hcat: Codebook, coded_cases: CodedCases) -> Codebook:
    coded_cases()
    codebook_train(codebook=hcat, now=TRAINED_AT)
    return hcat


def latest(case: Case) -> Suggestion:
    found = Suggestion.objects.filter(case=case).order_by("-created_at", "-id").first()
    assert found is not None
    return found


def test_without_a_model_the_case_page_says_so_and_the_sweep_waits_for_one(
    org: Organization, open_case: CaseOpener, coded_cases: CodedCases, advocate_x: User
) -> None:
    case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=TRAINED_AT)
    # The schedule queues a first HCAT training: too few coded cases, nothing is trained.
    assert text_sweep(now=TRAINED_AT) == (0, 1)
    assert not ModelVersion.objects.exists()
    hcat = Codebook.objects.get(organization=org, is_hcat=True)
    assert hcat.training_claimed_at == TRAINED_AT
    assert not Suggestion.objects.exists()
    client = Client()
    client.force_login(advocate_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "No suggestion: no model has been trained and promoted yet" in page

    coded_cases()
    # The schedule retries an untrained HCAT codebook at most once an hour.
    assert text_sweep(now=TRAINED_AT + timedelta(minutes=30)) == (0, 0)
    written, retrained = text_sweep(now=LATER)
    assert retrained == 1
    assert written == 41  # the uncoded case and the 40 coded ones
    new_case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    assert text_sweep(now=LATER) == (1, 0)
    suggestion = latest(new_case)
    assert suggestion.status == "suggested"
    assert suggestion.model_version == models_for(hcat).theme
    assert suggestion.codes[0]["code"] == "environment"
    assert 0 < suggestion.codes[0]["confidence"] <= 1
    assert suggestion.harm in (1, 2)
    assert suggestion.severity is None  # no severity model: every coded case was a 2
    assert suggestion.criticality == 0
    event = AuditEvent.objects.filter(event_type="text.suggestions_computed").last()
    assert event is not None
    assert event.detail["case_ids"] == [new_case.pk]
    assert text_sweep(now=LATER) == (0, 0)


def test_the_sweep_works_in_batches(trained: Codebook, open_case: CaseOpener) -> None:
    assert codebook_suggest_batch(codebook=trained, now=LATER, batch=15) == 15
    assert codebook_suggest_batch(codebook=trained, now=LATER, batch=15) == 15
    assert codebook_suggest_batch(codebook=trained, now=LATER, batch=15) == 10
    assert codebook_suggest_batch(codebook=trained, now=LATER, batch=15) == 0


def test_texts_without_a_usable_reading_get_no_suggestion_with_the_reason(
    trained: Codebook,
) -> None:
    long_text = FOOD + " " + "x" * (10 * 1024 * 1024)
    rows = suggestions_for_texts(
        [
            "",
            "   \n ",
            "😡😡😡 👎",
            "Еда была холодной, а поднос грязным.",  # noqa: RUF001  # Cyrillic on purpose
            "晚餐是冷的，托盘很脏。",  # noqa: RUF001  # Chinese on purpose
            long_text,
            "The wrong medication was given and she had a fall and bruises.",
        ],
        models_for(trained),
    )
    assert [(r.status, r.reason) for r in rows[:5]] == [
        ("none", "empty"),
        ("none", "empty"),
        ("none", "no_letters"),
        ("none", "unsupported_script"),
        ("none", "unsupported_script"),
    ]
    assert all(r.codes == [] for r in rows[:5])
    assert rows[5].truncated
    assert rows[5].codes[0]["code"] == "environment"
    assert rows[6].codes[0]["code"] == "safety"
    assert rows[6].criticality == 3  # the safety screen found a likely risk
    assert text_check("x" * (MAX_CHARS + 1)).text == "x" * MAX_CHARS


def test_staff_accept_a_suggestion_in_one_click(
    trained: Codebook, open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    text_sweep(now=LATER)
    suggestion = latest(case)
    client = Client()
    client.force_login(advocate_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/text/suggestions/{suggestion.pk}/accept/"' in page
    assert "Environment" in page

    assert client.get(f"/text/suggestions/{suggestion.pk}/accept/").status_code == 405
    response = client.post(f"/text/suggestions/{suggestion.pk}/accept/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.sev_environment == 1  # no severity model: accepted at the lowest level
    assert case.coded_by == advocate_x
    assert case.events.filter(kind="coded").exists()
    correction = Correction.objects.get(case=case)
    assert correction.accepted
    assert correction.labels == ["environment"]
    assert correction.suggestion == suggestion


def test_staff_correct_a_suggestion_and_the_case_takes_the_correction(
    trained: Codebook, open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    text_sweep(now=LATER)
    suggestion = latest(case)
    client = Client()
    client.force_login(advocate_x)
    prefix = f"cb{trained.pk}"
    response = client.post(
        f"/text/cases/{case.pk}/codebooks/{trained.pk}/correct/",
        {
            f"{prefix}-codebook": trained.pk,
            f"{prefix}-labels": ["respect", "communication"],
            f"{prefix}-severity": "3",
            f"{prefix}-harm": "2",
            f"{prefix}-sentiment": "1",
            f"{prefix}-suggestion": suggestion.pk,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.sev_respect, case.sev_communication, case.sev_environment) == (3, 3, 0)
    assert case.harm == 2
    correction = Correction.objects.get(case=case)
    assert not correction.accepted
    assert correction.labels == ["communication", "respect"]
    assert (correction.severity, correction.harm, correction.sentiment) == (3, 2, 1)
    event = AuditEvent.objects.filter(event_type="text.coding_corrected").get()
    assert "respect" not in str(event.detail)

    bad = client.post(
        f"/text/cases/{case.pk}/codebooks/{trained.pk}/correct/",
        {f"{prefix}-codebook": trained.pk, f"{prefix}-labels": ["nonsense"]},
    )
    assert bad.status_code == 302
    assert Correction.objects.filter(case=case).count() == 1


def test_who_may_accept(
    trained: Codebook,
    open_case: CaseOpener,
    frontline_a: User,
    outsider: User,
    advocate_y: User,
) -> None:
    case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    text_sweep(now=LATER)
    url = f"/text/suggestions/{latest(case).pk}/accept/"
    client = Client()
    client.force_login(frontline_a)  # sees the case, cannot code it
    assert client.post(url).status_code == 403
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Suggested coding" in page
    assert url not in page
    for user in (outsider, advocate_y):
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert not Correction.objects.exists()


def test_survey_comments_get_suggestions_too(
    trained: Codebook, admin: User, org: Organization, facility_x: Facility
) -> None:
    instrument = instrument_from_template(
        actor=admin, organization=org, template="fft", now=TRAINED_AT
    )
    version = version_latest(instrument)
    item = version.items.filter(type=ItemType.FREE_TEXT).first()
    assert item is not None
    response = Response.objects.create(
        organization=org,
        version=version,
        facility=facility_x,
        anonymous=True,
        language="en",
        submitted_at=TRAINED_AT,
    )
    answer = Answer.objects.create(
        response=response, item=item, value=FOOD, submitted_at=TRAINED_AT
    )
    text_sweep(now=LATER)
    suggestion = Suggestion.objects.get(answer=answer)
    assert suggestion.codes[0]["code"] == "environment"
    assert suggestion.case is None


def test_two_sweepers_never_take_the_same_texts(trained: Codebook, open_case: CaseOpener) -> None:
    version = models_for(trained).theme
    assert version is not None
    texts = texts_of_cases(trained.organization_id)
    first = claim_ids(version=version, target="case", texts=texts, batch=5)
    second = claim_ids(version=version, target="case", texts=texts, batch=5)
    assert len(first) == len(second) == 5
    assert first == sorted(first, reverse=True)
    assert max(second) < min(first)  # the second sweeper went on where the first stopped
    new_case = open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    assert claim_ids(version=version, target="case", texts=texts, batch=5) == [new_case.pk]
    version.refresh_from_db()
    assert (version.case_high, version.case_low) == (new_case.pk, min(second))


def test_the_worker_runs_the_text_sweep(trained: Codebook, open_case: CaseOpener) -> None:
    assert ("text suggestions and retraining", text_sweep_summary) in SWEEPS
    open_case(kind=Kind.COMPLAINT, narrative=FOOD, now=LATER)
    with time_machine.travel(LATER, tick=False):
        assert text_sweep_summary() == "41 suggestions"
        assert text_sweep_summary() == ""
