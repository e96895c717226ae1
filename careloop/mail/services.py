"""Facility mailboxes: set up, changed and tested by an administrator of the facility.

Secrets are write-only: a blank secret on an edit keeps the stored one; none is ever shown
back in full, logged or named in the audit log other than by its field name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.mail.imap import MailboxError, mailbox_session, token_url_allowed
from careloop.mail.models import LOOPBACK_HOSTS, AuthMethod, Mailbox, TlsMode
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import has_capability, role_label
from careloop.safety.services import FacilityScope

SECRETS = ("password", "oauth_client_secret", "oauth_refresh_token")
SETTINGS = (
    "address",
    "host",
    "port",
    "tls_mode",
    "verify_certificate",
    "username",
    "auth_method",
    "oauth_token_url",
    "oauth_client_id",
    "folder",
    "enabled",
)


@dataclass(frozen=True)
class MailboxInput:
    address: str
    host: str
    port: int
    tls_mode: str
    username: str
    auth_method: str
    folder: str = "INBOX"
    enabled: bool = True
    verify_certificate: bool = True
    password: str = ""
    oauth_token_url: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str = ""
    oauth_refresh_token: str = ""


def can_administer_mailbox(user: User, facility: Facility) -> bool:
    return has_capability(user, "administer", FacilityScope.of(facility))


def secret_hint(value: str) -> str:
    """What staff see of a stored secret: that it is set, and its last two characters at most."""
    if not value:
        return "not set"
    return f"set (…{value[-2:]})" if len(value) >= 12 else "set"


def _validate(data: MailboxInput, stored: Mailbox | None) -> None:
    if data.tls_mode not in TlsMode.values:
        raise ValidationError("Choose how the connection is encrypted.")
    if data.auth_method not in AuthMethod.values:
        raise ValidationError("Choose how Careloop signs in.")
    if data.tls_mode == TlsMode.PLAIN and data.host.strip().lower() not in LOOPBACK_HOSTS:
        raise ValidationError(
            "Unencrypted IMAP is allowed only to this machine (127.0.0.1, ::1 or localhost)."
        )
    if not 1 <= data.port <= 65535:
        raise ValidationError("The port must be between 1 and 65535.")
    if not data.folder.strip() or any(ch in data.folder for ch in "\r\n\x00"):
        raise ValidationError("Name the folder to read (usually INBOX).")

    def present(name: str) -> bool:
        return bool(getattr(data, name)) or (stored is not None and bool(getattr(stored, name)))

    if data.auth_method == AuthMethod.PASSWORD and not present("password"):
        raise ValidationError("Enter the mailbox password.")
    if data.auth_method == AuthMethod.XOAUTH2:
        missing = [
            label
            for name, label in (
                ("oauth_token_url", "token URL"),
                ("oauth_client_id", "client ID"),
                ("oauth_refresh_token", "refresh token"),
            )
            if not present(name)
        ]
        if missing:
            raise ValidationError(f"OAuth2 needs its {', '.join(missing)}.")
        if data.oauth_token_url and not token_url_allowed(data.oauth_token_url):
            raise ValidationError("The token URL must use https (http only on this machine).")


@transaction.atomic
def mailbox_save(*, actor: User, facility: Facility, data: MailboxInput, now: datetime) -> Mailbox:
    """Create the facility's mailbox or change it. Blank secrets keep the stored ones."""
    if not can_administer_mailbox(actor, facility):
        raise PermissionDenied("Only administrators of the facility can set up its mailbox.")
    stored = Mailbox.objects.select_for_update().filter(facility=facility).first()
    _validate(data, stored)
    mailbox = stored or Mailbox(facility=facility, created_at=now)
    changed = []
    for name in SETTINGS:
        value = getattr(data, name)
        value = value.strip() if isinstance(value, str) and name != "folder" else value
        if getattr(mailbox, name) != value or stored is None:
            setattr(mailbox, name, value)
            changed.append(name)
    for name in SECRETS:
        value = getattr(data, name)
        if value:
            setattr(mailbox, name, value)
            changed.append(name)
    mailbox.host = mailbox.host.lower()
    mailbox.updated_at = now
    mailbox.save()
    audit_record(
        actor=actor,
        action="C" if stored is None else "U",
        event_type="mail.mailbox_saved",
        at=now,
        organization_id=facility.organization_id,
        object_type="mailbox",
        object_id=str(mailbox.pk),
        fields=changed,
        actor_role=role_label(actor),
        detail={"facility_id": facility.pk},
    )
    return mailbox


def mailbox_test(*, actor: User, mailbox: Mailbox, now: datetime) -> str:
    """Connect, sign in and open the folder; what was found, or why it failed. Reads
    nothing from the messages and marks nothing."""
    if not can_administer_mailbox(actor, mailbox.facility):
        raise PermissionDenied("Only administrators of the facility can test its mailbox.")
    try:
        with mailbox_session(mailbox) as session:
            waiting = len(session.unprocessed_uids())
    except MailboxError as exc:
        result, error = f"Failed: {exc}", str(exc)
    else:
        result, error = f"Connected. {waiting} message(s) waiting to be read.", ""
    with transaction.atomic():
        Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=now, last_error=error)
        audit_record(
            actor=actor,
            action="R",
            event_type="mail.mailbox_tested",
            at=now,
            organization_id=mailbox.facility.organization_id,
            object_type="mailbox",
            object_id=str(mailbox.pk),
            fields=["connection"],
            actor_role=role_label(actor),
            detail={"ok": not error},
        )
    return result
