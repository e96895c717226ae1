"""Schemathesis against the API, in process (the Django WSGI application, a token in the test
database): generated calls to every operation find no server error and no response that
breaks the OpenAPI document (status codes, content types, bodies); the document itself is
validated against the OpenAPI 3.1 meta-schema schemathesis ships (openapi-spec-validator is not
installed). The suite runs a few examples per operation; .ci/run sets
CARELOOP_SCHEMATHESIS_EXAMPLES for a longer run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from careloop.api.api import api
from careloop.api.tests.conftest import TokenMaker
from careloop.conftest import CaseOpener

EXAMPLES = int(os.environ.get("CARELOOP_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def api_secret(settings: Any, make_token: TokenMaker, open_case: CaseOpener) -> Iterator[str]:
    settings.CARELOOP_API_RATE_LIMIT = (10**9, 60)  # measure behaviour, not the limit
    open_case()  # RH-2026-000001 exists, so some generated references find a case
    # Called straight through WSGI, Django would close the test's connection after each
    # request; keep it open, as Django's own test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield make_token()[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema() -> Any:
    """The document /api/v1/openapi.json serves, bound to the WSGI application."""
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


def test_the_openapi_document_is_valid_openapi() -> None:
    assert schema.raw_schema["openapi"].startswith("3.1")
    schema.validate()  # raises jsonschema_rs.ValidationError on an invalid document


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis' decorator is untyped
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_conforms_to_its_openapi_document(case: Any, api_secret: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {api_secret}"}, checks=CHECKS)
