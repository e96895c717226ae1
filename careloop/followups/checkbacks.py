"""Check-backs: some days after a resolution, ask the client "Was this put right?".

Scheduled inside the resolving transaction (cases.services.case_move), cancelled when the case is
reopened or resolved again, sent, reminded and expired by `followups_sweep`. Every writer locks
the case row first, then the check-back; the sweep claims each step with a conditional UPDATE,
so with any number of sweepers a question, a reminder or an expiry happens once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from careloop.cases.models import Case, ContactPreference, Kind, Status
from careloop.cases.timeline import case_event_record
from careloop.core.time import utcnow
from careloop.followups.models import (
    ACTIVE_STATUSES,
    Answer,
    CheckBack,
    CheckBackChannel,
    CheckBackLink,
    CheckBackStatus,
)
from careloop.followups.selectors import followup_settings_for
from careloop.followups.tokens import token_hash, token_new
from careloop.intake.models import ClientAccess
from careloop.orgs.models import User

SWEEP_LIMIT = 100
# Kinds with nothing to put right: thanks and ideas get no "Was this put right?".
NOTHING_TO_PUT_RIGHT = frozenset({Kind.COMPLIMENT, Kind.SUGGESTION})

_BY: dict[str, str] = {CheckBackChannel.EMAIL: "email", CheckBackChannel.SMS: "text message"}

# Why a resolution gets no automatic check-back (staff-facing, for the timeline).
_NOT_SENT: dict[str, str] = {
    ContactPreference.PHONE: "the client prefers phone calls: call them to ask",
    ContactPreference.LETTER: "the client prefers letters: ask them in writing",
    ContactPreference.EMAIL: "no email address is recorded for the client",
}


def _event(
    *,
    check_back: CheckBack,
    case: Case,
    kind: str,
    summary: str,
    now: datetime,
    actor: User | None = None,
    old: str | None = None,
    fields: tuple[str, ...] = ("status",),
) -> None:
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="U" if old is not None else "C",
        kind=kind,
        summary=summary,
        changes={"status": (old, check_back.status)},
        fields=list(fields),
        object_type="checkback",
        object_id=str(check_back.pk),
    )


# --- scheduling (inside the caller's transaction; the case row is already locked) -------------


def checkback_on_move(*, case: Case, actor: User | None, old_status: str, now: datetime) -> None:
    """case_move's hook: a resolution schedules a check-back (replacing any earlier one); a
    reopening cancels the active one."""
    if case.status == Status.RESOLVED:
        checkback_schedule(case=case, actor=actor, now=now)
    elif old_status in (Status.RESOLVED, Status.CLOSED) and case.status == Status.INVESTIGATING:
        checkbacks_cancel(case=case, actor=actor, reason="the case was reopened", now=now)


def checkback_schedule(*, case: Case, actor: User | None, now: datetime) -> CheckBack | None:
    """Schedule the check-back for the case's current resolution by the client's preferred
    channel, or record on the timeline why there is none. Runs in the caller's transaction
    with the case row locked."""
    if case.resolved_at is None:
        raise ValueError("Only a resolved case gets a check-back.")
    checkbacks_cancel(case=case, actor=actor, reason="a new resolution replaces it", now=now)
    if case.kind in NOTHING_TO_PUT_RIGHT:
        return None
    preference = case.contact_preference
    if preference == ContactPreference.SMS:
        return _create(case=case, actor=actor, channel=CheckBackChannel.SMS, now=now)
    if preference == ContactPreference.EMAIL and case.reporter_email:
        return _create(case=case, actor=actor, channel=CheckBackChannel.EMAIL, now=now)
    _not_sent_record(case=case, actor=actor, now=now)
    return None


def _create(*, case: Case, actor: User | None, channel: str, now: datetime) -> CheckBack:
    assert case.resolved_at is not None  # noqa: S101  # checked by the caller
    after = followup_settings_for(organization_id=case.organization_id).checkback_after_days
    check_back = CheckBack.objects.create(
        case=case,
        resolution_at=case.resolved_at,
        channel=channel,
        status=CheckBackStatus.SCHEDULED,
        due_at=case.resolved_at + timedelta(days=after),
        created_at=now,
    )
    local_due = check_back.due_at.astimezone(ZoneInfo(case.facility.time_zone))
    summary = f"Check-back by {_BY[channel]} scheduled for {local_due:%Y-%m-%d %H:%M %Z}"
    kind = "checkback_scheduled"
    _event(check_back=check_back, case=case, kind=kind, summary=summary, now=now, actor=actor)
    return check_back


def _not_sent_record(*, case: Case, actor: User | None, now: datetime) -> None:
    status_page = ClientAccess.objects.filter(case=case, revoked_at__isnull=True).exists()
    if case.contact_preference in _NOT_SENT:
        summary = f"No automatic check-back: {_NOT_SENT[case.contact_preference]}"
    elif status_page:
        summary = "Check-back through the status page only: the client left no contact"
    else:
        summary = "No check-back: the client left no way to reach them and has no status page"
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="checkback_not_sent",
        summary=summary,
        changes={"contact_preference": (None, case.contact_preference)},
    )


def checkbacks_cancel(*, case: Case, actor: User | None, reason: str, now: datetime) -> int:
    """Cancel the case's active check-back (a reopening, a new resolution). In the caller's
    transaction, with the case row locked."""
    cancelled = 0
    for check_back in CheckBack.objects.filter(case=case, status__in=ACTIVE_STATUSES):
        old = check_back.status
        claimed = CheckBack.objects.filter(pk=check_back.pk, status=old).update(
            status=CheckBackStatus.CANCELLED, ended_at=now, next_reminder_at=None
        )
        if claimed:
            check_back.status = CheckBackStatus.CANCELLED
            _event(
                check_back=check_back,
                case=case,
                kind="checkback_cancelled",
                summary=f"Check-back cancelled: {reason}",
                now=now,
                actor=actor,
                old=old,
            )
            cancelled += 1
    return cancelled


def checkback_mark_answered(*, case: Case, resolution_at: datetime, now: datetime) -> None:
    """The client answered for this resolution (by any route): no question or reminder goes
    out any more. In followup_record_answer's transaction, with the case row locked."""
    for check_back in CheckBack.objects.filter(
        case=case, resolution_at=resolution_at, status__in=ACTIVE_STATUSES
    ):
        old = check_back.status
        claimed = CheckBack.objects.filter(pk=check_back.pk, status=old).update(
            status=CheckBackStatus.ANSWERED, answered_at=now, next_reminder_at=None
        )
        if claimed:
            check_back.status = CheckBackStatus.ANSWERED
            _event(
                check_back=check_back,
                case=case,
                kind="checkback_answered",
                summary="Check-back answered by the client",
                now=now,
                old=old,
                fields=("status", "answered_at"),
            )


