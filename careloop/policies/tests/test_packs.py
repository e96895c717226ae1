"""Policy packs: the shipped packs, the validator's messages, and worked deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from careloop.policies.calendars import CALENDARS, holiday_check
from careloop.policies.clocks import ClockUnit, deadline, warning_at
from careloop.policies.packs import (
    CASE_KINDS,
    CONDITIONS,
    FACILITY_CALENDAR,
    PACKS_DIR,
    REQUIREMENT_CHECKS,
    ROLES,
    SETTINGS,
    START_EVENTS,
    STOP_EVENTS,
    VERIFICATION,
    ClockRule,
    Pack,
    PackError,
    Requirement,
    load_pack,
    load_packs,
    shipped_packs,
)

SHIPPED_IDS = {
    "us.hospital.grievance",
    "us.snf.grievance",
    "us.snf.abuse_allegation",
    "uk.eng.nhs_2009",
    "house.standard",
}

VALID_PACK = """\
id = "test.pack"
version = "1"
title = "Test pack"
jurisdiction = "US"
settings = ["hospital"]
kinds = ["grievance"]
sources = ["Somewhere"]

[[clocks]]
id = "first_clock"
label = "First"
start = "received"
duration = 2
unit = "hours"
calendar = "none"
stops_on = ["resolved"]
when = "always"
warn_fraction = 0.5
rule = "H5"
source = "Somewhere"
verification = "S"

[[clocks.escalations]]
at = "warning"
notify = ["advocate"]

[[clocks]]
id = "second_clock"
label = "Second"
start = "received"
duration = 3
unit = "working_days"
calendar = "facility"
stops_on = ["acknowledged"]
when = "always"
rule = "U5"
source = "Somewhere"
verification = "S/U"

