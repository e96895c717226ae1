"""The demo organization's analytics: exposure, HCAT coding, survey answers and a first text
model, so a new administrator's dashboards are not empty."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from careloop.cases.models import Case, Channel, Kind, StageOfCare, Status
from careloop.core.demo import demo_create
from careloop.core.demo_insights import LOW_COMMENTS, PRAISE, hcat_coding
from careloop.core.demo_text import NARRATIVES
from careloop.insights.denominators import month_add
from careloop.insights.models import Exposure, Measure, StaffExposure
from careloop.orgs.models import Facility, Person, Unit
from careloop.safety.models import SafetyFlag
from careloop.surveys.models import Response
from careloop.surveys.services import comment_flagged
from careloop.text.models import ModelKind, ModelVersion, Suggestion

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
MONTHS = [month_add(date(2026, 3, 1), -n) for n in range(13)]  # 2025-03 to 2026-03


@pytest.mark.django_db
def test_the_demo_gives_every_dashboard_something_to_show() -> None:
    result = demo_create(now=NOW, cases=80, seed=7)
    org = result.organization

    for unit in Unit.objects.filter(facility__organization=org).select_related("facility"):
        months = set(Exposure.objects.filter(unit=unit).values_list("period_start_on", flat=True))
        assert months == set(MONTHS), unit.name
    days = Exposure.objects.filter(unit__name="4 West Medical", measure=Measure.PATIENT_DAYS)
    assert 500 < days.get(period_start_on=date(2026, 1, 1)).value < 1000
    staff = Person.objects.filter(organization=org, user__isnull=True)
    assert all(p.email.endswith("@riverside.example") for p in staff)
    assert StaffExposure.objects.filter(measure=Measure.SHIFTS).count() == staff.count() * 13

    coded = Case.objects.filter(organization=org, coded_at__isnull=False)
    assert coded.count() >= 15
    assert all(c.coded_by_id == c.owner_id for c in coded)
    assert all(c.coded_at and c.resolved_at and c.coded_at < c.resolved_at for c in coded)
    assert not coded.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).exists()

    responses = Response.objects.filter(organization=org)
    assert responses.count() >= 60
    assert responses.filter(anonymous=True).exists()
    assert responses.filter(case__isnull=False).exists()
    opened = Case.objects.filter(organization=org, channel=Channel.SURVEY)
    assert opened.count() == responses.filter(opened_case__isnull=False).count()
    assert not SafetyFlag.objects.filter(case__in=opened).exists()

    theme = ModelVersion.objects.get(codebook__organization=org, kind=ModelKind.THEME)
    assert theme.promoted
    newest = Case.objects.filter(organization=org).order_by("-pk").first()
    assert Suggestion.objects.filter(case=newest, model_version=theme).exists()


@pytest.mark.django_db
def test_no_demo_survey_comment_trips_the_safety_screen() -> None:
    for setting in ("hospital", "nursing_facility", "home_health"):
        facility = Facility(setting=setting, jurisdiction="US-NY", policy_packs=[])
        for text in [t for t, _ in LOW_COMMENTS] + list(PRAISE):
            assert not comment_flagged(comment=text, facility=facility, language="en"), text


def test_hcat_coding_follows_the_narrative() -> None:
    rng = random.Random(3)  # noqa: S311  # demo data, not security
    categories: Counter[str] = Counter()
    for kind, _lang, text, _outcome, category in NARRATIVES:
        severities, stage, harm = hcat_coding(text, kind, rng)
        if not category:
            assert severities == {}
            continue
        categories[category] += 1
        assert severities[category] in (1, 2, 3)
        assert all(v == 1 for name, v in severities.items() if name != category)
        assert stage in StageOfCare.values
        assert harm == 0 or category in ("sev_quality", "sev_safety")
    assert len(categories) == 7
    assert hcat_coding("Unheard of.", Kind.COMPLAINT, rng) == ({}, "", 0)
