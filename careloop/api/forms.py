"""The token screen's form (staff, English like the other administration screens)."""

from __future__ import annotations

from typing import Any

from django import forms

from careloop.api.models import Scope
from careloop.orgs.models import Facility, Role, Unit


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “EHR bridge”.")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    role = forms.ChoiceField(
        choices=Role.choices, help_text="The token acts with this role, like a person."
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        required=False,
        help_text="Leave empty for the whole organization.",
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, help_text="Only this unit of the facility."
    )

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facility_field = self.fields["facility"]
        unit_field = self.fields["unit"]
        assert isinstance(facility_field, forms.ModelChoiceField)  # noqa: S101  # declared above
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101  # declared above
        facility_field.queryset = Facility.objects.filter(organization_id=organization_id)
        unit_field.queryset = Unit.objects.filter(
            facility__organization_id=organization_id
        ).select_related("facility")