[[requirements]]
id = "letter_issued"
label = "Letter issued"
check = "letter.issued"
rule = "H6"
source = "Somewhere"
verification = "V"
"""


def write_pack(directory: Path, text: str, *, name: str = "test.pack.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in VALID_PACK
    return write_pack(tmp_path, VALID_PACK.replace(old, new, 1))


def all_clocks() -> list[tuple[Pack, ClockRule]]:
    return [(pack, clock) for pack in shipped_packs().values() for clock in pack.clocks]


# --- shipped packs -----------------------------------------------------------------------------


def test_every_shipped_pack_loads() -> None:
    packs = shipped_packs()
    assert set(packs) == SHIPPED_IDS
    for pack_id, pack in packs.items():
        assert Path(pack.path).name == f"{pack_id}.toml"
        assert pack.version
        assert pack.sources


def test_shipped_packs_are_loaded_once() -> None:
    assert shipped_packs() is shipped_packs()
    assert load_packs() == shipped_packs()


def test_shipped_packs_use_only_the_closed_vocabularies() -> None:
    for pack in shipped_packs().values():
        assert set(pack.settings) <= SETTINGS
        assert set(pack.kinds) <= CASE_KINDS
        for clock in pack.clocks:
            assert clock.start in START_EVENTS
            assert set(clock.stops_on) <= STOP_EVENTS
            assert clock.when in CONDITIONS
            assert clock.calendar in {FACILITY_CALENDAR, *CALENDARS}
            assert isinstance(clock.unit, ClockUnit)
            for escalation in clock.escalations:
                assert set(escalation.notify) <= ROLES
        for requirement in pack.requirements:
            assert requirement.check in REQUIREMENT_CHECKS


def test_every_shipped_clock_and_requirement_is_traceable() -> None:
    for pack in shipped_packs().values():
        rows: list[ClockRule | Requirement] = [*pack.clocks, *pack.requirements]
        for row in rows:
            assert row.rule.strip(), (pack.id, row.id)
            assert row.source.strip(), (pack.id, row.id)
            assert set(row.verification.split("/")) <= VERIFICATION, (pack.id, row.id)


def test_every_shipped_clock_warns_and_escalates_on_breach() -> None:
    for pack, clock in all_clocks():
        assert clock.warn_fraction is not None, (pack.id, clock.id)
        assert {escalation.at for escalation in clock.escalations} == {"warning", "breach"}


def test_hospital_grievance_requires_the_four_letter_elements_and_the_letter() -> None:
    pack = shipped_packs()["us.hospital.grievance"]
    assert {r.check for r in pack.requirements} == {
        "letter.contact_person",
        "letter.steps_taken",
        "letter.results",
        "letter.completion_on",
        "letter.issued",
    }
    seven_day = pack.clocks[0]
    assert seven_day.id == "respond_or_interim_7d"
    assert set(seven_day.stops_on) == {"letter_issued", "interim_notice_sent"}


def test_snf_grievance_requires_the_seven_decision_fields() -> None:
    pack = shipped_packs()["us.snf.grievance"]
    assert len({r.check for r in pack.requirements}) == 7
    assert all(r.rule == "N5" for r in pack.requirements)


def test_abuse_allegation_pack_is_safety_only_with_wall_clock_initial_reports() -> None:
    pack = shipped_packs()["us.snf.abuse_allegation"]
    clocks = {clock.id: clock for clock in pack.clocks}
    assert pack.safety_only
    two_hours = clocks["initial_report_2h"]
    assert (two_hours.duration, two_hours.unit, two_hours.calendar) == (2, ClockUnit.HOURS, "none")
    assert two_hours.start == "allegation_known"
    assert two_hours.warn_fraction == 0.5
    breach = next(e for e in two_hours.escalations if e.at == "breach")
    assert set(breach.notify) == {"admin", "executive", "advocate"}
    assert clocks["initial_report_24h"].when == "not_abuse_or_serious_injury"
    assert clocks["results_report_5wd"].calendar == "us_federal"


def test_house_standard_has_no_requirements_and_uses_the_house_mark() -> None:
    pack = shipped_packs()["house.standard"]
    assert pack.requirements == ()
    assert set(pack.settings) == SETTINGS
    assert all(clock.verification == "H" for clock in pack.clocks)


# --- worked deadlines for every shipped clock --------------------------------------------------

CHICAGO = ZoneInfo("America/Chicago")
FRIDAY_EVENING = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)  # 23:55 UTC
FACILITY_CALENDAR_ID = "us_federal"  # a Chicago facility

EXPECTED_DUE = {
    ("us.hospital.grievance", "respond_or_interim_7d"): datetime(2026, 11, 28, 6, 0, tzinfo=UTC),
    ("us.hospital.grievance", "written_response"): datetime(2026, 12, 21, 6, 0, tzinfo=UTC),
    # Thanksgiving (Thu 26 Nov) is skipped: Mon, Tue, Wed, Fri, Mon 30 Nov.
    ("us.snf.grievance", "review_5wd"): datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
    ("us.snf.abuse_allegation", "initial_report_2h"): datetime(2026, 11, 21, 1, 55, tzinfo=UTC),
    ("us.snf.abuse_allegation", "initial_report_24h"): datetime(2026, 11, 21, 23, 55, tzinfo=UTC),
    ("us.snf.abuse_allegation", "results_report_5wd"): datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
    # England has no Thanksgiving: end of Wednesday 25 November, Chicago time.
    ("uk.eng.nhs_2009", "acknowledge_3wd"): datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
    # End of 20 May 2027 in Chicago, which is on daylight time (UTC-5) by then.
    ("uk.eng.nhs_2009", "respond_6m"): datetime(2027, 5, 21, 5, 0, tzinfo=UTC),
    ("house.standard", "acknowledge_1wd"): datetime(2026, 11, 24, 6, 0, tzinfo=UTC),
    ("house.standard", "resolve_7d"): datetime(2026, 11, 28, 6, 0, tzinfo=UTC),
}


def due_for(clock: ClockRule) -> datetime:
    calendar_id = FACILITY_CALENDAR_ID if clock.calendar == FACILITY_CALENDAR else clock.calendar
    return deadline(
        start_at=FRIDAY_EVENING,
        duration=clock.duration,
        unit=clock.unit,
        tz=CHICAGO,
        is_holiday=holiday_check(calendar_id=calendar_id),
    )


def test_the_worked_case_covers_every_shipped_clock() -> None:
    assert {(pack.id, clock.id) for pack, clock in all_clocks()} == set(EXPECTED_DUE)


@pytest.mark.parametrize(("pack_id", "clock_id"), sorted(EXPECTED_DUE))
def test_shipped_clock_deadline_for_a_friday_evening_start_in_chicago(
    pack_id: str, clock_id: str
) -> None:
    clock = next(c for c in shipped_packs()[pack_id].clocks if c.id == clock_id)
    assert due_for(clock) == EXPECTED_DUE[(pack_id, clock_id)]


def test_the_two_hour_clock_warns_after_one_hour() -> None:
    clock = shipped_packs()["us.snf.abuse_allegation"].clocks[0]
    assert clock.warn_fraction is not None
    fraction = clock.warn_fraction
    warn_at = warning_at(start_at=FRIDAY_EVENING, due_at=due_for(clock), fraction=fraction)
    assert warn_at == datetime(2026, 11, 21, 0, 55, tzinfo=UTC)


# --- the validator -----------------------------------------------------------------------------


def test_the_valid_test_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, VALID_PACK))
    assert pack.id == "test.pack"
    assert pack.safety_only is False
    assert pack.clocks[1].pausable is False
    assert pack.clocks[1].warn_fraction is None
    assert pack.clocks[1].escalations == ()
    assert pack.clocks[0].unit is ClockUnit.HOURS


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = broken(tmp_path, 'title = "Test pack"', "title = Test pack")
    with pytest.raises(PackError, match=r"^test\.pack\.toml: line 3: not valid TOML"):
        load_pack(path)


def test_an_unknown_unit_names_the_file_row_and_allowed_values(tmp_path: Path) -> None:
    path = broken(tmp_path, 'unit = "hours"', 'unit = "hourz"')
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value) == (
        "test.pack.toml: clocks[0] (first_clock): unit 'hourz' is not one of "
        "hours, calendar_days, working_days, months"
    )


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    path = broken(tmp_path, 'when = "always"\nrule = "U5"', 'rule = "U5"')
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value) == "test.pack.toml: clocks[1] (second_clock): missing key 'when'"


def test_a_missing_top_level_key_is_named(tmp_path: Path) -> None:
    path = broken(tmp_path, 'jurisdiction = "US"\n', "")
    with pytest.raises(PackError, match=r"^test\.pack\.toml: pack: missing key 'jurisdiction'$"):
        load_pack(path)


def test_an_unknown_check_is_named(tmp_path: Path) -> None:
    path = broken(tmp_path, 'check = "letter.issued"', 'check = "letter.sent"')
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value).startswith(
        "test.pack.toml: requirements[0] (letter_issued): check 'letter.sent' is not one of "
    )


def test_a_duplicate_clock_id_names_both_rows(tmp_path: Path) -> None:
    path = broken(tmp_path, 'id = "second_clock"', 'id = "first_clock"')
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value) == (
        "test.pack.toml: clocks[1] (first_clock): duplicate id 'first_clock' "
        "(already used by clocks[0] (first_clock))"
    )


def test_a_file_name_that_does_not_match_the_id_is_rejected(tmp_path: Path) -> None:
    path = write_pack(tmp_path, VALID_PACK, name="other.toml")
    with pytest.raises(PackError, match=r"^other\.toml: pack: file name must be test\.pack\.toml"):
        load_pack(path)


def test_a_duplicate_pack_id_across_files_names_both_files(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_pack(tmp_path / folder, VALID_PACK)
    with pytest.raises(PackError) as caught:
        load_packs(tmp_path)
    assert str(caught.value) == (
        "b/test.pack.toml: pack: id 'test.pack' is already defined in a/test.pack.toml"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('rule = "H5"', 'rule = "H5"\ncolour = "red"', "(first_clock): unknown key 'colour'"),
        ("duration = 2", "duration = -2", "(first_clock): duration must be an integer >= 0"),
        ("duration = 2", "duration = true", "clocks[0] (first_clock): duration must be an integer"),
        ("duration = 2", "duration = 2.5", "clocks[0] (first_clock): duration must be an integer"),
        ("warn_fraction = 0.5", "warn_fraction = 1.0", "warn_fraction must be a number strictly"),
        ('start = "received"', 'start = "arrival"', "clocks[0] (first_clock): start 'arrival'"),
        ('stops_on = ["resolved"]', 'stops_on = ["done"]', "stops_on value 'done' is not one of"),
        ('stops_on = ["resolved"]', "stops_on = []", "stops_on must be a non-empty list"),
        ('stops_on = ["resolved"]', "stops_on = [1]", "stops_on must hold non-empty strings"),
        ('stops_on = ["resolved"]', 'stops_on = ["closed", "closed"]', "lists a value twice"),
        ('when = "always"', 'when = "sometimes"', "clocks[0] (first_clock): when 'sometimes'"),
        ('calendar = "none"', 'calendar = "mars"', "clocks[0] (first_clock): calendar 'mars'"),
        ('verification = "S"', 'verification = "X"', "clocks[0] (first_clock): verification 'X'"),
        ('verification = "S/U"', 'verification = "S/"', "clocks[1] (second_clock): verification"),
        ('notify = ["advocate"]', 'notify = ["ceo"]', "escalations[0]: notify value 'ceo'"),
        ('at = "warning"', 'at = "later"', "clocks[0] (first_clock) escalations[0]: at 'later'"),
        ('version = "1"', 'version = ""', "pack: version must be a non-empty string"),
        ('version = "1"', "version = 1", "pack: version must be a non-empty string"),
        ('settings = ["hospital"]', 'settings = ["spa"]', "pack: settings value 'spa'"),
        ('kinds = ["grievance"]', 'kinds = ["praise"]', "pack: kinds value 'praise'"),
        ('kinds = ["grievance"]', 'kinds = ["grievance"]\nsafety_only = 1', "pack: safety_only"),
        ('id = "test.pack"', 'id = "Test Pack"', "pack: id 'Test Pack' must match"),
        ('id = "letter_issued"', 'id = "second_clock"', "requirements[0] (second_clock): dupl"),
    ],
)
def test_invalid_values_name_the_file_row_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value).startswith("test.pack.toml: ")
    assert message in str(caught.value)


def test_a_warning_escalation_needs_a_warn_fraction(tmp_path: Path) -> None:
    path = broken(tmp_path, "warn_fraction = 0.5\n", "")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value) == (
        "test.pack.toml: clocks[0] (first_clock): a warning escalation needs warn_fraction"
    )


def test_clocks_must_be_an_array_of_tables(tmp_path: Path) -> None:
    header = VALID_PACK.split("[[clocks]]")[0]
    path = write_pack(tmp_path, header + "clocks = [1, 2]\n")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert str(caught.value) == (
        "test.pack.toml: pack: clocks must be an array of tables ([[clocks]])"
    )


def test_a_truncated_file_is_reported_at_the_end_of_the_document(tmp_path: Path) -> None:
    path = write_pack(tmp_path, 'id = "test.pack')
    with pytest.raises(PackError, match=r"^test\.pack\.toml: document: not valid TOML"):
        load_pack(path)


def test_an_unreadable_file_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"^absent\.toml: cannot read pack file"):
        load_pack(tmp_path / "absent.toml")


def test_a_missing_pack_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="pack directory does not exist"):
        load_packs(tmp_path / "missing")


def test_packs_dir_holds_the_shipped_files() -> None:
    assert {path.name for path in PACKS_DIR.glob("*.toml")} == {f"{i}.toml" for i in SHIPPED_IDS}
