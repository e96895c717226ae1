"""Staff page that makes printable QR-code intake posters for a facility or a unit, and survey
posters for a unit (the QR code then leads to the unit's anonymous survey link)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.intake.posters import (
    POSTER_LANGUAGES,
    Paper,
    poster_languages_untranslated,
    poster_pdf,
    short_url,
)
from careloop.orgs.models import Facility, Unit, User
from careloop.orgs.permissions import has_capability, has_capability_anywhere, org_id_of, role_label
from careloop.surveys.models import Instrument

PAPERS = [("letter", "US Letter (8.5 by 11 in)"), ("a4", "A4 (210 by 297 mm)")]


@dataclass
class PosterPlace:
    """A facility or one of its units, as a poster is made for it (and as permissions read it)."""

    kind: Literal["facility", "unit"]
    facility: Facility
    unit: Unit | None
    organization_id: int
    facility_id: int
    unit_id: int | None

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.unit_id if self.unit else self.facility_id}"

    @property
    def code(self) -> str:
        return self.unit.intake_code if self.unit else self.facility.intake_code

    @property
    def label(self) -> str:
        return f"{self.facility.name} / {self.unit.name}" if self.unit else self.facility.name


@dataclass(frozen=True)
class PosterLinks:
    url: str
    short: str
    kiosk: str


def _poster_maker(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (
        has_capability_anywhere(user, "administer") or has_capability_anywhere(user, "work_case")
    ):
        raise PermissionDenied("Administrators, managers and advocates only.")
    return user


def poster_places_for(user: User) -> list[PosterPlace]:
    """Active facilities and units the user may make posters for: all of the organization for
    an administrator, otherwise where the user may work cases."""
    org_id = org_id_of(user)
    everything = has_capability_anywhere(user, "administer")
    facilities = Facility.objects.filter(organization_id=org_id, active=True).prefetch_related(
        Prefetch("units", queryset=Unit.objects.filter(active=True).order_by("name"))
    )
    places: list[PosterPlace] = []
    for f in facilities.order_by("name"):
        candidates = [PosterPlace("facility", f, None, org_id, f.pk, None)]
        candidates += [PosterPlace("unit", f, u, org_id, f.pk, u.pk) for u in f.units.all()]
        places += [p for p in candidates if everything or has_capability(user, "work_case", p)]
    return places


def poster_instruments_for(user: User) -> list[Instrument]:
    """The organization's survey instruments that have a published version to answer."""
    return list(
        Instrument.objects.filter(
            organization_id=org_id_of(user), versions__published_at__isnull=False
        )
        .distinct()
        .order_by("name", "pk")
    )


def poster_links(
    request: HttpRequest, place: PosterPlace, instrument: Instrument | None = None
) -> PosterLinks:
    """The form's links; with an `instrument` (unit posters only), the unit's survey link."""
    if instrument is not None and place.unit is not None:
        url = request.build_absolute_uri(reverse("surveys:unit", args=[place.code, instrument.pk]))
        return PosterLinks(url=url, short=short_url(url), kiosk="")
    name = "intake:unit" if place.unit else "intake:facility"
    url = request.build_absolute_uri(reverse(name, args=[place.code]))
    kiosk = (
        ""
        if place.unit
        else request.build_absolute_uri(reverse("intake:kiosk", args=[place.facility.intake_code]))
    )
    return PosterLinks(url=url, short=short_url(url), kiosk=kiosk)


class PosterForm(forms.Form):
    place = forms.RegexField(regex=r"^(facility|unit):[0-9]{1,18}$", label="Poster for")
    languages = forms.MultipleChoiceField(
        choices=[(c, n) for c, n in settings.LANGUAGES if c in POSTER_LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        initial=["en"],
        help_text="One page per language.",
    )
    paper = forms.ChoiceField(choices=PAPERS, widget=forms.RadioSelect, initial="letter")
    survey = forms.ChoiceField(
        required=False,
        label="Survey (unit posters only)",
        help_text=(
            "Optional: the QR code then leads to the unit's anonymous survey link instead of "
            "the feedback form."
        ),
    )

    def __init__(
        self,
        *args: object,
        places: list[PosterPlace],
        instruments: list[Instrument],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["place"].widget = forms.Select(choices=[(p.value, p.label) for p in places])
        self.fields["survey"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            ("", "No survey: the feedback form"),
            *((str(i.pk), i.name) for i in instruments),
        ]

    def clean(self) -> dict[str, object]:
        data: dict[str, object] = super().clean() or {}
        survey = bool(data.get("survey"))
        place = data.get("place")
        if survey and isinstance(place, str) and not place.startswith("unit:"):
            self.add_error("survey", "A survey poster is for a unit: choose a unit.")
        chosen = data.get("languages")
        if isinstance(chosen, list):
            missing = poster_languages_untranslated(chosen, survey=survey)
            if missing:
                names = ", ".join(n for c, n in settings.LANGUAGES if c in missing)
                self.add_error("languages", f"The poster text is not translated into {names} yet.")
        return data


def _place_get_for(user: User, value: str) -> PosterPlace:
    """Missing and out of scope look the same."""
    for place in poster_places_for(user):
        if place.value == value:
            return place
    raise Http404("No such facility or unit.")


@require_http_methods(["GET", "POST"])
@login_required
def poster_form(request: HttpRequest) -> HttpResponse:
    user = _poster_maker(request)
    places = poster_places_for(user)
    instruments = poster_instruments_for(user)
    form = PosterForm(request.POST or None, places=places, instruments=instruments)
    if request.method == "POST":
        if form.is_valid():
            return _poster_download(request, user, form.cleaned_data, instruments)
        status = 400
    else:
        status = 200
    rows = [(p, poster_links(request, p)) for p in places]
    return render(request, "intake/posters.html", {"form": form, "rows": rows}, status=status)


def _poster_download(
    request: HttpRequest, user: User, data: dict[str, object], instruments: list[Instrument]
) -> HttpResponse:
    place = _place_get_for(user, str(data["place"]))
    instrument = next((i for i in instruments if str(i.pk) == data.get("survey")), None)
    if data.get("survey") and (instrument is None or place.unit is None):
        raise Http404("No such survey.")  # the form's choices already keep to the organization
    links = poster_links(request, place, instrument)
    languages = [str(lang) for lang in data["languages"]]  # type: ignore[attr-defined]  # a list
    paper: Paper = "a4" if data["paper"] == "a4" else "letter"
    pdf = poster_pdf(
        place=place.unit.name if place.unit else "",
        facility_name=place.facility.name,
        url=links.url,
        short_url=links.short,
        phone=place.facility.after_hours_phone,
        languages=languages,
        paper=paper,
        survey=instrument is not None,
    )
    detail: dict[str, object] = {"languages": languages, "paper": paper}
    if instrument is not None:
        detail["survey_instrument_id"] = instrument.pk
    audit_record(
        actor=user,
        action="R",
        event_type="intake.poster_made",
        at=utcnow(),
        organization_id=place.organization_id,
        object_type=place.kind,
        object_id=str(place.unit_id or place.facility_id),
        actor_role=role_label(user, place),
        detail=detail,
    )
    code = "".join(c for c in place.code if c.isascii() and c.isalnum())
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="careloop-poster-{code}.pdf"'},
    )
