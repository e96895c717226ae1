from __future__ import annotations

from django import forms

from careloop.webhooks.models import EventType


class SubscriptionForm(forms.Form):
    target_url = forms.URLField(
        label="Target address",
        max_length=500,
        assume_scheme="https",
        help_text="Careloop POSTs signed JSON here (https only, except on this machine).",
    )
    event_types = forms.MultipleChoiceField(
        label="Events", choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)
