"""The upload form and the column-mapping form (one row of inputs per Careloop field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from careloop.imports.mapping import DATE_FORMATS, DELIMITERS, TARGETS

VALUE_MAP_KINDS = frozenset({"choice", "facility", "unit"})
INTEGER_FIELDS = ("source_id", "status")


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8 or Windows-1252) or XLSX; header in row 1.")
    mapping = forms.ChoiceField(label="Start from mapping")

    def __init__(self, *args: Any, mappings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["mapping"]
        assert isinstance(choice, forms.ChoiceField)  # noqa: S101  # declared above
        choice.choices = mappings

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.CARELOOP_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is larger than the {limit:,}-byte limit.")
        return upload


def _values_text(values: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in values.items())


def _values_parse(text: str, label: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source, sep, careloop = line.rpartition("=")
        if not sep or not source.strip():
            raise forms.ValidationError(
                f"{label}, value map line {number}: write 'source value = Careloop value'."
            )
        values[source.strip()] = careloop.strip()
    return values


class MappingForm(forms.Form):
    """Built from the file's header: for each field a source column (several for text), a fixed
    value, and a value map where values are translated."""

    source_system = forms.CharField(max_length=60)
    date_formats = forms.MultipleChoiceField(
        choices=list(DATE_FORMATS.items()), widget=forms.CheckboxSelectMultiple
    )
    delimiter = forms.ChoiceField(choices=[(k, k) for k in DELIMITERS], initial="auto")
    save_as = forms.CharField(
        max_length=100, required=False, help_text="Also save this mapping under this name."
    )

    def __init__(
        self,
        *args: Any,
        header: list[str],
        facilities: list[str],
        spec: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.description = str(spec.get("description", ""))
        self.mapping_spec: dict[str, Any] = {}
        columns = [("", "—")] + [(h, h) for h in header]
        fields_spec: dict[str, Any] = spec.get("fields", {})
        self.rows: list[tuple[str, list[str]]] = []
        for name, target in TARGETS.items():
            current = fields_spec.get(name, {})
            names = [f"{name}__columns"]
            column_field: forms.Field = (
                forms.MultipleChoiceField(choices=columns[1:], required=False)
                if target.kind == "text"
                else forms.ChoiceField(choices=columns, required=False)
            )
            column_field.label = target.label + (" *" if target.required else "")
            self.fields[f"{name}__columns"] = column_field
            chosen = current.get("columns", [])
            self.initial[f"{name}__columns"] = (
                chosen if target.kind == "text" else next(iter(chosen), "")
            )
            if target.kind == "choice":
                fixed: forms.Field = forms.ChoiceField(
                    choices=[("", "—")] + [(c, c) for c in target.choices], required=False
                )
            elif target.kind == "facility":
                fixed = forms.ChoiceField(
                    choices=[("", "—")] + [(f, f) for f in facilities], required=False
                )
            else:
                fixed = forms.CharField(required=False, max_length=200)
            fixed.label = f"{target.label}: fixed value"
            self.fields[f"{name}__fixed"] = fixed
            self.initial[f"{name}__fixed"] = current.get("fixed", "")
            names.append(f"{name}__fixed")
            if target.kind in VALUE_MAP_KINDS:
                self.fields[f"{name}__values"] = forms.CharField(
                    required=False,
                    label=f"{target.label}: value map",
                    widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
                )
                self.initial[f"{name}__values"] = _values_text(current.get("values", {}))
                names.append(f"{name}__values")
            if name in INTEGER_FIELDS:
                self.fields[f"{name}__integer"] = forms.BooleanField(
                    required=False, label="whole numbers only"
                )
                self.initial[f"{name}__integer"] = bool(current.get("integer"))
                names.append(f"{name}__integer")
            self.rows.append((name, names))
        self.initial.setdefault("source_system", spec.get("source_system", ""))
        self.initial.setdefault("date_formats", spec.get("date_formats", ["iso"]))
        self.initial.setdefault("delimiter", spec.get("delimiter", "auto"))

    def bound_rows(self) -> list[list[forms.BoundField]]:
        return [[self[n] for n in names] for _name, names in self.rows]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                self.mapping_spec = self._spec(data)
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data

    def _spec(self, data: dict[str, Any]) -> dict[str, Any]:
        """The mapping as JSON (checked by imports.mapping when it is used)."""
        fields: dict[str, Any] = {}
        for name, target in TARGETS.items():
            chosen = data.get(f"{name}__columns") or []
            columns = list(chosen) if isinstance(chosen, list) else [chosen]
            entry: dict[str, Any] = {"columns": [c for c in columns if c]}
            entry["fixed"] = data.get(f"{name}__fixed", "")
            if target.kind in VALUE_MAP_KINDS:
                entry["values"] = _values_parse(data.get(f"{name}__values", ""), target.label)
            if data.get(f"{name}__integer"):
                entry["integer"] = True
            if entry["columns"] or entry["fixed"]:
                fields[name] = entry
        return {
            "source_system": data["source_system"],
            "description": self.description,
            "date_formats": list(data["date_formats"]),
            "delimiter": data["delimiter"],
            "fields": fields,
        }