# --- the sweep ----------------------------------------------------------------------------------


def followups_sweep(*, now: datetime, limit: int = SWEEP_LIMIT) -> int:
    """Send due check-backs, send due reminders, record expiries; return how many steps were
    taken. Call outside any transaction: each step commits on its own."""
    steps: tuple[tuple[Q, str, Callable[[int, datetime], bool]], ...] = (
        (_expiring(now), "expires_at", _expire),
        (_sending(now), "due_at", _send),
        (_reminding(now), "next_reminder_at", _remind),
    )
    done = 0
    for due, order, step in steps:
        ids = list(
            CheckBack.objects.filter(due).order_by(order, "pk").values_list("pk", flat=True)[:limit]
        )
        done += sum(1 for pk in ids if step(pk, now))
    return done


def followups_sweep_summary() -> str:
    """For the worker's sweep loop: counts only."""
    done = followups_sweep(now=utcnow())
    return f"{done} check-back steps (sent, reminded or expired)" if done else ""


def _sending(now: datetime) -> Q:
    return Q(status=CheckBackStatus.SCHEDULED, due_at__lte=now)


def _reminding(now: datetime) -> Q:
    return Q(status=CheckBackStatus.SENT, next_reminder_at__lte=now, expires_at__gt=now)


def _expiring(now: datetime) -> Q:
    return Q(status=CheckBackStatus.SENT, expires_at__lte=now)


def _locked(check_back_id: int) -> tuple[Case, CheckBack] | None:
    """Lock the case, then read its check-back (the order every writer keeps)."""
    case_id = CheckBack.objects.filter(pk=check_back_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return None
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("facility", "organization")
        .get(pk=case_id)
    )
    return case, CheckBack.objects.get(pk=check_back_id)


def _stale(case: Case, check_back: CheckBack) -> str:
    """Why the question can no longer be sent ("" if it can)."""
    if case.erased_at is not None:
        return "the client's details were erased"
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return "the case is no longer resolved"
    if case.resolved_at != check_back.resolution_at:
        return "a new resolution replaces it"
    if check_back.channel == CheckBackChannel.SMS:
        from careloop.sms.services import sms_unsendable_reason

        return sms_unsendable_reason(case)
    try:
        validate_email(case.reporter_email)
    except ValidationError:
        return "no valid email address is recorded for the client"
    return ""


def _end(*, case: Case, check_back: CheckBack, reason: str, now: datetime) -> bool:
    old = check_back.status
    if CheckBack.objects.filter(pk=check_back.pk, status=old).update(
        status=CheckBackStatus.CANCELLED, ended_at=now, next_reminder_at=None
    ):
        check_back.status = CheckBackStatus.CANCELLED
        _event(
            check_back=check_back,
            case=case,
            kind="checkback_cancelled",
            summary=f"Check-back cancelled: {reason}",
            now=now,
            old=old,
        )
    return False


