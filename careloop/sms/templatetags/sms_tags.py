"""What the case page's text message panel needs, fetched by the panel itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from careloop.cases.models import Case
from careloop.messaging.models import MessageChannel, OutboundMessage
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.sms.forms import CaseTextForm
from careloop.sms.models import Voicemail
from careloop.sms.services import sms_client_texts, sms_unsendable_reason

register = template.Library()

RECENT = 10


@dataclass(frozen=True)
class SmsPanel:
    shown: bool
    form: CaseTextForm | None
    unsendable: str
    texts: list[OutboundMessage]
    voicemail: Voicemail | None


@register.simple_tag(takes_context=True)
def sms_panel(context: dict[str, Any]) -> SmsPanel:
    case: Case = context["case"]
    user = context["request"].user
    if case.erased_at is not None:
        return SmsPanel(shown=False, form=None, unsendable="", texts=[], voicemail=None)
    voicemail = Voicemail.objects.filter(case=case).first()
    wants_texts = sms_client_texts(case)
    if not (wants_texts or voicemail):
        return SmsPanel(shown=False, form=None, unsendable="", texts=[], voicemail=None)
    texts = list(
        OutboundMessage.objects.filter(case=case, channel=MessageChannel.SMS).order_by(
            "-created_at", "-pk"
        )[:RECENT]
    )
    may_send = isinstance(user, User) and has_capability(user, "note_case", case)
    unsendable = sms_unsendable_reason(case) if wants_texts else ""
    form = CaseTextForm() if may_send and wants_texts and not unsendable else None
    return SmsPanel(shown=True, form=form, unsendable=unsendable, texts=texts, voicemail=voicemail)
