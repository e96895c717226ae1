"""Sign-in with an audit event for every attempt (AU-2: log-in monitoring)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.orgs.models import User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        assert isinstance(user, User)  # noqa: S101  # our user model
        audit_record(
            actor=user,
            action="L",
            event_type="auth.login",
            at=utcnow(),
            organization_id=user.organization_id,
        )
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        name = str(self.request.POST.get("username", ""))[:150]
        known = User.objects.filter(username=name).first()
        audit_record(
            actor=known,
            action="L",
            event_type="auth.login_failed",
            at=utcnow(),
            organization_id=known.organization_id if known else None,
            outcome="failure",
        )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs)
