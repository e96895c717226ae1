"""Administrators change their organization's check-back settings at /c/settings/."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.followups.models import FollowUpSettings
from careloop.orgs.models import Organization, User

URL = "/c/settings/"
VALUES = {
    "checkback_after_days": "5",
    "reminders": "2",
    "reminder_after_days": "3",
    "link_valid_days": "21",
}

pytestmark = pytest.mark.django_db


def test_the_page_is_at_its_named_address() -> None:
    assert reverse("followups:settings") == URL


def test_an_administrator_sees_the_defaults_and_changes_them(
    client: Client, admin: User, org: Organization
) -> None:
    client.force_login(admin)

    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="checkback_after_days" value="3"' in page.content.decode()

    response = client.post(URL, VALUES)

    assert response.status_code == 302
    saved = FollowUpSettings.objects.get(organization=org)
    assert (
        saved.checkback_after_days,
        saved.reminders,
        saved.reminder_after_days,
        saved.link_valid_days,
    ) == (5, 2, 3, 21)
    audit = AuditEvent.objects.get(event_type="org.followupsettings.changed")
    assert (audit.actor_id, audit.organization_id) == (admin.pk, org.pk)
    assert sorted(audit.fields) == sorted(VALUES)


@pytest.mark.parametrize(
    ("field", "value"),
    [("reminders", "4"), ("checkback_after_days", "-1"), ("link_valid_days", "3")],
)
def test_values_out_of_range_are_refused(
    client: Client, admin: User, field: str, value: str
) -> None:
    client.force_login(admin)

    response = client.post(URL, {**VALUES, field: value})

    assert response.status_code == 400
    assert not FollowUpSettings.objects.exists()


def test_another_organizations_administrator_changes_only_their_own(
    client: Client, outsider: User, org: Organization, other_org: Organization
) -> None:
    client.force_login(outsider)

    client.post(URL, VALUES)

    assert FollowUpSettings.objects.get().organization == other_org


@pytest.mark.parametrize("persona", ["frontline_a", "manager_a", "advocate_x", "executive"])
def test_only_administrators_may_open_it(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])

    assert client.get(URL).status_code == 403
    assert client.post(URL, VALUES).status_code == 403
    assert not FollowUpSettings.objects.exists()


def test_visitors_are_sent_to_sign_in(client: Client, settings: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
