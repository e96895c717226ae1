"""Forms: parse and shape input. Rules live in the services they feed."""

from __future__ import annotations

from typing import Any

from django import forms

from careloop.cases.models import (
    HARM_CHOICES,
    HCAT_CATEGORIES,
    SEVERITY_CHOICES,
    Channel,
    ContactPreference,
    Kind,
    ReporterType,
    ReportKind,
    SafetyType,
    StageOfCare,
    Status,
    Visibility,
)
from careloop.orgs.models import Facility, Person, Unit, User

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LANGUAGES = [("en", "English"), ("es", "Spanish"), ("it", "Italian"), ("other", "Other")]
NARRATIVE_FORM_LIMIT = 100_000  # the service applies the configured limit with a clear message


class QuickEntryForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Where")
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.COMPLAINT)
    safety_type = forms.ChoiceField(choices=SafetyType.choices, required=False)
    serious_injury = forms.BooleanField(required=False, label="Serious bodily injury")
    reporter_type = forms.ChoiceField(choices=ReporterType.choices, label="Who is telling us")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.IN_PERSON)
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What happened",
        max_length=NARRATIVE_FORM_LIMIT,
    )
    desired_outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="What would put it right",
        max_length=NARRATIVE_FORM_LIMIT,
    )
    resolved_at_time = forms.BooleanField(
        required=False, label="Already put right on the spot by the staff present"
    )
    response_requested = forms.BooleanField(
        required=False, label="They asked for a formal response"
    )
    reporter_name = forms.CharField(required=False, max_length=200, label="Name")
    reporter_phone = forms.CharField(required=False, max_length=40, label="Phone")
    reporter_email = forms.EmailField(required=False, label="Email")
    contact_preference = forms.ChoiceField(
        choices=ContactPreference.choices, initial=ContactPreference.NONE, label="Contact by"
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    received_at = forms.DateTimeField(
        required=False, widget=DATETIME, label="Received (leave empty for now)"
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField


class AcknowledgeForm(forms.Form):
    channel = forms.ChoiceField(choices=ContactPreference.choices, label="Acknowledged by")


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]  # ModelChoiceField


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, max_length=2000, label="Reason (needed to reopen)")


class ReclassifyForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CodeForm(forms.Form):
    stage_of_care = forms.ChoiceField(choices=StageOfCare.choices, required=False)
    harm = forms.TypedChoiceField(
        choices=[("", "Not coded"), *HARM_CHOICES], coerce=int, empty_value=None, required=False
    )
    staff_involved = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    units_involved = forms.ModelMultipleChoiceField(queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, people: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in HCAT_CATEGORIES:
            self.fields[name] = forms.TypedChoiceField(
                choices=SEVERITY_CHOICES, coerce=int, label=label, initial=0
            )
        self.fields["staff_involved"].queryset = people  # type: ignore[attr-defined]  # M2M field
        self.fields["units_involved"].queryset = units  # type: ignore[attr-defined]  # M2M field


class NoteForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INTERNAL)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_on = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]  # ModelChoiceField


class ObjectIdForm(forms.Form):
    object_id = forms.IntegerField(min_value=1)


class StepForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000)


class FindingsForm(forms.Form):
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000
    )
    confirmed = forms.NullBooleanField(
        widget=forms.Select(
            choices=[("unknown", "Not decided"), ("true", "Confirmed"), ("false", "Not confirmed")]
        )
    )
    confirmed_by = forms.ChoiceField(
        choices=[("", "—"), ("facility", "Facility"), ("external", "Outside entity")],
        required=False,
    )


class CorrectiveForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000)
    owner_name = forms.CharField(required=False, max_length=200, label="Owner")
    due_on = forms.DateField(required=False, widget=DATE)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    agency = forms.CharField(max_length=200)
    recipients = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    method = forms.CharField(required=False, max_length=40, help_text="portal, fax, phone, email")
    sent_at = forms.DateTimeField(widget=DATETIME)
    confirmation_ref = forms.CharField(
        required=False, max_length=120, label="Confirmation reference"
    )


class InterimForm(forms.Form):
    channel = forms.ChoiceField(choices=ContactPreference.choices)
    sent_at = forms.DateTimeField(widget=DATETIME)
    follow_up_on = forms.DateField(widget=DATE, label="Written response promised by")


class LetterForm(forms.Form):
    contact_person = forms.CharField(required=False, max_length=200)
    received_on = forms.DateField(required=False, widget=DATE, label="Date received")
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Summary of the grievance",
        max_length=20_000,
    )
    steps_taken = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Steps taken to investigate",
        max_length=20_000,
    )
    findings = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Pertinent findings or conclusions",
        max_length=20_000,
    )
    results = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Results of the grievance process",
        max_length=20_000,
    )
    confirmed = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("confirmed", "Confirmed"), ("not_confirmed", "Not confirmed")],
    )
    corrective_action = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Corrective action taken or to be taken",
        max_length=20_000,
    )
    completion_on = forms.DateField(required=False, widget=DATE, label="Date of completion")
    issued_on = forms.DateField(required=False, widget=DATE, label="Date the decision is issued")
    signed_by = forms.CharField(required=False, max_length=200, label="Signed by")
    ombudsman_rights = forms.BooleanField(
        required=False, label="Includes the right to go to the ombudsman"
    )


class IssueForm(forms.Form):
    delivery = forms.ChoiceField(
        choices=[c for c in ContactPreference.choices if c[0] != ContactPreference.NONE]
    )


class RetentionForm(forms.Form):
    retain_until = forms.DateField(required=False, widget=DATE)
    legal_hold = forms.BooleanField(required=False)


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    clock = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any clock"),
            ("breached", "Breached"),
            ("at_risk", "At risk"),
            ("running", "Running"),
        ],
    )
    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    staff = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label="Staff involved"
    )
    received_from = forms.DateField(required=False, widget=DATE, label="From")
    received_to = forms.DateField(required=False, widget=DATE, label="To")
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, people: Any, facilities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["staff"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField
