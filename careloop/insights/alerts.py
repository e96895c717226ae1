"""Special-cause alerts on watched metrics (issue 6): the sweep records a signal in a facility's
newest complete month once (a unique constraint), audits it and emails the facility's quality
leads after commit, with no client data. A lead acknowledges it (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from careloop.audit.services import audit_record
from careloop.insights.dashboard import complaint_rate_chart, newest_signal
from careloop.insights.denominators import default_measure
from careloop.insights.models import InsightAlert, RollupState
from careloop.insights.permissions import QUALITY_LEAD_ROLES, can_acknowledge_alerts
from careloop.insights.rollups import rates_read, rollups_claim_due
from careloop.insights.selectors import exposure_by_month, period_default
from careloop.orgs.models import Facility, Membership, User
from careloop.orgs.permissions import role_label

COMPLAINT_RATE = "complaint_rate"
METRIC_LABELS = {COMPLAINT_RATE: "Complaint rate (u-chart)"}
ALERT_LIST_LIMIT = 50


def alerts_for(*, facilities: Sequence[Facility]) -> list[InsightAlert]:
    """Recent alerts of these facilities (the caller has already scoped them)."""
    return list(
        InsightAlert.objects.filter(facility__in=facilities).select_related(
            "facility", "acknowledged_by"
        )[:ALERT_LIST_LIMIT]
    )


def quality_lead_emails(facility: Facility) -> list[str]:
    """Executives and administrators whose membership covers the facility."""
    covering = Q(facility__isnull=True, unit__isnull=True) | Q(
        facility_id=facility.pk, unit__isnull=True
    )
    emails = (
        Membership.objects.filter(
            covering,
            role__in=QUALITY_LEAD_ROLES,
            user__organization_id=facility.organization_id,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(emails)


def _send(alert_id: int) -> None:
    alert = InsightAlert.objects.select_related("facility").get(pk=alert_id)
    recipients = quality_lead_emails(alert.facility)
    if not recipients:
        return
    label = METRIC_LABELS.get(alert.metric, alert.metric)
    send_mail(
        subject=f"[Careloop] Special-cause signal: {label}, {alert.facility.name}",
        message=(
            f"{label} at {alert.facility.name} for {alert.month_on:%B %Y} is a special-cause "
            f"signal ({alert.rule}).\nOpen Insights in Careloop to review and acknowledge it."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def alert_record(
    *,
    facility: Facility,
    metric: str,
    month_on: date,
    rule: str,
    value: float | None,
    now: datetime,
) -> InsightAlert | None:
    """Record the alert unless it exists; None when it was already recorded."""
    try:
        with transaction.atomic():
            alert = InsightAlert.objects.create(
                organization_id=facility.organization_id,
                facility=facility,
                metric=metric,
                month_on=month_on,
                rule=rule,
                value=value,
                created_at=now,
            )
            audit_record(
                actor=None,
                action="C",
                event_type="insights.alert_raised",
                at=now,
                organization_id=facility.organization_id,
                object_type="insight_alert",
                object_id=str(alert.pk),
                detail={"facility": facility.pk, "metric": metric, "month": f"{month_on:%Y-%m}"},
            )
            transaction.on_commit(lambda: _send(alert.pk))
    except IntegrityError:
        return None
    return alert


def insights_alerts_sweep(*, now: datetime) -> int:
    """Check every facility's complaint-rate u-chart over its last 12 complete months (counted
    complaints from the rollups; a facility whose rollups were never built waits for them);
    record an alert when the newest month signals. Returns how many alerts were recorded."""
    recorded = 0
    built = set(
        RollupState.objects.filter(full_at__isnull=False).values_list("facility_id", flat=True)
    )
    for facility in Facility.objects.filter(pk__in=built).order_by("pk"):
        period = period_default(facility=facility, now=now)
        if InsightAlert.objects.filter(
            facility=facility, metric=COMPLAINT_RATE, month_on=period.last_on
        ).exists():
            continue
        measure = default_measure(facility.setting)
        result, rows = complaint_rate_chart(
            complaints=rates_read(facility=facility, period=period).counted,
            exposure=exposure_by_month(facility=facility, period=period, measure=measure),
        )
        rule = newest_signal(result)
        if rule is None:
            continue
        alert = alert_record(
            facility=facility,
            metric=COMPLAINT_RATE,
            month_on=period.last_on,
            rule=rule,
            value=rows[-1].rate,
            now=now,
        )
        recorded += alert is not None
    return recorded


def insights_sweep_summary() -> str:
    """For the worker's sweep loop: enqueue a rebuild task for each facility whose rollups are
    due (claimed, so sweepers in several processes enqueue it once; the rebuild runs in a task
    worker and never holds up the other sweeps), then look for special-cause signals in the
    rollups. Counts only."""
    from careloop.core.time import utcnow
    from careloop.insights.tasks import rollup_refresh_task

    now = utcnow()
    due = rollups_claim_due(now=now)
    for facility, full in due:
        rollup_refresh_task.enqueue(facility_id=facility.pk, full=full)
    done = insights_alerts_sweep(now=now)
    parts = [f"{len(due)} rollup rebuilds queued"] if due else []
    parts += [f"{done} special-cause alerts recorded"] if done else []
    return ", ".join(parts)


class AlertNotFound(Exception):
    pass


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int, now: datetime) -> InsightAlert:
    """The quality lead has seen the alert. Out of scope and missing are the same."""
    if actor.organization_id is None:
        raise AlertNotFound
    alert = (
        InsightAlert.objects.select_for_update()
        .select_related("facility")
        .filter(pk=alert_id, organization_id=actor.organization_id)
        .first()
    )
    if alert is None or not can_acknowledge_alerts(actor, alert.facility):
        raise AlertNotFound
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_by = actor
    alert.acknowledged_at = now
    alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit_record(
        actor=actor,
        action="U",
        event_type="insights.alert_acknowledged",
        at=now,
        organization_id=alert.organization_id,
        object_type="insight_alert",
        object_id=str(alert.pk),
        actor_role=role_label(actor),
    )
    return alert
