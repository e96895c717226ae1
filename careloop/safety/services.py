"""Safety flag write paths: recording what screening found at opening, paging, the decision a
person makes, acknowledging a page, and escalating pages nobody acknowledged.

There is deliberately no automatic dismissal: a flag is dismissed only by
`safety_flag_dismiss`, by a person who may work the case, with a reason. Locks: flag, then
page; flag, then case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from careloop.audit.services import audit_record
from careloop.cases.models import Case, Kind
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import has_capability, role_label
from careloop.safety.models import FlagStatus, OnCallEntry, OnCallRota, SafetyFlag, SafetyPage
from careloop.safety.paging import next_recipients, pages_create
from careloop.safety.screening import RISK_LABELS, SafetyDecision
from careloop.webhooks.events import emit_case

REASON_MAX_CHARS = 2000
MIN_ESCALATE_MINUTES, MAX_ESCALATE_MINUTES = 1, 24 * 60


def _labels(risks: list[str]) -> str:
    return ", ".join(RISK_LABELS.get(r, r) for r in risks)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def safety_flag_record(
    *, case: Case, decision: SafetyDecision, now: datetime, page: bool = True
) -> SafetyFlag | None:
    """Record what screening found on a case being opened and page the first people. Runs in
    case_open's transaction after its reference and audit event, so the counter row is locked
    before the audit chain head, in the same order as every other opener. `page=False` (a
    historical case being imported) records the flag for review and pages nobody, so nothing
    escalates either."""
    if not decision.flagged:
        return None
    flag = SafetyFlag.objects.create(
        case=case,
        organization_id=case.organization_id,
        facility_id=case.facility_id,
        risks=list(decision.risks),
        hits=list(decision.hits),
        language=decision.language[:10],
        original_kind=decision.original_kind,
        filed_as_safety_concern=decision.filed_as_safety_concern,
        created_at=now,
    )
    users: list[User] = []
    if page:
        users, audience = next_recipients(case, now=now, already=set(), first=True)
        pages_create(flag=flag, users=users, step=0, audience=audience, now=now)
    filed = " — filed as safety concern pending review" if flag.filed_as_safety_concern else ""
    filed += "" if page else " (imported: nobody paged)"
    case_event_record(
        case=case,
        actor=None,
        at=now,
        kind="safety_flagged",
        summary=f"Safety screening flagged: {_labels(flag.risks)}{filed}",
        changes={"safety_flag": (None, FlagStatus.PENDING), "paged": (None, len(users))},
        action="C",
        fields=["risks", "hits"],
        object_type="safety_flag",
        object_id=str(flag.pk),
    )
    if page:  # an imported case's old flag is not news to subscribers
        emit_case("safety.concern", case, at=now, safety_flag_id=flag.pk, risks=sorted(flag.risks))
    return flag


def _locked_flag(flag: SafetyFlag) -> SafetyFlag:
    return (
        SafetyFlag.objects.select_for_update(of=("self",))
        .select_related("case__facility", "case__organization")
        .get(pk=flag.pk)
    )


def _decide(
    *, actor: User, flag: SafetyFlag, reason: str, now: datetime, status: str
) -> SafetyFlag:
    flag = _locked_flag(flag)
    if not has_capability(actor, "work_case", flag.case):
        raise PermissionDenied("Your role cannot review safety flags on this case.")
    reason = clean_text(reason, field="Reason", max_chars=REASON_MAX_CHARS, required=True)
    if flag.status != FlagStatus.PENDING:
        raise ValidationError(f"This safety flag was already {flag.status}.")
    flag.status, flag.reason = status, reason
    flag.decided_by, flag.decided_at = actor, now
    flag.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    case_event_record(
        case=flag.case,
        actor=actor,
        at=now,
        kind=f"safety_{status}",
        summary=f"Safety flag {status} by {_name(actor)}: {_labels(flag.risks)}",
        changes={"safety_flag": (FlagStatus.PENDING, status)},
        fields=["status", "reason"],
        object_type="safety_flag",
        object_id=str(flag.pk),
    )
    return flag


@transaction.atomic
def safety_flag_confirm(*, actor: User, flag: SafetyFlag, reason: str, now: datetime) -> SafetyFlag:
    """A person confirms the concern is real. The case keeps its kind (reclassify it on the
    case if it needs another)."""
    return _decide(actor=actor, flag=flag, reason=reason, now=now, status=FlagStatus.CONFIRMED)


@transaction.atomic
def safety_flag_dismiss(*, actor: User, flag: SafetyFlag, reason: str, now: datetime) -> SafetyFlag:
    """A person dismisses the flag with a reason. A case that screening filed as a safety concern
    goes back to the kind it would have had, through case_reclassify, which cancels the clocks
    that no longer apply (the F609 report clocks)."""
    # cases.services imports this module (case_open records flags), so import it here.
    from careloop.cases.services import case_locked_for_write, case_reclassify

    flag = _decide(actor=actor, flag=flag, reason=reason, now=now, status=FlagStatus.DISMISSED)
    case = case_locked_for_write(flag.case)
    if flag.filed_as_safety_concern and case.kind == Kind.SAFETY_CONCERN:
        case_reclassify(
            actor=actor,
            case=case,
            kind=flag.original_kind,
            reason=f"Safety screening flag dismissed: {flag.reason}",
            now=now,
        )
    return flag


@transaction.atomic
def safety_page_acknowledge(*, actor: User, page: SafetyPage, now: datetime) -> SafetyPage:
    """The paged person says they have it; no one else is paged about this flag."""
    SafetyFlag.objects.select_for_update().only("pk").get(pk=page.flag_id)
    page = (
        SafetyPage.objects.select_for_update(of=("self",))
        .select_related("flag__case")
        .get(pk=page.pk)
    )
    if page.user_id != actor.pk or not actor.is_active:
        raise PermissionDenied("Only the person paged can acknowledge this page.")
    if page.acknowledged_at is not None:
        raise ValidationError("This page was already acknowledged.")
    page.acknowledged_at = now
    page.save(update_fields=["acknowledged_at"])
    case_event_record(
        case=page.flag.case,
        actor=actor,
        at=now,
        kind="safety_page_acknowledged",
        summary=f"Safety page acknowledged by {_name(actor)}",
        changes={"acknowledged_at": (None, now)},
        object_type="safety_page",
        object_id=str(page.pk),
    )
    return page


def safety_pages_escalate(*, now: datetime, limit: int = 200) -> int:
    """Escalate flags whose pages went unacknowledged past their due time: the pages are marked
    escalated (claimed by a conditional UPDATE, so two sweepers never both escalate) and the next
    people are paged. Returns how many flags were escalated."""
    acknowledged = SafetyPage.objects.filter(
        flag_id=OuterRef("flag_id"), acknowledged_at__isnull=False
    )
    flag_ids = list(
        SafetyPage.objects.filter(
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            due_ack_by__lte=now,
            flag__status=FlagStatus.PENDING,
        )
        .exclude(Exists(acknowledged))
        .order_by("due_ack_by")
        .values_list("flag_id", flat=True)[:limit]
    )
    return sum(_escalate(flag_id, now) for flag_id in dict.fromkeys(flag_ids))


def _escalate(flag_id: int, now: datetime) -> bool:
    with transaction.atomic():
        flag = _locked_flag(SafetyFlag(pk=flag_id))
        if flag.status != FlagStatus.PENDING:
            return False
        if flag.pages.filter(acknowledged_at__isnull=False).exists():
            return False
        won = SafetyPage.objects.filter(
            flag_id=flag_id,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            due_ack_by__lte=now,
        ).update(escalated_at=now)
        if not won:
            return False
        earlier = list(flag.pages.values_list("user_id", "step"))
        step = max(s for _u, s in earlier) + 1
        users, audience = next_recipients(
            flag.case, now=now, already={u for u, _s in earlier}, first=False
        )
        pages_create(flag=flag, users=users, step=step, audience=audience, now=now)
        who = ", ".join(_name(u) for u in users) or "nobody left to page"
        case_event_record(
            case=flag.case,
            actor=None,
            at=now,
            kind="safety_escalated",
            summary=f"Safety page not acknowledged in time; step {step}: {who}",
            changes={"step": (step - 1, step), "paged": (None, len(users))},
            object_type="safety_flag",
            object_id=str(flag.pk),
        )
    return True


# --- the on-call rota ----------------------------------------------------------------------------


@dataclass
class FacilityScope:
    """A facility as a permission scope (the whole facility, no unit)."""

    organization_id: int
    facility_id: int
    unit_id: int | None = None

    @classmethod
    def of(cls, facility: Facility) -> FacilityScope:
        return cls(organization_id=facility.organization_id, facility_id=facility.pk)


def can_manage_rota(user: User, facility: Facility) -> bool:
    return has_capability(user, "administer", FacilityScope.of(facility))


def _check_rota_admin(actor: User, facility: Facility) -> None:
    if not can_manage_rota(actor, facility):
        raise PermissionDenied("Only administrators can change the on-call rota.")


def _rota_audit(
    *,
    actor: User,
    facility: Facility,
    now: datetime,
    event: str,
    object_id: str,
    fields: list[str],
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action="C" if event == "entry_added" else "U",
        event_type=f"safety.rota.{event}",
        at=now,
        organization_id=facility.organization_id,
        object_type="on_call_rota",
        object_id=object_id,
        fields=fields,
        actor_role=role_label(actor, FacilityScope.of(facility)),
        detail={"facility_id": facility.pk, **(detail or {})},
    )


def _locked_rota(facility: Facility) -> OnCallRota:
    OnCallRota.objects.get_or_create(facility=facility)
    return OnCallRota.objects.select_for_update().get(facility=facility)


@transaction.atomic
def on_call_rota_set(
    *, actor: User, facility: Facility, escalate_after_minutes: int, now: datetime
) -> OnCallRota:
    _check_rota_admin(actor, facility)
    if not MIN_ESCALATE_MINUTES <= escalate_after_minutes <= MAX_ESCALATE_MINUTES:
        raise ValidationError(
            f"Escalate after {MIN_ESCALATE_MINUTES} to {MAX_ESCALATE_MINUTES} minutes."
        )
    rota = _locked_rota(facility)
    old = rota.escalate_after_minutes
    rota.escalate_after_minutes = escalate_after_minutes
    rota.save(update_fields=["escalate_after_minutes"])
    _rota_audit(
        actor=actor,
        facility=facility,
        now=now,
        event="changed",
        object_id=str(rota.pk),
        fields=["escalate_after_minutes"],
        detail={"escalate_after_minutes": [old, escalate_after_minutes]},
    )
    return rota


def _check_weekdays(weekdays: list[int]) -> list[int]:
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError("Weekdays are 0 (Monday) to 6 (Sunday).")
    return sorted(set(weekdays))


@transaction.atomic
def on_call_entry_add(
    *,
    actor: User,
    facility: Facility,
    user: User,
    position: int,
    weekdays: list[int],
    start_time: time | None,
    end_time: time | None,
    now: datetime,
) -> OnCallEntry:
    """Put someone on the rota. They must be able to work every case of the facility (so a page
    never points at a case they cannot open) and have an email address for pages."""
    _check_rota_admin(actor, facility)
    if (start_time is None) != (end_time is None):
        raise ValidationError("Give both a start and an end time, or neither (all day).")
    if position < 0:
        raise ValidationError("The position must be 0 or more.")
    if not user.is_active or not has_capability(user, "work_case", FacilityScope.of(facility)):
        raise ValidationError(
            "That person cannot work every case of this facility (an advocate, manager or "
            "administrator of the whole facility can)."
        )
    if not user.email:
        raise ValidationError("That person has no email address to be paged at.")
    rota = _locked_rota(facility)
    entry = OnCallEntry.objects.create(
        rota=rota,
        user=user,
        position=position,
        weekdays=_check_weekdays(weekdays),
        start_time=start_time,
        end_time=end_time,
        created_at=now,
    )
    _rota_audit(
        actor=actor,
        facility=facility,
        now=now,
        event="entry_added",
        object_id=str(entry.pk),
        fields=["user", "position", "weekdays", "start_time", "end_time"],
        detail={"user_id": user.pk},
    )
    return entry


@transaction.atomic
def on_call_entry_set_active(
    *, actor: User, entry: OnCallEntry, active: bool, now: datetime
) -> OnCallEntry:
    """Take someone off the rota (kept for the record) or put them back."""
    entry = (
        OnCallEntry.objects.select_for_update(of=("self",))
        .select_related("rota__facility")
        .get(pk=entry.pk)
    )
    facility = entry.rota.facility
    _check_rota_admin(actor, facility)
    if entry.active == active:
        return entry
    entry.active = active
    entry.save(update_fields=["active"])
    _rota_audit(
        actor=actor,
        facility=facility,
        now=now,
        event="entry_activated" if active else "entry_deactivated",
        object_id=str(entry.pk),
        fields=["active"],
        detail={"user_id": entry.user_id},
    )
    return entry
