"""/api/tokens/: administrators create and revoke the organization's API tokens. A new
token's secret is shown once, on the page that answers the creating POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careloop.api.forms import TokenForm
from careloop.api.models import ApiToken
from careloop.api.services import api_token_create, api_token_revoke
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_capability_anywhere(user, "administer"):
        raise PermissionDenied("Administrators only.")
    return user


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    organization_id = org_id_of(user)
    form = TokenForm(request.POST or None, organization_id=organization_id)
    secret = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = api_token_create(
                actor=user,
                name=d["name"],
                scopes=list(d["scopes"]),
                role=d["role"],
                facility=d["facility"],
                unit=d["unit"],
                now=utcnow(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            secret = created.secret
            form = TokenForm(organization_id=organization_id)
    tokens = ApiToken.objects.filter(organization_id=organization_id).select_related(
        "facility", "unit", "created_by"
    )
    status = 400 if request.method == "POST" and not secret else 200
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "secret": secret},
        status=status,
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _admin(request)
    token = get_object_or_404(ApiToken, pk=token_id, organization_id=org_id_of(user))
    try:
        api_token_revoke(actor=user, token=token, now=utcnow())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api:tokens")
