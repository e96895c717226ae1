"""Writes for surveys: instruments from the built-in templates and their versions, invitations
(created, emailed, opted out of) and responses (recorded once per link; a low score opens a case
through cases.services.case_open)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from careloop.audit.context import current_source, set_source
from careloop.audit.services import audit_record
from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.core.text import clean_text
from careloop.followups.tokens import token_hash, token_new
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.orgs.permissions import has_capability, has_capability_anywhere, org_id_of
from careloop.safety.screening import screening_decide
from careloop.surveys.instruments import (
    LANGUAGES,
    TEMPLATES,
    ItemSpec,
    is_low_score,
    options_for,
)
from careloop.surveys.models import (
    Answer,
    Instrument,
    InstrumentVersion,
    Invitation,
    InvitationOrigin,
    Item,
    Response,
    SurveyOptOut,
)

COMMENT_LIMIT = 5_000
INVITATION_VALID_DAYS = 30
NO_COMMENT_NARRATIVE = "Survey answer with a low score; the client left no comment."


ANONYMOUS_SOURCE = "anonymous"


@contextmanager
def anonymous_audit_source(anonymous: bool = True) -> Iterator[None]:
    """Audit events written inside record no client address (the request's source) when the
    answer is anonymous: an address could join the response back to a person."""
    previous = current_source()
    if anonymous:
        set_source(ANONYMOUS_SOURCE)
    try:
        yield
    finally:
        set_source(previous)


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def admin_require(actor: User, organization_id: int) -> None:
    if org_id_of(actor) != organization_id or not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only the organization's administrators can change surveys.")


# --- instruments ------------------------------------------------------------------------------


def items_check(items: Sequence[ItemSpec]) -> None:
    if not items:
        raise ValidationError("An instrument needs at least one item.", code="no_items")
    for position, spec in enumerate(items, start=1):
        if spec.type not in {"free_text", *(t for t in _SCALE_TYPES)}:
            raise ValidationError(f"Item {position}: unknown type {spec.type!r}.", code="type")
        if not spec.texts.get("en", "").strip():
            raise ValidationError(f"Item {position} has no English text.", code="texts")
        if any(lang not in LANGUAGES for lang in spec.texts):
            raise ValidationError(f"Item {position}: unknown language.", code="texts")
        if spec.show_if is not None:
            earlier, values = spec.show_if
            if not 1 <= earlier < position or items[earlier - 1].type == "free_text":
                raise ValidationError(
                    f"Item {position} can depend only on an earlier scale item.", code="show_if"
                )
            allowed = options_for(items[earlier - 1].type, "en")
            if not values or any(v not in allowed for v in values):
                raise ValidationError(
                    f"Item {position}: show_if names answers the item does not have.",
                    code="show_if",
                )


_SCALE_TYPES = (
    "nps_0_10",
    "csat_1_5",
    "fft_6",
    "frequency_4",
    "yes_no",
    "rating_0_10",
    "definitely_4",
    "agree_4",
)


def _version_write(
    *,
    instrument: Instrument,
    number: int,
    items: Sequence[ItemSpec],
    now: datetime,
    draft: bool = False,
) -> InstrumentVersion:
    version = InstrumentVersion.objects.create(
        instrument=instrument, number=number, published_at=None if draft else now
    )
    items_write(version=version, items=items)
    return version


def items_write(*, version: InstrumentVersion, items: Sequence[ItemSpec]) -> None:
    made: list[Item] = []
    for position, spec in enumerate(items, start=1):
        depends = made[spec.show_if[0] - 1] if spec.show_if else None
        made.append(
            Item.objects.create(
                version=version,
                position=position,
                type=spec.type,
                required=spec.required,
                texts=dict(spec.texts),
                show_if_item=depends,
                show_if_values=list(spec.show_if[1]) if spec.show_if else [],
            )
        )


@transaction.atomic
def instrument_from_template(
    *, actor: User, organization: Organization, template: str, now: datetime, draft: bool = False
) -> Instrument:
    """A new instrument with version 1 from a built-in template (texts in en, es, it),
    published, or with `draft` a draft to edit in the builder first."""
    admin_require(actor, organization.pk)
    try:
        spec = TEMPLATES[template]
    except KeyError:
        raise ValidationError(f"Unknown survey template {template!r}.", code="template") from None
    items_check(spec.items)
    instrument = Instrument.objects.create(
        organization=organization, name=spec.names["en"], kind=spec.kind, created_at=now
    )
    version = _version_write(
        instrument=instrument, number=1, items=spec.items, now=now, draft=draft
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="survey.instrument.created",
        at=now,
        organization_id=organization.pk,
        object_type="surveyinstrument",
        object_id=str(instrument.pk),
        fields=["name", "kind", "items"],
        detail={"template": template, "version_id": version.pk, "draft": draft},
    )
    return instrument


@transaction.atomic
def instrument_revise(
    *, actor: User, instrument: Instrument, items: Sequence[ItemSpec], now: datetime
) -> InstrumentVersion:
    """Change an instrument's items. Versions are never edited: this always publishes the next
    version, so answers keep pointing at the exact wording they were given to."""
    admin_require(actor, instrument.organization_id)
    items_check(items)
    locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if locked.versions.filter(published_at__isnull=True).exists():
        raise ValidationError("Publish or discard the draft first.", code="draft")
    latest = locked.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    version = _version_write(instrument=locked, number=number, items=items, now=now)
    audit_record(
        actor=actor,
        action="C",
        event_type="survey.version.published",
        at=now,
        organization_id=locked.organization_id,
        object_type="surveyversion",
        object_id=str(version.pk),
        fields=["items"],
        detail={"instrument_id": locked.pk, "number": number},
    )
    return version


def version_latest(instrument: Instrument) -> InstrumentVersion:
    """The newest published version (IndexError when none is published yet)."""
    return instrument.versions.filter(published_at__isnull=False).order_by("-number")[0]


# --- invitations ------------------------------------------------------------------------------


def optout_exists(*, organization_id: int, email: str) -> bool:
    """Whether this email address (or mobile number: hashed the same way) opted out."""
    return SurveyOptOut.objects.filter(
        organization_id=organization_id, email_hash=email_hash(email)
    ).exists()


@transaction.atomic
def invitation_create(
    *,
    actor: User | None,
    version: InstrumentVersion,
    facility: Facility,
    now: datetime,
    unit: Unit | None = None,
    case: Case | None = None,
    email: str = "",
    mobile: str = "",
    language: str = "en",
    anonymous: bool = False,
    valid_days: int = INVITATION_VALID_DAYS,
    origin: str = InvitationOrigin.STAFF,
    encounter_on: date | None = None,
    client_name: str = "",
    send_after: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite one person; returns the invitation and its link token (shown once, only its hash
    is stored). `actor` None is Careloop itself (after a resolution). Refused for an address
    that opted out of this organization's surveys."""
    organization_id = version.instrument.organization_id
    if facility.organization_id != organization_id or (
        unit is not None and unit.facility_id != facility.pk
    ):
        raise ValidationError("The facility or unit is not in this organization.", code="scope")
    if case is not None and case.organization_id != organization_id:
        raise ValidationError("The case is not in this organization.", code="scope")
    scope = Case(
        organization_id=organization_id, facility_id=facility.pk, unit_id=unit.pk if unit else None
    )
    if actor is not None and not has_capability(actor, "work_case", scope):
        raise PermissionDenied("You cannot send surveys for that facility or unit.")
    if language not in LANGUAGES:
        raise ValidationError(f"Language {language!r} is not offered.", code="language")
    if version.published_at is None:
        raise ValidationError("A draft cannot be sent; publish it first.", code="draft")
    email = email.strip()
    if email:
        from django.core.validators import validate_email

        validate_email(email)
    mobile = mobile.strip()
    if mobile:
        from careloop.sms.outbound import sms_address_check

        sms_address_check(organization_id=organization_id, to=mobile)
    if (email or mobile) and optout_exists(organization_id=organization_id, email=email or mobile):
        raise ValidationError("This person asked not to get surveys.", code="opted_out")
    token = token_new()
    invitation = Invitation.objects.create(
        organization_id=organization_id,
        version=version,
        facility=facility,
        unit=unit,
        case=case,
        email=email,
        mobile=mobile,
        language=language,
        anonymous=anonymous,
        token_hash=token_hash(token),
        optout_token_hash=token_hash(token_new()),
        expires_at=now + timedelta(days=valid_days),
        created_at=now,
        origin=origin,
        encounter_on=encounter_on,
        client_name=client_name,
        send_after=send_after,
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="survey.invitation.created",
        at=now,
        organization_id=organization_id,
        case_id=case.pk if case else None,
        object_type="surveyinvitation",
        object_id=str(invitation.pk),
        fields=[
            "version",
            "facility",
            "unit",
            "email",
            *(["mobile"] if mobile else []),
            "language",
            "anonymous",
            "expires_at",
            *(["encounter_on"] if encounter_on else []),
            *(["client_name"] if client_name else []),
        ],
    )
    return invitation, token


@transaction.atomic
def invitation_send(
    *,
    actor: User | None,
    invitation: Invitation,
    base_url: str,
    now: datetime,
    reminder: bool = False,
) -> OutboundMessage:
    """Send the survey link (new tokens each time: the old link stops working) in the client's
    language: by email, or by text message when the invitation has only a mobile number. The
    body holds the secret link, so it is removed from the stored copy once sent. An invitation
    about a case is filed on that case; one without a case (an imported encounter) only on the
    organization. A `reminder` uses the reminder's wording; its link replaces the first one."""
    from careloop.messaging.models import MessageChannel
    from careloop.messaging.services import message_queue

    current = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("facility", "organization")
        .get(pk=invitation.pk)
    )
    contact = current.email or current.mobile
    if not contact:
        raise ValidationError("This invitation has no address or number.", code="no_contact")
    if current.used or current.expires_at <= now:
        raise ValidationError("This invitation can no longer be answered.", code="closed")
    if optout_exists(organization_id=current.organization_id, email=contact):
        raise ValidationError("This person asked not to get surveys.", code="opted_out")
    token, optout_token = token_new(), token_new()
    current.token_hash = token_hash(token)
    current.optout_token_hash = token_hash(optout_token)
    fields = ["token_hash", "optout_token_hash"]
    if not reminder:
        current.sent_at = now
        fields.append("sent_at")
    current.save(update_fields=fields)
    case = Case.objects.get(pk=current.case_id) if current.case_id is not None else None
    base = base_url.rstrip("/")
    return message_queue(
        case=case,
        organization=current.organization,
        to=contact,
        channel=MessageChannel.EMAIL if current.email else MessageChannel.SMS,
        template="survey_reminder" if reminder else "survey_invitation",
        language=current.language,
        context={
            "facility_name": current.facility.name,
            "survey_url": base + reverse("surveys:respond", args=[token]),
            "optout_url": base + reverse("surveys:optout", args=[optout_token]),
        },
        now=now,
        actor=actor,
        redact_after_send=True,
    )


