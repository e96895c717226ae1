"""/imports/: upload -> mapping -> dry-run report -> confirm -> batch page (administrators).

GETs only show; every change is a POST that calls one service. Another organization's batch
and a missing one give the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.imports import services
from careloop.imports.forms import MappingForm, UploadForm
from careloop.imports.mapping import TARGETS
from careloop.imports.models import FINISHED, RUNNING, BatchStatus, ImportBatch
from careloop.imports.selectors import (
    batch_get_for,
    batches_for,
    mapping_choices,
    mapping_spec_for,
    mappings_for,
)
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import org_id_of

PAGE_ROWS = 200


def _importer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not services.can_import(user):
        raise PermissionDenied("Administrators only.")
    return user


def _batch(user: User, batch_id: int) -> ImportBatch:
    batch = batch_get_for(user=user, batch_id=batch_id)
    if batch is None:
        raise Http404("No such import.")
    return batch


def _index(request: HttpRequest, user: User, form: UploadForm, status: int) -> HttpResponse:
    context = {
        "form": form,
        "batches": batches_for(user)[:50],
        "mappings": mappings_for(user),
    }
    return render(request, "imports/index.html", context, status=status)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    return _index(request, user, UploadForm(mappings=mapping_choices(user)), 200)


@require_POST
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    form = UploadForm(request.POST, request.FILES, mappings=mapping_choices(user))
    if form.is_valid():
        chosen = mapping_spec_for(user=user, key=form.cleaned_data["mapping"])
        if chosen is None:
            raise Http404("No such mapping.")
        name, spec = chosen
        upload_file = form.cleaned_data["file"]
        try:
            batch = services.import_batch_upload(
                actor=user,
                file_name=upload_file.name or "upload",
                content=upload_file.read(),
                mapping_name=name,
                spec=spec,
                now=utcnow(),
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("imports:mapping", batch_id=batch.pk)
    return _index(request, user, form, 400)


def _facility_names(user: User) -> list[str]:
    return list(
        Facility.objects.filter(organization_id=org_id_of(user), active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


@require_http_methods(["GET", "POST"])
@login_required
def mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _importer(request)
    batch = _batch(user, batch_id)
    if batch.status in FINISHED or batch.status == BatchStatus.IMPORTING:
        return redirect("imports:batch", batch_id=batch.pk)
    header = services.batch_header(batch)
    form = MappingForm(
        request.POST or None,
        header=header,
        facilities=_facility_names(user),
        spec=batch.mapping_spec,
    )
    if request.method == "POST" and form.is_valid():
        now = utcnow()
        try:
            if form.cleaned_data["save_as"]:
                services.import_mapping_save(
                    actor=user, name=form.cleaned_data["save_as"], spec=form.mapping_spec, now=now
                )
            services.import_batch_check_queue(
                actor=user,
                batch=batch,
                mapping_name=form.cleaned_data["save_as"] or batch.mapping_name,
                spec=form.mapping_spec,
                now=now,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("imports:batch", batch_id=batch.pk)
    status = 400 if request.method == "POST" else 200
    context = {"batch": batch, "form": form, "header": header, "targets": TARGETS}
    return render(request, "imports/mapping.html", context, status=status)


@require_GET
@login_required
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _importer(request)
    batch = _batch(user, batch_id)
    report = batch.report or {}
    context = {
        "batch": batch,
        "report": report,
        "planned": report.get("planned", [])[:PAGE_ROWS],
        "planned_more": max(0, len(report.get("planned", [])) - PAGE_ROWS),
        "can_import": batch.status == BatchStatus.CHECKED
        and not batch.rows_rejected
        and batch.rows_planned > 0,
        "open": batch.status not in FINISHED,
        "running": batch.status in RUNNING,
    }
    return render(request, "imports/batch.html", context)


@require_POST
@login_required
def run(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _importer(request)
    batch = _batch(user, batch_id)
    try:
        services.import_batch_run_queue(actor=user, batch=batch, now=utcnow())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:batch", batch_id=batch.pk)


@require_POST
@login_required
def discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _importer(request)
    batch = _batch(user, batch_id)
    try:
        services.import_batch_discard(actor=user, batch=batch, now=utcnow())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The upload was discarded.")
    return redirect("imports:batch", batch_id=batch.pk)
