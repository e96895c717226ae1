"""CSV import of encounters: every row checked first, every bad row reported with its line,
nothing written unless all are good, opted-out addresses skipped and counted; the staff page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Organization, Unit, User
from careloop.surveys.encounters import ImportReport, RowError, encounters_import_csv
from careloop.surveys.models import Instrument, Invitation, InvitationOrigin
from careloop.surveys.services import optout_record, version_latest
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dummy_tasks")]

HEADER = "email,language,unit_code,unit,facility,encounter_date,name\n"


@pytest.fixture
def nps(make_instrument: InstrumentMaker) -> Instrument:
    return make_instrument("nps")


def _import(actor: User, org: Organization, nps: Instrument, text: str) -> ImportReport:
    return encounters_import_csv(
        actor=actor, organization=org, version=version_latest(nps), text=text, now=NOW
    )


def test_a_good_file_invites_and_emails_everyone_by_code_or_by_names(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit, unit_b: Unit
) -> None:
    text = (
        HEADER
        + f"ana@example.org,es,{unit_a.intake_code},,,2026-03-01,Ana\n"
        + "bo@example.org,,,ICU,Riverside General,2026-02-28,\n"
    )
    report = _import(admin, org, nps, text)
    assert report.ok
    assert (report.rows, report.invited, report.opted_out) == (2, 2, 0)
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.language, i.unit, i.origin) for i in invitations] == [
        ("ana@example.org", "es", unit_a, InvitationOrigin.IMPORT),
        ("bo@example.org", "en", unit_b, InvitationOrigin.IMPORT),
    ]
    assert all(i.case is None and i.sent_at == NOW for i in invitations)
    assert OutboundMessage.objects.filter(template="survey_invitation", case=None).count() == 2
    audit = AuditEvent.objects.get(event_type="survey.encounters.imported")
    assert audit.detail == {"rows": 2, "invited": 2, "scheduled": 0, "opted_out": 0}
    assert [(i.encounter_on, i.client_name) for i in invitations] == [
        (date(2026, 3, 1), "Ana"),
        (date(2026, 2, 28), ""),
    ]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit, other_unit: Unit
) -> None:
    code = unit_a.intake_code
    future = (NOW + timedelta(days=2)).date().isoformat()
    text = (
        HEADER
        + f"good@example.org,en,{code},,,2026-03-01,\n"  # 2
        + f"not-an-address,en,{code},,,2026-03-01,\n"  # 3
        + f",en,{code},,,2026-03-01,\n"  # 4
        + f"x@example.org,fr,{code},,,2026-03-01,\n"  # 5
        + "y@example.org,en,NOPE,,,2026-03-01,\n"  # 6
        + f"z@example.org,en,{other_unit.intake_code},,,2026-03-01,\n"  # 7
        + f"w@example.org,en,{code},,,01/03/2026,\n"  # 8
        + f"v@example.org,en,{code},,,{future},\n"  # 9
        + f"GOOD@example.org,en,{code},,,2026-03-01,\n"  # 10
        + "junk\n"  # 11
        + f"u@example.org,en,{code},,,2026-03-01,,extra\n"  # 12
    )
    report = _import(admin, org, nps, text)
    assert not report.ok
    assert report.invited == 0
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert report.errors[7] == RowError(10, "Duplicate of line 2 (same address).")
    assert report.errors[3].message == "Unknown unit, or not one of yours."
    assert report.errors[4].message == "Unknown unit, or not one of yours."
    assert not Invitation.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_a_file_without_the_required_columns_is_refused_at_line_1(
    admin: User, org: Organization, nps: Instrument
) -> None:
    report = _import(admin, org, nps, "email,language\na@example.org,en\n")
    assert report.errors == [
        RowError(1, "Missing columns: encounter_date, unit_code (or unit and facility).")
    ]


def test_opted_out_addresses_are_skipped_and_counted_not_errors(
    admin: User, org: Organization, nps: Instrument, unit_a: Unit, invite: Inviter
) -> None:
    earlier, _ = invite(nps, email="gone@example.org")
    optout_record(invitation=earlier, now=NOW)
    text = (
        HEADER
        + f"Gone@Example.org,en,{unit_a.intake_code},,,2026-03-01,\n"
        + f"here@example.org,en,{unit_a.intake_code},,,2026-03-01,\n"
    )
    report = _import(admin, org, nps, text)
    assert report.ok
    assert (report.invited, report.opted_out) == (1, 1)
    assert not OutboundMessage.objects.filter(to_address__iexact="gone@example.org").exists()


def test_a_manager_imports_only_for_their_units_and_others_may_not_import(
    manager_a: User,
    advocate_x: User,
    org: Organization,
    nps: Instrument,
    unit_a: Unit,
    unit_b: Unit,
) -> None:
    text = HEADER + f"b@example.org,en,{unit_b.intake_code},,,2026-03-01,\n"
    report = _import(manager_a, org, nps, text)
    assert report.errors == [RowError(2, "Unknown unit, or not one of yours.")]
    with pytest.raises(PermissionDenied):
        _import(advocate_x, org, nps, text)


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("encounters.csv", text.encode(), content_type="text/csv")


def test_the_import_page_shows_the_report(
    client: Client, admin: User, nps: Instrument, unit_a: Unit
) -> None:
    client.force_login(admin)
    url = reverse("surveys:import")
    assert client.get(url).status_code == 200
    version = version_latest(nps).pk
    bad = client.post(url, {"version": version, "file": _upload(HEADER + "junk\n")})
    assert bad.status_code == 400
    assert "Wrong number of columns." in bad.content.decode()
    good_text = HEADER + f"a@example.org,en,{unit_a.intake_code},,,2026-03-01,\n"
    good = client.post(url, {"version": version, "file": _upload(good_text)})
    assert good.status_code == 200
    assert "1 of 1 rows invited" in good.content.decode()


@pytest.mark.parametrize("persona", ["frontline_a", "advocate_x", "executive"])
def test_the_import_page_is_forbidden_to_others(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("surveys:import")).status_code == 403


def test_a_survey_of_another_organization_cannot_be_chosen(
    client: Client, nps: Instrument, outsider: User
) -> None:
    client.force_login(outsider)
    version = version_latest(nps).pk
    page = client.post(reverse("surveys:import"), {"version": version, "file": _upload(HEADER)})
    assert page.status_code in (403, 404)
    assert not Invitation.objects.exists()
