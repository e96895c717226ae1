"""Navigation shown on every staff page."""

from __future__ import annotations

from django.http import HttpRequest

from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {
        "nav_can_open": has_capability_anywhere(user, "open_case"),
        "nav_can_admin": has_capability_anywhere(user, "administer"),
        "nav_can_audit": has_capability_anywhere(user, "view_audit"),
        "nav_can_work": has_capability_anywhere(user, "work_case"),
        "nav_can_comply": has_capability_anywhere(user, "approve_compliance"),
    }
