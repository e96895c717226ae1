"""An organization's survey settings (SurveySettings): read with defaults, changed by its
administrators only, audited with the names of the fields that changed."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.orgs.services import org_settings_save
from careloop.surveys.models import Instrument, InstrumentVersion, SurveySettings


def survey_settings_for(*, organization_id: int) -> SurveySettings:
    """The organization's settings, or the defaults (nothing sent after resolutions)."""
    found = SurveySettings.objects.filter(organization_id=organization_id).first()
    return found or SurveySettings(organization_id=organization_id)


def minimum_n_for(instrument: Instrument) -> int:
    """The n below which a score is not shown: the instrument's, never below the
    organization's."""
    floor = survey_settings_for(organization_id=instrument.organization_id).minimum_n
    return max(floor, instrument.minimum_n)


@transaction.atomic
def survey_settings_save(
    *,
    actor: User,
    after_resolution: bool,
    after_resolution_version: InstrumentVersion | None,
    after_resolution_days: int,
    reminder_after_days: int,
    after_encounter_days: int,
    minimum_n: int,
    anonymous_default: bool,
    now: datetime,
) -> SurveySettings:
    """Change the actor's organization's survey settings (administrators only). They apply to
    invitations created, sent or reminded, and scores shown, from now on."""
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only organization administrators can change this.")
    organization_id = org_id_of(actor)
    if organization_id is None:
        raise PermissionDenied("Only organization administrators can change this.")
    version = after_resolution_version
    if version is not None and (
        version.instrument.organization_id != organization_id or version.published_at is None
    ):
        raise ValidationError("Choose a published survey of this organization.", code="version")
    if after_resolution and version is None:
        raise ValidationError(
            "Choose the survey to send after resolutions.", code="version_missing"
        )
    return org_settings_save(
        model=SurveySettings,
        organization_id=organization_id,
        values={
            "after_resolution": after_resolution,
            "after_resolution_version": version,
            "after_resolution_days": after_resolution_days,
            "reminder_after_days": reminder_after_days,
            "after_encounter_days": after_encounter_days,
            "minimum_n": minimum_n,
            "anonymous_default": anonymous_default,
        },
        actor=actor,
        event_type="survey.settings.changed",
        now=now,
    )
