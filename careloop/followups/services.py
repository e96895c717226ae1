"""Recording the client's answer to "Was this put right?". "No" or "partly" reopens the case and
tells its owner; "yes" closes the loop. One answer per resolution, whether it comes from the
status page or a check-back email's link. Also: an organization's follow-up settings."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.cases.models import Case, Status
from careloop.cases.services import case_locked_for_write, case_reopen_for_client
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.followups.checkbacks import checkback_mark_answered
from careloop.followups.models import Answer, CheckBack, FollowUpAnswer, FollowUpSettings, Via
from careloop.followups.selectors import LinkState, checkback_link_state
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.orgs.services import org_settings_save

COMMENT_LIMIT = 5_000


def followup_open_for(case: Case) -> bool:
    """Whether the client may answer now: resolved or closed, and not yet answered for it."""
    if case.status not in (Status.RESOLVED, Status.CLOSED) or case.resolved_at is None:
        return False
    return not FollowUpAnswer.objects.filter(case=case, resolution_at=case.resolved_at).exists()


def followup_record_answer(
    *, case: Case, answer: str, comment: str, via: str, now: datetime
) -> FollowUpAnswer:
    if answer not in Answer.values:
        raise ValidationError("Choose yes, partly or no.", code="answer")
    if via not in Via.values:
        raise ValueError(f"Unknown route {via!r}")
    comment = clean_text(comment, field="Comment", max_chars=COMMENT_LIMIT)
    try:
        with transaction.atomic():
            case = case_locked_for_write(case)
            if not followup_open_for(case) or case.resolved_at is None:
                raise ValidationError("This has already been answered.", code="answered")
            record = FollowUpAnswer.objects.create(
                case=case,
                answer=answer,
                comment=comment,
                via=via,
                resolution_at=case.resolved_at,
                answered_at=now,
            )
            case_event_record(
                case=case,
                actor=None,
                at=now,
                action="C",
                kind="followup_answered",
                summary=f"Client answered the follow-up: {Answer(answer).label.lower()}",
                object_type="followup",
                object_id=str(record.pk),
                fields=["answer", "comment", "via"],
            )
            checkback_mark_answered(case=case, resolution_at=case.resolved_at, now=now)
            if answer == Answer.YES:
                case_event_record(
                    case=case,
                    actor=None,
                    at=now,
                    kind="loop_closed",
                    summary="Loop closed: the client says it was put right",
                    object_type="followup",
                    object_id=str(record.pk),
                    fields=["answer"],
                )
            else:
                how = "only partly" if answer == Answer.PARTLY else "not"
                case = case_reopen_for_client(
                    case=case, reason=f"the client says it was {how} put right", now=now
                )
                _tell_owner(case=case, now=now)
    except IntegrityError as exc:  # two answers racing for the same resolution
        raise ValidationError("This has already been answered.", code="answered") from exc
    return record


@transaction.atomic
def checkback_answer(
    *, check_back: CheckBack, answer: str, comment: str, now: datetime
) -> FollowUpAnswer:
    """The client answers through a check-back email's link (POST only: a GET never writes).
    Refused with a ValidationError coded "answered", "expired" or "closed" when the link can no
    longer be used, or as followup_record_answer refuses."""
    case_locked_for_write(check_back.case)
    current = CheckBack.objects.select_related("case").get(pk=check_back.pk)
    state = checkback_link_state(check_back=current, now=now)
    if state != LinkState.OPEN:
        raise ValidationError(f"This link can no longer be used ({state}).", code=str(state))
    return followup_record_answer(
        case=current.case, answer=answer, comment=comment, via=Via.EMAIL_LINK, now=now
    )


def _tell_owner(*, case: Case, now: datetime) -> None:
    if case.owner is None or not case.owner.email:
        return
    from careloop.messaging.services import message_queue

    message_queue(
        case=case,
        to=case.owner.email,
        template="followup_reopened",
        language=case.owner.language,
        context={"reference": case.reference},
        now=now,
    )


@transaction.atomic
def followup_settings_save(
    *,
    actor: User,
    checkback_after_days: int,
    reminders: int,
    reminder_after_days: int,
    link_valid_days: int,
    now: datetime,
) -> FollowUpSettings:
    """Change the actor's organization's check-back settings (administrators only). They apply
    to check-backs scheduled, sent or reminded from now on."""
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only organization administrators can change this.")
    organization_id = org_id_of(actor)
    return org_settings_save(
        model=FollowUpSettings,
        organization_id=organization_id,
        values={
            "checkback_after_days": checkback_after_days,
            "reminders": reminders,
            "reminder_after_days": reminder_after_days,
            "link_valid_days": link_valid_days,
        },
        actor=actor,
        event_type="org.followupsettings.changed",
        now=now,
    )
