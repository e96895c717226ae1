from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import Facility, Unit, User
from careloop.text.emerging import Document, rising, terms_of

NOW = RECEIVED_AT + timedelta(days=100)


def test_terms_skip_stopwords_short_words_and_digits() -> None:
    assert terms_of("The parking was 20 dollars and THE Parking meter broke") == frozenset(
        {"parking", "dollars", "meter", "broke"}
    )
    assert "cuando" not in terms_of("cuando llegamos al aparcamiento")


def test_a_term_rising_against_the_baseline_is_found_with_its_cases() -> None:
    recent = [Document(i, frozenset({"parking", "staff"})) for i in range(5)]
    recent += [Document(5 + i, frozenset({"staff"})) for i in range(5)]
    baseline = [frozenset({"staff"})] * 95 + [frozenset({"parking", "staff"})] * 5
    trends, tested = rising(recent, baseline)
    assert tested == 2
    assert [t.term for t in trends] == ["parking"]
    parking = trends[0]
    assert (parking.recent, parking.baseline) == (5, 5)
    assert parking.rate_ratio == pytest.approx((5 / 10) / (5.5 / 100), rel=1e-2)
    assert parking.p_value < 0.01
    assert parking.case_ids == (0, 1, 2, 3, 4)


def test_a_rare_or_steady_term_is_not_emerging() -> None:
    recent = [Document(1, frozenset({"parking"})), Document(2, frozenset({"parking"}))]
    recent += [Document(3 + i, frozenset({"food"})) for i in range(8)]
    baseline = [frozenset({"food"})] * 80 + [frozenset({"other"})] * 20
    assert rising(recent, baseline)[0] == []  # parking: 2 < minimum count; food: steady
    assert rising([], baseline) == ([], 0)


@pytest.fixture
def parking_cases(open_case: CaseOpener, unit_b: Unit) -> list[Case]:
    for day in range(1, 80, 2):
        open_case(
            kind=Kind.COMPLAINT,
            narrative="The dinner was cold again.",
            now=NOW - timedelta(days=10 + day),
        )
    recent = [
        open_case(
            kind=Kind.COMPLAINT,
            narrative="The parking barrier was broken and the parking machine ate my card.",
            now=NOW - timedelta(hours=hour + 1),
        )
        for hour in range(4)
    ]
    recent.append(
        open_case(
            kind=Kind.COMPLAINT,
            narrative="Parking was impossible, the barrier broken.",
            unit=unit_b,
            now=NOW - timedelta(hours=6),
        )
    )
    return recent


@time_machine.travel(NOW, tick=False)
def test_the_weekly_view_lists_rising_terms_linked_to_their_cases(
    parking_cases: list[Case], advocate_x: User, facility_x: Facility
) -> None:
    client = Client()
    client.force_login(advocate_x)
    response = client.get(f"/text/facilities/{facility_x.pk}/emerging/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>parking</td>" in page
    assert "<td>barrier</td>" in page
    for case in parking_cases:
        assert f'href="/cases/{case.pk}/"' in page
    assert "<td>dinner</td>" not in page
    event = AuditEvent.objects.filter(event_type="text.emerging_viewed").get()
    assert sorted(event.detail["case_ids"]) == sorted(c.pk for c in parking_cases)


@time_machine.travel(NOW, tick=False)
def test_the_view_counts_only_cases_the_user_may_see(
    parking_cases: list[Case],
    manager_a: User,
    outsider: User,
    advocate_y: User,
    facility_x: Facility,
) -> None:
    client = Client()
    client.force_login(manager_a)  # unit A only: the ICU case is not counted or linked
    page = client.get(f"/text/facilities/{facility_x.pk}/emerging/").content.decode()
    assert f'href="/cases/{parking_cases[-1].pk}/"' not in page
    assert f'href="/cases/{parking_cases[0].pk}/"' in page
    for user in (outsider, advocate_y):
        client.force_login(user)
        assert client.get(f"/text/facilities/{facility_x.pk}/emerging/").status_code == 404
    client.force_login(manager_a)
    assert client.post(f"/text/facilities/{facility_x.pk}/emerging/").status_code == 405
