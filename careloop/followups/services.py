"""Recording the client's answer to "Was this put right?". "No" or "partly" reopens the case and
tells its owner; "yes" closes the loop. One answer per resolution."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from careloop.cases.models import Case, Status
from careloop.cases.services import case_locked_for_write, case_reopen_for_client
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.followups.models import Answer, FollowUpAnswer

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
                fields=["answer", "comment"],
            )
            if answer != Answer.YES:
                how = "only partly" if answer == Answer.PARTLY else "not"
                case = case_reopen_for_client(
                    case=case, reason=f"the client says it was {how} put right", now=now
                )
                _tell_owner(case=case, now=now)
    except IntegrityError as exc:  # two answers racing for the same resolution
        raise ValidationError("This has already been answered.", code="answered") from exc
    return record


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
