"""Forms: parse and shape input. Rules live in the services they feed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from careloop.orgs.models import User
from careloop.safety.services import MAX_ESCALATE_MINUTES, MIN_ESCALATE_MINUTES, REASON_MAX_CHARS

WEEKDAYS = [
    (0, "Mon"),
    (1, "Tue"),
    (2, "Wed"),
    (3, "Thu"),
    (4, "Fri"),
    (5, "Sat"),
    (6, "Sun"),
]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DecisionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_CHARS,
        help_text="Required: why you confirm or dismiss it (recorded on the case).",
    )


class OnCallEntryForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    position = forms.IntegerField(min_value=0, initial=0, help_text="0 is paged first.")
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every day. A night shift counts on the day it starts.",
    )
    start_time = forms.TimeField(required=False, widget=TIME, label="From")
    end_time = forms.TimeField(
        required=False, widget=TIME, label="Until", help_text="Before 'from' wraps past midnight."
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]  # ModelChoiceField


class RotaSettingsForm(forms.Form):
    escalate_after_minutes = forms.IntegerField(
        min_value=MIN_ESCALATE_MINUTES,
        max_value=MAX_ESCALATE_MINUTES,
        label="Escalate after (minutes)",
    )
