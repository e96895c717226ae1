"""Authentication backend: Django's model backend, loading the user's organization with the user
(every request needs it: scopes, and whether the organization requires two-step sign-in)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from careloop.orgs.models import User


class CareloopBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