def optout_record(*, invitation: Invitation, now: datetime) -> SurveyOptOut | None:
    """The person behind a sent invitation asks for no more surveys (POST from the message's
    link). Idempotent; None when the invitation has no address or number."""
    contact = invitation.email or invitation.mobile
    if not contact:
        return None
    digest = email_hash(contact)
    try:
        with transaction.atomic():
            record, created = SurveyOptOut.objects.get_or_create(
                organization_id=invitation.organization_id,
                email_hash=digest,
                defaults={"created_at": now},
            )
            if created:
                audit_record(
                    actor=None,
                    action="C",
                    event_type="survey.optout.recorded",
                    at=now,
                    organization_id=invitation.organization_id,
                    object_type="surveyoptout",
                    object_id=str(record.pk),
                    fields=["email_hash"],
                )
    except IntegrityError:  # two clicks racing
        record = SurveyOptOut.objects.get(
            organization_id=invitation.organization_id, email_hash=digest
        )
    return record


# --- responses --------------------------------------------------------------------------------


def field_name(item: Item) -> str:
    return f"item_{item.position}"


def item_visible(item: Item, chosen: Mapping[int, str]) -> bool:
    """An item with a condition counts only when the earlier item got one of its answers."""
    if item.show_if_item_id is None or item.show_if_item is None:
        return True
    return chosen.get(item.show_if_item.position) in item.show_if_values


