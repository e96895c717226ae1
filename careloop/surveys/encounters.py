"""Survey invitations from an imported list of encounters (CSV).

Columns (header row, any order, case-insensitive): ``email`` and/or ``mobile`` (E.164; used
only when a row has no email address: the invitation and its reminder then go by text
message), ``language`` (en, es, it; blank is English), ``unit_code`` (the unit's intake code)
or ``unit`` and ``facility`` (names), ``encounter_date`` (YYYY-MM-DD, not in the future) and an
optional ``name`` (the client's, kept on the invitation). Every row is checked before anything
is written: if any row is bad, the report lists each bad row with its line number and nothing
is imported. Addresses and numbers that opted out (of surveys, or of texts by STOP) are skipped
and counted, not errors.

An invitation is due at the start of the facility-local day `after_encounter_days` (the
organization's survey settings) after the encounter: already due ones are sent at once, the
others by the surveys sweep when they come due."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.core.text import clean_text
from careloop.orgs.models import Organization, Role, Unit, User
from careloop.orgs.permissions import has_capability, user_memberships
from careloop.sms.outbound import sms_opted_out
from careloop.sms.phones import E164
from careloop.surveys.configuration import survey_settings_for
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import InstrumentVersion, InvitationOrigin
from careloop.surveys.services import (
    INVITATION_VALID_DAYS,
    email_hash,
    invitation_create,
    invitation_send,
    optout_exists,
)

MAX_ROWS = 5_000
MAX_CHARS = 2_000_000
NAME_LIMIT = 200
IMPORTERS = frozenset({Role.ADMIN, Role.MANAGER})


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class Encounter:
    line: int
    email: str
    mobile: str  # only when there is no email address: the invitation then goes by text
    language: str
    unit: Unit
    encounter_on: date
    name: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    opted_out: int = 0
    invited: int = 0
    # Of the invited, those whose invitation is sent later (not yet due).
    scheduled: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def can_import_encounters(user: User, organization: Organization) -> bool:
    return user.organization_id == organization.pk and any(
        m.role in IMPORTERS for m in user_memberships(user)
    )


def _units(organization: Organization) -> tuple[dict[str, Unit], dict[tuple[str, str], Unit]]:
    units = list(
        Unit.objects.filter(facility__organization=organization, active=True).select_related(
            "facility"
        )
    )
    by_code = {u.intake_code.strip().lower(): u for u in units if u.intake_code}
    by_name = {(u.facility.name.strip().lower(), u.name.strip().lower()): u for u in units}
    return by_code, by_name


def _cell(row: dict[str | None, str | list[str] | None], name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _header_problem(fields: list[str]) -> str:
    missing = [name for name in ("language", "encounter_date") if name not in fields]
    if "email" not in fields and "mobile" not in fields:
        missing.append("email (or mobile)")
    if "unit_code" not in fields and not {"unit", "facility"} <= set(fields):
        missing.append("unit_code (or unit and facility)")
    return f"Missing columns: {', '.join(missing)}." if missing else ""


def encounters_parse(
    *, actor: User, organization: Organization, text: str, now: datetime
) -> tuple[list[Encounter], ImportReport]:
    """Check every row; write nothing. Encounters to invite (opted-out ones left out) and the
    report."""
    report = ImportReport()
    if len(text) > MAX_CHARS:
        report.errors.append(RowError(1, "The file is too large."))
        return [], report
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey="_extra")
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
    problem = _header_problem(list(reader.fieldnames)) if reader.fieldnames else "No header row."
    if problem:
        report.errors.append(RowError(1, problem))
        return [], report
    by_code, by_name = _units(organization)
    seen: dict[str, int] = {}
    encounters: list[Encounter] = []
    try:
        for row in reader:
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.errors.append(RowError(reader.line_num, f"More than {MAX_ROWS} rows."))
                break
            found = _row_check(
                row, line=reader.line_num, actor=actor, now=now, units=(by_code, by_name)
            )
            if isinstance(found, RowError):
                report.errors.append(found)
                continue
            contact = found.email or found.mobile
            digest = email_hash(contact)
            if digest in seen:
                report.errors.append(
                    RowError(found.line, f"Duplicate of line {seen[digest]} (same address).")
                )
                continue
            seen[digest] = found.line
            if optout_exists(organization_id=organization.pk, email=contact) or (
                found.mobile and sms_opted_out(organization_id=organization.pk, number=found.mobile)
            ):
                report.opted_out += 1
                continue
            encounters.append(found)
    except csv.Error:
        report.errors.append(RowError(reader.line_num, "This line is not valid CSV."))
    return encounters, report


def _row_check(
    row: dict[str | None, str | list[str] | None],
    *,
    line: int,
    actor: User,
    now: datetime,
    units: tuple[dict[str, Unit], dict[tuple[str, str], Unit]],
) -> Encounter | RowError:
    if row.get("_extra") or any(value is None for value in row.values()):
        return RowError(line, "Wrong number of columns.")
    email, mobile = _cell(row, "email"), "".join(_cell(row, "mobile").split())
    if not email and not mobile:
        return RowError(line, "No email address or mobile number.")
    try:
        validate_email(email) if email else None
    except ValidationError:
        return RowError(line, "Not a valid email address.")
    if mobile and not E164.match(mobile):
        return RowError(line, "The mobile number must be in international form (+15551234567).")
    language = _cell(row, "language").lower() or "en"
    if language not in LANGUAGES:
        return RowError(line, f"Language must be one of {', '.join(LANGUAGES)}.")
    by_code, by_name = units
    code = _cell(row, "unit_code").lower()
    unit = (
        by_code.get(code)
        if code
        else by_name.get((_cell(row, "facility").lower(), _cell(row, "unit").lower()))
    )
    scope = (
        Case(
            organization_id=unit.facility.organization_id,
            facility_id=unit.facility_id,
            unit_id=unit.pk,
        )
        if unit is not None
        else None
    )
    if unit is None or scope is None or not has_capability(actor, "work_case", scope):
        return RowError(line, "Unknown unit, or not one of yours.")
    try:
        encounter_on = date.fromisoformat(_cell(row, "encounter_date"))
    except ValueError:
        return RowError(line, "The encounter date must be YYYY-MM-DD.")
    if encounter_on > now.astimezone(ZoneInfo(unit.facility.time_zone)).date():
        return RowError(line, "The encounter date is in the future.")
    try:
        name = " ".join(clean_text(_cell(row, "name"), field="Name", max_chars=NAME_LIMIT).split())
    except ValidationError as exc:
        return RowError(
            line, "The name is too long." if exc.code == "too_long" else exc.messages[0]
        )
    return Encounter(line, email, "" if email else mobile, language, unit, encounter_on, name)


def _due_at(encounter: Encounter, days: int) -> datetime:
    """The start of the facility-local day `days` after the encounter, in UTC."""
    zone = ZoneInfo(encounter.unit.facility.time_zone)
    day = encounter.encounter_on + timedelta(days=days)
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def encounters_import_csv(
    *,
    actor: User,
    organization: Organization,
    version: InstrumentVersion,
    text: str,
    now: datetime,
) -> ImportReport:
    """Invite everyone in the file and queue their emails, or, if any row is bad, nobody."""
    if not can_import_encounters(actor, organization):
        raise PermissionDenied("Only the organization's administrators and managers can import.")
    if version.instrument.organization_id != organization.pk:
        raise ValidationError("That survey is not this organization's.", code="scope")
    encounters, report = encounters_parse(
        actor=actor, organization=organization, text=text, now=now
    )
    if not report.ok:
        return report
    config = survey_settings_for(organization_id=organization.pk)
    with transaction.atomic():
        for encounter in encounters:
            due = _due_at(encounter, config.after_encounter_days)
            later = max(due - now, timedelta(0))
            invitation, _token = invitation_create(
                actor=actor,
                version=version,
                facility=encounter.unit.facility,
                unit=encounter.unit,
                email=encounter.email,
                mobile=encounter.mobile,
                language=encounter.language,
                anonymous=config.anonymous_default,
                origin=InvitationOrigin.IMPORT,
                encounter_on=encounter.encounter_on,
                client_name=encounter.name,
                send_after=max(due, now),
                valid_days=INVITATION_VALID_DAYS + later.days + 1,
                now=now,
            )
            if due <= now:
                invitation_send(
                    actor=actor,
                    invitation=invitation,
                    base_url=settings.CARELOOP_BASE_URL,
                    now=now,
                )
            else:
                report.scheduled += 1
        report.invited = len(encounters)
        audit_record(
            actor=actor,
            action="C",
            event_type="survey.encounters.imported",
            at=now,
            organization_id=organization.pk,
            object_type="surveyversion",
            object_id=str(version.pk),
            fields=["email", "mobile", "language", "unit", "encounter_date", "name"],
            detail={
                "rows": report.rows,
                "invited": report.invited,
                "scheduled": report.scheduled,
                "opted_out": report.opted_out,
            },
        )
    return report
