"""The mailbox screens: administrators only, secrets never shown back, the connection test,
and what was set aside."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.mail.models import AuthMethod, Mailbox, TlsMode
from careloop.mail.tests.conftest import Inbox, Sweep, sample
from careloop.orgs.models import Facility, User

pytestmark = pytest.mark.django_db
SECRET = "s3cret-Passw0rd-for-imap"


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "address": "concerns@riverside.test",
        "host": "imap.example.org",
        "port": "993",
        "tls_mode": TlsMode.IMPLICIT,
        "verify_certificate": "on",
        "username": "concerns",
        "auth_method": AuthMethod.PASSWORD,
        "password": SECRET,
        "folder": "INBOX",
        "enabled": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("executive", 403),
        ("advocate_x", 403),
        ("manager_a", 403),
        ("frontline_a", 403),
        ("outsider", 404),
    ],
)
def test_only_an_administrator_of_the_facility_may_open_its_mailbox(
    client: Client, personas: dict[str, User], facility_x: Facility, persona: str, status: int
) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])

    assert signed_in(client, personas[persona]).get(url).status_code == status


def test_the_list_shows_the_facilities_the_admin_runs(
    client: Client, admin: User, facility_x: Facility, facility_y: Facility, frontline_a: User
) -> None:
    page = signed_in(client, admin).get(reverse("mail:mailboxes"))

    assert page.status_code == 200
    assert "Riverside General" in page.text
    assert "Maple Grove" in page.text
    assert signed_in(Client(), frontline_a).get(reverse("mail:mailboxes")).status_code == 403


def test_an_admin_sets_up_a_mailbox_and_the_password_is_never_shown_back(
    client: Client, admin: User, facility_x: Facility
) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])
    signed_in(client, admin)

    response = client.post(url, form_data())

    assert response.status_code == 302
    mailbox = Mailbox.objects.get(facility=facility_x)
    assert (mailbox.host, mailbox.password) == ("imap.example.org", SECRET)
    page = client.get(url).text
    assert SECRET not in page
    assert "Stored: set (…ap)" in page
    event = AuditEvent.objects.get(event_type="mail.mailbox_saved")
    assert "password" in event.fields
    assert SECRET not in str(event.detail) + str(event.fields)


def test_a_blank_password_on_an_edit_keeps_the_stored_one(
    client: Client, admin: User, facility_x: Facility
) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])
    signed_in(client, admin).post(url, form_data())

    client.post(url, form_data(password="", folder="Complaints"))

    mailbox = Mailbox.objects.get(facility=facility_x)
    assert (mailbox.password, mailbox.folder) == (SECRET, "Complaints")


def test_bad_settings_are_refused_with_a_clear_error_and_nothing_saved(
    client: Client, admin: User, facility_x: Facility
) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])

    response = signed_in(client, admin).post(url, form_data(tls_mode=TlsMode.PLAIN))

    assert response.status_code == 400
    assert "Unencrypted IMAP is allowed only to this machine" in response.text
    assert not Mailbox.objects.exists()


def test_oauth_needs_its_refresh_token(client: Client, admin: User, facility_x: Facility) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])
    data = form_data(
        auth_method=AuthMethod.XOAUTH2,
        password="",
        oauth_token_url="https://login.example.org/token",
        oauth_client_id="careloop",
    )

    response = signed_in(client, admin).post(url, data)

    assert response.status_code == 400
    assert "OAuth2 needs its refresh token." in response.text


def test_the_connection_test_reports_what_waits_and_changes_nothing(
    client: Client, admin: User, inbox: Inbox
) -> None:
    inbox.deliver(sample("plain_complaint.eml"))
    url = reverse("mail:mailbox_test", args=[inbox.mailbox.facility_id])
    signed_in(client, admin)

    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)

    assert "Connected. 1 message(s) waiting to be read." in response.text
    assert inbox.flags()[1].count("$CareloopProcessed") == 0
    assert AuditEvent.objects.filter(event_type="mail.mailbox_tested").exists()


def test_the_connection_test_shows_a_failure(client: Client, admin: User, inbox: Inbox) -> None:
    Mailbox.objects.filter(pk=inbox.mailbox.pk).update(password="wrong")
    url = reverse("mail:mailbox_test", args=[inbox.mailbox.facility_id])

    response = signed_in(client, admin).post(url, follow=True)

    assert "Failed: The server refused the sign-in." in response.text


def test_set_aside_messages_are_listed_with_their_reason_and_the_read_audited(
    client: Client, admin: User, inbox: Inbox, sweep: Sweep
) -> None:
    inbox.deliver(sample("out_of_office.eml"))
    sweep()

    page = signed_in(client, admin).get(reverse("mail:mailbox", args=[inbox.mailbox.facility_id]))

    assert "Automatic reply (Auto-Submitted: auto-replied)." in page.text
    assert AuditEvent.objects.filter(event_type="mail.set_aside_listed").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("advocate_x", 200), ("manager_a", 200), ("advocate_y", 404), ("outsider", 404)],
)
def test_a_kept_attachment_downloads_only_for_those_who_see_the_case(
    client: Client,
    personas: dict[str, User],
    inbox: Inbox,
    sweep: Sweep,
    persona: str,
    status: int,
) -> None:
    from careloop.cases.models import Case
    from careloop.mail.models import MailAttachment

    inbox.deliver(sample("multipart_es_pdf.eml"))
    sweep()
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(unit=personas["manager_a"].memberships.get().unit)
    attachment = MailAttachment.objects.get()
    url = reverse("mail:attachment", args=[case.pk, attachment.pk])

    response = signed_in(client, personas[persona]).get(url)

    assert response.status_code == status
    if status == 200:
        assert response.content.startswith(b"%PDF-1.4")
        assert response["Content-Disposition"] == 'attachment; filename="factura.pdf"'
        assert response["Content-Type"] == "application/octet-stream"
        assert AuditEvent.objects.filter(event_type="mail.attachment_downloaded").exists()


def test_the_case_page_lists_kept_and_refused_attachments(
    client: Client, advocate_x: User, inbox: Inbox, sweep: Sweep
) -> None:
    from careloop.cases.models import Case

    inbox.deliver(sample("exe_attachment.eml"))
    sweep()
    case = Case.objects.get()

    page = signed_in(client, advocate_x).get(reverse("web:case", args=[case.pk])).text

    assert "Email attachments" in page
    assert "room.jpg</a>" in page
    assert "photos.exe <small>" in page
    assert "not kept: files of type .exe are not accepted." in page


def test_a_refused_attachment_cannot_be_downloaded(
    client: Client, advocate_x: User, inbox: Inbox, sweep: Sweep
) -> None:
    from careloop.mail.models import MailAttachment

    inbox.deliver(sample("exe_attachment.eml"))
    sweep()
    refused = MailAttachment.objects.get(filename="photos.exe")
    url = reverse("mail:attachment", args=[refused.case_id, refused.pk])

    assert signed_in(client, advocate_x).get(url).status_code == 404


def test_an_oauth_token_url_over_plain_http_to_another_host_is_refused(
    client: Client, admin: User, facility_x: Facility
) -> None:
    url = reverse("mail:mailbox", args=[facility_x.pk])
    data = form_data(
        auth_method=AuthMethod.XOAUTH2,
        password="",
        oauth_token_url="http://login.example.org/token",
        oauth_client_id="careloop",
        oauth_refresh_token="refresh",
    )

    response = signed_in(client, admin).post(url, data)

    assert response.status_code == 400
    assert "The token URL must use https (http only on this machine)." in response.text
