"""Staff screens for facility mailboxes (administrators only): the list, the settings form
with what was set aside, and the connection test. Each view parses input, fetches through a
scope, calls one service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.mail.forms import MailboxForm, initial_for
from careloop.mail.models import InboundMessage, Mailbox, Outcome
from careloop.mail.selectors import mail_attachment_get_for
from careloop.mail.services import can_administer_mailbox, mailbox_save, mailbox_test
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import facility_ids_for, has_capability_anywhere, role_label

SET_ASIDE = (Outcome.QUARANTINED, Outcome.RATE_LIMITED, Outcome.AUTO_REPLY, Outcome.BOUNCE)
SET_ASIDE_LIMIT = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _facility(user: User, facility_id: int) -> Facility:
    """A facility of the user's organization (else 404) that the user administers (else 403)."""
    if user.organization_id is None:
        raise Http404("No such facility.")
    facility = Facility.objects.filter(pk=facility_id, organization_id=user.organization_id).first()
    if facility is None:
        raise Http404("No such facility.")
    if not can_administer_mailbox(user, facility):
        raise PermissionDenied("Only administrators can set up a facility's mailbox.")
    return facility


@require_GET
@login_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.organization_id is None or not has_capability_anywhere(user, "administer"):
        raise PermissionDenied("Only administrators can set up mailboxes.")
    facilities = Facility.objects.filter(organization_id=user.organization_id).order_by("name")
    allowed = facility_ids_for(user, "administer")
    if allowed is not None:
        facilities = facilities.filter(pk__in=allowed)
    boxes = {m.facility_id: m for m in Mailbox.objects.filter(facility__in=facilities)}
    rows = [(f, boxes.get(f.pk)) for f in facilities]
    return render(request, "mail/mailboxes.html", {"rows": rows})


def _render(
    request: HttpRequest,
    facility: Facility,
    mailbox: Mailbox | None,
    *,
    form: MailboxForm | None = None,
    status: int = 200,
) -> HttpResponse:
    set_aside: list[InboundMessage] = []
    if mailbox is not None:
        set_aside = list(
            InboundMessage.objects.filter(mailbox=mailbox, outcome__in=SET_ASIDE).order_by(
                "-received_at", "-pk"
            )[:SET_ASIDE_LIMIT]
        )
    if set_aside:
        user = _user(request)
        audit_record(
            actor=user,
            action="R",
            event_type="mail.set_aside_listed",
            at=utcnow(),
            organization_id=facility.organization_id,
            object_type="mailbox",
            object_id=str(mailbox.pk if mailbox else ""),
            fields=["sender", "subject", "outcome", "reason"],
            actor_role=role_label(user),
            detail={"inbound_ids": [m.pk for m in set_aside]},
        )
    context: dict[str, Any] = {
        "facility": facility,
        "mailbox": mailbox,
        "form": form
        or MailboxForm(initial=initial_for(mailbox) if mailbox else None, stored=mailbox),
        "set_aside": set_aside,
    }
    return render(request, "mail/mailbox.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def mailbox_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = _facility(user, facility_id)
    mailbox = Mailbox.objects.filter(facility=facility).first()
    if request.method == "GET":
        return _render(request, facility, mailbox)
    form = MailboxForm(request.POST, stored=mailbox)
    if form.is_valid():
        try:
            mailbox_save(actor=user, facility=facility, data=form.to_input(), now=utcnow())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Mailbox saved.")
            return redirect("mail:mailbox", facility_id=facility.pk)
    return _render(request, facility, mailbox, form=form, status=400)


@require_POST
@login_required
def mailbox_check(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = _facility(user, facility_id)
    mailbox = Mailbox.objects.filter(facility=facility).first()
    if mailbox is None:
        raise Http404("This facility has no mailbox yet.")
    result = mailbox_test(actor=user, mailbox=mailbox, now=utcnow())
    (messages.success if result.startswith("Connected") else messages.error)(request, result)
    return redirect("mail:mailbox", facility_id=facility.pk)


@require_GET
@login_required
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    """Always a download, never shown inline: the file came from outside."""
    attachment = mail_attachment_get_for(
        user=_user(request), case_id=case_id, attachment_id=attachment_id, now=utcnow()
    )
    response = HttpResponse(
        bytes(attachment.content or b""), content_type="application/octet-stream"
    )
    name = attachment.filename.replace('"', "_")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
