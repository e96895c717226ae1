"""Bulk generation of survey responses for the benchmarks (imported by setup_surveys.py and
survey_scoring.py after Django is set up): a published bench instrument of the demo
organization (NPS, CSAT, FFT and an inpatient-style frequency item, plus a comment on about one
response in ten), and responses with their answers generated inside PostgreSQL (INSERT ... SELECT
from generate_series, no rows through Python), spread over the last two years and the
organization's units."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction

from careloop.orgs.models import Organization, Role, Unit, User
from careloop.surveys.instruments import ItemSpec
from careloop.surveys.models import Instrument, InstrumentVersion, Item, Response
from careloop.surveys.services import instrument_from_template, instrument_revise

ITEMS = (
    ItemSpec(type="nps_0_10", texts={"en": "How likely are you to recommend us?"}, required=True),
    ItemSpec(type="csat_1_5", texts={"en": "How satisfied are you with your care?"}),
    ItemSpec(type="fft_6", texts={"en": "Overall, how was your experience of our service?"}),
    ItemSpec(type="frequency_4", texts={"en": "How often did staff listen closely to you?"}),
    ItemSpec(type="free_text", texts={"en": "Anything else you would like to tell us?"}),
)
# Answer value weights per item type (a plausible skew towards good answers).
WEIGHTS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "nps_0_10": (tuple(str(n) for n in range(11)), (2, 1, 1, 2, 2, 4, 5, 9, 18, 22, 34)),
    "csat_1_5": (("1", "2", "3", "4", "5"), (4, 5, 11, 35, 45)),
    "fft_6": (
        ("very_good", "good", "neither", "poor", "very_poor", "dont_know"),
        (52, 30, 7, 5, 4, 2),
    ),
    "frequency_4": (("never", "sometimes", "usually", "always"), (3, 9, 25, 63)),
}
COMMENTS = (
    "The nurses were kind and explained everything.",
    "I waited a long time for my medicine.",
    "The room was noisy at night.",
    "Thank you to the whole team.",
)
BATCH = 200_000


def bench_version(*, name: str, now: datetime) -> InstrumentVersion:
    """The bench instrument called `name` (created and published on first use)."""
    organization = Organization.objects.order_by("pk").first()
    if organization is None:
        raise SystemExit("No organization: run bench/setup_db.py first.")
    found = Instrument.objects.filter(organization=organization, name=name).first()
    if found is None:
        admin = User.objects.filter(organization=organization, memberships__role=Role.ADMIN).first()
        if admin is None:
            raise SystemExit("The demo organization has no administrator.")
        found = instrument_from_template(
            actor=admin, organization=organization, template="nps", now=now
        )
        found.name = name
        found.save(update_fields=["name"])
        instrument_revise(actor=admin, instrument=found, items=ITEMS, now=now)
    return found.versions.filter(published_at__isnull=False).order_by("-number")[0]


def _weights(item_type: str) -> tuple[list[str], list[float], float]:
    """Values, cumulative bounds for width_bucket, and the share of responses answering."""
    if item_type == "free_text":
        share = 1 / len(COMMENTS)
        return list(COMMENTS), [share * n for n in range(1, len(COMMENTS))], 0.1
    values, weights = WEIGHTS[item_type]
    total, running, bounds = sum(weights), 0, []
    for weight in weights[:-1]:
        running += weight
        bounds.append(running / total)
    return list(values), bounds, 1.0


NEW_RESPONSES = """
WITH picked AS (
    SELECT gen_random_uuid() AS id,
           1 + floor(random() * cardinality(%(units)s::bigint[]))::int AS k,
           %(now)s - random() * interval '730 days' AS at
    FROM generate_series(1, %(size)s)
), made AS (
    INSERT INTO surveys_response (id, organization_id, version_id, facility_id, unit_id,
        submitted_at, anonymous, language)
    SELECT id, %(org)s, %(version)s, (%(facilities)s::bigint[])[k], (%(units)s::bigint[])[k],
           at, true, 'en'
    FROM picked
    RETURNING id, submitted_at
)
INSERT INTO bench_new SELECT id, submitted_at FROM made
"""
NEW_ANSWERS = """
INSERT INTO surveys_answer (response_id, item_id, value, submitted_at)
SELECT id, %(item)s, (%(values)s::text[])[width_bucket(random(), %(bounds)s::float8[]) + 1], at
FROM bench_new WHERE random() < %(share)s
"""


def responses_generate(
    *,
    version: InstrumentVersion,
    count: int,
    now: datetime,
    seed: int,
    progress: Callable[[str], None] = print,
) -> float:
    """Add `count` anonymous responses (and their answers) to `version`, generated inside
    PostgreSQL (one INSERT ... SELECT from generate_series per batch of responses, one per
    item for the answers); returns the seconds taken. `seed` seeds random()."""
    units = list(
        Unit.objects.filter(facility__organization_id=version.instrument.organization_id)
        .values_list("pk", "facility_id")
        .order_by("pk")
    )
    items = list(Item.objects.filter(version=version).order_by("position"))
    started = time.perf_counter()
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
    while written < count:
        size = min(BATCH, count - written)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_new (id uuid, at timestamptz) ON COMMIT DROP")
            cursor.execute(
                NEW_RESPONSES,
                {
                    "now": now,
                    "size": size,
                    "org": version.instrument.organization_id,
                    "version": version.pk,
                    "units": [pk for pk, _ in units],
                    "facilities": [facility for _, facility in units],
                },
            )
            for item in items:
                values, bounds, share = _weights(item.type)
                cursor.execute(
                    NEW_ANSWERS,
                    {"item": item.pk, "values": values, "bounds": bounds, "share": share},
                )
        written += size
        progress(f"  {written:,} / {count:,} responses ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_response")
        cursor.execute("ANALYZE surveys_answer")
    return time.perf_counter() - started


def response_count(version: InstrumentVersion) -> int:
    return Response.objects.filter(version__instrument=version.instrument).count()
