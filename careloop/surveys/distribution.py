"""Surveys Careloop sends on its own: an invitation some days after a case is resolved (when the
organization turned it on) and one reminder to those who have not answered.

`surveys_sweep` runs in every worker's sweeper; it also sends the invitations of imported
encounters when they come due (claimed under a row lock, re-checked, so they go once). An
invitation after a resolution is created with the case row locked and is unique per case (a
partial unique constraint), so with any number of sweepers a case is asked once; a reminder is
claimed with a conditional UPDATE on `reminded_at`, so it is sent once, and never after an
answer, an opt-out or expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from careloop.cases.models import Case, ContactPreference, Status
from careloop.core.time import utcnow
from careloop.followups.checkbacks import NOTHING_TO_PUT_RIGHT
from careloop.sms.services import sms_case_number
from careloop.surveys.configuration import survey_settings_for
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import Invitation, InvitationOrigin, SurveySettings
from careloop.surveys.services import invitation_create, invitation_send, optout_exists

SWEEP_LIMIT = 100
# Cases resolved longer ago than the delay plus this are not asked any more (a sweeper that was
# down for a while, or a setting just turned on, does not survey years of old cases).
LOOKBACK = timedelta(days=14)
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


# --- after a resolution -----------------------------------------------------------------------


def _resolved_unasked(config: SurveySettings, now: datetime) -> Q:
    cutoff = now - timedelta(days=config.after_resolution_days)
    return (
        Q(
            organization_id=config.organization_id,
            status__in=RESOLVED_STATUSES,
            resolved_at__lte=cutoff,
            resolved_at__gt=cutoff - LOOKBACK,
            erased_at__isnull=True,
        )
        & (
            (Q(contact_preference=ContactPreference.EMAIL) & ~Q(reporter_email=""))
            | (Q(contact_preference=ContactPreference.SMS) & ~Q(reporter_phone=""))
        )
        & ~Q(kind__in=NOTHING_TO_PUT_RIGHT)
    )


def _invite_after_resolution(*, case_id: int, config: SurveySettings, now: datetime) -> bool:
    version = config.after_resolution_version
    assert version is not None  # noqa: S101  # filtered by the caller
    try:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("facility", "unit")
                .get(pk=case_id)
            )
            asked = Invitation.objects.filter(case=case, origin=InvitationOrigin.RESOLUTION)
            if case.status not in RESOLVED_STATUSES or asked.exists():
                return False
            # The client's own channel: email, or a text to the number they gave.
            email = mobile = ""
            if case.contact_preference == ContactPreference.SMS:
                mobile = sms_case_number(case)
            else:
                email = case.reporter_email
            if optout_exists(organization_id=case.organization_id, email=email or mobile):
                return False
            invitation, _token = invitation_create(
                actor=None,
                version=version,
                facility=case.facility,
                unit=case.unit,
                case=case,
                email=email,
                mobile=mobile,
                language=case.language if case.language in LANGUAGES else "en",
                anonymous=config.anonymous_default,
                origin=InvitationOrigin.RESOLUTION,
                now=now,
            )
            invitation_send(
                actor=None, invitation=invitation, base_url=settings.CARELOOP_BASE_URL, now=now
            )
    except IntegrityError:  # another sweeper asked this case first
        return False
    except ValidationError:  # a bad stored address or number, or one that opted out meanwhile
        return False
    return True


def invitations_after_resolution(*, now: datetime, limit: int = SWEEP_LIMIT) -> int:
    invited = 0
    configs = SurveySettings.objects.filter(
        after_resolution=True, after_resolution_version__isnull=False
    ).select_related("after_resolution_version__instrument")
    for config in configs:
        asked = Invitation.objects.filter(origin=InvitationOrigin.RESOLUTION).values("case_id")
        case_ids = list(
            Case.objects.filter(_resolved_unasked(config, now))
            .exclude(pk__in=asked)
            .order_by("resolved_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        invited += sum(
            _invite_after_resolution(case_id=pk, config=config, now=now) for pk in case_ids
        )
    return invited


# --- reminders --------------------------------------------------------------------------------


def _reminder_open(now: datetime) -> Q:
    return Q(used=False, reminded_at__isnull=True, sent_at__isnull=False, expires_at__gt=now) & ~Q(
        email="", mobile=""
    )


def _remind(*, invitation_id: int, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Invitation.objects.filter(_reminder_open(now), pk=invitation_id).update(
            reminded_at=now
        )
        if not claimed:
            return False
        invitation = Invitation.objects.get(pk=invitation_id)
        contact = invitation.email or invitation.mobile
        if optout_exists(organization_id=invitation.organization_id, email=contact):
            return False  # settled: an address that opted out gets no reminder
        try:
            with transaction.atomic():
                invitation_send(
                    actor=None,
                    invitation=invitation,
                    base_url=settings.CARELOOP_BASE_URL,
                    now=now,
                    reminder=True,
                )
        except ValidationError:  # e.g. the number texted STOP: settled, no reminder
            return False
    return True


def reminders_send(*, now: datetime, limit: int = SWEEP_LIMIT) -> int:
    """One reminder per emailed invitation still open `reminder_after_days` after it was sent
    (the organization's setting; 0 turns reminders off)."""
    organization_ids = (
        Invitation.objects.filter(_reminder_open(now))
        .values_list("organization_id", flat=True)
        .distinct()
    )
    reminded = 0
    for organization_id in sorted(set(organization_ids)):
        days = survey_settings_for(organization_id=organization_id).reminder_after_days
        if not days:
            continue
        due = list(
            Invitation.objects.filter(
                _reminder_open(now),
                organization_id=organization_id,
                sent_at__lte=now - timedelta(days=days),
            )
            .order_by("sent_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        reminded += sum(_remind(invitation_id=pk, now=now) for pk in due)
    return reminded


# --- imported encounters, due some days after the visit or discharge ---------------------------


def _send_due(*, invitation_id: int, now: datetime) -> bool:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, sent_at__isnull=True, used=False, send_after__lte=now)
            .first()
        )
        if invitation is None:  # another sweeper sent it
            return False
        if invitation.expires_at <= now or optout_exists(
            organization_id=invitation.organization_id, email=invitation.email or invitation.mobile
        ):
            invitation.send_after = None  # settled: never sent
            invitation.save(update_fields=["send_after"])
            return False
        try:
            with transaction.atomic():
                invitation_send(
                    actor=None, invitation=invitation, base_url=settings.CARELOOP_BASE_URL, now=now
                )
        except ValidationError:  # e.g. the number texted STOP meanwhile: settled, never sent
            invitation.send_after = None
            invitation.save(update_fields=["send_after"])
            return False
    return True


def invitations_due_send(*, now: datetime, limit: int = SWEEP_LIMIT) -> int:
    """Send the imported encounters' invitations that have come due."""
    due = list(
        Invitation.objects.filter(sent_at__isnull=True, used=False, send_after__lte=now)
        .exclude(email="", mobile="")
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_send_due(invitation_id=pk, now=now) for pk in due)


def surveys_sweep(*, now: datetime) -> tuple[int, int]:
    """Invitations after resolutions and imported encounters that came due, then reminders:
    how many invitations and reminders were queued."""
    invited = invitations_after_resolution(now=now) + invitations_due_send(now=now)
    return invited, reminders_send(now=now)


def surveys_sweep_summary() -> str:
    invited, reminded = surveys_sweep(now=utcnow())
    if not invited and not reminded:
        return ""
    return f"{invited} survey invitations, {reminded} reminders queued"
