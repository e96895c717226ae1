"""Administration screens for the organization model, scoped to the administrator's
organization. Every save goes through orgs.services.org_record_save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from careloop.core.time import utcnow
from careloop.orgs.models import (
    ClosureDay,
    Facility,
    Membership,
    Organization,
    Person,
    Unit,
    User,
)
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.orgs.services import org_record_save, user_set_password, user_signin_reset
from careloop.policies.calendars import CALENDARS
from careloop.policies.packs import shipped_packs


def _org_filter(model: type[models.Model], org_id: int) -> QuerySet[Any]:
    paths = {
        Organization: "pk",
        Facility: "organization_id",
        Person: "organization_id",
        User: "organization_id",
        Unit: "facility__organization_id",
        ClosureDay: "facility__organization_id",
        Membership: "user__organization_id",
    }
    return model._default_manager.filter(**{paths[model]: org_id})


class FacilityForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    holiday_calendar = forms.ChoiceField(choices=[])
    policy_packs = forms.MultipleChoiceField(
        choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Facility
        fields = [
            "name",
            "setting",
            "jurisdiction",
            "time_zone",
            "holiday_calendar",
            "policy_packs",
            "phone",
            "after_hours_phone",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holiday_calendar"].choices = list(CALENDARS.items())  # type: ignore[attr-defined]  # ChoiceField
        self.fields["policy_packs"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            (p.id, f"{p.title} ({p.id} v{p.version})") for p in shipped_packs().values()
        ]


class UserForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    password = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text="Set or replace the password."
    )
    clear_lockout = forms.BooleanField(
        required=False, help_text="Unlock the account after too many failed sign-ins."
    )
    reset_two_step = forms.BooleanField(
        required=False, help_text="Remove two-step sign-in (for a lost phone)."
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "language", "is_active"]


@dataclass(frozen=True)
class Screen:
    slug: str
    title: str
    model: type[models.Model]
    form: type[forms.ModelForm]  # type: ignore[type-arg]  # ModelForm generic in stubs
    columns: tuple[str, ...]
    owner_field: str = ""
    creatable: bool = True


def _model_form(model: type[models.Model], fields: list[str]) -> type[forms.ModelForm]:  # type: ignore[type-arg]  # ModelForm generic
    return forms.modelform_factory(
        model, fields=fields, widgets={"on": forms.DateInput(attrs={"type": "date"})}
    )


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm generic in stubs
    class Meta:
        model = Organization
        fields = ["name", "reference_prefix", "clock_overrides", "mfa_required"]
        widgets = {"clock_overrides": forms.Textarea(attrs={"rows": 3})}


SCREENS: dict[str, Screen] = {
    s.slug: s
    for s in [
        Screen(
            "organization",
            "Organization settings",
            Organization,
            OrganizationForm,
            ("name", "reference_prefix", "clock_overrides"),
            creatable=False,
        ),
        Screen(
            "facilities",
            "Facilities",
            Facility,
            FacilityForm,
            ("name", "setting", "jurisdiction", "time_zone", "holiday_calendar"),
            "organization",
        ),
        Screen(
            "units",
            "Units",
            Unit,
            _model_form(Unit, ["facility", "name", "kind", "active"]),
            ("name", "facility", "kind", "active"),
        ),
        Screen(
            "people",
            "Staff directory",
            Person,
            _model_form(
                Person,
                [
                    "facility",
                    "unit",
                    "full_name",
                    "job_title",
                    "staff_group",
                    "email",
                    "user",
                    "active",
                ],
            ),
            ("full_name", "job_title", "facility", "unit"),
            "organization",
        ),
        Screen(
            "users",
            "User accounts",
            User,
            UserForm,
            ("username", "first_name", "last_name", "email", "is_active"),
            "organization",
        ),
        Screen(
            "roles",
            "Roles",
            Membership,
            _model_form(Membership, ["user", "role", "facility", "unit"]),
            ("user", "role", "facility", "unit"),
        ),
        Screen(
            "closure-days",
            "Closure days",
            ClosureDay,
            _model_form(ClosureDay, ["facility", "on", "name"]),
            ("on", "name", "facility"),
        ),
    ]
}

_RELATED: dict[str, Callable[[int], QuerySet[Any]]] = {
    "facility": lambda org: Facility.objects.filter(organization_id=org),
    "unit": lambda org: Unit.objects.filter(facility__organization_id=org),
    "user": lambda org: User.objects.filter(organization_id=org),
}


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_capability_anywhere(user, "administer"):
        raise PermissionDenied("Administrators only.")
    return user


@require_GET
@login_required
def manage_index(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "web/manage_index.html", {"screens": SCREENS.values()})


@require_GET
@login_required
def manage_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = _admin(request)
    screen = SCREENS.get(slug)
    if screen is None:
        raise Http404("No such screen.")
    rows = _org_filter(screen.model, org_id_of(user))[:500]
    table = [(obj.pk, [getattr(obj, c) for c in screen.columns]) for obj in rows]
    return render(request, "web/manage_list.html", {"screen": screen, "table": table})


@require_http_methods(["GET", "POST"])
@login_required
def manage_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    user = _admin(request)
    screen = SCREENS.get(slug)
    if screen is None:
        raise Http404("No such screen.")
    instance = _org_filter(screen.model, org_id_of(user)).filter(pk=pk).first() if pk else None
    if (pk and instance is None) or (pk is None and not screen.creatable):
        raise Http404("Not found.")
    form = screen.form(request.POST or None, instance=instance)
    for name, queryset in _RELATED.items():
        if name in form.fields:
            form.fields[name].queryset = queryset(org_id_of(user))  # type: ignore[attr-defined]  # ModelChoiceField
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if screen.owner_field:
            setattr(obj, f"{screen.owner_field}_id", user.organization_id)
        try:
            with transaction.atomic():
                org_record_save(
                    actor=user, instance=obj, fields=list(form.changed_data), now=utcnow()
                )
                password = form.cleaned_data.get("password")
                if isinstance(obj, User) and password:
                    user_set_password(actor=user, user=obj, password=password, now=utcnow())
                if isinstance(obj, User):
                    user_signin_reset(
                        actor=user,
                        user=obj,
                        clear_lockout=bool(form.cleaned_data.get("clear_lockout")),
                        reset_two_step=bool(form.cleaned_data.get("reset_two_step")),
                        now=utcnow(),
                    )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, f"{screen.title}: saved.")
            return redirect("web:manage_list", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/manage_edit.html",
        {"screen": screen, "form": form, "instance": instance},
        status=status,
    )
