"""Staff forms: texting a client from the case page, and a facility's numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from careloop.orgs.models import Facility
from careloop.sms.models import FacilityNumber
from careloop.sms.phones import phone_normalize
from careloop.sms.services import TEXT_LIMIT


class CaseTextForm(forms.Form):
    body = forms.CharField(
        label="Text to the client",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent by text message with the case reference; the client can reply.",
    )


class FacilityNumberForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    class Meta:
        model = FacilityNumber
        fields = ["facility", "phone_number", "language", "opens_at", "closes_at", "active"]

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.filter(  # type: ignore[attr-defined]  # ModelChoiceField
            organization_id=organization_id
        )
        self.fields["language"].widget = forms.Select(
            choices=[("en", "English"), ("es", "Spanish"), ("it", "Italian")]
        )

    def clean_phone_number(self) -> str:
        raw = self.cleaned_data["phone_number"]
        return phone_normalize(str(raw))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        opens, closes = self.cleaned_data.get("opens_at"), self.cleaned_data.get("closes_at")
        if opens is not None and closes is not None and opens >= closes:
            raise ValidationError("The office must open before it closes.")
        return data
