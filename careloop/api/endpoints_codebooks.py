"""/api/v1/codebooks: the organization's codebooks and their codes, read-only."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from careloop.api.auth import TokenAuth, actor_of
from careloop.api.models import Scope
from careloop.api.responses import errors_with
from careloop.api.schemas import CodebookOut, CodeOut
from careloop.orgs.permissions import org_id_of
from careloop.text.models import Code, Codebook

router = Router(tags=["codebooks"])


@router.get(
    "/codebooks",
    auth=TokenAuth(Scope.CODEBOOKS_READ),
    response={200: list[CodebookOut], **errors_with()},
    url_name="codebooks",
    summary="The organization's codebooks with their codes",
)
def codebook_list(request: HttpRequest) -> Any:
    codes = Code.objects.select_related("parent").order_by("position", "id")
    books = Codebook.objects.filter(organization_id=org_id_of(actor_of(request))).prefetch_related(
        Prefetch("codes", queryset=codes)
    )
    return [
        CodebookOut(
            id=book.pk,
            name=book.name,
            source=book.source,
            is_hcat=book.is_hcat,
            codes=[
                CodeOut(
                    code=c.code,
                    label=c.label,
                    parent=c.parent.code if c.parent else None,
                    description=c.description,
                    language=c.language,
                    severity_max=c.severity_max,
                )
                for c in book.codes.all()
            ],
        )
        for book in books
    ]
