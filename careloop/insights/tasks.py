"""Background tasks of insights: each calls one service."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.insights.rollups import rollup_refresh
from careloop.orgs.models import Facility


@task()
def rollup_refresh_task(*, facility_id: int, full: bool) -> int:
    """Rebuild one facility's rollups (claimed by the sweep that enqueued this)."""
    facility = Facility.objects.filter(pk=facility_id).first()
    if facility is None:
        return 0
    return rollup_refresh(facility=facility, full=full, now=utcnow())
