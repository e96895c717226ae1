"""Reads of issued letters, scoped like the case they belong to (out of scope and missing are
the same 404) and audited: a download is a read of the client's letter."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.letters.models import IssuedLetter
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label, scope_q


def issued_letters_of(case: Case) -> QuerySet[IssuedLetter]:
    """A case's issued letters without their PDFs (for listing on a page the caller already
    fetched through a scoped selector)."""
    return IssuedLetter.objects.filter(case=case).defer("pdf").select_related("issued_by")


def issued_letter_get_for(
    *, user: User, case_id: int, letter_id: int, now: datetime
) -> IssuedLetter:
    """One issued letter with its PDF, if the user may see its case; the read is audited."""
    issued = (
        IssuedLetter.objects.filter(
            scope_q(user, prefix="case__"), case_id=case_id, pk=letter_id, erased_at__isnull=True
        )
        .select_related("case")
        .first()
    )
    if issued is None:
        raise Http404("No such letter.")
    audit_record(
        actor=user,
        action="R",
        event_type="letter.downloaded",
        at=now,
        organization_id=issued.case.organization_id,
        case_id=issued.case_id,
        object_type="issued_letter",
        object_id=str(issued.pk),
        fields=["pdf"],
        actor_role=role_label(user, issued.case),
        detail={"kind": issued.kind, "sha256": issued.sha256},
    )
    return issued