def answers_validate(*, items: Sequence[Item], raw: Mapping[str, str]) -> dict[int, str]:
    """Position -> answer for the items that apply; ValidationError keyed by field name (codes
    "required", "choice", or a text check's code) when any answer is missing or off the scale.
    Answers to items whose condition is not met are dropped."""
    chosen: dict[int, str] = {}
    errors: dict[str, ValidationError] = {}
    for item in items:
        name = field_name(item)
        value = raw.get(name, "").strip()
        if not item_visible(item, chosen):
            continue
        if item.type == "free_text":
            try:
                value = clean_text(value, field="Comment", max_chars=COMMENT_LIMIT)
            except ValidationError as exc:
                errors[name] = exc
                continue
        elif value and value not in options_for(item.type, "en"):
            errors[name] = ValidationError("Choose one of the answers.", code="choice")
            continue
        if not value:
            if item.required:
                errors[name] = ValidationError("This question needs an answer.", code="required")
            continue
        chosen[item.position] = value
    if errors:
        raise ValidationError(errors)
    return chosen


def answers_write(
    *, response: Response, by_position: Mapping[int, Item], chosen: Mapping[int, str]
) -> None:
    Answer.objects.bulk_create(
        Answer(response=response, item=by_position[p], value=v, submitted_at=response.submitted_at)
        for p, v in chosen.items()
    )


