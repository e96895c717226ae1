"""Who hears about a clock at risk or breached, and the email that tells them."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from careloop.orgs.models import Membership, User
from careloop.orgs.permissions import covers
from careloop.policies.models import CaseClock, Notification


def escalation_recipients(*, clock: CaseClock, level: str) -> list[User]:
    case = clock.case
    roles = {r for e in clock.escalations if e.get("at") == level for r in e.get("notify", [])}
    people: dict[int, User] = {}
    if case.owner_id is not None and case.owner is not None:
        people[case.owner.pk] = case.owner
    memberships = Membership.objects.filter(
        role__in=roles, user__organization_id=case.organization_id, user__is_active=True
    ).select_related("user")
    for m in memberships:
        if covers(m, case):
            people[m.user.pk] = m.user
    return [u for u in people.values() if u.email]


def escalation_queue(*, clock: CaseClock, level: str, now: datetime) -> list[Notification]:
    """Record who is told, and send after commit (never inside the transaction)."""
    from careloop.policies.tasks import notification_send

    made = [
        Notification.objects.create(
            clock=clock, level=level, recipient_email=user.email, created_at=now
        )
        for user in escalation_recipients(clock=clock, level=level)
    ]
    for notification in made:
        transaction.on_commit(partial(notification_send.enqueue, notification_id=notification.pk))
    return made


def notification_deliver(*, notification_id: int, now: datetime) -> bool:
    """Send one notification once. The message names the case reference and the clock, never
    the client's words."""
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=now
    )
    if not claimed:
        return False
    n = Notification.objects.select_related("clock__case__facility").get(pk=notification_id)
    case = n.clock.case
    local_due = n.clock.due_at.astimezone(ZoneInfo(case.facility.time_zone))
    word = "BREACHED" if n.level == "breach" else "at risk"
    try:
        send_mail(
            subject=f"[Careloop] {case.reference}: {n.clock.label} {word}",
            message=(
                f"Case {case.reference}: the clock '{n.clock.label}' is {word}.\n"
                f"Due: {local_due:%Y-%m-%d %H:%M %Z} ({case.facility.name} time).\n"
                "Open Careloop to act on it."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[n.recipient_email],
        )
    except Exception:
        # Release the claim so a retry can send it; the task records the failure.
        Notification.objects.filter(pk=notification_id).update(sent_at=None)
        raise
    return True
