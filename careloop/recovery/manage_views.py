"""Recovery administration: item types, the authority matrix, budgets (spend against budget),
settings, stock receiving and reconciliation. Another organization's objects are 404; a user who
may not administer them gets 403."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.orgs.permissions import facility_ids_for, org_id_of
from careloop.recovery.configuration import (
    ItemTypeValues,
    authority_limit_set,
    budget_save,
    facility_settings_save,
    item_type_save,
    organization_settings_save,
)
from careloop.recovery.forms import (
    AuthorityForm,
    BudgetForm,
    FacilitySettingsForm,
    ItemTypeForm,
    OrganizationSettingsForm,
    ReconcileForm,
    StockReceiveForm,
    VoidForm,
)
from careloop.recovery.models import (
    AuthorityLimit,
    Budget,
    ItemType,
    Period,
    StockItem,
    StockStatus,
)
from careloop.recovery.permissions import (
    can_administer_any,
    can_administer_facility,
    can_administer_organization,
)
from careloop.recovery.rules import budget_level, budget_share
from careloop.recovery.selectors import (
    budget_spent,
    facility_settings,
    item_types_for,
    organization_settings,
    stock_reconciliation,
)
from careloop.recovery.stock import serials_parse, stock_receive, stock_write_off

STOCK_LIST_LIMIT = 500


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _org_admin(user: User) -> Organization:
    organization_id = org_id_of(user)
    if not can_administer_organization(user, organization_id):
        raise PermissionDenied("Only organization administrators can change this.")
    return Organization.objects.get(pk=organization_id)


def _facilities(user: User) -> QuerySet[Facility]:
    """Facilities of the user's organization that the user administers."""
    facilities = Facility.objects.filter(organization_id=org_id_of(user))
    allowed = facility_ids_for(user, "administer")
    return facilities if allowed is None else facilities.filter(pk__in=allowed)


def _facility(user: User, facility_id: int) -> Facility:
    facility = Facility.objects.filter(pk=facility_id, organization_id=org_id_of(user)).first()
    if facility is None:
        raise Http404("No such facility.")
    if not can_administer_facility(user, facility):
        raise PermissionDenied("Only administrators of this facility manage its recovery.")
    return facility


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, back: str, status: int
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back}
    return render(request, "recovery/form_page.html", context, status=status)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_administer_any(user):
        raise PermissionDenied("Only administrators manage recovery.")
    context = {
        "org_admin": can_administer_organization(user, org_id_of(user)),
        "facilities": _facilities(user),
    }
    return render(request, "recovery/manage_index.html", context)


# --- item types ---------------------------------------------------------------------------------


@require_GET
@login_required
def item_types(request: HttpRequest) -> HttpResponse:
    organization = _org_admin(_user(request))
    types = item_types_for(organization.pk, active_only=False)
    return render(request, "recovery/item_types.html", {"item_types": types})


