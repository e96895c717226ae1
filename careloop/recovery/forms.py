"""Forms: parse and shape input. The rules live in the services they feed."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core import signing
from django.db.models import QuerySet

from careloop.orgs.models import Role, Unit
from careloop.recovery.models import ItemKind, ItemType, Period, ReasonCode, Script
from careloop.recovery.services import QUANTITY_MAX, REASON_MAX_CHARS

FORM_NONCE_SALT = "careloop.recovery.form"
TOKEN_MAX_AGE = 24 * 3600
DATE = forms.DateInput(attrs={"type": "date"})


def form_token() -> str:
    """A signed one-time key for a form given out; the service accepts each key once."""
    return signing.dumps(secrets.token_hex(16), salt=FORM_NONCE_SALT)


class GiveForm(forms.Form):
    item_type = forms.ModelChoiceField(queryset=ItemType.objects.none(), label="Item")
    quantity = forms.IntegerField(min_value=1, max_value=QUANTITY_MAX, initial=1)
    unit_value = forms.DecimalField(
        required=False,
        label="Value per item",
        help_text="Only for items whose value you enter (bill adjustments).",
        max_digits=12,
        decimal_places=2,
    )
    serial = forms.CharField(
        required=False, max_length=64, help_text="For serialized items (gift cards)."
    )
    reason_code = forms.ChoiceField(choices=ReasonCode.choices, label="Reason")
    exception_reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Exception reason (Medicare/Medicaid gift rule)",
        help_text="Only when the item is outside the R11 limits: it then goes to a compliance "
        "approver.",
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args: Any, item_types: QuerySet[ItemType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_type"].queryset = item_types  # type: ignore[attr-defined]  # ModelChoiceField

    def clean_form_token(self) -> str:
        value: str = self.cleaned_data["form_token"]
        try:
            return str(signing.loads(value, salt=FORM_NONCE_SALT, max_age=TOKEN_MAX_AGE))
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                "This form has expired; reload the case page.", code="expired"
            ) from exc


class ClientCreateForm(forms.Form):
    display_name = forms.CharField(max_length=200, label="Name")
    identifier = forms.CharField(
        max_length=64, required=False, help_text="MRN, resident number or similar (optional)."
    )
    beneficiary = forms.BooleanField(required=False, label="Medicare or Medicaid beneficiary")
    case_only = forms.BooleanField(
        required=False, label="For this case only", help_text="Not offered on other cases."
    )


class ClientLinkForm(forms.Form):
    client = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class BeneficiaryForm(forms.Form):
    beneficiary = forms.BooleanField(required=False)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )
    next = forms.ChoiceField(choices=[("case", "case"), ("queue", "queue")], required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}))


# --- administration -----------------------------------------------------------------------------


class ItemTypeForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices)
    name = forms.CharField(max_length=120)
    retail_value = forms.DecimalField(
        min_value=0, help_text="Per item, at retail.", max_digits=12, decimal_places=2
    )
    currency = forms.CharField(max_length=3, initial="USD")
    value_editable = forms.BooleanField(
        required=False, label="Value entered each time (bill adjustments)"
    )
    cash_or_cash_equivalent = forms.BooleanField(required=False, label="Cash or cash equivalent")
    serialized = forms.BooleanField(required=False, label="Serialized (kept in stock)")
    active = forms.BooleanField(required=False, initial=True)


class AuthorityForm(forms.Form):
    """One row of fields per role and item type: `<item>-<role>-per_case` and so on."""

    def __init__(self, *args: Any, item_types: list[ItemType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cells: list[tuple[ItemType, str, str]] = []
        for item in item_types:
            for role, label in Role.choices:
                prefix = f"{item.pk}-{role}"
                self.fields[f"{prefix}-per_case"] = forms.DecimalField(
                    min_value=0,
                    required=False,
                    label=f"{label}: per case",
                    max_digits=12,
                    decimal_places=2,
                )
                self.fields[f"{prefix}-per_client"] = forms.DecimalField(
                    min_value=0,
                    required=False,
                    label=f"{label}: per client",
                    max_digits=12,
                    decimal_places=2,
                )
                self.fields[f"{prefix}-period"] = forms.ChoiceField(
                    choices=Period.choices, label=f"{label}: period"
                )
                self.cells.append((item, role, str(label)))

    def rows(self) -> list[tuple[ItemType, str, list[forms.BoundField]]]:
        return [
            (
                item,
                label,
                [self[f"{item.pk}-{role}-{f}"] for f in ("per_case", "per_client", "period")],
            )
            for item, role, label in self.cells
        ]


class BudgetForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none())
    start_on = forms.DateField(widget=DATE, label="From")
    end_on = forms.DateField(widget=DATE, label="Until (included)")
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)
    currency = forms.CharField(max_length=3, initial="USD")

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField


class StockReceiveForm(forms.Form):
    item_type = forms.ModelChoiceField(queryset=ItemType.objects.none(), label="Item")
    serials = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text="Paste serial numbers, one a line."
    )

    def __init__(self, *args: Any, item_types: QuerySet[ItemType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_type"].queryset = item_types  # type: ignore[attr-defined]  # ModelChoiceField


class ReconcileForm(forms.Form):
    item_type = forms.ModelChoiceField(queryset=ItemType.objects.none(), label="Item")
    counted = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Counted in the drawer (optional)",
        help_text="Paste the serials found in a physical count, one a line.",
    )

    def __init__(self, *args: Any, item_types: QuerySet[ItemType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_type"].queryset = item_types  # type: ignore[attr-defined]  # ModelChoiceField


class OrganizationSettingsForm(forms.Form):
    script = forms.ChoiceField(choices=Script.choices, label="Service-recovery script")
    block_budget_at_100 = forms.BooleanField(
        required=False, label="Refuse recovery past 100 % of a unit's budget"
    )
    amount_ceiling = forms.DecimalField(
        min_value=0, label="Ceiling for one request", max_digits=12, decimal_places=2
    )


class FacilitySettingsForm(forms.Form):
    r11_guard = forms.BooleanField(
        required=False, label="Apply the Medicare/Medicaid gift rule (R11)"
    )
    r11_period = forms.ChoiceField(choices=Period.choices, label="R11 year")
