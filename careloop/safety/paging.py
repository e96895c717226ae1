"""Who is paged about a safety flag, the page rows, and the email each one sends after commit.

Order: the people on call now, one position at a time; when nobody is on call at opening, the
facility's managers and advocates whose scope covers the case; when the on-call order is
exhausted, its managers and administrators. Nobody is paged twice about one flag."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from careloop.cases.models import Case
from careloop.orgs.models import Membership, Role, User
from careloop.orgs.permissions import covers
from careloop.safety.models import (
    DEFAULT_ESCALATE_AFTER_MINUTES,
    FlagStatus,
    OnCallEntry,
    OnCallRota,
    PageAudience,
    SafetyFlag,
    SafetyPage,
)
from careloop.safety.rota import on_call_order, position_groups
from careloop.safety.screening import RISK_LABELS

NOBODY_ON_CALL_ROLES = frozenset({Role.MANAGER, Role.ADVOCATE})
EXHAUSTED_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def escalate_after(case: Case) -> timedelta:
    rota = OnCallRota.objects.filter(facility_id=case.facility_id).first()
    minutes = rota.escalate_after_minutes if rota else DEFAULT_ESCALATE_AFTER_MINUTES
    return timedelta(minutes=minutes)


def on_call_groups(case: Case, *, now: datetime) -> list[list[User]]:
    """The people on call for the case's facility at `now`, grouped by position."""
    entries = list(
        OnCallEntry.objects.filter(
            rota__facility_id=case.facility_id,
            active=True,
            user__is_active=True,
            user__organization_id=case.organization_id,
        ).select_related("user")
    )
    at_local = now.astimezone(ZoneInfo(case.facility.time_zone))
    groups = position_groups(on_call_order(entries, at_local=at_local))
    return [_unique(entry.user for entry in group) for group in groups]


def covering(case: Case, roles: Iterable[str]) -> list[User]:
    """Active users with an email who hold one of `roles` over the case."""
    memberships = Membership.objects.filter(
        role__in=list(roles), user__organization_id=case.organization_id, user__is_active=True
    ).select_related("user")
    people = [m.user for m in memberships if covers(m, case) and m.user.email]
    return sorted(_unique(people), key=lambda user: user.username)


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def next_recipients(
    case: Case, *, now: datetime, already: set[int], first: bool
) -> tuple[list[User], str]:
    """The next people to page and why: the first on-call group not yet paged; otherwise
    managers and advocates (nobody on call at opening) or managers and administrators (the
    order is exhausted)."""
    for group in on_call_groups(case, now=now):
        fresh = [user for user in group if user.pk not in already]
        if fresh:
            return fresh, PageAudience.ON_CALL
    roles = NOBODY_ON_CALL_ROLES if first else EXHAUSTED_ROLES
    return [u for u in covering(case, roles) if u.pk not in already], PageAudience.FALLBACK


def pages_create(
    *, flag: SafetyFlag, users: list[User], step: int, audience: str, now: datetime
) -> list[SafetyPage]:
    """Page rows for `users`; each email is queued to send after commit."""
    from careloop.safety.tasks import safety_page_send

    due = now + escalate_after(flag.case)
    pages = [
        SafetyPage.objects.create(
            flag=flag, user=user, step=step, audience=audience, sent_at=now, due_ack_by=due
        )
        for user in users
    ]
    for page in pages:
        transaction.on_commit(partial(safety_page_send.enqueue, page_id=page.pk))
    return pages


def _link(path: str) -> str:
    return f"{settings.CARELOOP_BASE_URL}{path}"


def safety_page_deliver(*, page_id: int, now: datetime) -> bool:
    """Email one page once. It names the case reference, the risks and links to the case and
    the acknowledgement page; never the client's words."""
    claimed = SafetyPage.objects.filter(pk=page_id, emailed_at__isnull=True).update(emailed_at=now)
    if not claimed:
        return False
    page = SafetyPage.objects.select_related("user", "flag__case__facility").get(pk=page_id)
    case = page.flag.case
    if not page.user.email or page.acknowledged_at or page.flag.status != FlagStatus.PENDING:
        return False  # someone already has it: a late page would only add noise
    risks = ", ".join(RISK_LABELS.get(r, r) for r in page.flag.risks)
    local_due = page.due_ack_by.astimezone(ZoneInfo(case.facility.time_zone))
    filed = (
        " It was filed as a safety concern pending review."
        if page.flag.filed_as_safety_concern
        else ""
    )
    try:
        send_mail(
            subject=f"[Careloop] Safety screening: {case.reference} ({risks})",
            message=(
                f"Case {case.reference} at {case.facility.name} was flagged by safety screening "
                f"for: {risks}.{filed}\n\n"
                f"Acknowledge this page by {local_due:%Y-%m-%d %H:%M %Z} or the next person "
                f"is paged:\n{_link(reverse('safety:page_ack', args=[page.pk]))}\n\n"
                f"Open the case:\n{_link(reverse('web:case', args=[case.pk]))}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[page.user.email],
        )
    except Exception:
        # Release the claim so a retry can send it; the task records the failure.
        SafetyPage.objects.filter(pk=page_id).update(emailed_at=None)
        raise
    return True
