from __future__ import annotations

from django import forms

from careloop.cases.models import HARM_CHOICES, HCAT_CATEGORIES, SEVERITY_CHOICES
from careloop.text.models import Codebook, LinkKind

MAX_UPLOAD = 2 * 1024 * 1024


def _optional(choices: list[tuple[int, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(v), label) for v, label in choices)]


SENTIMENT_CHOICES = [
    (1, "1 Very negative"),
    (2, "2 Negative"),
    (3, "3 Mixed or neutral"),
    (4, "4 Positive"),
    (5, "5 Very positive"),
]


class CorrectionForm(forms.Form):
    codebook = forms.ModelChoiceField(queryset=Codebook.objects.none())
    labels = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    severity = forms.TypedChoiceField(
        choices=_optional(SEVERITY_CHOICES), coerce=int, empty_value=None, required=False
    )
    harm = forms.TypedChoiceField(
        choices=_optional(HARM_CHOICES), coerce=int, empty_value=None, required=False
    )
    sentiment = forms.TypedChoiceField(
        choices=_optional(SENTIMENT_CHOICES), coerce=int, empty_value=None, required=False
    )
    suggestion = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, codebook: Codebook, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's loose signature
        field = self.fields["codebook"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        field.queryset = Codebook.objects.filter(pk=codebook.pk)
        field.initial = codebook.pk
        field.widget = forms.HiddenInput()
        labels = self.fields["labels"]
        assert isinstance(labels, forms.MultipleChoiceField)  # noqa: S101  # declared above
        codes = list(codebook.codes.all())
        parents = {c.parent_id for c in codes}
        # Leaves are what the models suggest.
        labels.choices = [(c.code, c.label) for c in codes if c.pk not in parents]


class LinkForm(forms.Form):
    to_case = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=LinkKind.choices)


class CodebookImportForm(forms.Form):
    name = forms.CharField(max_length=100)
    file = forms.FileField(help_text="CSV with columns code, label, parent, description, language.")

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 2 MB.")
        data: bytes = upload.read()
        return data


class CrosswalkForm(forms.Form):
    """One select per code: the HCAT category it maps onto, or none."""

    def __init__(self, *args: object, codebook: Codebook, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's loose signature
        choices = [("", "— not mapped"), *HCAT_CATEGORIES]
        for code in codebook.codes.select_related("crosswalk"):
            current = getattr(code, "crosswalk", None)
            self.fields[f"code_{code.pk}"] = forms.ChoiceField(
                label=f"{code.code} · {code.label}",
                choices=choices,
                required=False,
                initial=current.hcat_category if current else "",
            )
        self.codes = {f"code_{c.pk}": c.code for c in codebook.codes.all()}

    def mapping(self) -> dict[str, str]:
        return {self.codes[name]: value for name, value in self.cleaned_data.items()}
