"""Staff screens for administrators: the organization's instruments (new, or cloned from a
built-in template), the builder of an instrument's draft (add, edit, move, remove items,
publish, discard), its configuration with the low-score thresholds, and the organization's
survey settings. Every change is a POST to one service; errors re-render the page (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.orgs.models import Organization, User
from careloop.orgs.permissions import has_capability_anywhere
from careloop.surveys.builder import (
    draft_discard,
    draft_item_move,
    draft_item_remove,
    draft_item_save,
    draft_of,
    draft_publish,
    instrument_configure,
    instrument_create,
    item_specs,
)
from careloop.surveys.configuration import survey_settings_for, survey_settings_save
from careloop.surveys.encounters import can_import_encounters
from careloop.surveys.forms import (
    ITEM_TYPE_LABELS,
    CloneForm,
    ConfigureForm,
    ItemForm,
    NewInstrumentForm,
    SurveySettingsForm,
)
from careloop.surveys.instruments import (
    LANGUAGES,
    ItemSpec,
    low_values,
    missing_languages,
    options_for,
)
from careloop.surveys.models import Instrument, InstrumentVersion
from careloop.surveys.selectors import can_view_survey_results, instrument_get_for
from careloop.surveys.services import instrument_from_template, version_latest


def _admin(request: HttpRequest) -> tuple[User, Organization]:
    user = request.user
    if (
        not isinstance(user, User)
        or user.organization is None
        or not has_capability_anywhere(user, "administer")
    ):
        raise PermissionDenied("Survey administration is for administrators.")
    return user, user.organization


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_http_methods(["GET", "HEAD"])
@login_required
def instruments(request: HttpRequest) -> HttpResponse:
    """The list, with links to results, for everyone who may see results; the forms and links
    to change instruments for administrators."""
    user = request.user
    if not isinstance(user, User) or user.organization is None:
        raise PermissionDenied
    if not (has_capability_anywhere(user, "administer") or can_view_survey_results(user)):
        raise PermissionDenied(
            "Surveys are for managers, advocates, executives and administrators."
        )
    return _instruments_page(request, user.organization)


def _instruments_page(
    request: HttpRequest,
    organization: Organization,
    *,
    new_form: NewInstrumentForm | None = None,
    clone_form: CloneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    listed = (
        Instrument.objects.filter(organization=organization)
        .annotate(
            published=Count("versions", filter=Q(versions__published_at__isnull=False)),
            drafts=Count("versions", filter=Q(versions__published_at__isnull=True)),
        )
        .order_by("name", "pk")
    )
    user = request.user
    context = {
        "instruments": listed,
        "can_build": isinstance(user, User) and has_capability_anywhere(user, "administer"),
        "can_import": isinstance(user, User) and can_import_encounters(user, organization),
        "new_form": new_form or NewInstrumentForm(),
        "clone_form": clone_form or CloneForm(),
    }
    return render(request, "surveys/instruments.html", context, status=status)


@require_POST
@login_required
def instrument_new(request: HttpRequest) -> HttpResponse:
    user, organization = _admin(request)
    form = NewInstrumentForm(request.POST)
    if form.is_valid():
        try:
            made = instrument_create(
                actor=user, organization=organization, name=form.cleaned_data["name"], now=utcnow()
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            return redirect("surveys:instrument", made.pk)
    return _instruments_page(request, organization, new_form=form, status=400)


@require_POST
@login_required
def instrument_clone(request: HttpRequest) -> HttpResponse:
    user, organization = _admin(request)
    form = CloneForm(request.POST)
    if not form.is_valid():
        return _instruments_page(request, organization, clone_form=form, status=400)
    made = instrument_from_template(
        actor=user,
        organization=organization,
        template=form.cleaned_data["template"],
        now=utcnow(),
        draft=True,
    )
    messages.success(request, "Template copied as a draft: edit it, then publish it.")
    return redirect("surveys:instrument", made.pk)


def _instrument(request: HttpRequest, instrument_id: int) -> tuple[User, Instrument]:
    user, _organization = _admin(request)
    return user, instrument_get_for(user=user, instrument_id=instrument_id)


def _questions(version: InstrumentVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    rows = []
    specs = item_specs(version)
    for position, spec in enumerate(specs, start=1):
        condition = ""
        if spec.show_if is not None:
            earlier = specs[spec.show_if[0] - 1]
            labels = options_for(earlier.type, "en")
            answers = ", ".join(labels.get(v, v) for v in spec.show_if[1])
            condition = f"only if question {spec.show_if[0]} is answered {answers}"
        rows.append(
            {
                "position": position,
                "type": ITEM_TYPE_LABELS.get(spec.type, spec.type),
                "texts": [(lang, spec.texts.get(lang, "")) for lang in LANGUAGES],
                "missing": missing_languages(spec.texts),
                "required": spec.required,
                "condition": condition,
            }
        )
    return rows


def _configure_form(instrument: Instrument, data: Any = None) -> ConfigureForm:
    types = set(instrument.versions.values_list("items__type", flat=True).distinct())
    low = {t: low_values(t, instrument.low_scores) for t in types if t}
    return ConfigureForm(
        data,
        item_types=sorted(t for t in types if t),
        low=low,
        initial={"name": instrument.name, "minimum_n": instrument.minimum_n},
    )


def _instrument_page(
    request: HttpRequest,
    instrument: Instrument,
    *,
    item_form: ItemForm | None = None,
    configure_form: ConfigureForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    draft = draft_of(instrument)
    versions = instrument.versions.filter(published_at__isnull=False).annotate(
        answered=Count("responses")
    )
    try:
        latest: InstrumentVersion | None = version_latest(instrument)
    except IndexError:
        latest = None
    context = {
        "instrument": instrument,
        "draft": draft,
        "draft_questions": _questions(draft),
        "latest": latest,
        "latest_questions": _questions(latest) if draft is None else [],
        "versions": versions.order_by("-number"),
        "item_form": item_form or ItemForm(earlier=_draft_or_published_specs(instrument)),
        "configure_form": configure_form or _configure_form(instrument),
        "problem": problem,
    }
    return render(request, "surveys/instrument.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@login_required
def instrument_page(request: HttpRequest, instrument_id: int) -> HttpResponse:
    _user, instrument = _instrument(request, instrument_id)
    return _instrument_page(request, instrument)


@require_POST
@login_required
def item_add(request: HttpRequest, instrument_id: int) -> HttpResponse:
    user, instrument = _instrument(request, instrument_id)
    form = ItemForm(request.POST, earlier=_draft_or_published_specs(instrument))
    if form.is_valid():
        try:
            draft_item_save(
                actor=user, instrument=instrument, position=None, spec=form.spec(), now=utcnow()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Question added to the draft.")
            return redirect("surveys:instrument", instrument.pk)
    return _instrument_page(request, instrument, item_form=form, status=400)


def _published_specs(instrument: Instrument) -> list[ItemSpec]:
    try:
        return item_specs(version_latest(instrument))
    except IndexError:
        return []


def _draft_or_published_specs(instrument: Instrument) -> list[ItemSpec]:
    draft = draft_of(instrument)
    return item_specs(draft) if draft is not None else _published_specs(instrument)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def item_edit(request: HttpRequest, instrument_id: int, position: int) -> HttpResponse:
    """Edit one question (of the draft; of the newest published version, the first change
    starts the draft)."""
    user, instrument = _instrument(request, instrument_id)
    specs = _draft_or_published_specs(instrument)
    if not 1 <= position <= len(specs):
        raise Http404("No such question.")
    earlier = specs[: position - 1]
    if request.method == "POST":
        form = ItemForm(request.POST, earlier=earlier)
        if form.is_valid():
            try:
                draft_item_save(
                    actor=user,
                    instrument=instrument,
                    position=position,
                    spec=form.spec(),
                    now=utcnow(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Question {position} saved in the draft.")
                return redirect("surveys:instrument", instrument.pk)
        status = 400
    else:
        form = ItemForm(initial=ItemForm.initial_of(specs[position - 1]), earlier=earlier)
        status = 200
    context = {"instrument": instrument, "position": position, "form": form}
    return render(request, "surveys/item_edit.html", context, status=status)


def _draft_action(
    request: HttpRequest, instrument_id: int, act: Callable[[User, Instrument], str]
) -> HttpResponse:
    user, instrument = _instrument(request, instrument_id)
    try:
        done = act(user, instrument)
    except ValidationError as exc:
        return _instrument_page(request, instrument, problem=_error_text(exc), status=400)
    messages.success(request, done)
    return redirect("surveys:instrument", instrument.pk)


@require_POST
@login_required
def item_remove(request: HttpRequest, instrument_id: int, position: int) -> HttpResponse:
    def act(user: User, instrument: Instrument) -> str:
        draft_item_remove(actor=user, instrument=instrument, position=position, now=utcnow())
        return f"Question {position} removed from the draft."

    return _draft_action(request, instrument_id, act)


@require_POST
@login_required
def item_move(request: HttpRequest, instrument_id: int, position: int) -> HttpResponse:
    up = request.POST.get("direction") == "up"

    def act(user: User, instrument: Instrument) -> str:
        draft_item_move(actor=user, instrument=instrument, position=position, up=up, now=utcnow())
        return f"Question {position} moved {'up' if up else 'down'} in the draft."

    return _draft_action(request, instrument_id, act)


@require_POST
@login_required
def publish(request: HttpRequest, instrument_id: int) -> HttpResponse:
    def act(user: User, instrument: Instrument) -> str:
        version = draft_publish(actor=user, instrument=instrument, now=utcnow())
        return f"Version {version.number} published."

    return _draft_action(request, instrument_id, act)


@require_POST
@login_required
def discard(request: HttpRequest, instrument_id: int) -> HttpResponse:
    def act(user: User, instrument: Instrument) -> str:
        draft_discard(actor=user, instrument=instrument, now=utcnow())
        return "Draft discarded."

    return _draft_action(request, instrument_id, act)


@require_POST
@login_required
def configure(request: HttpRequest, instrument_id: int) -> HttpResponse:
    user, instrument = _instrument(request, instrument_id)
    form = _configure_form(instrument, request.POST)
    if form.is_valid():
        try:
            instrument_configure(
                actor=user,
                instrument=instrument,
                name=form.cleaned_data["name"],
                minimum_n=form.cleaned_data["minimum_n"],
                low_scores=form.low_scores(),
                now=utcnow(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Instrument settings saved.")
            return redirect("surveys:instrument", instrument.pk)
    return _instrument_page(request, instrument, configure_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user, organization = _admin(request)
    current = survey_settings_for(organization_id=organization.pk)
    versions = list(
        InstrumentVersion.objects.filter(
            instrument__organization=organization, published_at__isnull=False
        )
    )
    form = SurveySettingsForm(
        request.POST if request.method == "POST" else None, instance=current, versions=versions
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_settings_save(actor=user, **form.cleaned_data, now=utcnow())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect("surveys:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/settings.html", {"form": form}, status=status)
