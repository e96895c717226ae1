"""Recovery on the case page and the approvals queue. Each view parses input, fetches through a
scope (out of scope is 404), calls one service (a forbidden action is 403), and goes back."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.cases.selectors import case_get_for
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label, roles_for, scope_q
from careloop.recovery.approvals import recovery_approve, recovery_decline
from careloop.recovery.clients import (
    case_client_link,
    recovery_client_create,
    recovery_client_set_beneficiary,
)
from careloop.recovery.corrections import recovery_redeem, recovery_void
from careloop.recovery.forms import (
    BeneficiaryForm,
    ClientCreateForm,
    ClientLinkForm,
    DecisionForm,
    GiveForm,
    VoidForm,
    form_token,
)
from careloop.recovery.ledger import money
from careloop.recovery.models import AuthorityLimit, EntryKind, LedgerEntry, RecoveryClient
from careloop.recovery.permissions import can_approve_compliance, can_give_recovery
from careloop.recovery.rules import TIMES
from careloop.recovery.selectors import RecoveryAction, item_types_for, pending_requests_for
from careloop.recovery.services import (
    AlreadySubmitted,
    RecoveryOrder,
    RecoveryOutcome,
    recovery_issue,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _case(user: User, case_id: int) -> Case:
    """The case if in scope (else 404); the read is audited as an action."""
    return case_get_for(user=user, case_id=case_id, now=utcnow(), purpose="act")


def _back(case_id: int | None) -> HttpResponseRedirect:
    """To the case page's top, where the messages (and budget warnings) show; the recovery
    panel follows right below the heading."""
    return HttpResponseRedirect(reverse("web:case", args=[case_id]))


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, errors: ErrorDict) -> None:
    for field, problems in errors.items():
        label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
        for problem in problems:
            messages.error(request, f"{label}{problem}")


def _check_give(user: User, case: Case) -> None:
    if not can_give_recovery(user, case):
        raise PermissionDenied("Your role cannot give recovery on this case.")


# --- the client -------------------------------------------------------------------------------


@require_POST
@login_required
def client_link(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, case_id)
    _check_give(user, case)
    form = ClientLinkForm(request.POST)
    if not form.is_valid():
        raise Http404("No such client.")
    client = RecoveryClient.objects.filter(
        pk=form.cleaned_data["client"], organization_id=case.organization_id, case_only=False
    ).first()
    if client is None:
        raise Http404("No such client.")
    try:
        case_client_link(actor=user, case=case, client=client, now=utcnow())
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Client linked: recovery on this case counts against them.")
    return _back(case.pk)


@require_POST
@login_required
def client_create(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, case_id)
    _check_give(user, case)
    form = ClientCreateForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form.errors)
        return _back(case.pk)
    d = form.cleaned_data
    try:
        recovery_client_create(
            actor=user,
            case=case,
            display_name=d["display_name"],
            identifier=d["identifier"],
            beneficiary=d["beneficiary"],
            case_only=d["case_only"],
            now=utcnow(),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Client created and linked to this case.")
    return _back(case.pk)


@require_POST
@login_required
def client_beneficiary(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, case_id)
    form = BeneficiaryForm(request.POST)
    form.is_valid()
    try:
        recovery_client_set_beneficiary(
            actor=user, case=case, beneficiary=form.cleaned_data["beneficiary"], now=utcnow()
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Medicare/Medicaid status saved.")
    return _back(case.pk)


# --- giving -------------------------------------------------------------------------------------


def _report(request: HttpRequest, outcome: RecoveryOutcome) -> None:
    r = outcome.request
    what = f"{r.quantity} {TIMES} {r.item_type.name} ({money(r.currency, r.value)})"
    if outcome.issue is not None:
        messages.success(request, f"Given: {what}.")
    else:
        messages.info(request, f"Requested: {what}. Waiting for {outcome.waiting_for}.")
    for warning in outcome.warnings:
        messages.warning(request, f"Warning: {warning}")


@require_POST
@login_required
def give(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = _case(user, case_id)
    _check_give(user, case)
    form = GiveForm(request.POST, item_types=item_types_for(case.organization_id))
    if form.is_valid():
        d = form.cleaned_data
        order = RecoveryOrder(
            item_type=d["item_type"],
            quantity=d["quantity"],
            unit_value=d["unit_value"],
            serial=d["serial"],
            reason_code=d["reason_code"],
            exception_reason=d["exception_reason"],
            idempotency_key=d["form_token"],
        )
        try:
            outcome = recovery_issue(actor=user, case=case, order=order, now=utcnow())
        except AlreadySubmitted:
            messages.info(request, "This form was already submitted; it was recorded once.")
            return _back(case.pk)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            _report(request, outcome)
            return _back(case.pk)
    if "form_token" in form.errors:  # an expired form: let the corrected one go through
        data = request.POST.copy()
        data["form_token"] = form_token()
        form.data = data
    timezone.activate(ZoneInfo(case.facility.time_zone))
    return render(request, "recovery/give.html", {"case": case, "form": form}, status=400)


# --- decisions ----------------------------------------------------------------------------------


def _entry_for(user: User, entry_id: int, kind: str) -> LedgerEntry:
    """A request or issue on a case in the user's scope; anything else is 404."""
    entry = (
        LedgerEntry.objects.filter(scope_q(user, prefix="case__"), pk=entry_id, kind=kind)
        .select_related("case", "item_type")
        .first()
    )
    if entry is None:
        raise Http404("No such recovery entry.")
    return entry


