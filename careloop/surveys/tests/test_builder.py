"""The instrument builder: an organization's own instruments, edited as a draft item by item
(conditions on earlier answers, texts in three languages with English as the fallback),
published as immutable versions; through the services and through the real pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.orgs.models import Organization, User
from careloop.surveys.builder import (
    draft_discard,
    draft_item_move,
    draft_item_remove,
    draft_item_save,
    draft_of,
    draft_publish,
    instrument_create,
    item_spec_checked,
    item_specs,
)
from careloop.surveys.instruments import ItemSpec
from careloop.surveys.models import Instrument, InstrumentKind, Item
from careloop.surveys.services import invitation_create, response_submit, version_latest
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db

VISIT = ItemSpec(type="yes_no", texts={"en": "Did a nurse visit you today?", "es": "¿Le visitó?"})
HOW = ItemSpec(type="csat_1_5", texts={"en": "How satisfied were you with the visit?"})


def _draft_with_two(admin: User, org: Organization) -> Instrument:
    instrument = instrument_create(actor=admin, organization=org, name="Home visits", now=NOW)
    draft_item_save(actor=admin, instrument=instrument, position=None, spec=VISIT, now=NOW)
    conditional = ItemSpec(type=HOW.type, texts=HOW.texts, show_if=(1, ("yes",)))
    draft_item_save(actor=admin, instrument=instrument, position=None, spec=conditional, now=NOW)
    return instrument


def test_a_new_instrument_is_a_draft_nobody_can_be_sent(
    admin: User, org: Organization, facility_x: object
) -> None:
    instrument = _draft_with_two(admin, org)
    assert instrument.kind == InstrumentKind.CUSTOM
    draft = draft_of(instrument)
    assert draft is not None
    assert draft.number == 1
    assert draft.published_at is None
    with pytest.raises(IndexError):
        version_latest(instrument)
    with pytest.raises(ValidationError, match="draft"):
        invitation_create(actor=None, version=draft, facility=facility_x, now=NOW)  # type: ignore[arg-type]
    specs = item_specs(draft)
    assert [s.type for s in specs] == ["yes_no", "csat_1_5"]
    assert specs[1].show_if == (1, ("yes",))


def test_publishing_freezes_the_version_and_the_next_change_starts_a_new_draft(
    admin: User, org: Organization, invite: Inviter
) -> None:
    instrument = _draft_with_two(admin, org)
    first = draft_publish(actor=admin, instrument=instrument, now=NOW)
    assert (first.number, first.published_at) == (1, NOW)
    assert draft_of(instrument) is None
    invitation, _ = invite(instrument)
    response_submit(invitation=invitation, raw={"item_1": "yes", "item_2": "5"}, now=NOW)
    changed = ItemSpec(type="yes_no", texts={"en": "Did a nurse come to your home today?"})
    draft = draft_item_save(actor=admin, instrument=instrument, position=1, spec=changed, now=NOW)
    assert draft.number == 2
    assert [i.texts["en"] for i in first.items.order_by("position")] == [
        "Did a nurse visit you today?",
        "How satisfied were you with the visit?",
    ]
    assert item_specs(draft)[0].texts["en"] == "Did a nurse come to your home today?"
    assert item_specs(draft)[1].show_if == (1, ("yes",))  # copied with its condition
    assert version_latest(instrument) == first  # invitations still get version 1
    second = draft_publish(actor=admin, instrument=instrument, now=NOW)
    assert version_latest(instrument) == second
    events = AuditEvent.objects.filter(event_type="survey.version.published")
    assert [e.detail["number"] for e in events] == [1, 2]


def test_a_condition_must_name_an_earlier_scale_question_and_its_answers(
    admin: User, org: Organization
) -> None:
    instrument = _draft_with_two(admin, org)
    bad_values = ItemSpec(type="free_text", texts={"en": "Why?"}, show_if=(2, ("yes",)))
    with pytest.raises(ValidationError, match="answers the item does not have"):
        draft_item_save(actor=admin, instrument=instrument, position=None, spec=bad_values, now=NOW)
    later = ItemSpec(type="free_text", texts={"en": "Why?"}, show_if=(3, ("1",)))
    with pytest.raises(ValidationError, match="earlier scale item"):
        draft_item_save(actor=admin, instrument=instrument, position=None, spec=later, now=NOW)
    draft = draft_of(instrument)
    assert draft is not None
    assert draft.items.count() == 2


def test_removing_or_moving_keeps_conditions_pointing_at_their_questions(
    admin: User, org: Organization
) -> None:
    instrument = _draft_with_two(admin, org)
    with pytest.raises(ValidationError, match="shown only after"):
        draft_item_remove(actor=admin, instrument=instrument, position=1, now=NOW)
    with pytest.raises(ValidationError, match="earlier scale item"):
        draft_item_move(actor=admin, instrument=instrument, position=2, up=True, now=NOW)
    intro = ItemSpec(type="rating_0_10", texts={"en": "Rate us overall."})
    draft_item_save(actor=admin, instrument=instrument, position=None, spec=intro, now=NOW)
    draft_item_move(actor=admin, instrument=instrument, position=3, up=True, now=NOW)
    draft_item_move(actor=admin, instrument=instrument, position=2, up=True, now=NOW)
    draft = draft_of(instrument)
    assert draft is not None
    specs = item_specs(draft)
    assert [s.type for s in specs] == ["rating_0_10", "yes_no", "csat_1_5"]
    assert specs[2].show_if == (2, ("yes",))
    draft_item_remove(actor=admin, instrument=instrument, position=1, now=NOW)
    assert item_specs(draft)[1].show_if == (1, ("yes",))
    shown_if = Item.objects.get(version=draft, position=2).show_if_item
    assert shown_if is not None
    assert shown_if.position == 1


def test_english_is_required_and_the_other_languages_are_optional() -> None:
    with pytest.raises(ValidationError, match="English"):
        item_spec_checked(
            item_type="yes_no",
            texts={"es": "¿Sí?"},
            required=False,
            show_if_position=None,
            show_if_values=[],
        )
    spec = item_spec_checked(
        item_type="free_text",
        texts={"en": "  Tell   us more ", "es": "", "it": "Ci dica di più"},
        required=False,
        show_if_position=None,
        show_if_values=[],
    )
    assert spec.texts == {"en": "Tell us more", "it": "Ci dica di più"}


def test_discarding_a_draft_leaves_the_published_version(
    admin: User, make_instrument: InstrumentMaker
) -> None:
    nps = make_instrument("nps")
    draft_item_remove(actor=admin, instrument=nps, position=2, now=NOW)
    assert draft_of(nps) is not None
    draft_discard(actor=admin, instrument=nps, now=NOW)
    assert draft_of(nps) is None
    assert version_latest(nps).items.count() == 2
    with pytest.raises(ValidationError):
        draft_publish(actor=admin, instrument=nps, now=NOW)


def test_only_the_organizations_administrators_build(
    manager_a: User, outsider: User, org: Organization, make_instrument: InstrumentMaker
) -> None:
    with pytest.raises(PermissionDenied):
        instrument_create(actor=manager_a, organization=org, name="Mine", now=NOW)
    nps = make_instrument("nps")
    with pytest.raises(PermissionDenied):
        draft_item_save(actor=outsider, instrument=nps, position=None, spec=VISIT, now=NOW)
    assert draft_of(nps) is None


# --- the pages ---------------------------------------------------------------------------------


def test_an_administrator_builds_and_publishes_through_the_pages(
    client: Client, admin: User, org: Organization
) -> None:
    client.force_login(admin)
    assert client.get(reverse("surveys:instruments")).status_code == 200
    made = client.post(reverse("surveys:instrument_new"), {"name": "Clinic visit"})
    assert made.status_code == 302
    instrument = Instrument.objects.get(name="Clinic visit")
    add = reverse("surveys:item_add", args=[instrument.pk])
    first = {"type": "yes_no", "text_en": "Were you seen on time?", "text_it": "Puntuale?"}
    assert client.post(add, first).status_code == 302
    second = {"type": "free_text", "text_en": "What went wrong?", "show_if": ["1:no"]}
    assert client.post(add, second).status_code == 302
    page = client.get(reverse("surveys:instrument", args=[instrument.pk])).content.decode()
    assert "Were you seen on time?" in page
    assert "missing: English is shown" in page  # no Spanish text
    assert "only if question 1 is answered No" in page
    bad = client.post(add, {"type": "free_text", "text_en": "", "show_if": []})
    assert bad.status_code == 400
    published = client.post(reverse("surveys:publish", args=[instrument.pk]))
    assert published.status_code == 302
    version = version_latest(instrument)
    assert version.number == 1
    assert item_specs(version)[1].show_if == (1, ("no",))


def test_editing_a_published_question_through_its_page_starts_a_draft(
    client: Client, admin: User, make_instrument: InstrumentMaker
) -> None:
    nps = make_instrument("nps")
    client.force_login(admin)
    url = reverse("surveys:item_edit", args=[nps.pk, 2])
    form = client.get(url)
    assert form.status_code == 200
    assert "What is the main reason for your score?" in form.content.decode()
    sent = client.post(url, {"type": "free_text", "text_en": "Why that score?"})
    assert sent.status_code == 302
    draft = draft_of(nps)
    assert draft is not None
    assert item_specs(draft)[1].texts == {"en": "Why that score?"}
    assert client.get(reverse("surveys:item_edit", args=[nps.pk, 9])).status_code == 404


def test_a_template_is_cloned_as_a_draft(client: Client, admin: User) -> None:
    client.force_login(admin)
    sent = client.post(reverse("surveys:instrument_clone"), {"template": "fft"})
    assert sent.status_code == 302
    instrument = Instrument.objects.get()
    draft = draft_of(instrument)
    assert draft is not None
    assert draft.items.count() == 2
    assert not instrument.versions.filter(published_at__isnull=False).exists()


def test_a_refused_change_re_renders_the_page_with_the_reason(
    client: Client, admin: User, org: Organization
) -> None:
    instrument = _draft_with_two(admin, org)
    client.force_login(admin)
    page = client.post(reverse("surveys:item_remove", args=[instrument.pk, 1]))
    assert page.status_code == 400
    assert "shown only after" in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("manager_a", 403), ("frontline_a", 403), ("outsider", 404)]
)
def test_others_cannot_open_the_builder(
    client: Client,
    request: pytest.FixtureRequest,
    make_instrument: InstrumentMaker,
    persona: str,
    status: int,
) -> None:
    nps = make_instrument("nps")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("surveys:instrument", args=[nps.pk])).status_code == status
    assert client.post(reverse("surveys:publish", args=[nps.pk])).status_code == status


def test_state_changes_need_a_post(
    client: Client, admin: User, make_instrument: InstrumentMaker
) -> None:
    nps = make_instrument("nps")
    client.force_login(admin)
    assert client.get(reverse("surveys:publish", args=[nps.pk])).status_code == 405
    assert client.get(reverse("surveys:item_remove", args=[nps.pk, 1])).status_code == 405
    assert client.get(reverse("surveys:instrument_new")).status_code == 405
    assert draft_of(nps) is None


def test_a_manager_sees_the_list_with_results_but_no_building(
    client: Client, manager_a: User, frontline_a: User, make_instrument: InstrumentMaker
) -> None:
    nps = make_instrument("nps")
    client.force_login(manager_a)
    page = client.get(reverse("surveys:instruments"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("surveys:results", args=[nps.pk]) in text
    assert reverse("surveys:instrument", args=[nps.pk]) not in text
    assert reverse("surveys:instrument_new") not in text
    assert reverse("surveys:import") in text  # managers import encounters
    assert 'href="/q/instruments/">Surveys</a>' in text  # in the main navigation
    client.force_login(frontline_a)
    assert client.get(reverse("surveys:instruments")).status_code == 403
