"""Survey invitations from an imported list of encounters (CSV).

Columns (header row, any order, case-insensitive): ``email``, ``language`` (en, es, it; blank
is English), ``unit_code`` (the unit's intake code) or ``unit`` and ``facility`` (names),
``encounter_date`` (YYYY-MM-DD, not in the future) and an optional ``name``. Every row is
checked before anything is written: if any row is bad, the report lists each bad row with its
line number and nothing is imported. Addresses that opted out are skipped and counted, not
errors."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.orgs.models import Organization, Role, Unit, User
from careloop.orgs.permissions import has_capability, user_memberships
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import InstrumentVersion, InvitationOrigin
from careloop.surveys.services import (
    email_hash,
    invitation_create,
    invitation_send_email,
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
    language: str
    unit: Unit
    encounter_on: date


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    opted_out: int = 0
    invited: int = 0

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
    missing = [name for name in ("email", "language", "encounter_date") if name not in fields]
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
            digest = email_hash(found.email)
            if digest in seen:
                report.errors.append(
                    RowError(found.line, f"Duplicate of line {seen[digest]} (same address).")
                )
                continue
            seen[digest] = found.line
            if optout_exists(organization_id=organization.pk, email=found.email):
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
    email = _cell(row, "email")
    if not email:
        return RowError(line, "No email address.")
    try:
        validate_email(email)
    except ValidationError:
        return RowError(line, "Not a valid email address.")
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
    if len(_cell(row, "name")) > NAME_LIMIT:
        return RowError(line, "The name is too long.")
    return Encounter(line, email, language, unit, encounter_on)


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
    with transaction.atomic():
        for encounter in encounters:
            invitation, _token = invitation_create(
                actor=actor,
                version=version,
                facility=encounter.unit.facility,
                unit=encounter.unit,
                email=encounter.email,
                language=encounter.language,
                origin=InvitationOrigin.IMPORT,
                now=now,
            )
            invitation_send_email(
                actor=actor, invitation=invitation, base_url=settings.CARELOOP_BASE_URL, now=now
            )
        report.invited = len(encounters)
        audit_record(
            actor=actor,
            action="C",
            event_type="survey.encounters.imported",
            at=now,
            organization_id=organization.pk,
            object_type="surveyversion",
            object_id=str(version.pk),
            fields=["email", "language", "unit", "encounter_date"],
            detail={"rows": report.rows, "invited": report.invited, "opted_out": report.opted_out},
        )
    return report
