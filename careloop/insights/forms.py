from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from careloop.insights.denominators import month_add, month_parse
from careloop.insights.models import TaskStatus

MAX_MONTHS = 60
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class PeriodForm(forms.Form):
    start = forms.CharField(required=False, max_length=7, help_text="YYYY-MM")
    end = forms.CharField(required=False, max_length=7, help_text="YYYY-MM")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = month_parse(data.get("start") or ""), month_parse(data.get("end") or "")
        if bool(data.get("start")) != bool(data.get("end")) or (
            data.get("start") and None in (start, end)
        ):
            raise forms.ValidationError("Give both months as YYYY-MM.")
        if start is not None and end is not None:
            if end < start:
                raise forms.ValidationError("The first month must not be after the last.")
            if month_add(start, MAX_MONTHS) <= end:
                raise forms.ValidationError(f"At most {MAX_MONTHS} months.")
        data["start_on"], data["end_on"] = start, end
        return data

    def months(self) -> tuple[date, date] | None:
        start, end = self.cleaned_data.get("start_on"), self.cleaned_data.get("end_on")
        return (start, end) if start is not None and end is not None else None


class ExposureImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="CSV, UTF-8")
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Or paste CSV"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                data["csv_text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as error:
                raise forms.ValidationError("The file is not UTF-8 text.") from error
        elif data.get("text"):
            data["csv_text"] = data["text"]
        else:
            raise forms.ValidationError("Choose a CSV file or paste its rows.")
        return data


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.TypedChoiceField(coerce=int, choices=())
    due_on = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]  # TypedChoiceField


class TaskUpdateForm(TaskForm):
    status = forms.ChoiceField(choices=TaskStatus.choices)
