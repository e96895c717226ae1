"""Mappings: the shipped ones are well formed once a facility is chosen; bad ones are refused
with a message naming the field (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from careloop.imports.builtins import BUILTIN_SPECS, HELPDESK, REGISTER
from careloop.imports.mapping import mapping_from_spec, mapping_to_spec
from careloop.imports.tests.conftest import builtin, helpdesk_spec


def test_the_shipped_mappings_read_and_round_trip() -> None:
    for spec in (helpdesk_spec(), BUILTIN_SPECS[REGISTER]):
        mapping = mapping_from_spec(spec)
        assert mapping_from_spec(mapping_to_spec(mapping)) == mapping
    helpdesk = mapping_from_spec(helpdesk_spec())
    assert helpdesk.spec("status").values["5"] == "skip"
    assert helpdesk.spec("narrative").columns == ("title", "description")


def test_the_helpdesk_mapping_needs_a_facility_chosen() -> None:
    with pytest.raises(ValidationError, match="Facility"):
        mapping_from_spec(BUILTIN_SPECS[HELPDESK])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": {"fixed": "rant"}}, "not one of"),
        ({"status": {"columns": ["status"], "values": {"1": "open"}}}, "not one of"),
        ({"unit": {"columns": ["a", "b"]}}, "only text fields"),
        ({"kind": {"columns": ["Category"], "fixed": "complaint"}}, "not both"),
        ({"nonsense": {"fixed": "x"}}, "Unknown Careloop fields"),
    ],
)
def test_bad_mappings_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        mapping_from_spec(builtin(REGISTER, **change))


def test_date_formats_delimiter_and_source_are_checked() -> None:
    for key, value, message in (
        ("date_formats", ["julian"], "Date formats"),
        ("delimiter", "colon", "delimiter"),
        ("source_system", "", "source system"),
    ):
        spec = builtin(REGISTER)
        spec[key] = value
        with pytest.raises(ValidationError, match=message):
            mapping_from_spec(spec)
