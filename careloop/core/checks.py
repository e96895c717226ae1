"""Deployment checks (`careloop check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def base_url_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Emails sent by background work (follow-up links, safety pages) need the public address."""
    if settings.CARELOOP_BASE_URL.startswith("https://"):
        return []
    return [
        Warning(
            "CARELOOP_BASE_URL is not an https:// address: links in emails sent by background "
            "work (follow-up questions, safety pages) would not reach this server securely.",
            id="careloop.W001",
        )
    ]
