"""Letter PDFs for staff: the draft of a case's decision letter (never stored) and the issued
letters as they were sent. Both are reads of the case, scoped and audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from careloop.cases.selectors import case_get_for
from careloop.core.time import utcnow
from careloop.letters.selectors import issued_letter_get_for
from careloop.letters.services import decision_letter_preview
from careloop.orgs.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _pdf(content: bytes, filename: str, *, disposition: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def letter_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    now = utcnow()
    case = case_get_for(user=_user(request), case_id=case_id, now=now, purpose="letter_preview")
    pdf = decision_letter_preview(case=case, now=now)
    return _pdf(pdf, f"{case.reference}-draft.pdf", disposition="inline")


@require_GET
@login_required
def issued_letter_download(request: HttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    issued = issued_letter_get_for(
        user=_user(request), case_id=case_id, letter_id=letter_id, now=utcnow()
    )
    return _pdf(bytes(issued.pdf), issued.filename, disposition="attachment")
