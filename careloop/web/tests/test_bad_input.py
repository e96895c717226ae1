"""Bad input through the pages: refused with a clear message, and nothing half-written (no case,
timeline event, clock or audit event left by the failed attempt)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.conftest import row_counts
from careloop.orgs.models import Unit, User

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


@pytest.fixture
def entry(client: Client, advocate_x: User) -> Client:
    client.force_login(advocate_x)
    return client


@pytest.fixture
def valid(unit_a: Unit) -> dict[str, Any]:
    return {
        "unit": unit_a.pk,
        "kind": "grievance",
        "reporter_type": "family",
        "channel": "phone",
        "narrative": "The night staff did not answer the call bell.",
        "contact_preference": "none",
        "language": "en",
    }


@pytest.fixture
def nothing_written() -> Iterator[None]:
    """Asserts after the test that the refused request left no rows but the read audits."""
    before = row_counts()
    reads_before = AuditEvent.objects.filter(action="R").count()
    yield
    after = row_counts()
    reads = AuditEvent.objects.filter(action="R").count() - reads_before
    assert {**after, "audit_events": after["audit_events"] - reads} == before


def post_entry(client: Client, data: dict[str, Any]) -> Any:
    return client.post(reverse("web:quick_entry"), data)


def test_a_10_mb_narrative_is_refused_before_it_is_read(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    body = urlencode({**valid, "narrative": "x" * (10 * 1024 * 1024)})

    response = entry.post(
        reverse("web:quick_entry"), body, content_type="application/x-www-form-urlencoded"
    )

    # DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB) answers first, with Careloop's 400 page saying why.
    assert response.status_code == 400
    assert b"too large or malformed, so nothing was saved" in response.content
    assert Case.objects.count() == 0


def test_a_narrative_over_the_form_limit_is_refused_by_the_form(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    response = post_entry(entry, {**valid, "narrative": "x" * 100_001})

    assert response.status_code == 400
    assert "Ensure this value has at most 100000 characters (it has 100001)." in response.text


def test_a_narrative_over_the_configured_limit_is_refused_with_the_limit(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    response = post_entry(entry, {**valid, "narrative": "x" * 60_000})

    assert response.status_code == 400
    assert "Narrative is too long: 60,000 characters, the limit is 50,000." in response.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bell\x07rang", "Narrative contains a control character (U+0007)."),
        ("escape\x1b[31m red", "Narrative contains a control character (U+001B)."),
        ("null\x00byte", "Null characters are not allowed."),
    ],
    ids=["bell", "escape", "null"],
)
def test_control_characters_are_refused(
    entry: Client, valid: dict[str, Any], nothing_written: None, text: str, message: str
) -> None:
    response = post_entry(entry, {**valid, "narrative": text})

    assert response.status_code == 400
    assert message in response.text


def test_bytes_that_are_not_utf8_are_refused_as_invalid_unicode(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    body = urlencode({**valid, "narrative": "PLACEHOLDER"}).replace("PLACEHOLDER", "caf%E9%FF")

    response = entry.post(
        reverse("web:quick_entry"), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "Narrative contains invalid Unicode." in response.text


def test_tabs_and_newlines_are_kept(entry: Client, valid: dict[str, Any]) -> None:
    post_entry(entry, {**valid, "narrative": "First line\r\n\tindented"})

    assert Case.objects.get().narrative == "First line\r\n\tindented"


def test_a_receipt_time_in_the_future_is_refused(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    response = post_entry(entry, {**valid, "received_at": "2026-03-04T09:00"})

    assert response.status_code == 400
    assert "Received at is in the future." in response.text


def test_a_unit_of_another_facility_is_not_a_choice(
    entry: Client, valid: dict[str, Any], unit_c: Unit, nothing_written: None
) -> None:
    response = post_entry(entry, {**valid, "unit": unit_c.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "ticket"),
        ("reporter_type", "alien"),
        ("channel", "pigeon"),
        ("contact_preference", "fax"),
        ("safety_type", "theft"),
        ("language", "klingon"),
        ("unit", "not-a-number"),
    ],
)
def test_unknown_choices_are_refused(
    entry: Client, valid: dict[str, Any], nothing_written: None, field: str, value: str
) -> None:
    response = post_entry(entry, {**valid, field: value})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text


@pytest.mark.parametrize("missing", ["unit", "kind", "reporter_type", "channel", "narrative"])
def test_a_required_field_left_out_is_refused(
    entry: Client, valid: dict[str, Any], nothing_written: None, missing: str
) -> None:
    data = {k: v for k, v in valid.items() if k != missing}

    assert post_entry(entry, data).status_code == 400


def test_a_safety_concern_without_its_type_is_refused(
    entry: Client, valid: dict[str, Any], nothing_written: None
) -> None:
    response = post_entry(entry, {**valid, "kind": "safety_concern"})

    assert response.status_code == 400
    assert "A safety concern needs its type" in response.text


# --- HTML is stored as typed and escaped when shown ------------------------------------------


def test_html_in_every_text_field_is_stored_as_typed_and_escaped_on_the_case_page(
    entry: Client, valid: dict[str, Any]
) -> None:
    text_fields = ("narrative", "desired_outcome", "reporter_name", "reporter_phone")
    response = post_entry(entry, {**valid, **{f: SCRIPT for f in text_fields}})
    case = Case.objects.get()
    assert response.status_code == 302
    action = reverse("web:case_action", args=[case.pk, "x"]).removesuffix("x/")
    posts = {
        "note": {"note-visibility": "client", "note-body": SCRIPT},
        "task": {"task-title": SCRIPT},
        "step": {"step-description": SCRIPT},
        "findings": {"findings-findings": SCRIPT, "findings-confirmed": "unknown"},
        "corrective": {"corrective-description": SCRIPT, "corrective-owner_name": SCRIPT},
        "report": {
            "report-kind": "other",
            "report-agency": SCRIPT,
            "report-recipients": SCRIPT,
            "report-method": SCRIPT[:40],
            "report-sent_at": "2026-03-03T08:00",
            "report-confirmation_ref": SCRIPT,
        },
        "letter": {f"letter-{f}": SCRIPT for f in ("contact_person", "summary", "steps_taken")}
        | {f"letter-{f}": SCRIPT for f in ("findings", "results", "corrective_action")}
        | {"letter-signed_by": SCRIPT},
        "reclassify": {"reclassify-kind": "complaint", "reclassify-reason": SCRIPT},
    }
    for name, data in posts.items():
        assert entry.post(f"{action}{name}/", data).status_code == 302, name

    page = entry.get(reverse("web:case", args=[case.pk])).text

    case.refresh_from_db()
    assert (case.narrative, case.reporter_name, case.findings) == (SCRIPT, SCRIPT, SCRIPT)
    assert case.letter.contact_person == SCRIPT
    assert "<script>alert" not in page
    assert page.count(ESCAPED) >= 20


def test_html_in_the_queue_excerpt_is_escaped(entry: Client, valid: dict[str, Any]) -> None:
    post_entry(entry, {**valid, "narrative": SCRIPT})

    page = entry.get(reverse("web:queue")).text

    assert ESCAPED in page
    assert "<script>alert" not in page


# --- bad input on case actions ---------------------------------------------------------------


def test_a_report_sent_in_the_future_is_refused(
    entry: Client, case_a: Case, nothing_written: None
) -> None:
    response = entry.post(
        reverse("web:case_action", args=[case_a.pk, "report"]),
        {
            "report-kind": "initial",
            "report-agency": "IDPH",
            "report-recipients": "Intake",
            "report-sent_at": "2026-03-05T08:00",
        },
    )

    assert response.status_code == 400
    assert "Sent at cannot be in the future." in response.text


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("note", {"note-visibility": "shout", "note-body": "x"}, "Select a valid choice"),
        ("note", {"note-visibility": "internal", "note-body": "a\x07b"}, "control character"),
        ("acknowledge", {"acknowledge-channel": "pigeon"}, "Select a valid choice"),
        ("move", {"move-status": "archived"}, "Select a valid choice"),
        ("code", {"code-sev_quality": "7"}, "Select a valid choice"),
        ("task_done", {"task_done-object_id": "0"}, "greater than or equal to 1"),
    ],
    ids=["visibility", "control", "channel", "status", "severity", "object-id"],
)
def test_bad_action_input_is_refused_on_the_page(
    entry: Client,
    case_a: Case,
    nothing_written: None,
    action: str,
    data: dict[str, str],
    message: str,
) -> None:
    response = entry.post(reverse("web:case_action", args=[case_a.pk, action]), data)

    assert response.status_code == 400
    assert message in response.text
