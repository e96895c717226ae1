"""TLS (implicit and STARTTLS, certificates verified), password and XOAUTH2 sign-in against the
real Dovecot; failures are recorded on the mailbox in words that quote no secret."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from careloop.cases.models import Case
from careloop.mail.models import AuthMethod, Mailbox, TlsMode
from careloop.mail.tests.conftest import Inbox, Sweep, mailbox_for, sample
from careloop.mail.tests.dovecot import REFRESH_TOKEN, Dovecot, free_port

pytestmark = pytest.mark.django_db


def error_after_sweep(mailbox: Mailbox, sweep: Sweep) -> str:
    sweep()
    mailbox.refresh_from_db()
    return mailbox.last_error


def use(inbox: Inbox, **fields: Any) -> None:
    Mailbox.objects.filter(pk=inbox.mailbox.pk).update(**fields)


def test_starttls_reads_the_mailbox(inbox: Inbox, sweep: Sweep) -> None:
    use(inbox, tls_mode=TlsMode.STARTTLS, port=inbox.server.imap_port)
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1}


def test_an_untrusted_certificate_is_refused(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    inbox.deliver(sample("plain_complaint.eml"))

    assert error_after_sweep(inbox.mailbox, sweep) == "TLS failed (SSLCertVerificationError)."
    assert not Case.objects.exists()


def test_starttls_with_an_untrusted_certificate_is_refused(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    use(inbox, tls_mode=TlsMode.STARTTLS, port=inbox.server.imap_port)

    assert error_after_sweep(inbox.mailbox, sweep) == "TLS failed (SSLCertVerificationError)."


def test_verification_can_be_turned_off_for_a_self_signed_server(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    use(inbox, verify_certificate=False)
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1}


def test_plaintext_works_only_on_loopback(inbox: Inbox, sweep: Sweep) -> None:
    use(inbox, tls_mode=TlsMode.PLAIN, port=inbox.server.imap_port)
    inbox.deliver(sample("plain_complaint.eml"))
    assert sweep() == {"case": 1}

    use(inbox, host="imap.example.org")
    assert error_after_sweep(inbox.mailbox, sweep) == (
        "Unencrypted IMAP is allowed only to a loopback address."
    )


def test_a_wrong_password_is_recorded_without_the_password(inbox: Inbox, sweep: Sweep) -> None:
    use(inbox, password="not-the-password")

    error = error_after_sweep(inbox.mailbox, sweep)

    assert error == "The server refused the sign-in."


def test_nothing_listening_is_recorded(inbox: Inbox, sweep: Sweep) -> None:
    use(inbox, port=free_port())

    assert error_after_sweep(inbox.mailbox, sweep) == "Could not connect (ConnectionRefusedError)."


def test_a_missing_folder_is_recorded(inbox: Inbox, sweep: Sweep) -> None:
    use(inbox, folder="Complaints")

    assert error_after_sweep(inbox.mailbox, sweep) == "The folder could not be opened."


def oauth_mailbox(inbox: Inbox, dovecot: Dovecot, **fields: Any) -> None:
    values = {
        "auth_method": AuthMethod.XOAUTH2,
        "password": "",
        "oauth_token_url": dovecot.oauth.token_url,
        "oauth_client_id": "careloop",
        "oauth_client_secret": "client-secret",
        "oauth_refresh_token": REFRESH_TOKEN,
    }
    values.update(fields)
    use(inbox, **values)


def test_xoauth2_signs_in_with_a_token_from_the_refresh_flow(
    inbox: Inbox, sweep: Sweep, dovecot: Dovecot
) -> None:
    dovecot.oauth.username = inbox.username
    oauth_mailbox(inbox, dovecot)
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1}
    assert len(dovecot.oauth.tokens) >= 1


def test_xoauth2_with_a_revoked_refresh_token_fails_clearly(
    inbox: Inbox, sweep: Sweep, dovecot: Dovecot
) -> None:
    oauth_mailbox(inbox, dovecot, oauth_refresh_token="revoked")

    assert error_after_sweep(inbox.mailbox, sweep) == "The OAuth2 token request failed (HTTPError)."


def test_xoauth2_token_for_another_user_is_refused_by_dovecot(
    inbox: Inbox, sweep: Sweep, dovecot: Dovecot
) -> None:
    dovecot.oauth.username = "someone-else@careloop.test"
    oauth_mailbox(inbox, dovecot)

    assert error_after_sweep(inbox.mailbox, sweep) == "The server refused the sign-in."


def test_a_mailbox_is_never_saved_for_plaintext_to_a_remote_host(
    admin: Any, facility_x: Any
) -> None:
    from careloop.core.time import utcnow
    from careloop.mail.services import MailboxInput, mailbox_save

    data = MailboxInput(
        address="concerns@riverside.test",
        host="imap.example.org",
        port=143,
        tls_mode=TlsMode.PLAIN,
        username="concerns",
        auth_method=AuthMethod.PASSWORD,
        password="secret",
    )
    with pytest.raises(ValidationError, match="Unencrypted IMAP is allowed only"):
        mailbox_save(actor=admin, facility=facility_x, data=data, now=utcnow())
    assert not Mailbox.objects.exists()


def test_each_mailbox_belongs_to_its_facility(
    inbox: Inbox, sweep: Sweep, dovecot: Dovecot, facility_y: Any
) -> None:
    username, password = dovecot.account()
    other = mailbox_for(facility_y, dovecot, username, password)
    dovecot.append(username, password, sample("plain_complaint.eml"))

    sweep()

    assert Case.objects.get().facility_id == other.facility_id
