"""The administrator's exposure upload page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from careloop.insights.models import Exposure
from careloop.orgs.models import Unit, User


def test_an_administrator_uploads_a_file_and_sees_it(
    client: Client, admin: User, unit_a: Unit
) -> None:
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "exposure.csv",
        f"unit_code,month,measure,value\n{unit_a.intake_code},2026-01,patient_days,812\n".encode(),
    )
    response = client.post(reverse("insights:exposure"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "Imported: 1 new, 0 changed." in response.content.decode()
    assert "812" in response.content.decode()
    assert Exposure.objects.get().value == 812


def test_a_bad_paste_shows_each_problem_and_imports_nothing(
    client: Client, admin: User, unit_a: Unit
) -> None:
    client.force_login(admin)
    text = (
        "unit_code,month,measure,value\n"
        f"{unit_a.intake_code},2026-01,patient_days,-3\nXX,2026-01,visits,4\n"
    )
    response = client.post(reverse("insights:exposure"), {"text": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "value is negative" in body
    assert "unknown unit" in body
    assert not Exposure.objects.exists()


def test_other_roles_may_not_import(
    client: Client, advocate_x: User, outsider: User, unit_a: Unit
) -> None:
    for user in (advocate_x,):
        client.force_login(user)
        assert client.get(reverse("insights:exposure")).status_code == 403


def test_an_outsider_admin_sees_only_their_own_organization(
    client: Client, outsider: User, admin: User, unit_a: Unit
) -> None:
    client.force_login(admin)
    client.post(
        reverse("insights:exposure"),
        {"text": f"unit_code,month,measure,value\n{unit_a.intake_code},2026-01,patient_days,812\n"},
    )
    client.force_login(outsider)
    response = client.get(reverse("insights:exposure"))
    assert response.status_code == 200
    assert list(response.context["recent"]) == []
