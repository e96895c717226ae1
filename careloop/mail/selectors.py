"""Scoped, audited reads of what came by email."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404

from careloop.audit.services import audit_record
from careloop.mail.models import MailAttachment
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label, scope_q


def mail_attachment_get_for(
    *, user: User, case_id: int, attachment_id: int, now: datetime
) -> MailAttachment:
    """A kept attachment, if the user may see its case (else 404, as for a missing one); the
    read is audited."""
    attachment = (
        MailAttachment.objects.filter(
            scope_q(user, prefix="case__"),
            case_id=case_id,
            pk=attachment_id,
            content__isnull=False,
            case__erased_at__isnull=True,
        )
        .select_related("case")
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    audit_record(
        actor=user,
        action="R",
        event_type="mail.attachment_downloaded",
        at=now,
        organization_id=attachment.case.organization_id,
        case_id=attachment.case_id,
        object_type="mail_attachment",
        object_id=str(attachment.pk),
        fields=["content"],
        actor_role=role_label(user, attachment.case),
        detail={"sha256": attachment.sha256},
    )
    return attachment
