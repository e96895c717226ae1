"""Writes of the instrument builder: an organization's own instruments, edited as a draft (the
next version, sent to nobody) item by item, then published. A published version is never
edited: the first change after publishing starts a new draft from it, so every answer keeps
pointing at the wording it was given to. Administrators only; each write is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.orgs.models import Organization, User
from careloop.surveys.instruments import LANGUAGES, OPTIONS, ItemSpec
from careloop.surveys.models import Instrument, InstrumentKind, InstrumentVersion, Item
from careloop.surveys.scoring import DEFAULT_MINIMUM_N
from careloop.surveys.services import admin_require, items_check, items_write

NAME_LIMIT = 200
TEXT_LIMIT = 1_000


def draft_of(instrument: Instrument) -> InstrumentVersion | None:
    return instrument.versions.filter(published_at__isnull=True).first()


def item_specs(version: InstrumentVersion) -> list[ItemSpec]:
    """A version's items as specs (show_if by position), in order."""
    items = list(version.items.select_related("show_if_item").order_by("position"))
    return [
        ItemSpec(
            type=item.type,
            texts={lang: text for lang, text in item.texts.items() if text.strip()},
            required=item.required,
            show_if=(
                (item.show_if_item.position, tuple(item.show_if_values))
                if item.show_if_item is not None
                else None
            ),
        )
        for item in items
    ]


def _audit(
    *,
    actor: User,
    instrument: Instrument,
    event: str,
    at: datetime,
    fields: list[str],
    **detail: int,
) -> None:
    audit_record(
        actor=actor,
        action="C" if event == "survey.instrument.created" else "U",
        event_type=event,
        at=at,
        organization_id=instrument.organization_id,
        object_type="surveyinstrument",
        object_id=str(instrument.pk),
        fields=fields,
        detail=dict(detail),
    )


