"""Built-in templates in three languages; versions are never edited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.orgs.models import Organization, User
from careloop.surveys.instruments import (
    TEMPLATES,
    ItemSpec,
    missing_languages,
    options_for,
    text_in,
)
from careloop.surveys.models import InstrumentVersion, Item
from careloop.surveys.services import instrument_from_template, instrument_revise, response_submit
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_built_in_template_has_every_text_in_english_spanish_and_italian(
    make_instrument: InstrumentMaker, template: str
) -> None:
    instrument = make_instrument(template)
    items = Item.objects.filter(version__instrument=instrument)
    assert items.exists()
    for item in items:
        assert {"en", "es", "it"} <= set(item.texts)
        assert all(item.texts[lang].strip() for lang in ("en", "es", "it"))
        if item.type != "free_text":
            for lang in ("en", "es", "it"):
                assert set(options_for(item.type, lang)) == set(options_for(item.type, "en"))


def test_the_fft_template_uses_the_official_nhs_wording(make_instrument: InstrumentMaker) -> None:
    item = Item.objects.get(version__instrument=make_instrument("fft"), position=1)
    assert item.texts["en"] == "Overall, how was your experience of our service?"
    assert list(options_for("fft_6", "en").values()) == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]


def test_the_csat_template_asks_what_to_do_better_only_after_a_low_score(
    make_instrument: InstrumentMaker,
) -> None:
    item = Item.objects.get(version__instrument=make_instrument("csat_post_resolution"), position=2)
    assert item.show_if_item is not None
    assert item.show_if_item.position == 1
    assert item.show_if_values == ["1", "2", "3"]


def test_only_administrators_create_instruments(frontline_a: User, org: Organization) -> None:
    with pytest.raises(PermissionDenied):
        instrument_from_template(actor=frontline_a, organization=org, template="nps", now=NOW)


def test_an_unknown_template_is_refused(admin: User, org: Organization) -> None:
    with pytest.raises(ValidationError):
        instrument_from_template(actor=admin, organization=org, template="hcahps", now=NOW)


def test_a_revision_publishes_the_next_version_and_leaves_answered_ones_as_they_were(
    make_instrument: InstrumentMaker, invite: Inviter, admin: User
) -> None:
    instrument = make_instrument("nps")
    invitation, _ = invite(instrument)
    response_submit(invitation=invitation, raw={"item_1": "9"}, now=NOW)
    texts = {"en": "Would you come back?", "es": "¿Volvería?", "it": "Tornerebbe?"}
    version = instrument_revise(
        actor=admin, instrument=instrument, items=[ItemSpec(type="yes_no", texts=texts)], now=NOW
    )
    assert version.number == 2
    first = InstrumentVersion.objects.get(instrument=instrument, number=1)
    assert [i.type for i in first.items.all()] == ["nps_0_10", "free_text"]
    assert [i.type for i in version.items.all()] == ["yes_no"]
    assert first.responses.count() == 1


def test_a_revision_needs_english_and_other_languages_fall_back_to_it(
    make_instrument: InstrumentMaker, admin: User
) -> None:
    instrument = make_instrument("nps")
    with pytest.raises(ValidationError, match="no English text"):
        instrument_revise(
            actor=admin,
            instrument=instrument,
            items=[ItemSpec(type="yes_no", texts={"es": "¿Volvería?"})],
            now=NOW,
        )
    assert instrument.versions.count() == 1
    version = instrument_revise(
        actor=admin,
        instrument=instrument,
        items=[ItemSpec(type="yes_no", texts={"en": "Would you come back?"})],
        now=NOW,
    )
    item = version.items.get()
    assert text_in(item.texts, "it") == "Would you come back?"
    assert missing_languages(item.texts) == ["es", "it"]


def test_a_condition_must_point_at_an_earlier_scale_item(
    make_instrument: InstrumentMaker, admin: User
) -> None:
    texts = {"en": "x", "es": "x", "it": "x"}
    with pytest.raises(ValidationError):
        instrument_revise(
            actor=admin,
            instrument=make_instrument("nps"),
            items=[ItemSpec(type="yes_no", texts=texts, show_if=(1, ("yes",)))],
            now=NOW,
        )
