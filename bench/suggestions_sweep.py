"""Text intelligence inside Careloop on the benchmark database: training the HCAT models, the
background suggestion sweep, duplicate/repeat candidates on the case page, the emerging-themes
view, the case page's text panel. Writes only text-app rows (a codebook, model versions,
suggestions) plus audit events. Wall times include waits for the audit chain head and the
database, which other writers on a shared database hold up; the CPU time of this process is
printed beside them.

    .venv/bin/python bench/suggestions_sweep.py [--batches 10] [--batch 200] [--cases 100]
"""

from __future__ import annotations

import argparse
import random
import time

from common import ensure_database, percentiles, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--batches", type=int, default=10, help="sweep batches to time")
parser.add_argument("--batch", type=int, default=200, help="texts per sweep batch")
parser.add_argument("--cases", type=int, default=100, help="cases to look up duplicates for")
args = parser.parse_args()

ensure_database()
setup_django()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from careloop.cases.models import Case, Status  # noqa: E402
from careloop.core.demo_text import NARRATIVES  # noqa: E402
from careloop.core.time import utcnow  # noqa: E402
from careloop.orgs.models import Facility, Organization, Role, User  # noqa: E402
from careloop.text.codebooks import hcat_code  # noqa: E402
from careloop.text.learning import codebook_train, seed_example  # noqa: E402
from careloop.text.models import ModelKind, Suggestion  # noqa: E402
from careloop.text.selectors import duplicate_candidates_for, emerging_for  # noqa: E402
from careloop.text.suggestions import (  # noqa: E402
    codebook_hcat_ensure,
    codebook_suggest_batch,
    models_for,
)

org = Organization.objects.get(slug="riverside")
admin = User.objects.filter(organization=org, memberships__role=Role.ADMIN).first()
assert admin is not None
print(f"cases in database: {Case.objects.count():,}")
now = utcnow()
hcat = codebook_hcat_ensure(org, now=now)

# 1. Training: the demo narratives (35, written for Careloop, with their HCAT category) as seed
# data plus whatever cases are coded. Accuracy on this tiny set means nothing; time does.
seed = [seed_example(text, [hcat_code(cat)] if cat else []) for _, _, text, _, cat in NARRATIVES]
started = time.perf_counter()
outcomes = codebook_train(codebook=hcat, now=now, seed=seed, kinds=[ModelKind.THEME])
print(
    f"training (theme, {len(seed)} seed texts + coded cases): "
    f"{time.perf_counter() - started:.2f} s; {outcomes[0].message}"
)
if models_for(hcat).theme is None:
    raise SystemExit("no promoted theme model: nothing to sweep with")

# 2. The sweep: claiming the next ids for the promoted model, then suggesting.
batch_ms: list[float] = []
batch_cpu_ms: list[float] = []
written = 0
for _ in range(args.batches):
    t0, c0 = time.perf_counter(), time.process_time()
    written += codebook_suggest_batch(codebook=hcat, now=utcnow(), batch=args.batch)
    batch_ms.append((time.perf_counter() - t0) * 1000)
    batch_cpu_ms.append((time.process_time() - c0) * 1000)
seconds = sum(batch_ms) / 1000
print(
    f"sweep batch of {args.batch} cases + {args.batch} comments (claim ids, read, suggest, "
    f"screen, insert, audit): {percentiles(batch_ms)}"
)
print(f"  the same, CPU of this process only (no lock or I/O waits): {percentiles(batch_cpu_ms)}")
cpu = sum(batch_cpu_ms) / 1000
print(
    f"sweep throughput: {written / seconds:,.0f} suggestions/s wall, {written / cpu:,.0f}/s per "
    f"CPU second of this process ({written} texts: cases and survey comments)"
)

# 3. Duplicate and repeat candidates, as the case page computes them (scoped, audited).
rng = random.Random(7)
top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
picked = [rng.randint(1, top) for _ in range(args.cases)]
cases = list(Case.objects.filter(pk__in=picked).select_related("facility"))
dup_ms: list[float] = []
dup_cpu_ms: list[float] = []
found = 0
for case in cases:
    t0, c0 = time.perf_counter(), time.process_time()
    found += len(duplicate_candidates_for(user=admin, case=case, now=utcnow()))
    dup_ms.append((time.perf_counter() - t0) * 1000)
    dup_cpu_ms.append((time.process_time() - c0) * 1000)
print(
    f"duplicate candidates per case page ({len(cases)} cases, {found} candidates): "
    f"{percentiles(dup_ms)}"
)
print(f"  the same, CPU of this process only: {percentiles(dup_cpu_ms)}")

# 4. Emerging themes for the busiest facility, last week against the quarter before.
facility = Facility.objects.filter(organization=org).order_by("pk").first()
assert facility is not None
for weeks in (1, 4):
    t0, c0 = time.perf_counter(), time.process_time()
    result = emerging_for(user=admin, facility=facility, weeks=weeks, now=utcnow())
    ms = (time.perf_counter() - t0) * 1000
    cpu_ms = (time.process_time() - c0) * 1000
    print(
        f"emerging themes, {weeks} week(s), {facility.name}: {ms:.0f} ms ({cpu_ms:.0f} ms CPU) "
        f"({result.recent_cases:,} recent and {result.baseline_cases:,} baseline cases read, "
        f"{len(result.terms)} terms and {len(result.codes)} codes rising of {result.tested} tested)"
    )

# 5. The case page's text panel on its own (suggestions, correction form, links; duplicates
# looked for on new and acknowledged cases only), rendered as the case page renders it.
advocate = User.objects.filter(organization=org, memberships__role=Role.ADVOCATE).first()
assert advocate is not None
suggested = Suggestion.objects.filter(case__facility=facility).values_list("case_id", flat=True)
groups = {
    "new or acknowledged (duplicates looked for)": Case.objects.filter(
        facility=facility, status__in=[Status.NEW, Status.ACKNOWLEDGED]
    ),
    "later status, with a suggestion": Case.objects.filter(pk__in=suggested[:2000]).exclude(
        status__in=[Status.NEW, Status.ACKNOWLEDGED]
    ),
}
for label, queryset in groups.items():
    ids = list(queryset.order_by("-pk").values_list("pk", flat=True)[:2000])
    panel_ms: list[float] = []
    panel_cpu_ms: list[float] = []
    counts: list[int] = []
    for pk in rng.sample(ids, min(60, len(ids))):
        case = Case.objects.select_related("facility").get(pk=pk)
        request = RequestFactory().get(f"/cases/{pk}/")
        request.user = advocate
        context = {"case": case, "user": advocate, "request": request}
        with CaptureQueriesContext(connection) as queries:
            t0, c0 = time.perf_counter(), time.process_time()
            render_to_string("text/case_panel.html", context, request=request)
            panel_ms.append((time.perf_counter() - t0) * 1000)
            panel_cpu_ms.append((time.process_time() - c0) * 1000)
        counts.append(len(queries.captured_queries))
    if panel_ms:
        print(f"case page text panel, {label}: {percentiles(panel_ms)}")
        print(
            f"  the same, CPU of this process only: {percentiles(panel_cpu_ms)}; "
            f"queries {min(counts)}-{max(counts)}"
        )
