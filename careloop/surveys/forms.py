"""Staff forms of the surveys screens (English, like the other administration screens): the
builder's item form, an instrument's configuration with its low-score thresholds, the
organization's survey settings and the results filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from careloop.orgs.models import Unit
from careloop.surveys.builder import item_spec_checked
from careloop.surveys.instruments import OPTIONS, TEMPLATES, ItemSpec, options_for
from careloop.surveys.models import InstrumentVersion, ItemType, SurveySettings

TEMPLATE_CHOICES = [(key, spec.names["en"]) for key, spec in TEMPLATES.items()]
ITEM_TYPE_LABELS = dict(ItemType.choices)


class NewInstrumentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)


class CloneForm(forms.Form):
    template = forms.ChoiceField(label="Built-in template", choices=TEMPLATE_CHOICES)


def condition_choices(earlier: Sequence[ItemSpec]) -> list[tuple[str, str]]:
    """'position:value' choices for the answers of the earlier scale items."""
    return [
        (f"{position}:{value}", f"Question {position}: {label}")
        for position, spec in enumerate(earlier, start=1)
        for value, label in options_for(spec.type, "en").items()
    ]


class ItemForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=ItemType.choices)
    text_en = forms.CharField(label="Question (English)", max_length=1000)
    text_es = forms.CharField(
        label="Question (Spanish)",
        max_length=1000,
        required=False,
        help_text="Left blank, Spanish speakers see the English text.",
    )
    text_it = forms.CharField(
        label="Question (Italian)",
        max_length=1000,
        required=False,
        help_text="Left blank, Italian speakers see the English text.",
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    show_if = forms.MultipleChoiceField(
        label="Show only when the answer to an earlier question is one of",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to always show the question. All ticked answers must "
        "belong to one question.",
    )

    def __init__(self, *args: Any, earlier: Sequence[ItemSpec] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_if"].choices = condition_choices(earlier)  # type: ignore[attr-defined]  # a ChoiceField

    def spec(self) -> ItemSpec:
        """The cleaned item; ValidationError (added to the form by the caller) if wrong."""
        data = self.cleaned_data
        chosen = [value.split(":", 1) for value in data["show_if"]]
        positions = {int(position) for position, _value in chosen}
        if len(positions) > 1:
            raise ValidationError("Tick answers of one question only.", code="show_if")
        return item_spec_checked(
            item_type=data["type"],
            texts={"en": data["text_en"], "es": data["text_es"], "it": data["text_it"]},
            required=data["required"],
            show_if_position=positions.pop() if positions else None,
            show_if_values=[value for _position, value in chosen],
        )

    @staticmethod
    def initial_of(spec: ItemSpec) -> dict[str, Any]:
        shown = spec.show_if
        return {
            "type": spec.type,
            "text_en": spec.texts.get("en", ""),
            "text_es": spec.texts.get("es", ""),
            "text_it": spec.texts.get("it", ""),
            "required": spec.required,
            "show_if": [f"{shown[0]}:{v}" for v in shown[1]] if shown else [],
        }


class ConfigureForm(forms.Form):
    """Name, minimum n, and per scale type present the answers that open a case."""

    name = forms.CharField(label="Name", max_length=200)
    minimum_n = forms.IntegerField(
        label="Minimum number of answers before a score is shown", min_value=1, max_value=1000
    )

    def __init__(
        self, *args: Any, item_types: Sequence[str], low: dict[str, frozenset[str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item_types = [t for t in OPTIONS if t in item_types]
        for item_type in self.item_types:
            self.fields[f"low_{item_type}"] = forms.MultipleChoiceField(
                label=f"{ITEM_TYPE_LABELS[item_type]}: answers that open a case",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=list(options_for(item_type, "en").items()),
                initial=sorted(low.get(item_type, frozenset())),
            )

    def low_scores(self) -> dict[str, list[str]]:
        return {t: list(self.cleaned_data[f"low_{t}"]) for t in self.item_types}


class SurveySettingsForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    def __init__(self, *args: Any, versions: Sequence[InstrumentVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["after_resolution_version"]
        field.queryset = InstrumentVersion.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField
            pk__in=[v.pk for v in versions]
        ).select_related("instrument")
        field.label_from_instance = lambda v: f"{v.instrument.name} (v{v.number})"  # type: ignore[attr-defined]  # a ModelChoiceField

    class Meta:
        model = SurveySettings
        fields = [
            "after_resolution",
            "after_resolution_version",
            "after_resolution_days",
            "reminder_after_days",
            "after_encounter_days",
            "minimum_n",
            "anonymous_default",
        ]
        labels = {
            "after_resolution": "Send a survey after a case is resolved",
            "after_resolution_version": "Survey to send after a resolution",
            "after_resolution_days": "Days after the resolution",
            "reminder_after_days": "Reminder after (days; 0: no reminder)",
            "after_encounter_days": "Days after an imported visit or discharge",
            "minimum_n": "Minimum number of answers before any score is shown",
            "anonymous_default": "Invitations are anonymous by default",
        }


PERIODS = [("month", "Month"), ("quarter", "Quarter")]


class ResultsFilterForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(
        label="To (inclusive)", required=False, widget=forms.DateInput({"type": "date"})
    )
    unit = forms.TypedChoiceField(label="Unit", required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label="Trend by", choices=PERIODS, required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            ("", "All units"),
            *((u.pk, f"{u.facility.name}: {u.name}") for u in units),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise ValidationError("The end date is before the start date.")
        return data
