"""Forms: parse and shape input. Rules live in the services they feed."""

from __future__ import annotations

from django import forms

from careloop.mail.models import AuthMethod, Mailbox, TlsMode
from careloop.mail.services import SECRETS, MailboxInput, secret_hint

SECRET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label="Mailbox address", help_text="Replies to email about this facility's cases go here."
    )
    host = forms.CharField(max_length=255, label="IMAP server")
    port = forms.IntegerField(min_value=1, max_value=65535, initial=993)
    tls_mode = forms.ChoiceField(choices=TlsMode.choices, label="Encryption")
    verify_certificate = forms.BooleanField(
        required=False,
        initial=True,
        label="Check the server's certificate",
        help_text="Turn off only for a server on this machine with a self-signed certificate.",
    )
    username = forms.CharField(max_length=255)
    auth_method = forms.ChoiceField(choices=AuthMethod.choices, label="Sign in with")
    password = forms.CharField(max_length=500, required=False, widget=SECRET)
    oauth_token_url = forms.URLField(
        max_length=500, required=False, label="OAuth2 token URL", assume_scheme="https"
    )
    oauth_client_id = forms.CharField(max_length=255, required=False, label="OAuth2 client ID")
    oauth_client_secret = forms.CharField(
        max_length=500, required=False, widget=SECRET, label="OAuth2 client secret"
    )
    oauth_refresh_token = forms.CharField(
        max_length=2000, required=False, widget=SECRET, label="OAuth2 refresh token"
    )
    folder = forms.CharField(max_length=200, initial="INBOX")
    enabled = forms.BooleanField(required=False, initial=True, label="Read this mailbox")

    def __init__(self, *args: object, stored: Mailbox | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        for name in SECRETS:
            hint = secret_hint(getattr(stored, name)) if stored is not None else "not set"
            self.fields[name].help_text = f"Stored: {hint}. Leave blank to keep it."

    def to_input(self) -> MailboxInput:
        d = self.cleaned_data
        return MailboxInput(
            address=d["address"],
            host=d["host"],
            port=d["port"],
            tls_mode=d["tls_mode"],
            verify_certificate=d["verify_certificate"],
            username=d["username"],
            auth_method=d["auth_method"],
            password=d["password"],
            oauth_token_url=d["oauth_token_url"],
            oauth_client_id=d["oauth_client_id"],
            oauth_client_secret=d["oauth_client_secret"],
            oauth_refresh_token=d["oauth_refresh_token"],
            folder=d["folder"],
            enabled=d["enabled"],
        )


def initial_for(mailbox: Mailbox) -> dict[str, object]:
    """The stored settings for the form; never the secrets."""
    return {
        name: getattr(mailbox, name)
        for name in (
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
    }
