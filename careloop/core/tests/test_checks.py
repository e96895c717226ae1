"""Deployment checks."""

from __future__ import annotations

from typing import Any

from careloop.core.checks import base_url_set


def test_a_missing_or_plain_http_base_url_is_a_deploy_warning(settings: Any) -> None:
    settings.CARELOOP_BASE_URL = ""
    assert [w.id for w in base_url_set(None)] == ["careloop.W001"]
    settings.CARELOOP_BASE_URL = "http://careloop.example.org"
    assert [w.id for w in base_url_set(None)] == ["careloop.W001"]
    settings.CARELOOP_BASE_URL = "https://careloop.example.org"
    assert base_url_set(None) == []
