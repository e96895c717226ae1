from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, Kind, Status
from careloop.cases.services import case_code
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import Facility, Unit, User
from careloop.text.duplicates import CaseText, candidates_for
from careloop.text.models import CaseLink
from careloop.text.services import case_link_confirm

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
FALL = "My mother fell out of bed on 4 West last night and nobody came for an hour."
FALL_AGAIN = "Last night on 4 West my mum fell out of her bed and no one came for an hour."
PARKING = "The car park barrier was broken and I could not pay for parking."


def text(case_id: int, words: str, **kw: object) -> CaseText:
    values: dict[str, object] = {
        "case_id": case_id,
        "received_at": T0,
        "unit_id": 1,
        "person": None,
        "issue": None,
        "text": words,
    }
    values.update(kw)
    return CaseText(**values)  # type: ignore[arg-type]


def test_similar_reports_close_in_time_are_duplicate_candidates() -> None:
    target = text(1, FALL)
    found = candidates_for(
        target,
        [
            text(2, FALL_AGAIN, received_at=T0 + timedelta(hours=5), unit_id=2),
            text(3, PARKING),
            text(4, FALL_AGAIN, received_at=T0 + timedelta(days=10)),
        ],
    )
    assert [(c.case_id, c.kind) for c in found] == [(2, "duplicate")]
    assert found[0].similarity >= 0.35
    assert not found[0].same_unit


def test_the_same_person_on_the_same_issue_is_a_repeat_candidate() -> None:
    target = text(1, "The food is cold again.", person="email:a@x.org", issue="environment")
    found = candidates_for(
        target,
        [
            text(
                2,
                "Meals were not hot enough for my diet.",
                person="email:a@x.org",
                issue="environment",
                received_at=T0 - timedelta(days=40),
            ),
            text(3, "Meals were not hot.", person="email:b@x.org", issue="environment"),
            text(
                4,
                "Meals not hot.",
                person="email:a@x.org",
                issue="environment",
                received_at=T0 - timedelta(days=120),
            ),
        ],
    )
    assert [(c.case_id, c.kind, c.same_issue) for c in found] == [(2, "repeat", True)]


def test_the_case_page_suggests_duplicates_and_staff_confirm_one(
    open_case: CaseOpener, advocate_x: User, unit_b: Unit
) -> None:
    first = open_case(kind=Kind.COMPLAINT, narrative=FALL, now=RECEIVED_AT)
    second = open_case(
        kind=Kind.COMPLAINT,
        narrative=FALL_AGAIN,
        channel=Channel.EMAIL,
        unit=unit_b,
        now=RECEIVED_AT + timedelta(hours=3),
    )
    open_case(kind=Kind.COMPLAINT, narrative=PARKING, now=RECEIVED_AT + timedelta(hours=1))
    client = Client()
    client.force_login(advocate_x)
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f'id="text-candidate-{first.pk}"' in page
    assert "possible duplicate" in page
    viewed = AuditEvent.objects.filter(event_type="text.duplicates_viewed").get()
    assert viewed.detail["candidate_case_ids"] == [first.pk]

    assert client.get(f"/text/cases/{second.pk}/link/").status_code == 405
    response = client.post(
        f"/text/cases/{second.pk}/link/", {"to_case": first.pk, "kind": "duplicate"}
    )
    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert (link.from_case, link.to_case, link.kind) == (second, first, "duplicate")
    assert link.confirmed_by == advocate_x
    assert first.events.filter(kind="linked").count() == 1
    assert second.events.filter(kind="linked").count() == 1
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f'id="text-candidate-{first.pk}"' not in page
    assert "Same event (duplicate) of" in page

    again = client.post(f"/text/cases/{first.pk}/link/", {"to_case": second.pk, "kind": "repeat"})
    assert again.status_code == 302
    assert CaseLink.objects.count() == 1


def test_a_repeat_from_the_same_person_is_suggested_and_confirmed(
    open_case: CaseOpener, advocate_x: User
) -> None:
    email = "maria@example.org"
    old = open_case(
        kind=Kind.COMPLAINT,
        narrative="Cold dinners every night this month.",
        now=RECEIVED_AT - timedelta(days=30),
        reporter_email=email,
    )
    new = open_case(
        kind=Kind.COMPLAINT,
        narrative="The food is still served cold.",
        now=RECEIVED_AT,
        reporter_email=email,
    )
    for case in (old, new):
        case_code(
            actor=advocate_x,
            case=case,
            severities={"sev_environment": 2},
            stage_of_care="",
            harm=None,
            staff_involved=[],
            units_involved=[],
            now=RECEIVED_AT,
        )
    client = Client()
    client.force_login(advocate_x)
    page = client.get(f"/cases/{new.pk}/").content.decode()
    assert "possible repeat" in page
    assert "same person" in page
    assert "same issue" in page
    client.post(f"/text/cases/{new.pk}/link/", {"to_case": old.pk, "kind": "repeat"})
    assert CaseLink.objects.get().kind == "repeat"


def test_links_need_both_cases_in_reach(
    open_case: CaseOpener,
    advocate_x: User,
    frontline_a: User,
    facility_y: Facility,
    other_facility: Facility,
) -> None:
    mine = open_case(kind=Kind.COMPLAINT, narrative=FALL, now=RECEIVED_AT)
    theirs = open_case(facility=other_facility, kind=Kind.COMPLAINT, narrative=FALL)
    client = Client()
    client.force_login(advocate_x)
    response = client.post(f"/text/cases/{mine.pk}/link/", {"to_case": theirs.pk, "kind": "repeat"})
    assert response.status_code == 404
    other = open_case(kind=Kind.COMPLAINT, narrative=FALL_AGAIN, now=RECEIVED_AT)
    client.force_login(frontline_a)
    response = client.post(f"/text/cases/{mine.pk}/link/", {"to_case": other.pk, "kind": "repeat"})
    assert response.status_code == 403
    with pytest.raises(ValidationError, match="itself"):
        case_link_confirm(
            actor=advocate_x, from_case=mine, to_case=mine, kind="repeat", now=RECEIVED_AT
        )
    assert not CaseLink.objects.exists()


def test_after_the_first_steps_staff_ask_for_candidates(
    open_case: CaseOpener, advocate_x: User
) -> None:
    first = open_case(kind=Kind.COMPLAINT, narrative=FALL, now=RECEIVED_AT)
    second = open_case(kind=Kind.COMPLAINT, narrative=FALL_AGAIN, now=RECEIVED_AT)
    Case.objects.filter(pk=second.pk).update(status=Status.INVESTIGATING)  # arranged, not tested
    client = Client()
    client.force_login(advocate_x)
    page = client.get(f"/cases/{second.pk}/").content.decode()
    assert "Look for duplicates and repeats" in page
    assert f'id="text-candidate-{first.pk}"' not in page
    assert not AuditEvent.objects.filter(event_type="text.duplicates_viewed").exists()
    page = client.get(f"/cases/{second.pk}/?similar=1").content.decode()
    assert f'id="text-candidate-{first.pk}"' in page