def _after(request: HttpRequest, entry: LedgerEntry, where: str) -> HttpResponseRedirect:
    if where == "queue":
        return HttpResponseRedirect(reverse("recovery:approvals"))
    return _back(entry.case_id)


@require_POST
@login_required
def decide(request: HttpRequest, entry_id: int, decision: str) -> HttpResponse:
    """Approve or decline a request in one click, with a reason."""
    user = _user(request)
    entry = _entry_for(user, entry_id, EntryKind.REQUEST)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form.errors)
        return _after(request, entry, "case")
    reason, where = form.cleaned_data["reason"], form.cleaned_data["next"]
    try:
        if decision == "approve":
            outcome = recovery_approve(actor=user, request=entry, reason=reason, now=utcnow())
        else:
            recovery_decline(actor=user, request=entry, reason=reason, now=utcnow())
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if decision == "approve":
            _report(request, outcome)
        else:
            messages.success(request, "Request declined.")
    return _after(request, entry, where)


@require_POST
@login_required
def void(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = _user(request)
    entry = _entry_for(user, entry_id, EntryKind.ISSUE)
    form = VoidForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form.errors)
        return _back(entry.case_id)
    try:
        recovery_void(actor=user, issue=entry, reason=form.cleaned_data["reason"], now=utcnow())
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Voided: a reversing entry was recorded.")
    return _back(entry.case_id)


@require_POST
@login_required
def redeem(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = _user(request)
    entry = _entry_for(user, entry_id, EntryKind.ISSUE)
    try:
        recovery_redeem(actor=user, issue=entry, now=utcnow())
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Redemption recorded.")
    return _back(entry.case_id)


# --- the approvals queue ------------------------------------------------------------------------


def _may_act(user: User) -> Callable[[RecoveryAction], bool]:
    """A cheap hint of who may decide (the service checks fully): not the requester, and a role
    over the case whose per-case limit reaches the request, or a compliance approver."""
    cells = {
        (row.item_type_id, row.role): row.per_case
        for row in AuthorityLimit.objects.filter(
            item_type__organization_id=user.organization_id or 0
        )
    }

    def may(action: RecoveryAction) -> bool:
        r, case = action.request, action.request.case
        if case is None or r.actor_id == user.pk:
            return False
        if r.needs_compliance and can_approve_compliance(user, case):
            return True
        reach = [cells.get((r.item_type_id, role)) for role in roles_for(user, case)]
        return any(limit is not None and limit >= r.value for limit in reach)

    return may


@require_GET
@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Requests waiting for a decision on cases the user may see."""
    user = _user(request)
    pending = pending_requests_for(user=user)
    may = _may_act(user)
    rows = [(action, may(action)) for action in pending]
    if pending and user.organization_id is not None:
        audit_record(
            actor=user,
            action="R",
            event_type="recovery.approvals_listed",
            at=utcnow(),
            organization_id=user.organization_id,
            object_type="recovery_entry",
            fields=["reference", "item_type", "amount"],
            actor_role=role_label(user),
            detail={"case_ids": sorted({a.request.case_id for a in pending if a.request.case_id})},
        )
    return render(request, "recovery/approvals.html", {"rows": rows})