def comment_flagged(*, comment: str, facility: Facility, language: str) -> bool:
    """Whether the safety screening case_open applies would flag this comment."""
    if not comment:
        return False
    decision = screening_decide(
        narrative=comment,
        desired_outcome="",
        language=language,
        facility=facility,
        kind=Kind.COMPLAINT,
        safety_type="",
    )
    return decision.flagged


def case_needed(
    *,
    instrument: Instrument,
    by_position: Mapping[int, Item],
    chosen: Mapping[int, str],
    facility: Facility,
    language: str,
) -> tuple[bool, str]:
    """Whether a response opens a case, and its comments (the case's narrative): it does when
    any answer is one of the instrument's low answers for its type, or when the safety
    screening flags a comment, whatever the scores."""
    comment = "\n\n".join(v for p, v in chosen.items() if by_position[p].type == "free_text")
    rules = instrument.low_scores
    low = any(is_low_score(by_position[p].type, v, rules) for p, v in chosen.items())
    return low or comment_flagged(comment=comment, facility=facility, language=language), comment


def _case_from_low_score(*, invitation: Invitation, comment: str, now: datetime) -> Case:
    anonymous = invitation.anonymous
    about = invitation.case
    reporter_type = (
        ReporterType.ANONYMOUS
        if anonymous
        else (about.reporter_type if about is not None else ReporterType.PATIENT)
    )
    data = NewCase(
        facility=invitation.facility,
        unit=invitation.unit,
        kind=Kind.COMPLAINT,
        reporter_type=reporter_type,
        channel=Channel.SURVEY,
        narrative=comment or NO_COMMENT_NARRATIVE,
        received_at=now,
        language=invitation.language,
        reporter_name="" if anonymous or about is None else about.reporter_name,
        reporter_email="" if anonymous else invitation.email,
        reporter_phone="" if anonymous else invitation.mobile,
        contact_preference=(
            ContactPreference.NONE
            if anonymous
            else ContactPreference.EMAIL
            if invitation.email
            else ContactPreference.SMS
            if invitation.mobile
            else ContactPreference.NONE
        ),
    )
    return case_open(actor=None, data=data, now=now)


def response_submit(*, invitation: Invitation, raw: Mapping[str, str], now: datetime) -> Response:
    """Record the answers given through an invitation's link, once. Refused with a ValidationError
    coded "answered" or "expired" when the link is spent, or as answers_validate refuses.

    A low score (the instrument's thresholds: by default CSAT 1-2, NPS 0-6, FFT poor / very
    poor) or a comment the safety screening flags opens one complaint through case_open, with
    the comments as its narrative. For an anonymous invitation the response keeps no
    invitation or case, the opened case no reporter details, and the audit event names neither;
    the invitation only becomes "used", with no time."""
    version = invitation.version
    items = list(version.items.select_related("show_if_item").order_by("position"))
    chosen = answers_validate(items=items, raw=raw)
    with anonymous_audit_source(invitation.anonymous), transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, used=False, expires_at__gt=now
        ).update(used=True)
        if not claimed:
            used = Invitation.objects.filter(pk=invitation.pk, used=True).exists()
            code = "answered" if used else "expired"
            raise ValidationError(f"This survey link can no longer be used ({code}).", code=code)
        anonymous = invitation.anonymous
        response = Response.objects.create(
            organization_id=invitation.organization_id,
            version=version,
            facility_id=invitation.facility_id,
            unit_id=invitation.unit_id,
            invitation=None if anonymous else invitation,
            case_id=None if anonymous else invitation.case_id,
            anonymous=anonymous,
            language=invitation.language,
            submitted_at=now,
        )
        by_position = {item.position: item for item in items}
        answers_write(response=response, by_position=by_position, chosen=chosen)
        opens, comment = case_needed(
            instrument=version.instrument,
            by_position=by_position,
            chosen=chosen,
            facility=invitation.facility,
            language=invitation.language,
        )
        if opens:
            response.opened_case = _case_from_low_score(
                invitation=invitation, comment=comment, now=now
            )
            response.save(update_fields=["opened_case"])
            from careloop.webhooks.events import emit_case

            emit_case("survey.low_score", response.opened_case, at=now, response_id=response.pk)
        # Last, after case_open's own audit event: the chain head is locked as late as possible.
        audit_record(
            actor=None,
            action="C",
            event_type="survey.response.recorded",
            at=now,
            organization_id=invitation.organization_id,
            case_id=None if anonymous else invitation.case_id,
            object_type="surveyresponse",
            object_id=str(response.pk),
            fields=["answers"],
            detail={"anonymous": True} if anonymous else {"invitation_id": invitation.pk},
        )
    return response
