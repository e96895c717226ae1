"""Staff screens of text intelligence: accept or correct a suggestion, link cases, emerging
themes per facility, the model registry and codebooks (administrators). Each view parses
input, fetches through a scoped selector, calls one service, renders."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.cases.selectors import case_get_for
from careloop.core.time import utcnow
from careloop.orgs.models import Organization, User
from careloop.text.codebooks import CodebookError, parse_codebook_csv
from careloop.text.evaluation import report_lines
from careloop.text.forms import CodebookImportForm, CorrectionForm, CrosswalkForm, LinkForm
from careloop.text.selectors import (
    can_administer_text,
    codebook_get_for,
    codebooks_for,
    emerging_for,
    facility_for_emerging,
    model_version_get_for,
    model_versions_for,
    suggestion_get_for,
)
from careloop.text.services import (
    case_link_confirm,
    codebook_import,
    coding_correct,
    crosswalk_set,
    suggestion_accept,
)

MAX_WEEKS = 12


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _case_url(case_id: int) -> str:
    return reverse("web:case", args=[case_id]) + "#text-suggestions"


def organization_of(user: User) -> Organization:
    organization = user.organization
    if organization is None:
        raise PermissionDenied("This account belongs to no organization.")
    return organization


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not can_administer_text(user):
        raise PermissionDenied("Only administrators see models and codebooks.")
    return user


@require_POST
@login_required
def suggestion_accept_view(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    user = _user(request)
    suggestion = suggestion_get_for(user=user, suggestion_id=suggestion_id)
    case_id = suggestion.case_id
    assert case_id is not None  # noqa: S101  # the selector reaches suggestions through cases
    try:
        suggestion_accept(actor=user, suggestion=suggestion, now=utcnow())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Suggestion accepted and coded on the case.")
    return redirect(_case_url(case_id))


@require_POST
@login_required
def coding_correct_view(request: HttpRequest, case_id: int, codebook_id: int) -> HttpResponse:
    user = _user(request)
    now = utcnow()
    case = case_get_for(user=user, case_id=case_id, now=now, purpose="code")
    codebook = codebook_get_for(user=user, codebook_id=codebook_id)
    form = CorrectionForm(request.POST, codebook=codebook, prefix=f"cb{codebook.pk}")
    if not form.is_valid():
        messages.error(request, "The correction was not saved: " + form.errors.as_text())
        return redirect(_case_url(case.pk))
    d = form.cleaned_data
    suggestion = None
    if d["suggestion"]:
        suggestion = suggestion_get_for(user=user, suggestion_id=d["suggestion"])
        if suggestion.case_id != case.pk:
            raise Http404("No such suggestion.")
    try:
        coding_correct(
            actor=user,
            codebook=codebook,
            case=case,
            labels=d["labels"],
            severity=d["severity"],
            harm=d["harm"],
            sentiment=d["sentiment"],
            suggestion=suggestion,
            now=now,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Coding corrected; the correction will train the next model.")
    return redirect(_case_url(case.pk))


@require_POST
@login_required
def case_link_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    now = utcnow()
    case = case_get_for(user=user, case_id=case_id, now=now, purpose="link")
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a case and whether it is a duplicate or a repeat.")
        return redirect(_case_url(case.pk))
    other = case_get_for(user=user, case_id=form.cleaned_data["to_case"], now=now, purpose="link")
    try:
        case_link_confirm(
            actor=user, from_case=case, to_case=other, kind=form.cleaned_data["kind"], now=now
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Linked with {other.reference}.")
    return redirect(_case_url(case.pk))


@require_GET
@login_required
def emerging(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = facility_for_emerging(user=user, facility_id=facility_id)
    try:
        weeks = min(max(int(request.GET.get("weeks", "1")), 1), MAX_WEEKS)
    except ValueError:
        weeks = 1
    timezone.activate(ZoneInfo(facility.time_zone))
    found = emerging_for(user=user, facility=facility, weeks=weeks, now=utcnow())
    return render(
        request,
        "text/emerging.html",
        {"facility": facility, "weeks": weeks, "found": found, "week_choices": range(1, 5)},
    )


@require_GET
@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    return render(request, "text/models.html", {"versions": model_versions_for(user)})


@require_GET
@login_required
def model_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    user = _admin(request)
    version = model_version_get_for(user=user, version_id=version_id)
    metrics = version.metrics
    return render(
        request,
        "text/model.html",
        {"version": version, "m": metrics, "lines": report_lines(metrics) if metrics else []},
    )


@require_http_methods(["GET", "POST"])
@login_required
def codebook_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = CodebookImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows = parse_codebook_csv(form.cleaned_data["file"])
                codebook = codebook_import(
                    organization=organization_of(user),
                    actor=user,
                    name=form.cleaned_data["name"],
                    rows=rows,
                    source="CSV upload",
                    now=utcnow(),
                )
            except CodebookError as exc:
                problems = exc.problems
            except ValidationError as exc:
                problems = list(exc.messages)
            else:
                messages.success(request, f"Imported {len(rows)} codes into {codebook.name}.")
                return redirect("text:codebook", codebook.pk)
        status = 400
    return render(
        request,
        "text/codebooks.html",
        {"codebooks": codebooks_for(user), "form": form, "problems": problems},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def codebook_detail(request: HttpRequest, codebook_id: int) -> HttpResponse:
    user = _admin(request)
    codebook = codebook_get_for(user=user, codebook_id=codebook_id)
    form = CrosswalkForm(request.POST or None, codebook=codebook)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                mapped = crosswalk_set(
                    actor=user, codebook=codebook, mapping=form.mapping(), now=utcnow()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Cross-walk saved: {mapped} codes mapped onto HCAT.")
                return redirect("text:codebook", codebook.pk)
        status = 400
    codes = list(codebook.codes.select_related("parent", "crosswalk"))
    return render(
        request,
        "text/codebook.html",
        {"codebook": codebook, "codes": codes, "form": form},
        status=status,
    )
