"""Talking to a mailbox's IMAP server (stdlib imaplib): connect with TLS, sign in with a
password or XOAUTH2, list unprocessed messages by UID, fetch one, mark it processed.

Errors are raised as MailboxError with a message that names what failed and never quotes the
server (its text may hold an address) or a secret."""

from __future__ import annotations

import imaplib
import json
import ssl
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from careloop.mail.models import LOOPBACK_HOSTS, AuthMethod, Mailbox, TlsMode

PROCESSED_KEYWORD = "$CareloopProcessed"
TIMEOUT_SECONDS = 30


class MailboxError(Exception):
    """The mailbox could not be read; the message is safe to show to staff and to log."""


def tls_context(mailbox: Mailbox) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not mailbox.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def token_url_allowed(url: str) -> bool:
    """https anywhere; plain http only to this machine (a local token helper, the tests)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "https":
        return bool(parsed.hostname)
    return parsed.scheme == "http" and (parsed.hostname or "") in LOOPBACK_HOSTS


def oauth_access_token(mailbox: Mailbox) -> str:
    """A fresh access token from the provider's token endpoint (OAuth2 refresh-token grant)."""
    form = urllib.parse.urlencode(
        {
            "grant_type": "refresh_token",
            "refresh_token": mailbox.oauth_refresh_token,
            "client_id": mailbox.oauth_client_id,
            "client_secret": mailbox.oauth_client_secret,
        }
    ).encode()
    if not token_url_allowed(mailbox.oauth_token_url):
        raise MailboxError("The OAuth2 token URL must use https (http only on loopback).")
    request = urllib.request.Request(mailbox.oauth_token_url, data=form, method="POST")  # noqa: S310  # scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # scheme checked above
            payload = json.loads(response.read(1_000_000))
    except (OSError, ValueError) as exc:
        raise MailboxError(f"The OAuth2 token request failed ({type(exc).__name__}).") from exc
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise MailboxError("The OAuth2 token endpoint gave no access token.")
    return token


def xoauth2_string(*, username: str, token: str) -> bytes:
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.tls_mode == TlsMode.PLAIN and mailbox.host not in LOOPBACK_HOSTS:
        raise MailboxError("Unencrypted IMAP is allowed only to a loopback address.")
    try:
        if mailbox.tls_mode == TlsMode.IMPLICIT:
            return imaplib.IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                ssl_context=tls_context(mailbox),
                timeout=TIMEOUT_SECONDS,
            )
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
        if mailbox.tls_mode == TlsMode.STARTTLS:
            client.starttls(ssl_context=tls_context(mailbox))
        return client
    except ssl.SSLError as exc:
        raise MailboxError(f"TLS failed ({type(exc).__name__}).") from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"Could not connect ({type(exc).__name__}).") from exc


def _sign_in(client: imaplib.IMAP4, mailbox: Mailbox) -> None:
    try:
        if mailbox.auth_method == AuthMethod.XOAUTH2:
            token = oauth_access_token(mailbox)
            client.authenticate(
                "XOAUTH2", lambda _challenge: xoauth2_string(username=mailbox.username, token=token)
            )
        else:
            client.login(mailbox.username, mailbox.password)
    except imaplib.IMAP4.error as exc:
        raise MailboxError("The server refused the sign-in.") from exc


class Session:
    """A signed-in connection with the mailbox's folder selected."""

    def __init__(self, client: imaplib.IMAP4, uidvalidity: int) -> None:
        self.client = client
        self.uidvalidity = uidvalidity

    def unprocessed_uids(self) -> list[int]:
        status, data = self.client.uid("SEARCH", "UNKEYWORD", PROCESSED_KEYWORD)
        if status != "OK":
            raise MailboxError("The server refused the search.")
        return sorted(int(uid) for uid in (data[0] or b"").split())

    def fetch(self, uid: int) -> bytes | None:
        """The message's bytes (not marking it seen), or None if it has gone."""
        status, data = self.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        if status != "OK":
            raise MailboxError("The server refused to fetch a message.")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return bytes(item[1])
        return None

    def mark_processed(self, uid: int) -> None:
        status, _data = self.client.uid("STORE", str(uid), "+FLAGS", f"({PROCESSED_KEYWORD})")
        if status != "OK":
            raise MailboxError("The server refused to flag a message.")


@contextmanager
def mailbox_session(mailbox: Mailbox) -> Iterator[Session]:
    client = _connect(mailbox)
    try:
        _sign_in(client, mailbox)
        try:
            status, _data = client.select(_quoted(mailbox.folder))
        except imaplib.IMAP4.error as exc:
            raise MailboxError("The folder could not be opened.") from exc
        if status != "OK":
            raise MailboxError("The folder could not be opened.")
        yield Session(client, _uidvalidity(client))
    finally:
        with suppress(OSError, imaplib.IMAP4.error):  # the connection is going away anyway
            client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(client: imaplib.IMAP4) -> int:
    _typ, data = client.response("UIDVALIDITY")
    for item in data:
        if isinstance(item, bytes) and item.isdigit():
            return int(item)
    raise MailboxError("The server did not report the folder's UIDVALIDITY.")
