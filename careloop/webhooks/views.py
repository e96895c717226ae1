"""Administration of outbound webhooks (English, like the other administration screens). Only
administrators; another organization's subscription is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.webhooks.forms import SubscriptionForm
from careloop.webhooks.models import WebhookSubscription
from careloop.webhooks.services import (
    subscription_get_for,
    subscription_save,
    subscription_secret_rotate,
    subscription_test_send,
    subscriptions_for,
)

LOG_PAGE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _subscription(user: User, subscription_id: int) -> WebhookSubscription:
    found = subscription_get_for(actor=user, subscription_id=subscription_id)
    if found is None:
        raise Http404("No such subscription.")
    return found


@require_GET
@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    found = subscriptions_for(actor=_user(request))
    return render(request, "webhooks/subscriptions.html", {"subscriptions": found})


@require_http_methods(["GET", "POST"])
@login_required
def subscription_edit(request: HttpRequest, subscription_id: int | None = None) -> HttpResponse:
    user = _user(request)
    current = None if subscription_id is None else _subscription(user, subscription_id)
    if current is None:
        subscriptions_for(actor=user)  # administrators only
    initial = (
        {}
        if current is None
        else {
            "target_url": current.target_url,
            "event_types": current.event_types,
            "active": current.active,
        }
    )
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = subscription_save(
                actor=user, subscription=current, now=utcnow(), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("webhooks:subscription_log", saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "subscription": current}
    return render(request, "webhooks/subscription_edit.html", context, status=status)


@require_GET
@login_required
def subscription_log(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(_user(request), subscription_id)
    page = Paginator(subscription.deliveries.order_by("-created_at", "-pk"), LOG_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "webhooks/subscription_log.html", {"subscription": subscription, "page": page}
    )


@require_POST
@login_required
def subscription_test(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = _user(request)
    subscription = _subscription(user, subscription_id)
    subscription_test_send(actor=user, subscription=subscription, now=utcnow())
    messages.success(request, "Test event queued: it is sent within a minute.")
    return redirect("webhooks:subscription_log", subscription.pk)


@require_POST
@login_required
def subscription_secret(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = _user(request)
    subscription = _subscription(user, subscription_id)
    subscription_secret_rotate(actor=user, subscription=subscription, now=utcnow())
    messages.success(request, "New secret made: update the receiver before the next event.")
    return redirect("webhooks:subscription_log", subscription.pk)