@require_http_methods(["GET", "POST"])
@login_required
def item_type_edit(request: HttpRequest, item_type_id: int | None = None) -> HttpResponse:
    user = _user(request)
    organization = _org_admin(user)
    item = None
    if item_type_id is not None:
        item = ItemType.objects.filter(pk=item_type_id, organization=organization).first()
        if item is None:
            raise Http404("No such item type.")
    initial = {f: getattr(item, f) for f in ItemTypeForm.base_fields} if item else None
    form = ItemTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item_type_save(
                actor=user,
                organization=organization,
                values=ItemTypeValues(**form.cleaned_data),
                item_type=item,
                now=utcnow(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Item type saved.")
            return redirect("recovery:item_types")
    status = 400 if request.method == "POST" else 200
    title = f"Edit item type: {item.name}" if item else "Add an item type"
    return _form_page(request, form, title, reverse("recovery:item_types"), status)


# --- the authority matrix -----------------------------------------------------------------------


def _matrix_initial(types: list[ItemType]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for item in types:
        for role in Role.values:
            initial[f"{item.pk}-{role}-period"] = Period.CALENDAR_YEAR
    for row in AuthorityLimit.objects.filter(item_type__in=types):
        prefix = f"{row.item_type_id}-{row.role}"
        initial |= {
            f"{prefix}-per_case": row.per_case,
            f"{prefix}-per_client": row.per_client,
            f"{prefix}-period": row.period,
        }
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def authority(request: HttpRequest) -> HttpResponse:
    """Per role and item type: the limit per case and per client per period. A blank cell
    means nothing without approval."""
    user = _user(request)
    organization = _org_admin(user)
    types = list(item_types_for(organization.pk))
    initial = _matrix_initial(types)
    form = AuthorityForm(request.POST or None, item_types=types, initial=initial)
    if request.method == "POST" and form.is_valid():
        now = utcnow()
        try:
            for item, role, _label in form.cells:
                prefix = f"{item.pk}-{role}"
                per_case = form.cleaned_data[f"{prefix}-per_case"]
                per_client = form.cleaned_data[f"{prefix}-per_client"]
                if per_case is None and per_client is None and f"{prefix}-per_case" not in initial:
                    continue
                authority_limit_set(
                    actor=user,
                    item_type=item,
                    role=role,
                    per_case=per_case if per_case is not None else Decimal("0.00"),
                    per_client=per_client if per_client is not None else Decimal("0.00"),
                    period=form.cleaned_data[f"{prefix}-period"],
                    now=now,
                )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Authority matrix saved.")
            return redirect("recovery:authority")
    status = 400 if request.method == "POST" else 200
    return render(request, "recovery/authority.html", {"form": form}, status=status)


# --- budgets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    budget: Budget
    spent: Decimal
    share: Decimal
    level: str


def _units(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(facility__in=_facilities(user)).select_related("facility")


@require_GET
@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    """Every budget of the units the user administers, with spend against it."""
    user = _user(request)
    if not can_administer_any(user):
        raise PermissionDenied("Only administrators manage budgets.")
    rows = []
    for budget in Budget.objects.filter(unit__in=_units(user)).select_related("unit__facility"):
        spent = budget_spent(budget)
        rows.append(
            BudgetRow(
                budget=budget,
                spent=spent,
                share=budget_share(spent=spent, budget=budget.amount),
                level=budget_level(spent=spent, budget=budget.amount),
            )
        )
    return render(request, "recovery/budgets.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def budget_edit(request: HttpRequest, budget_id: int | None = None) -> HttpResponse:
    user = _user(request)
    if not can_administer_any(user):
        raise PermissionDenied("Only administrators manage budgets.")
    budget = None
    if budget_id is not None:
        budget = (
            Budget.objects.filter(pk=budget_id, unit__facility__organization_id=org_id_of(user))
            .select_related("unit__facility")
            .first()
        )
        if budget is None:
            raise Http404("No such budget.")
        if not can_administer_facility(user, budget.unit.facility):
            raise PermissionDenied("Only administrators of this facility set its budgets.")
    fields = ("unit", "start_on", "end_on", "amount", "currency")
    initial = {f: getattr(budget, f) for f in fields} if budget else None
    form = BudgetForm(request.POST or None, units=_units(user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            budget_save(actor=user, budget=budget, now=utcnow(), **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Budget saved.")
            return redirect("recovery:budgets")
    status = 400 if request.method == "POST" else 200
    title = "Edit a budget" if budget else "Add a budget"
    return _form_page(request, form, title, reverse("recovery:budgets"), status)


# --- settings -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organization = _org_admin(user)
    current = organization_settings(organization.pk)
    initial = {
        "script": current.script,
        "block_budget_at_100": current.block_budget_at_100,
        "amount_ceiling": current.amount_ceiling,
    }
    form = OrganizationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organization_settings_save(
                actor=user, organization=organization, now=utcnow(), **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Recovery settings saved.")
            return redirect("recovery:manage")
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, "Recovery settings", reverse("recovery:manage"), status)


@require_http_methods(["GET", "POST"])
@login_required
def facility_settings_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = _facility(user, facility_id)
    current = facility_settings(facility)
    initial = {"r11_guard": current.r11_guard, "r11_period": current.r11_period}
    form = FacilitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            facility_settings_save(actor=user, facility=facility, now=utcnow(), **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Settings of {facility.name} saved.")
            return redirect("recovery:manage")
    status = 400 if request.method == "POST" else 200
    title = f"Recovery settings of {facility.name}"
    return _form_page(request, form, title, reverse("recovery:manage"), status)


# --- stock --------------------------------------------------------------------------------------


def _serialized(facility: Facility) -> QuerySet[ItemType]:
    return item_types_for(facility.organization_id, active_only=False).filter(serialized=True)


@require_http_methods(["GET", "POST"])
@login_required
def stock(request: HttpRequest, facility_id: int) -> HttpResponse:
    """Receive serials into the facility's stock (paste one a line) and see what is there."""
    user = _user(request)
    facility = _facility(user, facility_id)
    form = StockReceiveForm(request.POST or None, item_types=_serialized(facility))
    if request.method == "POST" and form.is_valid():
        try:
            received = stock_receive(
                actor=user,
                facility=facility,
                item_type=form.cleaned_data["item_type"],
                serials=serials_parse(form.cleaned_data["serials"]),
                now=utcnow(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Received {len(received)} into stock.")
            return redirect("recovery:stock", facility_id=facility.pk)
    items = (
        StockItem.objects.filter(facility=facility)
        .select_related("item_type")
        .order_by("item_type__name", "serial")[:STOCK_LIST_LIMIT]
    )
    status = 400 if request.method == "POST" else 200
    context = {"facility": facility, "form": form, "items": items, "in_stock": StockStatus.IN_STOCK}
    return render(request, "recovery/stock.html", context, status=status)


@require_POST
@login_required
def stock_void(request: HttpRequest, facility_id: int, stock_item_id: int) -> HttpResponse:
    user = _user(request)
    facility = _facility(user, facility_id)
    item = StockItem.objects.filter(pk=stock_item_id, facility=facility).first()
    if item is None:
        raise Http404("No such serial.")
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to write a serial off.")
        return redirect("recovery:stock", facility_id=facility.pk)
    try:
        stock_write_off(
            actor=user, stock_item=item, reason=form.cleaned_data["reason"], now=utcnow()
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Serial {item.serial} written off.")
    return redirect("recovery:stock", facility_id=facility.pk)


@require_http_methods(["GET", "POST"])
@login_required
def reconcile(request: HttpRequest, facility_id: int) -> HttpResponse:
    """Received - issued - voided = on hand per item type, with every difference. Posting a
    physical count compares it too (a read: nothing is written)."""
    user = _user(request)
    facility = _facility(user, facility_id)
    types = _serialized(facility)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ReconcileForm(data, item_types=types)
    report, status = None, 200
    if form.is_bound and form.is_valid():
        counted = None
        try:
            if form.cleaned_data["counted"].strip():
                counted = serials_parse(form.cleaned_data["counted"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("counted", message)
            status = 400
        else:
            report = stock_reconciliation(
                facility=facility, item_type=form.cleaned_data["item_type"], counted=counted
            )
    elif form.is_bound:
        status = 400
    reports = (
        [(t, stock_reconciliation(facility=facility, item_type=t)) for t in types]
        if not form.is_bound
        else []
    )
    context = {"facility": facility, "form": form, "report": report, "reports": reports}
    return render(request, "recovery/reconcile.html", context, status=status)
