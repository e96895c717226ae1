"""Case write paths: opening, classifying, owning, moving through the lifecycle, closing.

Every function here is the one way its use case happens (web, API, email, import, jobs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from careloop.audit.services import audit_record
from careloop.cases.lifecycle import can_move, is_reopen
from careloop.cases.models import (
    HCAT_CATEGORIES,
    WRITTEN_CHANNELS,
    Case,
    CaseCounter,
    CaseEvent,
    Channel,
    ContactPreference,
    Kind,
    ReporterType,
    SafetyType,
    Status,
)
from careloop.cases.requirements import missing_requirements
from careloop.cases.snapshot import case_snapshot
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.core.time import local_date
from careloop.orgs.models import Facility, Person, Unit, User
from careloop.orgs.permissions import has_capability, role_label
from careloop.policies.applicability import IntakeFacts, classify, packs_for
from careloop.policies.packs import ClassificationRule, Requirement, shipped_packs
from careloop.policies.services import case_facts, clocks_start_for_case, clocks_stop
from careloop.safety.screening import screening_decide
from careloop.safety.services import safety_flag_record
from careloop.webhooks.events import case_payload, emit

RETENTION_YEARS = 7  # covers HIPAA's 6 years (P6) and SNF's 3 years from decision (N7)
FUTURE_TOLERANCE = timedelta(minutes=5)


class ClosureBlocked(ValidationError):
    def __init__(self, missing: list[Requirement]) -> None:
        self.missing = missing
        labels = "; ".join(f"{r.label} ({r.rule})" for r in missing)
        super().__init__(f"The case cannot be closed yet. Missing: {labels}.", code="blocked")


@dataclass(frozen=True)
class NewCase:
    """What someone tells us. Checked by case_open; nothing is saved if any part is wrong."""

    facility: Facility
    kind: str
    reporter_type: str
    channel: str
    narrative: str
    unit: Unit | None = None
    received_at: datetime | None = None
    safety_type: str = ""
    abuse_alleged: bool = False
    serious_injury: bool = False
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    contact_preference: str = ContactPreference.NONE
    language: str = "en"
    desired_outcome: str = ""
    people_involved: str = ""
    incident_at: datetime | None = None
    allegation_known_at: datetime | None = None
    classification_reason: str = ""
    resolved_at_time: bool = False
    response_requested: bool = False
    staff_involved: tuple[Person, ...] = field(default_factory=tuple)


def _require_choice(value: str, choices: list[str], name: str) -> None:
    if value not in choices:
        raise ValidationError(f"{name} '{value}' is not one of: {', '.join(choices)}.")


def _validate_new(data: NewCase, *, now: datetime) -> dict[str, str]:
    _require_choice(data.kind, list(Kind.values), "Kind")
    _require_choice(data.reporter_type, list(ReporterType.values), "Reporter")
    _require_choice(data.channel, list(Channel.values), "Channel")
    _require_choice(data.contact_preference, list(ContactPreference.values), "Contact preference")
    _require_choice(data.safety_type, list(SafetyType.values), "Safety type")
    if data.kind == Kind.SAFETY_CONCERN and not data.safety_type:
        raise ValidationError("A safety concern needs its type (abuse, neglect, ...).")
    if data.unit is not None and data.unit.facility_id != data.facility.pk:
        raise ValidationError("That unit belongs to another facility.")
    for name, value in (
        ("Received at", data.received_at),
        ("Incident time", data.incident_at),
        ("Time the allegation became known", data.allegation_known_at),
    ):
        if value is not None and value > now + FUTURE_TOLERANCE:
            raise ValidationError(f"{name} is in the future.")
    for person in data.staff_involved:
        if person.organization_id != data.facility.organization_id:
            raise ValidationError("A named staff member belongs to another organization.")
    limit = settings.CARELOOP_NARRATIVE_MAX_CHARS
    return {
        "narrative": clean_text(data.narrative, field="Narrative", max_chars=limit, required=True),
        "desired_outcome": clean_text(
            data.desired_outcome, field="Desired outcome", max_chars=limit
        ),
        "people_involved": clean_text(
            data.people_involved, field="Who was involved", max_chars=2000
        ),
        "reporter_name": clean_text(data.reporter_name, field="Name", max_chars=200),
        "reporter_phone": clean_text(data.reporter_phone, field="Phone", max_chars=40),
        "classification_reason": clean_text(
            data.classification_reason, field="Classification reason", max_chars=2000
        ),
    }


def _next_reference(*, facility: Facility, on: date) -> str:
    """Take the next number for the organization and year; the row lock serializes openers
    until commit. One UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+)."""
    sql = (
        f"UPDATE {CaseCounter._meta.db_table} SET last = last + 1 "  # noqa: S608  # table name from the model
        "WHERE organization_id = %s AND year = %s RETURNING last"
    )
    params = [facility.organization_id, on.year]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            CaseCounter.objects.get_or_create(
                organization_id=facility.organization_id, year=on.year
            )
            cursor.execute(sql, params)
            row = cursor.fetchone()
    prefix = facility.organization.reference_prefix
    return f"{prefix}-{on.year}-{int(row[0]):06d}"


def _classified(data: NewCase, text: dict[str, str]) -> tuple[str, ClassificationRule | None]:
    """The kind the facility's packs file this concern as, and the rule that decided it (the
    rule's reason joins any reason given in `text`). A satisfaction-survey comment is not
    reclassified unless the client asked for a response (CMS SOM A-0118: survey comments are
    not grievances unless the patient requests resolution)."""
    if data.channel == Channel.SURVEY and not data.response_requested:
        return data.kind, None
    rule = classify(
        facts=IntakeFacts(
            kind=data.kind,
            setting=data.facility.setting,
            written=data.channel in WRITTEN_CHANNELS,
            resolved_at_time=data.resolved_at_time,
            asks_for_response=data.response_requested,
        ),
        enabled=data.facility.policy_packs,
        packs=shipped_packs(),
    )
    if rule is None:
        return data.kind, None
    text["classification_reason"] = " ".join(
        filter(None, [rule.reason, text["classification_reason"]])
    )
    return rule.to_kind, rule


def case_open(*, actor: User | None, data: NewCase, now: datetime, notify: bool = True) -> Case:
    """Open a case from any channel. `actor` is the staff member logging it (None for a client
    filing directly); they must be allowed to open cases where it is filed. `notify=False`
    (imports of historical cases) records a safety flag without paging anyone."""
    text = _validate_new(data, now=now)
    received_at = data.received_at or now
    scope = Case(
        organization_id=data.facility.organization_id,
        facility_id=data.facility.pk,
        unit_id=data.unit.pk if data.unit else None,
    )
    if actor is not None and not has_capability(actor, "open_case", scope):
        raise PermissionDenied("You cannot log cases for that facility or unit.")
    email = data.reporter_email.strip()
    if email:
        from django.core.validators import validate_email

        validate_email(email)
    kind, classified = _classified(data, text)
    # Safety screening may file the case as a safety concern before any clock starts.
    screening = screening_decide(
        narrative=text["narrative"],
        desired_outcome=text["desired_outcome"],
        language=data.language,
        facility=data.facility,
        kind=kind,
        safety_type=data.safety_type,
    )
    if screening.filed_as_safety_concern:
        text["classification_reason"] = " ".join(
            filter(None, [screening.reason, text["classification_reason"]])
        )
    with transaction.atomic():
        case = Case.objects.create(
            organization=data.facility.organization,
            facility=data.facility,
            unit=data.unit,
            reference=f"pending-{uuid.uuid4().hex[:20]}",
            kind=screening.kind,
            resolved_at_time=data.resolved_at_time,
            response_requested=data.response_requested,
            safety_type=screening.safety_type,
            abuse_alleged=data.abuse_alleged or screening.safety_type == SafetyType.ABUSE,
            serious_injury=data.serious_injury,
            classified_by=actor if text["classification_reason"] else None,
            classified_at=now if text["classification_reason"] else None,
            reporter_type=data.reporter_type,
            reporter_email=email,
            contact_preference=data.contact_preference,
            language=data.language[:10],
            channel=data.channel,
            received_at=received_at,
            received_by=actor,
            incident_at=data.incident_at,
            allegation_known_at=data.allegation_known_at
            or (received_at if screening.kind == Kind.SAFETY_CONCERN else None),
            created_at=now,
            **text,
        )
        if data.staff_involved:
            case.staff_involved.set(data.staff_involved)
        opening = [
            CaseEvent(
                case=case,
                at=now,
                actor=actor,
                kind="opened",
                summary=f"{case.get_kind_display()} received by "
                f"{case.get_channel_display().lower()}",
                changes={"status": [None, case.status], "kind": [None, case.kind]},
            )
        ]
        if classified is not None:
            opening.append(
                CaseEvent(
                    case=case,
                    at=now,
                    actor=None,
                    kind="classified",
                    summary=f"Filed as {kind} by pack rule {classified.rule}: {classified.reason}"[
                        :300
                    ],
                    changes={"kind": [data.kind, kind]},
                )
            )
        if screening.filed_as_safety_concern:
            opening.append(
                CaseEvent(
                    case=case,
                    at=now,
                    actor=None,
                    kind="classified",
                    summary=f"Filed as {screening.kind} ({screening.safety_type}) by safety "
                    f"screening ({screening.risk_labels}), pending review",
                    changes={
                        "kind": [kind, screening.kind],
                        "safety_type": [data.safety_type, screening.safety_type],
                    },
                )
            )
        clocks_start_for_case(case=case, actor=actor, now=now, new_case=True, preceding=opening)
        # The reference number and the audit event come last: both lock a single row (the
        # counter, the chain head) until commit, so concurrent openers queue only briefly.
        case.reference = _next_reference(
            facility=data.facility,
            on=local_date(at=received_at, tz_name=data.facility.time_zone),
        )
        case.save(update_fields=["reference"])
        audit_record(
            actor=actor,
            action="C",
            event_type="case.opened",
            at=now,
            organization_id=case.organization_id,
            case_id=case.pk,
            object_type="case",
            object_id=str(case.pk),
            fields=["kind", "narrative", "reporter_type", "channel", "received_at"],
            actor_role=role_label(actor, case) if actor is not None else "",
        )
        safety_flag_record(case=case, decision=screening, now=now, page=notify)
        if notify:  # a historical import is not news to subscribers
            emit("case.opened", case.organization_id, case_payload(case), at=now)
    return case


ERASED_MESSAGE = (
    "This case's client details were erased under the retention policy; it can no longer be "
    "changed."
)


def case_locked_for_write(case: Case) -> Case:
    """The case row, locked for this transaction; an erased case takes no more writes."""
    locked = (
        Case.objects.select_for_update().select_related("organization", "facility").get(pk=case.pk)
    )
    if locked.erased_at is not None:
        raise ValidationError(ERASED_MESSAGE)
    return locked


def _check(actor: User, capability: str, case: Case) -> None:
    if not has_capability(actor, capability, case):
        raise PermissionDenied("Your role cannot do that on this case.")


@transaction.atomic
def case_reclassify(*, actor: User, case: Case, kind: str, reason: str, now: datetime) -> Case:
    _check(actor, "work_case", case)
    case = case_locked_for_write(case)
    _require_choice(kind, list(Kind.values), "Kind")
    reason = clean_text(reason, field="Reason", max_chars=2000, required=True)
    if kind == Kind.SAFETY_CONCERN and not case.safety_type:
        raise ValidationError("Record the safety concern's type before reclassifying it.")
    old = case.kind
    case.kind, case.classification_reason = kind, reason
    case.classified_by, case.classified_at = actor, now
    case.save(update_fields=["kind", "classification_reason", "classified_by", "classified_at"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="reclassified",
        summary=f"Reclassified from {old} to {kind}",
        changes={"kind": (old, kind)},
        fields=["kind", "classification_reason"],
    )
    clocks_start_for_case(case=case, actor=actor, now=now)
    return case


@transaction.atomic
def case_assign(*, actor: User, case: Case, owner: User | None, now: datetime) -> Case:
    _check(actor, "work_case", case)
    case = case_locked_for_write(case)
    if owner is not None and not has_capability(owner, "work_case", case):
        raise ValidationError("That person cannot own cases here.")
    old = case.owner
    case.owner = owner
    case.save(update_fields=["owner"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="assigned",
        summary=f"Owner: {owner.get_full_name() or owner.username if owner else 'nobody'}",
        changes={"owner": (old, owner)},
    )
    return case


@transaction.atomic
def case_acknowledge(*, actor: User, case: Case, channel: str, now: datetime) -> Case:
    _check(actor, "work_case", case)
    case = case_locked_for_write(case)
    _require_choice(channel, list(ContactPreference.values), "Channel")
    if case.acknowledged_at is not None:
        raise ValidationError("This case was already acknowledged.")
    case.acknowledged_at = now
    old_status = case.status
    if case.status == Status.NEW:
        case.status = Status.ACKNOWLEDGED
    case.save(update_fields=["acknowledged_at", "status"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="acknowledged",
        summary=f"Acknowledged to the client by {channel}",
        changes={"status": (old_status, case.status)},
    )
    clocks_stop(case=case, actor=actor, stop_event="acknowledged", at=now)
    return case


def case_requirements_missing(case: Case) -> list[Requirement]:
    packs = packs_for(
        facts=case_facts(case), enabled=case.facility.policy_packs, packs=shipped_packs()
    )
    required = [r for p in packs for r in p.requirements]
    return missing_requirements(snapshot=case_snapshot(case), requirements=required)


@transaction.atomic
def case_move(
    *, actor: User, case: Case, status: str, now: datetime, reason: str = "", notify: bool = True
) -> Case:
    """Start investigating, resolve, close or reopen. Closing is blocked until every element the
    case's packs require is present. `notify=False` (imports of historical cases) schedules no
    check-back to the client."""
    _require_choice(status, list(Status.values), "Status")
    _check(actor, "close_case" if status == Status.CLOSED else "work_case", case)
    case = case_locked_for_write(case)
    old = case.status
    if not can_move(old, status):
        raise ValidationError(f"A {old} case cannot move to {status}.")
    updates = ["status"]
    if status == Status.CLOSED:
        missing = case_requirements_missing(case)
        if missing:
            raise ClosureBlocked(missing)
        case.closed_at = now
        closed_on = local_date(at=now, tz_name=case.facility.time_zone)
        case.retain_until = closed_on.replace(year=closed_on.year + RETENTION_YEARS)
        updates += ["closed_at", "retain_until"]
    if status == Status.RESOLVED:
        case.resolved_at = now
        updates.append("resolved_at")
    if is_reopen(old, status):
        reason = clean_text(reason, field="Reason for reopening", max_chars=2000, required=True)
        case.reopened_count += 1
        case.closed_at = None
        case.resolved_at = None
        updates += ["reopened_count", "closed_at", "resolved_at"]
    case.status = status
    case.save(update_fields=updates)
    verb = "reopened" if is_reopen(old, status) else status
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind=verb,
        summary=f"Status {old} → {status}" + (f": {reason}" if reason else ""),
        changes={"status": (old, status)},
    )
    if status in {Status.RESOLVED, Status.CLOSED}:
        clocks_stop(case=case, actor=actor, stop_event=status, at=now)
    from careloop.followups.checkbacks import checkback_on_move  # followups imports cases

    if notify:
        checkback_on_move(case=case, actor=actor, old_status=old, now=now)  # schedule or cancel
    if notify and status == Status.RESOLVED:
        emit("case.resolved", case.organization_id, case_payload(case), at=now)
    return case


@transaction.atomic
def case_code(
    *,
    actor: User,
    case: Case,
    severities: dict[str, int],
    stage_of_care: str,
    harm: int | None,
    staff_involved: list[Person],
    units_involved: list[Unit],
    now: datetime,
) -> Case:
    """Record the HCAT coding (7 categories with severity 0-3, stage of care, harm 0-5)."""
    _check(actor, "work_case", case)
    case = case_locked_for_write(case)
    changes: dict[str, tuple[object, object]] = {}
    for name, _label in HCAT_CATEGORIES:
        value = severities.get(name, 0)
        if value not in (0, 1, 2, 3):
            raise ValidationError(f"Severity for {name} must be 0 to 3.")
        if getattr(case, name) != value:
            changes[name] = (getattr(case, name), value)
            setattr(case, name, value)
    if harm is not None and not 0 <= harm <= 5:
        raise ValidationError("Harm must be 0 to 5.")
    for person in staff_involved:
        if person.organization_id != case.organization_id:
            raise ValidationError("A named staff member belongs to another organization.")
    for unit in units_involved:
        if unit.facility.organization_id != case.organization_id:
            raise ValidationError("A unit belongs to another organization.")
    if case.stage_of_care != stage_of_care:
        changes["stage_of_care"] = (case.stage_of_care, stage_of_care)
    if case.harm != harm:
        changes["harm"] = (case.harm, harm)
    case.stage_of_care, case.harm, case.coded_by, case.coded_at = stage_of_care, harm, actor, now
    case.save(
        update_fields=[n for n, _ in HCAT_CATEGORIES]
        + ["stage_of_care", "harm", "coded_by", "coded_at"]
    )
    case.staff_involved.set(staff_involved)
    case.units_involved.set(units_involved)
    changes["staff_involved"] = (None, sorted(p.pk for p in staff_involved))
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="coded",
        summary="HCAT coding recorded",
        changes=changes,
    )
    return case


@transaction.atomic
def case_set_retention(
    *, actor: User, case: Case, retain_until: date | None, legal_hold: bool, now: datetime
) -> Case:
    _check(actor, "hold_case", case)
    case = case_locked_for_write(case)
    changes = {
        "retain_until": (case.retain_until, retain_until),
        "legal_hold": (case.legal_hold, legal_hold),
    }
    case.retain_until, case.legal_hold = retain_until, legal_hold
    case.save(update_fields=["retain_until", "legal_hold"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="retention",
        summary="Legal hold on" if legal_hold else "Retention updated",
        changes=changes,
    )
    return case


@transaction.atomic
def case_route(*, case: Case, owner: User, reason: str, now: datetime) -> Case:
    """Give a new case its first owner by a routing rule (no person acting): e.g. a compliment
    goes to the manager of the staff member it names."""
    case = case_locked_for_write(case)
    if case.owner_id is not None:
        raise ValidationError("This case already has an owner.")
    if not has_capability(owner, "work_case", case):
        raise ValidationError("That person cannot own cases here.")
    case.owner = owner
    case.save(update_fields=["owner"])
    case_event_record(
        case=case,
        actor=None,
        at=now,
        kind="routed",
        summary=f"Routed to {owner.get_full_name() or owner.username}: {reason}",
        changes={"owner": (None, owner)},
    )
    return case


@transaction.atomic
def case_reopen_for_client(*, case: Case, reason: str, now: datetime) -> Case:
    """The client says the resolution did not put it right: the case goes back to
    investigating (no person acting; the owner is told by the caller's notification)."""
    case = case_locked_for_write(case)
    if not is_reopen(case.status, Status.INVESTIGATING):
        raise ValidationError("Only a resolved or closed case can be reopened.")
    old = case.status
    case.reopened_count += 1
    case.closed_at = None
    case.resolved_at = None
    case.status = Status.INVESTIGATING
    case.save(update_fields=["status", "reopened_count", "closed_at", "resolved_at"])
    case_event_record(
        case=case,
        actor=None,
        at=now,
        kind="reopened",
        summary=f"Status {old} → {Status.INVESTIGATING}: {reason}",
        changes={"status": (old, Status.INVESTIGATING)},
    )
    return case