def _link_urls(*, check_back: CheckBack, now: datetime) -> dict[str, str]:
    """A fresh token for this email; only its hash is stored."""
    token = token_new()
    CheckBackLink.objects.create(
        check_back=check_back, token_hash=token_hash(token), created_at=now
    )
    base = settings.CARELOOP_BASE_URL
    return {
        f"{answer}_url": base + reverse("followups:answer", args=[token, answer])
        for answer in Answer.values
    }


def _queue(*, case: Case, check_back: CheckBack, template: str, now: datetime) -> None:
    from careloop.messaging.services import message_queue

    context = {
        "reference": case.reference,
        "facility_name": case.facility.name,
        "phone": case.facility.phone,
        **_link_urls(check_back=check_back, now=now),
    }
    if check_back.channel == CheckBackChannel.SMS:
        from careloop.sms.services import sms_case_queue

        # _stale checked the number; the links are not kept once sent.
        sms_case_queue(
            case=case, template=template, context=context, now=now, redact_after_send=True
        )
        return
    message_queue(
        case=case,
        to=case.reporter_email,
        template=template,
        language=case.language,
        context=context,
        now=now,
        redact_after_send=True,  # the links are not kept once sent
    )


@transaction.atomic
def _send(check_back_id: int, now: datetime) -> bool:
    locked = _locked(check_back_id)
    if locked is None:
        return False
    case, check_back = locked
    if check_back.status != CheckBackStatus.SCHEDULED or check_back.due_at > now:
        return False  # another sweeper took it, or it changed
    reason = _stale(case, check_back)
    if reason:
        return _end(case=case, check_back=check_back, reason=reason, now=now)
    config = followup_settings_for(organization_id=case.organization_id)
    expires_at = now + timedelta(days=config.link_valid_days)
    next_reminder = now + timedelta(days=config.reminder_after_days)
    next_reminder_at = next_reminder if config.reminders and next_reminder < expires_at else None
    claimed = CheckBack.objects.filter(pk=check_back.pk, status=CheckBackStatus.SCHEDULED).update(
        status=CheckBackStatus.SENT,
        sent_at=now,
        expires_at=expires_at,
        next_reminder_at=next_reminder_at,
    )
    if not claimed:
        return False
    check_back.status = CheckBackStatus.SENT
    _queue(case=case, check_back=check_back, template="followup_checkback", now=now)
    _event(
        check_back=check_back,
        case=case,
        kind="checkback_sent",
        summary=f"Check-back sent by {_BY[check_back.channel]}: was it put right?",
        now=now,
        old=CheckBackStatus.SCHEDULED,
        fields=("status", "sent_at", "expires_at"),
    )
    return True


@transaction.atomic
def _remind(check_back_id: int, now: datetime) -> bool:
    locked = _locked(check_back_id)
    if locked is None:
        return False
    case, check_back = locked
    if not CheckBack.objects.filter(_reminding(now), pk=check_back.pk).exists():
        return False
    reason = _stale(case, check_back)
    if reason:
        return _end(case=case, check_back=check_back, reason=reason, now=now)
    assert check_back.expires_at is not None  # noqa: S101  # set when sent
    config = followup_settings_for(organization_id=case.organization_id)
    count = check_back.reminders_sent + 1
    following = now + timedelta(days=config.reminder_after_days)
    more = count < config.reminders and following < check_back.expires_at
    claimed = CheckBack.objects.filter(
        _reminding(now), pk=check_back.pk, reminders_sent=check_back.reminders_sent
    ).update(reminders_sent=count, next_reminder_at=following if more else None)
    if not claimed:
        return False
    _queue(case=case, check_back=check_back, template="followup_checkback_reminder", now=now)
    case_event_record(
        case=case,
        actor=None,
        at=now,
        kind="checkback_reminded",
        summary=f"Check-back reminder {count} sent by {_BY[check_back.channel]}",
        changes={"reminders_sent": (count - 1, count)},
        object_type="checkback",
        object_id=str(check_back.pk),
    )
    return True


@transaction.atomic
def _expire(check_back_id: int, now: datetime) -> bool:
    locked = _locked(check_back_id)
    if locked is None:
        return False
    case, check_back = locked
    claimed = CheckBack.objects.filter(_expiring(now), pk=check_back.pk).update(
        status=CheckBackStatus.EXPIRED_UNANSWERED, ended_at=now, next_reminder_at=None
    )
    if not claimed:
        return False
    check_back.status = CheckBackStatus.EXPIRED_UNANSWERED
    _event(
        check_back=check_back,
        case=case,
        kind="checkback_expired",
        summary="Check-back expired: no answer from the client",
        now=now,
        old=CheckBackStatus.SENT,
        fields=("status", "ended_at"),
    )
    return True
