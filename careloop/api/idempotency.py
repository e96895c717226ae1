"""Idempotency keys on create calls. The key row is inserted first in the same transaction as
the create, so a concurrent retry waits on the unique index and then replays the stored
response; a retry after commit finds the row and replays it. Create responses hold
identifiers and coded fields only, so no client text is copied here."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Schema, Status

from careloop.api.auth import token_of
from careloop.api.models import IdempotencyKey
from careloop.api.problems import ApiProblem
from careloop.core.time import utcnow

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class Created:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """SHA-256 of the call: JSON bodies in a canonical form, so key order and spacing do not
    make a retry look different. Pure."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
        payload = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        payload = body
    return hashlib.sha256(method.encode() + b"\n" + path.encode() + b"\n" + payload).hexdigest()


def _replay(row: IdempotencyKey, fingerprint: str) -> Created:
    if row.request_hash != fingerprint:
        raise ApiProblem(
            422,
            "This Idempotency-Key was used with a different request; use a new key.",
            kind="idempotency-key-reused",
        )
    return Created(status=row.status_code, body=row.response_body, replayed=True)


def idempotent_create(
    request: HttpRequest, response: HttpResponse, *, status: int, create: Callable[[], Schema]
) -> Status[dict[str, Any]]:
    """Run `create` (which calls one service) once per Idempotency-Key of the token; a replay
    is marked with the header Idempotent-Replayed."""
    created = _created_once(request, status=status, create=create)
    if created.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(created.status, created.body)


def _created_once(request: HttpRequest, *, status: int, create: Callable[[], Schema]) -> Created:
    key = request.headers.get(HEADER)
    if key is None:
        with transaction.atomic():
            return Created(status=status, body=create().model_dump(mode="json"))
    if not _KEY.match(key):
        raise ApiProblem(422, f"{HEADER} must be 1 to 255 visible ASCII characters.")
    token = token_of(request)
    fingerprint = request_fingerprint(
        method=request.method or "", path=request.path, body=request.body
    )
    found = IdempotencyKey.objects.filter(token=token, key=key).first()
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                token=token,
                key=key,
                request_hash=fingerprint,
                status_code=status,
                response_body={},
                created_at=utcnow(),
            )
            body = create().model_dump(mode="json")
            row.response_body = body
            row.save(update_fields=["response_body"])
    except IntegrityError:
        found = IdempotencyKey.objects.filter(token=token, key=key).first()
        if found is None:
            raise
        return _replay(found, fingerprint)
    return Created(status=status, body=body)
