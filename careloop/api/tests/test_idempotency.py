"""Idempotency keys on create calls: a retry with the same key and body returns the first
response and creates nothing more; the same key with another body is a 422 problem."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from careloop.api.idempotency import request_fingerprint
from careloop.api.models import IdempotencyKey
from careloop.api.tests.conftest import ApiClient, TokenMaker, problem_of
from careloop.api.tests.test_cases import new_case
from careloop.cases.models import Case, Note
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Unit


def test_a_retry_with_the_same_key_creates_one_case_and_returns_the_same_response(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    body = new_case(facility_x, unit_a)
    first = api_admin.post("/api/v1/cases", body, **{"Idempotency-Key": "order-7"})
    retry = api_admin.post("/api/v1/cases", body, **{"Idempotency-Key": "order-7"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1


def test_key_order_and_spacing_do_not_make_a_retry_different() -> None:
    a = request_fingerprint(method="POST", path="/p", body=b'{"a": 1, "b": 2}')
    b = request_fingerprint(method="POST", path="/p", body=b'{"b":2,"a":1}')
    assert a == b
    assert a != request_fingerprint(method="POST", path="/q", body=b'{"a": 1, "b": 2}')


def test_the_same_key_with_another_body_is_refused(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    api_admin.post("/api/v1/cases", new_case(facility_x, unit_a), **{"Idempotency-Key": "k"})
    other = api_admin.post(
        "/api/v1/cases",
        new_case(facility_x, unit_a, narrative="Something else entirely."),
        **{"Idempotency-Key": "k"},
    )
    assert other.status_code == 422
    assert problem_of(other)["type"] == "/api/v1/docs#problem-idempotency-key-reused"
    assert Case.objects.count() == 1


def test_keys_belong_to_one_token(
    make_token: TokenMaker, facility_x: Facility, unit_a: Unit
) -> None:
    first, second = ApiClient(make_token()[1]), ApiClient(make_token(name="Other")[1])
    body = new_case(facility_x, unit_a)
    first.post("/api/v1/cases", body, **{"Idempotency-Key": "same"})
    second.post("/api/v1/cases", body, **{"Idempotency-Key": "same"})
    assert Case.objects.count() == 2


def test_a_refused_create_keeps_no_key_so_a_corrected_retry_works(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    bad = api_admin.post(
        "/api/v1/cases", new_case(facility_x, unit_a, narrative="\x00"), **{"Idempotency-Key": "x"}
    )
    assert bad.status_code == 422
    assert not IdempotencyKey.objects.exists()


def test_a_malformed_key_is_refused(
    api_admin: ApiClient, facility_x: Facility, unit_a: Unit
) -> None:
    response = api_admin.post(
        "/api/v1/cases", new_case(facility_x, unit_a), **{"Idempotency-Key": "x" * 256}
    )
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_notes_are_idempotent_too(api_admin: ApiClient, open_case: CaseOpener) -> None:
    case = open_case()
    for _ in range(2):
        response = api_admin.post(
            f"/api/v1/cases/{case.reference}/notes",
            {"body": "Called the family."},
            **{"Idempotency-Key": "note-1"},
        )
        assert response.status_code == 201
    assert Note.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_case(
    make_token: TokenMaker, facility_x: Facility, unit_a: Unit, audit_log_cleared_after: None
) -> None:
    secret = make_token()[1]
    body = new_case(facility_x, unit_a)
    start = threading.Barrier(3)
    results: list[Any] = []

    def send() -> None:
        client = ApiClient(secret)
        start.wait()
        try:
            results.append(client.post("/api/v1/cases", body, **{"Idempotency-Key": "race"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201, 201, 201]
    assert len({r.json()["reference"] for r in results}) == 1
    assert Case.objects.count() == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in results) == 2
