"""The public form. Every label, hint and error is translated (locale/*/LC_MESSAGES)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from careloop.orgs.models import Facility, Unit

NONCE_SALT = "careloop.intake.form"

ROLE_CHOICES = [
    ("client", _("The patient or resident")),
    ("family", _("A family member or friend")),
    ("representative", _("A representative or advocate")),
    ("staff", _("A member of staff")),
    ("prefer_not", _("I prefer not to say")),
]
CONTACT_CHOICES = [
    ("email", _("By email")),
    ("phone", _("By phone call")),
    ("sms", _("By text message")),
    ("none", _("Please do not contact me")),
]
DANGER_CHOICES = [
    ("hurt", _("Someone is being hurt, threatened or abused")),
    ("not_cared_for", _("Someone is not being looked after properly")),
    ("injury", _("Someone has an injury nobody can explain")),
    ("belongings", _("Someone's money or belongings have been taken")),
    ("taken_advantage", _("Someone is being taken advantage of")),
    ("not_sure", _("I am not sure")),
]
NARRATIVE_LABELS = {
    "complaint": _("What happened?"),
    "compliment": _("What would you like to tell us?"),
    "suggestion": _("What is your idea?"),
    "safety": _("What is happening?"),
}
INVOLVED_LABELS = {
    "complaint": _("Who was involved? (optional)"),
    "compliment": _("Who would you like to thank? (optional)"),
    "suggestion": _("Who should hear about it? (optional)"),
    "safety": _("Who is involved? (optional)"),
}


def new_nonce() -> str:
    """A signed, timestamped one-time id for a form given out; accepted once."""
    return signing.dumps(secrets.token_hex(16), salt=NONCE_SALT)


class ConcernForm(forms.Form):
    reporter_role = forms.ChoiceField(
        label=_("Who are you?"), choices=ROLE_CHOICES, widget=forms.RadioSelect
    )
    danger_type = forms.ChoiceField(
        label=_("What kind of danger?"),
        choices=DANGER_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    narrative = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=settings.CARELOOP_NARRATIVE_MAX_CHARS,
    )
    unit = forms.ModelChoiceField(
        label=_("Where?"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Somewhere else or not sure"),
    )
    incident_on = forms.DateField(
        label=_("When? (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day it happened, if you know."),
    )
    incident_time = forms.TimeField(
        label=_("About what time? (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    people_involved = forms.CharField(
        label=_("Who was involved? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A name, a job or a description is enough."),
    )
    desired_outcome = forms.CharField(
        label=_("What would put it right? (optional)"),
        required=False,
        max_length=settings.CARELOOP_NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reporter_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=200,
        help_text=_("Leave it empty to stay anonymous."),
    )
    contact_method = forms.ChoiceField(
        label=_("How can we reach you?"),
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        initial="none",
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        help_text=_("Only if you chose email."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("Only if you chose a phone call or a text message."),
    )
    language = forms.ChoiceField(label=_("Which language should we use?"), choices=[])
    # Honeypot: hidden from people and assistive technology; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    form_nonce = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(
        self,
        *args: Any,
        path: str,
        facility: Facility,
        kiosk: bool = False,
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.today = today
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = Unit.objects.filter(facility=facility, active=True).order_by("name")
        self.fields["narrative"].label = NARRATIVE_LABELS[path]
        self.fields["people_involved"].label = INVOLVED_LABELS[path]
        language_field: Any = self.fields["language"]
        language_field.choices = list(settings.LANGUAGES)
        if path == "safety":
            self.fields["danger_type"].required = True
        else:
            del self.fields["danger_type"]
        if path in ("compliment", "suggestion"):
            del self.fields["desired_outcome"]
        autocomplete_off = {"autocomplete": "off"} if kiosk else {}
        for name, field in self.fields.items():
            field.widget.attrs.update(autocomplete_off)
            if name in ("email",) and not kiosk:
                field.widget.attrs["autocomplete"] = "email"
            if name in ("phone",) and not kiosk:
                field.widget.attrs["autocomplete"] = "tel"
            if name in ("reporter_name",) and not kiosk:
                field.widget.attrs["autocomplete"] = "name"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_incident_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("incident_on")
        if value is not None and value > self.today:
            raise forms.ValidationError(_("That date is in the future."), code="future")
        return value

    def clean_form_nonce(self) -> str:
        value: str = self.cleaned_data["form_nonce"]
        try:
            nonce = signing.loads(
                value, salt=NONCE_SALT, max_age=settings.CARELOOP_PUBLIC_FORM_MAX_AGE
            )
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                _("This form has expired. Please check your answers and send it again."),
                code="expired",
            ) from exc
        return str(nonce)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("contact_method")
        if method == "email" and not data.get("email"):
            self.add_error("email", _("Please give an email address, or choose another way."))
        if method in ("phone", "sms") and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Please give a phone number, or choose another way."))
        return data

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.data.get("website", "").strip())
