"""Input and output of each endpoint. Inputs are bounded (lengths, ranges, enumerations) so
bad input is refused with a problem before any service runs; outputs of create calls carry
identifiers and coded fields only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from ninja import Field, Path, Schema
from pydantic import AwareDatetime

from careloop.cases.models import (
    Channel,
    ContactPreference,
    Kind,
    ReporterType,
    SafetyType,
    Status,
    Visibility,
)
from careloop.insights.models import Measure
from careloop.recovery.models import ReasonCode

DB_INT_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
TEXT_MAX = 20_000
LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})?$"
REFERENCE = r"^[A-Za-z0-9-]{1,30}$"
Reference = Annotated[str, Path(pattern=REFERENCE, max_length=30)]
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]


# --- cases ------------------------------------------------------------------------------------


class CaseIn(Schema):
    facility_id: Id
    unit_id: Id | None = None
    kind: Kind
    reporter_type: ReporterType
    channel: Channel
    narrative: str = Field(min_length=1, max_length=TEXT_MAX)
    received_at: AwareDatetime | None = None
    incident_at: AwareDatetime | None = None
    safety_type: SafetyType = SafetyType.NONE
    reporter_name: str = Field("", max_length=200)
    reporter_email: str = Field("", max_length=254)
    reporter_phone: str = Field("", max_length=40)
    contact_preference: ContactPreference = ContactPreference.NONE
    language: str = Field("en", pattern=LANGUAGE)
    desired_outcome: str = Field("", max_length=TEXT_MAX)


class CaseSummary(Schema):
    """Coded fields: what lists, create calls and operations return."""

    id: int
    reference: str
    kind: str
    status: str
    facility_id: int
    unit_id: int | None
    channel: str
    reporter_type: str
    language: str
    received_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    owner_id: int | None


class CaseListItem(CaseSummary):
    clock_state: str | None


class CaseDetail(CaseSummary):
    """One case with the client's words and contact details (the read is audited)."""

    safety_type: str
    narrative: str
    desired_outcome: str
    reporter_name: str
    reporter_email: str
    reporter_phone: str
    contact_preference: str
    incident_at: datetime | None
    erased: bool


class CasePage(Schema):
    items: list[CaseListItem]
    next_cursor: str | None


class CaseFilters(Schema):
    status: Status | None = None
    kind: Kind | None = None
    facility_id: Id | None = None
    unit_id: Id | None = None
    received_from: Day | None = None
    received_to: Day | None = None
    updated_since: AwareDatetime | None = None
    cursor: str = Field("", max_length=200)
    limit: int = Field(50, ge=1, le=200)


class AcknowledgeIn(Schema):
    channel: ContactPreference


class AssignIn(Schema):
    owner_id: Id | None


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=TEXT_MAX)
    visibility: Visibility = Visibility.INTERNAL


class NoteOut(Schema):
    id: int
    case_reference: str
    visibility: str
    at: datetime


# --- messages ---------------------------------------------------------------------------------


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=TEXT_MAX)


class MessageOut(Schema):
    id: int
    channel: str
    template: str
    language: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class MessageSent(Schema):
    note_id: int
    case_reference: str
    at: datetime
    by_email: bool
    message_id: int | None


# --- recovery ---------------------------------------------------------------------------------


class RecoveryIn(Schema):
    item_type_id: Id
    quantity: int = Field(1, ge=1, le=100)
    unit_value: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    serial: str = Field("", max_length=60)
    reason_code: ReasonCode = ReasonCode.OTHER
    exception_reason: str = Field("", max_length=2000)


class RecoveryActionOut(Schema):
    request_id: int
    item_type_id: int
    item_type: str
    quantity: int
    value: Decimal
    net: Decimal
    currency: str
    reason_code: str
    status: str
    requested_at: datetime
    issued_at: datetime | None


class RecoveryGiven(Schema):
    request_id: int
    case_reference: str
    status: str
    waiting_for: str
    warnings: list[str]


# --- follow-ups -------------------------------------------------------------------------------


class CheckBackOut(Schema):
    id: int
    channel: str
    status: str
    resolution_at: datetime
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime | None
    reminders_sent: int
    answered_at: datetime | None
    ended_at: datetime | None


# --- surveys ----------------------------------------------------------------------------------


class InstrumentOut(Schema):
    id: int
    name: str
    kind: str
    minimum_n: int
    versions: list[int]


class AnswerOut(Schema):
    version: int
    position: int
    type: str
    value: str


class ResponseOut(Schema):
    """Anonymous responses carry no case and no invitation: never joined to a person."""

    id: str
    version: int
    facility_id: int
    unit_id: int | None
    anonymous: bool
    language: str
    submitted_at: datetime
    case_reference: str | None
    answers: list[AnswerOut]


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_cursor: str | None


class ResponseFilters(Schema):
    cursor: str = Field("", max_length=200)
    limit: int = Field(50, ge=1, le=200)


class SurveyLanguage(StrEnum):
    EN = "en"
    ES = "es"
    IT = "it"


class InvitationIn(Schema):
    facility_id: Id
    unit_id: Id | None = None
    case_reference: str | None = Field(None, pattern=REFERENCE, max_length=30)
    email: str = Field(min_length=3, max_length=254)
    language: SurveyLanguage = SurveyLanguage.EN
    anonymous: bool = False


class InvitationOut(Schema):
    """The invitation sent (no address: create responses carry no contact details)."""

    id: int
    instrument_id: int
    version: int
    facility_id: int
    unit_id: int | None
    case_reference: str | None
    language: str
    anonymous: bool
    expires_at: datetime
    message_id: int


class ScoreOut(Schema):
    version: int
    position: int
    type: str
    measure: str
    value: str
    interval: str
    n: int


class ScoreFilters(Schema):
    start_on: Day
    end_on: Day


# --- denominators -----------------------------------------------------------------------------


class ExposureRowIn(Schema):
    unit_id: Id
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    measure: Measure
    value: int = Field(ge=1, le=DB_INT_MAX)


class ExposureIn(Schema):
    rows: list[ExposureRowIn] = Field(min_length=1, max_length=20_000)


class ExposureOut(Schema):
    rows: int
    created: int
    updated: int


# --- codebooks --------------------------------------------------------------------------------


class CodeOut(Schema):
    code: str
    label: str
    parent: str | None
    description: str
    language: str
    severity_max: int | None


class CodebookOut(Schema):
    id: int
    name: str
    source: str
    is_hcat: bool
    codes: list[CodeOut]
