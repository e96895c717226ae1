"""The audit log review screen (administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from careloop.audit.models import AuditReview
from careloop.audit.selectors import audit_events_for_organization
from careloop.audit.services import audit_record, audit_review_record
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere


class ReviewForm(forms.Form):
    up_to_seq = forms.IntegerField(min_value=1)
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AuditFilterForm(forms.Form):
    case_id = forms.IntegerField(required=False, min_value=1, label="Case id")
    actor = forms.CharField(required=False, max_length=150, label="User name")
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _auditor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_capability_anywhere(user, "view_audit"):
        raise PermissionDenied("Administrators only.")
    return user


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    assert user.organization_id is not None  # noqa: S101  # administrators belong to one
    form = AuditFilterForm(request.GET or None)
    events = audit_events_for_organization(organization_id=user.organization_id)
    if form.is_valid():
        if form.cleaned_data["case_id"]:
            events = events.filter(case_id=form.cleaned_data["case_id"])
        if form.cleaned_data["actor"]:
            events = events.filter(actor_label=form.cleaned_data["actor"])
        if form.cleaned_data["before"]:
            events = events.filter(seq__lt=form.cleaned_data["before"])
    page = list(events[:100])
    audit_record(
        actor=user,
        action="R",
        event_type="audit.viewed",
        at=utcnow(),
        organization_id=user.organization_id,
        object_type="audit_log",
        actor_role="admin",
    )
    return render(
        request,
        "web/audit.html",
        {
            "events": page,
            "form": form,
            "review_form": ReviewForm(initial={"up_to_seq": page[0].seq if page else 1}),
            "reviews": AuditReview.objects.filter(organization_id=user.organization_id)[:10],
            "older": page[-1].seq if len(page) == 100 else None,
        },
    )


@require_POST
@login_required
def audit_review(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the last event number you reviewed.")
        return redirect("web:audit")
    audit_review_record(
        actor=user,
        at=utcnow(),
        organization_id=user.organization_id,
        up_to_seq=form.cleaned_data["up_to_seq"],
        notes=form.cleaned_data["notes"],
    )
    messages.success(request, "Review recorded.")
    return redirect("web:audit")
