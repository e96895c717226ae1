"""What the case page's email panel needs, fetched by the panel itself (the page has already
read the case through its scoped selector)."""

from __future__ import annotations

from typing import Any

from django import template

from careloop.cases.models import Case
from careloop.mail.models import MailAttachment, OutboundBounce

register = template.Library()


@register.simple_tag(takes_context=True)
def mail_panel(context: dict[str, Any]) -> dict[str, Any]:
    case: Case = context["case"]
    if case.erased_at is not None:
        return {"attachments": [], "bounces": []}
    attachments = list(
        MailAttachment.objects.filter(case=case).defer("content").order_by("received_at", "pk")
    )
    bounces = list(OutboundBounce.objects.filter(outbound__case=case).select_related("outbound"))
    return {"attachments": attachments, "bounces": bounces}
