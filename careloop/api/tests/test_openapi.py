"""The OpenAPI 3 document at its stable URL, and the docs page, which loads nothing from
elsewhere."""

from __future__ import annotations

import re

from django.test import Client


def test_the_openapi_document_is_served_at_a_stable_url(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/cases" in document["paths"]
    created = document["paths"]["/api/v1/cases"]["post"]["responses"]
    assert set(created["422"]["content"]) == {"application/problem+json"}
    assert set(created["201"]["content"]) == {"application/json"}
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_lists_operations_and_loads_nothing_from_elsewhere(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "POST /api/v1/cases" in html
    assert 'id="problem-idempotency-key-reused"' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
