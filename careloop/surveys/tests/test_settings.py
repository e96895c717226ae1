"""The organization's survey settings: edited by administrators on their page, audited; the
minimum n for display, the delay after imported encounters (their invitations sent by the
sweep when due, with the encounter date and name kept), and anonymity by default."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Organization, Unit, User
from careloop.surveys.configuration import minimum_n_for, survey_settings_for, survey_settings_save
from careloop.surveys.distribution import surveys_sweep
from careloop.surveys.encounters import encounters_import_csv
from careloop.surveys.models import Instrument, Invitation, SurveySettings
from careloop.surveys.services import optout_record, response_submit, version_latest
from careloop.surveys.tests.conftest import NOW, InstrumentMaker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dummy_tasks")]

DEFAULTS: dict[str, Any] = {
    "after_resolution": False,
    "after_resolution_version": None,
    "after_resolution_days": 3,
    "reminder_after_days": 7,
    "after_encounter_days": 2,
    "minimum_n": 10,
    "anonymous_default": True,
}


@pytest.fixture
def nps(make_instrument: InstrumentMaker) -> Instrument:
    return make_instrument("nps")


def test_settings_default_without_a_row_and_are_saved_and_audited(
    admin: User, org: Organization, nps: Instrument
) -> None:
    assert survey_settings_for(organization_id=org.pk).minimum_n == 5
    assert minimum_n_for(nps) == 5
    saved = survey_settings_save(actor=admin, **DEFAULTS, now=NOW)
    assert (saved.minimum_n, saved.after_encounter_days, saved.anonymous_default) == (10, 2, True)
    assert minimum_n_for(nps) == 10  # the organization's floor wins over the instrument's 5
    event = AuditEvent.objects.get(event_type="survey.settings.changed")
    assert set(event.fields) == {"after_encounter_days", "minimum_n", "anonymous_default"}


def test_settings_are_checked_and_kept_to_administrators(
    admin: User, manager_a: User, outsider: User, nps: Instrument
) -> None:
    with pytest.raises(PermissionDenied):
        survey_settings_save(actor=manager_a, **DEFAULTS, now=NOW)
    with pytest.raises(ValidationError):
        survey_settings_save(actor=admin, **{**DEFAULTS, "minimum_n": 0}, now=NOW)
    with pytest.raises(ValidationError):
        survey_settings_save(actor=admin, **{**DEFAULTS, "after_resolution": True}, now=NOW)
    with pytest.raises(ValidationError):  # another organization's survey
        survey_settings_save(
            actor=outsider,
            **{
                **DEFAULTS,
                "after_resolution": True,
                "after_resolution_version": version_latest(nps),
            },
            now=NOW,
        )
    assert not SurveySettings.objects.exists()


def test_the_settings_page_saves_for_an_administrator_only(
    client: Client, admin: User, manager_a: User, nps: Instrument
) -> None:
    client.force_login(manager_a)
    assert client.get(reverse("surveys:settings")).status_code == 403
    client.force_login(admin)
    url = reverse("surveys:settings")
    page = client.get(url)
    assert page.status_code == 200
    assert "Net Promoter Score (v1)" in page.content.decode()
    form = {
        "after_resolution": "on",
        "after_resolution_version": version_latest(nps).pk,
        "after_resolution_days": "4",
        "reminder_after_days": "0",
        "after_encounter_days": "1",
        "minimum_n": "8",
    }
    assert client.post(url, form).status_code == 302
    saved = SurveySettings.objects.get()
    assert (saved.after_resolution_days, saved.reminder_after_days, saved.minimum_n) == (4, 0, 8)
    assert not saved.anonymous_default
    bad = client.post(url, {**form, "minimum_n": "0"})
    assert bad.status_code == 400
    assert SurveySettings.objects.get().minimum_n == 8


HEADER = "email,language,unit_code,encounter_date,name\n"


def test_encounters_are_invited_after_the_delay_by_the_sweep_with_date_and_name_kept(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit
) -> None:
    survey_settings_save(actor=admin, **DEFAULTS, now=NOW)  # 2 days, anonymous
    text = (
        HEADER
        + f"ana@example.org,es,{unit_a.intake_code},2026-03-02,Ana María López\n"
        + f"bo@example.org,en,{unit_a.intake_code},2026-02-20,\n"
    )
    report = encounters_import_csv(
        actor=admin, organization=org, version=version_latest(nps), text=text, now=NOW
    )
    assert (report.invited, report.scheduled) == (2, 1)
    ana = Invitation.objects.get(email="ana@example.org")
    assert (ana.encounter_on, ana.client_name, ana.anonymous) == (
        date(2026, 3, 2),
        "Ana María López",
        True,
    )
    assert ana.sent_at is None
    # Due at the start of March 4 in Chicago (06:00 UTC).
    assert ana.send_after == NOW.replace(day=4, hour=6)
    assert OutboundMessage.objects.filter(to_address="bo@example.org").count() == 1
    assert surveys_sweep(now=NOW + timedelta(days=1)) == (0, 0)
    assert surveys_sweep(now=NOW.replace(day=4, hour=6)) == (1, 0)
    ana.refresh_from_db()
    assert ana.sent_at == NOW.replace(day=4, hour=6)
    assert ana.expires_at > NOW.replace(day=4, hour=6) + timedelta(days=29)
    assert OutboundMessage.objects.filter(to_address="ana@example.org").count() == 1
    assert surveys_sweep(now=NOW.replace(day=5)) == (0, 0)  # sent once


def test_an_encounter_that_opted_out_before_it_was_due_is_never_sent(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit
) -> None:
    survey_settings_save(actor=admin, **DEFAULTS, now=NOW)
    text = HEADER + f"ana@example.org,es,{unit_a.intake_code},2026-03-02,\n"
    encounters_import_csv(
        actor=admin, organization=org, version=version_latest(nps), text=text, now=NOW
    )
    invitation = Invitation.objects.get()
    optout_record(invitation=invitation, now=NOW)
    assert surveys_sweep(now=NOW + timedelta(days=3)) == (0, 0)
    invitation.refresh_from_db()
    assert (invitation.sent_at, invitation.send_after) == (None, None)
    assert not OutboundMessage.objects.exists()


def test_an_anonymous_encounter_answer_is_not_joined_to_the_invitation(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit
) -> None:
    survey_settings_save(actor=admin, **{**DEFAULTS, "after_encounter_days": 0}, now=NOW)
    text = HEADER + f"ana@example.org,en,{unit_a.intake_code},2026-03-01,Ana\n"
    encounters_import_csv(
        actor=admin, organization=org, version=version_latest(nps), text=text, now=NOW
    )
    invitation = Invitation.objects.get()
    response = response_submit(invitation=invitation, raw={"item_1": "10"}, now=NOW)
    assert (response.invitation_id, response.anonymous) == (None, True)