def _name_checked(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LIMIT:
        raise ValidationError(f"A name of 1 to {NAME_LIMIT} characters.", code="name")
    return name


@transaction.atomic
def instrument_create(
    *, actor: User, organization: Organization, name: str, now: datetime
) -> Instrument:
    """A new instrument of the organization's own, with an empty draft version 1."""
    admin_require(actor, organization.pk)
    instrument = Instrument.objects.create(
        organization=organization,
        name=_name_checked(name),
        kind=InstrumentKind.CUSTOM,
        minimum_n=DEFAULT_MINIMUM_N,
        created_at=now,
    )
    InstrumentVersion.objects.create(instrument=instrument, number=1, published_at=None)
    _audit(
        actor=actor,
        instrument=instrument,
        event="survey.instrument.created",
        at=now,
        fields=["name", "kind"],
    )
    return instrument


def _locked(actor: User, instrument: Instrument) -> Instrument:
    admin_require(actor, instrument.organization_id)
    return Instrument.objects.select_for_update().get(pk=instrument.pk)


def _draft_for_edit(instrument: Instrument) -> InstrumentVersion:
    """The draft, or a new one copying the newest published version."""
    draft = draft_of(instrument)
    if draft is not None:
        return draft
    latest = instrument.versions.order_by("-number").first()
    draft = InstrumentVersion.objects.create(
        instrument=instrument, number=(latest.number if latest else 0) + 1, published_at=None
    )
    if latest is not None:
        items_write(version=draft, items=item_specs(latest))
    return draft


def _draft_replace(draft: InstrumentVersion, specs: Sequence[ItemSpec]) -> None:
    """Rewrite a draft's items (a draft has no answers, so its items can go)."""
    if specs:
        items_check(specs)
    Item.objects.filter(version=draft).update(show_if_item=None)
    Item.objects.filter(version=draft).delete()
    items_write(version=draft, items=specs)


def item_spec_checked(
    *,
    item_type: str,
    texts: Mapping[str, str],
    required: bool,
    show_if_position: int | None,
    show_if_values: Sequence[str],
) -> ItemSpec:
    """An item from the builder's form: English text needed, other languages optional (the form
    falls back to English); show_if checked against the draft when it is saved."""
    if item_type != "free_text" and item_type not in OPTIONS:
        raise ValidationError("Choose an item type.", code="type")
    cleaned = {lang: " ".join(texts.get(lang, "").split()) for lang in LANGUAGES}
    if any(len(text) > TEXT_LIMIT for text in cleaned.values()):
        raise ValidationError(f"Texts of at most {TEXT_LIMIT} characters.", code="texts")
    if not cleaned["en"]:
        raise ValidationError("The question needs its English text.", code="texts")
    show_if = None
    if show_if_position is not None:
        show_if = (show_if_position, tuple(show_if_values))
    return ItemSpec(
        type=item_type,
        texts={lang: text for lang, text in cleaned.items() if text},
        required=required,
        show_if=show_if,
    )


@transaction.atomic
def draft_item_save(
    *, actor: User, instrument: Instrument, position: int | None, spec: ItemSpec, now: datetime
) -> InstrumentVersion:
    """Add an item at the end of the draft (`position` None) or replace the item at
    `position`; the whole draft is checked (conditions only on an earlier scale item)."""
    locked = _locked(actor, instrument)
    draft = _draft_for_edit(locked)
    specs = item_specs(draft)
    if position is None:
        specs.append(spec)
    elif 1 <= position <= len(specs):
        specs[position - 1] = spec
    else:
        raise ValidationError("No such question in the draft.", code="position")
    _draft_replace(draft, specs)
    _audit(
        actor=actor,
        instrument=locked,
        event="survey.draft.item_saved",
        at=now,
        fields=["items"],
        version_id=draft.pk,
        position=position or len(specs),
    )
    return draft


def _renumbered(specs: list[ItemSpec], order: list[int]) -> list[ItemSpec]:
    """`specs` in a new order (old positions, 1-based), conditions following their items."""
    new_position = {old: new for new, old in enumerate(order, start=1)}
    moved = []
    for old in order:
        spec = specs[old - 1]
        if spec.show_if is not None:
            if spec.show_if[0] not in new_position:
                raise ValidationError(
                    "Another question is shown only after this one's answer: change that "
                    "question first.",
                    code="depended_on",
                )
            spec = replace(spec, show_if=(new_position[spec.show_if[0]], spec.show_if[1]))
        moved.append(spec)
    return moved


@transaction.atomic
def draft_item_remove(
    *, actor: User, instrument: Instrument, position: int, now: datetime
) -> InstrumentVersion:
    """Remove a draft's item; refused while another item depends on its answer."""
    return _draft_reorder(
        actor=actor, instrument=instrument, now=now, position=position, change="removed"
    )


@transaction.atomic
def draft_item_move(
    *, actor: User, instrument: Instrument, position: int, up: bool, now: datetime
) -> InstrumentVersion:
    """Swap an item with the one before (`up`) or after it; refused when that would put a
    condition before the question it depends on."""
    return _draft_reorder(
        actor=actor,
        instrument=instrument,
        now=now,
        position=position,
        change="moved_up" if up else "moved_down",
    )


def _draft_reorder(
    *, actor: User, instrument: Instrument, now: datetime, position: int, change: str
) -> InstrumentVersion:
    locked = _locked(actor, instrument)
    draft = _draft_for_edit(locked)
    specs = item_specs(draft)
    order = list(range(1, len(specs) + 1))
    if not 1 <= position <= len(specs):
        raise ValidationError("No such question in the draft.", code="position")
    if change == "removed":
        order.remove(position)
    else:
        other = position - 1 if change == "moved_up" else position + 1
        if not 1 <= other <= len(specs):
            raise ValidationError("The question cannot move that way.", code="position")
        order[position - 1], order[other - 1] = order[other - 1], order[position - 1]
    _draft_replace(draft, _renumbered(specs, order))
    _audit(
        actor=actor,
        instrument=locked,
        event=f"survey.draft.item_{change}",
        at=now,
        fields=["items"],
        version_id=draft.pk,
        position=position,
    )
    return draft


@transaction.atomic
def draft_discard(*, actor: User, instrument: Instrument, now: datetime) -> None:
    """Throw the draft away (a new instrument's first draft stays, emptied)."""
    locked = _locked(actor, instrument)
    draft = draft_of(locked)
    if draft is None:
        raise ValidationError("There is no draft.", code="no_draft")
    _draft_replace(draft, [])
    if locked.versions.filter(published_at__isnull=False).exists():
        draft.delete()
    _audit(
        actor=actor,
        instrument=locked,
        event="survey.draft.discarded",
        at=now,
        fields=["items"],
        version_id=draft.pk,
    )


@transaction.atomic
def draft_publish(*, actor: User, instrument: Instrument, now: datetime) -> InstrumentVersion:
    """Publish the draft: from now on invitations, links and kiosks use it, and it is never
    edited again."""
    locked = _locked(actor, instrument)
    draft = draft_of(locked)
    if draft is None:
        raise ValidationError("There is no draft to publish.", code="no_draft")
    items_check(item_specs(draft))
    draft.published_at = now
    draft.save(update_fields=["published_at"])
    _audit(
        actor=actor,
        instrument=locked,
        event="survey.version.published",
        at=now,
        fields=["published_at"],
        version_id=draft.pk,
        number=draft.number,
    )
    return draft


@transaction.atomic
def instrument_configure(
    *,
    actor: User,
    instrument: Instrument,
    name: str,
    minimum_n: int,
    low_scores: Mapping[str, Sequence[str]],
    now: datetime,
) -> Instrument:
    """Name, minimum n and low-score thresholds (item type -> answers that open a case; an
    empty list: never). Thresholds apply to responses recorded from now on."""
    locked = _locked(actor, instrument)
    rules: dict[str, list[str]] = {}
    for item_type, values in low_scores.items():
        allowed = OPTIONS.get(item_type, {}).get("en", {})
        if not allowed or any(v not in allowed for v in values):
            raise ValidationError(f"Unknown answers for {item_type}.", code="low_scores")
        rules[item_type] = [v for v in allowed if v in values]
    if not 1 <= minimum_n <= 1000:
        raise ValidationError("The minimum n must be 1 to 1000.", code="minimum_n")
    new = {"name": _name_checked(name), "minimum_n": minimum_n, "low_scores": rules}
    changed = [field for field, value in new.items() if getattr(locked, field) != value]
    for field, value in new.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(new))
    _audit(
        actor=actor,
        instrument=locked,
        event="survey.instrument.configured",
        at=now,
        fields=changed,
    )
    return locked
