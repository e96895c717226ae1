"""The demo organization's analytics: a year of exposure (per unit and per named staff member),
HCAT coding of most resolved complaints, survey answers (some opening cases), and a first
trained text model with suggestions. All through the real services, as the administrator and
the facility advocates would, from the demo's seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from careloop.cases.models import Case, Kind, StageOfCare, Status
from careloop.cases.services import case_code
from careloop.core.demo_text import NARRATIVES
from careloop.core.time import local_date
from careloop.insights.denominators import default_measure, month_add, month_end
from careloop.insights.models import Measure
from careloop.insights.services import exposure_import_csv
from careloop.orgs.models import Facility, Organization, Person, Unit, User
from careloop.orgs.services import org_record_save
from careloop.policies.services import clocks_sweep
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import InstrumentVersion, Response
from careloop.surveys.public_responses import response_submit_public
from careloop.surveys.services import (
    instrument_from_template,
    invitation_create,
    response_submit,
    version_latest,
)
from careloop.text.learning import codebook_train
from careloop.text.suggestions import codebook_hcat_ensure, codebook_suggest_batch

Work = Callable[[Case, User, random.Random, datetime, datetime], None]

MONTHS = 13  # the 12 complete months the dashboards show by default, and this month so far
SUGGEST_BATCH = 150  # the newest cases (and survey comments) get suggestions at once
# A full month's exposure (30 days) of each demo unit: beds x occupancy x 30, visits a month.
UNIT_EXPOSURE: dict[str, int] = {
    "4 West Medical": 720,
    "5 East Surgical": 610,
    "Emergency Department": 520,  # observation and boarding days
    "ICU": 290,
    "Maternity": 420,
    "Outpatient Clinic": 300,  # day cases
    "North Wing": 1100,
    "South Wing": 1050,
    "Memory Care": 680,
    "Rehabilitation": 760,
    "North Route": 1400,
    "South Route": 1250,
    "Night Team": 380,
}
EXTRA_VISITS = {"Emergency Department": 3800, "Outpatient Clinic": 2100}
SHIFTS = {"nursing": 15, "medical": 17, "allied": 19, "support": 19, "administrative": 20}
CODED_KINDS = (Kind.COMPLAINT, Kind.GRIEVANCE, Kind.PRIVACY_COMPLAINT, Kind.SAFETY_CONCERN)
# Words that put a second HCAT category (at severity 1) on a narrative's coding.
SECOND: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sev_communication", ("nobody", "no update", "nadie", "nessuno", "explain")),
    ("sev_listening", ("mentioned it", "twice", "three times", "dos veces", "più volte")),
    ("sev_respect", ("stupid", "humiliated", "umiliata", "dismissed")),
)
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (StageOfCare.DISCHARGE, ("discharge", "alta", "dimission")),
    (StageOfCare.ADMISSIONS, ("emergency department", "moved rooms")),
    (StageOfCare.OTHER, ("bill", "factura", "cobraron", "home visit", "letter")),
)
# Survey comments: (text, HCAT category) for low scores; praise for the rest.
LOW_COMMENTS: tuple[tuple[str, str], ...] = (
    ("Nobody told us the discharge was delayed until the evening.", "sev_communication"),
    ("The room was not cleaned during the whole stay and the bin overflowed.", "sev_environment"),
    ("We waited two hours at reception before anyone spoke to us.", "sev_institutional"),
    ("The night staff ignored my questions about my mother's tablets.", "sev_listening"),
    ("The nurse visit was cancelled twice without a phone call.", "sev_institutional"),
    ("Meals were cold and the menu was the same every day.", "sev_environment"),
)
PRAISE = (
    "The nurses were kind and explained everything clearly.",
    "Everyone was friendly and the room was spotless.",
    "Quick, professional and caring. Thank you.",
    "The aide always arrives on time and is very patient with my father.",
    "Good care, but parking was hard to find.",
    "Staff listened to us and kept us informed.",
)
CATEGORY_OF_TEXT = {text: cat for _k, _l, text, _o, cat in NARRATIVES if cat} | dict(LOW_COMMENTS)


@dataclass(frozen=True)
class InsightsDemo:
    exposure_rows: int
    coded: int
    responses: int
    survey_cases: int
    models_promoted: int
    suggestions: int


def demo_insights(
    *,
    organization: Organization,
    facilities: list[Facility],
    units: list[Unit],
    admin: User,
    owners: dict[int, User],
    rng: random.Random,
    now: datetime,
    work: Work,
) -> InsightsDemo:
    rows = _exposure(organization, facilities, units, admin, rng, now)
    responses, opened = _surveys(organization, facilities, units, admin, owners, rng, now)
    index = {f.pk: i for i, f in enumerate(facilities)}
    for case in opened:
        work(case, owners[index[case.facility_id]], rng, case.received_at, now)
    clocks_sweep(now=now, limit=100_000, notify=False)
    coded = _coding(organization, owners, index, rng, now)
    codebook = codebook_hcat_ensure(organization, now=now)
    outcomes = codebook_train(codebook=codebook, now=now, actor=admin)
    written = codebook_suggest_batch(codebook=codebook, now=now, batch=SUGGEST_BATCH)
    return InsightsDemo(
        exposure_rows=rows,
        coded=coded,
        responses=responses,
        survey_cases=len(opened),
        models_promoted=sum(1 for o in outcomes if o.version and o.version.promoted),
        suggestions=written,
    )


# --- exposure ---------------------------------------------------------------------------------


def _months(facility: Facility, now: datetime) -> list[tuple[date, float]]:
    """The first day of each of the last MONTHS months (oldest first) with the share of the
    month that has passed (1 for complete months)."""
    today = local_date(at=now, tz_name=facility.time_zone)
    this = today.replace(day=1)
    months = [(month_add(this, -n), 1.0) for n in range(MONTHS - 1, 0, -1)]
    return [*months, (this, (today.day - 1) / month_end(this).day)]


def _value(base: int, month_on: date, share: float, rng: random.Random) -> int:
    winter = 1.06 if month_on.month in (12, 1, 2) else 1.0
    days = month_end(month_on).day
    return round(base * days / 30 * share * winter * rng.uniform(0.94, 1.06))


def _staff_emails(organization: Organization, admin: User, now: datetime) -> list[Person]:
    """Each staff member gets a work email (how the staff exposure file names them)."""
    people = list(
        Person.objects.filter(organization=organization, user__isnull=True).order_by("pk")
    )
    taken: set[str] = set()
    for person in people:
        base = ".".join(person.full_name.lower().split())
        email, n = f"{base}@riverside.example", 1
        while email in taken:
            n += 1
            email = f"{base}{n}@riverside.example"
        taken.add(email)
        person.email = email
        org_record_save(actor=admin, instance=person, fields=["email"], now=now)
    return people


def _exposure(
    organization: Organization,
    facilities: list[Facility],
    units: list[Unit],
    admin: User,
    rng: random.Random,
    now: datetime,
) -> int:
    """One CSV, as a finance or staffing office would export it, through the import."""
    lines = ["unit_code,staff_email,month,measure,value"]
    zones = {f.pk: f for f in facilities}
    for unit in units:
        facility = zones[unit.facility_id]
        measures = [(default_measure(facility.setting), UNIT_EXPOSURE.get(unit.name, 500))]
        if unit.name in EXTRA_VISITS:
            measures.append((Measure.VISITS, EXTRA_VISITS[unit.name]))
        for measure, base in measures:
            for month_on, share in _months(facility, now):
                if value := _value(base, month_on, share, rng):
                    lines.append(f"{unit.intake_code},,{month_on:%Y-%m},{measure},{value}")
    for person in _staff_emails(organization, admin, now):
        shifts = SHIFTS.get(person.staff_group, 18) * (0.6 if rng.random() < 0.2 else 1.0)
        for month_on, share in _months(zones[person.facility_id], now):
            if value := _value(round(shifts), month_on, share, rng):
                lines.append(f",{person.email},{month_on:%Y-%m},{Measure.SHIFTS},{value}")
    result = exposure_import_csv(
        actor=admin, organization=organization, text="\n".join(lines), now=now
    )
    if not result.ok:
        raise ValueError(f"demo exposure refused: {result.problems[:3]}")
    return result.created


# --- HCAT coding ------------------------------------------------------------------------------


def hcat_coding(text: str, kind: str, rng: random.Random) -> tuple[dict[str, int], str, int]:
    """Severities, stage of care and harm a reviewer would give a narrative ({} when it has no
    known category)."""
    category = CATEGORY_OF_TEXT.get(text, "")
    if not category:
        return {}, "", 0
    weights = [2, 4, 3] if kind == Kind.SAFETY_CONCERN else [5, 4, 1]
    severities = {category: rng.choices([1, 2, 3], weights=weights)[0]}
    lower = text.lower()
    for name, words in SECOND:
        if name != category and any(w in lower for w in words):
            severities[name] = 1
    stage = next(
        (s for s, words in STAGES if any(w in lower for w in words)), StageOfCare.CARE_ON_WARD
    )
    harm = rng.choice([0, 1, 1, 2]) if category in ("sev_quality", "sev_safety") else 0
    return severities, stage, harm


def _coding(
    organization: Organization,
    owners: dict[int, User],
    index: dict[int, int],
    rng: random.Random,
    now: datetime,
) -> int:
    """The owner codes most resolved complaints shortly before resolving them."""
    coded = 0
    cases = Case.objects.filter(
        organization=organization,
        kind__in=CODED_KINDS,
        status__in=[Status.RESOLVED, Status.CLOSED],
        resolved_at__isnull=False,
    ).order_by("pk")
    for case in cases.select_related("owner", "unit"):
        severities, stage, harm = hcat_coding(case.narrative, case.kind, rng)
        if not severities or rng.random() > 0.85:
            continue
        assert case.resolved_at is not None  # noqa: S101  # filtered above
        units = {u.pk: u for u in case.units_involved.all()} | (
            {case.unit.pk: case.unit} if case.unit else {}
        )
        case_code(
            actor=case.owner or owners[index[case.facility_id]],
            case=case,
            severities=severities,
            stage_of_care=stage,
            harm=harm,
            staff_involved=list(case.staff_involved.all()),
            units_involved=list(units.values()),
            now=min(case.resolved_at - timedelta(hours=rng.randint(1, 6)), now),
        )
        coded += 1
    return coded


# --- surveys ----------------------------------------------------------------------------------


def _when(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(days=rng.uniform(1, 365), minutes=rng.randint(0, 600))


def _language(rng: random.Random) -> str:
    return rng.choices(["en", "es", "it"], weights=[85, 10, 5])[0]


def _comment(rng: random.Random, low: bool, chance: float) -> str:
    if low:
        return rng.choice(LOW_COMMENTS)[0]
    return rng.choice(PRAISE) if rng.random() < chance else ""


def _fft_answers(rng: random.Random) -> dict[str, str]:
    values = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
    answer = rng.choices(values, weights=[63, 25, 5, 2, 1, 4])[0]
    low = answer in ("poor", "very_poor")
    return {"item_1": answer, "item_2": _comment(rng, low, 0.3)}


def _nps_answers(rng: random.Random) -> dict[str, str]:
    score = rng.choices(range(11), weights=[1, 0, 0, 1, 1, 1, 2, 8, 18, 30, 38])[0]
    return {"item_1": str(score), "item_2": _comment(rng, score <= 6, 0.4)}


def _csat_answers(rng: random.Random) -> dict[str, str]:
    score = rng.choices([1, 2, 3, 4, 5], weights=[3, 4, 10, 33, 50])[0]
    return {"item_1": str(score), "item_2": _comment(rng, score <= 2, 0.5) if score <= 3 else ""}


def _surveys(
    organization: Organization,
    facilities: list[Facility],
    units: list[Unit],
    admin: User,
    owners: dict[int, User],
    rng: random.Random,
    now: datetime,
) -> tuple[int, list[Case]]:
    """FFT cards through each unit's public link (anonymous), NPS handed out by the advocates,
    CSAT after resolved complaints. Returns the responses and the cases low scores opened."""
    # As many answers as a 300-case year brings, fewer for a smaller demo.
    share = min(1.0, Case.objects.filter(organization=organization).count() / 300)
    start = now - timedelta(days=380)
    fft, nps, csat = (
        version_latest(
            instrument_from_template(
                actor=admin, organization=organization, template=name, now=start
            )
        )
        for name in ("fft", "nps", "csat_post_resolution")
    )
    responses: list[Response] = []
    for _ in range(round(200 * share)):
        unit = rng.choice(units)
        responses.append(
            response_submit_public(
                version=fft,
                unit=unit,
                raw=_fft_answers(rng),
                nonce=f"{rng.getrandbits(128):032x}",
                language=_language(rng),
                now=_when(rng, now),
            )
        )
    for _ in range(round(70 * share)):
        fi = rng.choices([0, 1, 2], weights=[5, 3, 2])[0]
        unit = rng.choice([u for u in units if u.facility_id == facilities[fi].pk])
        responses.append(
            _invited(nps, facilities[fi], unit, None, owners[fi], rng, _when(rng, now), now)
        )
    index = {f.pk: i for i, f in enumerate(facilities)}
    resolved = Case.objects.filter(
        organization=organization,
        kind__in=[Kind.COMPLAINT, Kind.GRIEVANCE],
        resolved_at__gt=now - timedelta(days=365),
    ).exclude(reporter_name="")
    for case in resolved.select_related("facility", "unit").order_by("pk"):
        assert case.resolved_at is not None  # noqa: S101  # filtered above
        if rng.random() < 0.45:
            owner = owners[index[case.facility_id]]
            at = case.resolved_at + timedelta(hours=2)
            if at < now - timedelta(hours=1):
                responses.append(
                    _invited(csat, case.facility, case.unit, case, owner, rng, at, now)
                )
    opened = [r.opened_case for r in responses if r.opened_case is not None]
    return len(responses), sorted(opened, key=lambda c: c.pk)


def _invited(
    version: InstrumentVersion,
    facility: Facility,
    unit: Unit | None,
    case: Case | None,
    actor: User,
    rng: random.Random,
    at: datetime,
    now: datetime,
) -> Response:
    """An invitation handed over in person (a printed link) and answered a few days later."""
    invitation, _token = invitation_create(
        actor=actor,
        version=version,
        facility=facility,
        unit=unit,
        case=case,
        language=case.language if case and case.language in LANGUAGES else _language(rng),
        anonymous=case is None and rng.random() < 0.15,
        now=at,
    )
    answered = min(at + timedelta(days=rng.uniform(0.2, 6)), now - timedelta(minutes=5))
    raw = _csat_answers(rng) if case is not None else _nps_answers(rng)
    return response_submit(invitation=invitation, raw=raw, now=max(answered, at))
