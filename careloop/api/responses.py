"""The error responses each operation documents (all problem details)."""

from __future__ import annotations

from careloop.api.problems import Problem

ALWAYS = (400, 401, 403, 422, 429)


def errors_with(*statuses: int) -> dict[int, type[Problem]]:
    """Problem responses for the statuses every authenticated call may give (400: a body that
    is not JSON), plus `statuses`."""
    return dict.fromkeys(sorted({*ALWAYS, *statuses}), Problem)
