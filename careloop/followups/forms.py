"""The administrators' follow-up settings form (staff-facing, English)."""

from __future__ import annotations

from django import forms

from careloop.followups.models import FollowUpSettings


class FollowUpSettingsForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    class Meta:
        model = FollowUpSettings
        fields = ["checkback_after_days", "reminders", "reminder_after_days", "link_valid_days"]
        labels = {
            "checkback_after_days": "Ask the client after (days)",
            "reminders": "Reminders",
            "reminder_after_days": "Days between reminders",
            "link_valid_days": "Answer links work for (days)",
        }
