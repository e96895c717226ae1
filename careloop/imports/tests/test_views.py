"""The staff pages: upload -> mapping -> dry-run report -> import -> batch page, for an
administrator; everyone else is refused, and another organization's batch is not found."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from careloop.cases.models import Case
from careloop.imports.forms import INTEGER_FIELDS, VALUE_MAP_KINDS
from careloop.imports.mapping import TARGETS
from careloop.imports.models import BatchStatus, ImportBatch, ImportMapping
from careloop.imports.tests.conftest import NOW, SAMPLES, Checker, helpdesk_spec
from careloop.orgs.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("places", "immediate_tasks")]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Tasks run as soon as they are enqueued (after commit) instead of waiting for a worker."""
    settings.TASKS = IMMEDIATE


def _signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _form_data(spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_system": spec["source_system"],
        "date_formats": spec["date_formats"],
        "delimiter": spec["delimiter"],
        **extra,
    }
    for name, target in TARGETS.items():
        entry = spec["fields"].get(name, {})
        columns = entry.get("columns", [])
        data[f"{name}__columns"] = columns if target.kind == "text" else next(iter(columns), "")
        data[f"{name}__fixed"] = entry.get("fixed", "")
        if target.kind in VALUE_MAP_KINDS:
            data[f"{name}__values"] = "\n".join(
                f"{k} = {v}" for k, v in entry.get("values", {}).items()
            )
        if name in INTEGER_FIELDS and entry.get("integer"):
            data[f"{name}__integer"] = "on"
    return data


@time_machine.travel(NOW, tick=False)
def test_an_administrator_goes_from_upload_to_imported_cases(
    client: Client, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    _signed_in(client, admin)
    assert client.get(reverse("imports:index")).status_code == 200
    upload = SimpleUploadedFile(
        "tickets.csv", (SAMPLES / "django_helpdesk_tickets.csv").read_bytes()
    )
    response = client.post(
        reverse("imports:upload"), {"file": upload, "mapping": "builtin:django-helpdesk"}
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:mapping", args=[batch.pk])
    page = client.get(reverse("imports:mapping", args=[batch.pk]))
    assert page.status_code == 200
    assert b"submitter_email" in page.content  # the file's columns are offered
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            reverse("imports:mapping", args=[batch.pk]),
            _form_data(helpdesk_spec(), save_as="Our helpdesk"),
        )
    assert response.status_code == 302
    assert len(queued) == 1  # the dry run, by a worker
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
    assert batch.rows_planned == 4
    assert ImportMapping.objects.get().name == "Our helpdesk"
    report = client.get(reverse("imports:batch", args=[batch.pk]))
    assert b"Import 4 cases" in report.content
    assert b"status maps to skip" in report.content
    assert client.get(reverse("imports:run", args=[batch.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED
    assert Case.objects.count() == 4
    done = client.get(reverse("imports:batch", args=[batch.pk]))
    assert b"4 cases created" in done.content


@time_machine.travel(NOW, tick=False)
def test_a_mapping_missing_a_facility_is_sent_back_with_the_reason(
    client: Client, admin: User, check: Checker
) -> None:
    spec = helpdesk_spec()
    batch = check((SAMPLES / "django_helpdesk_tickets.csv").read_bytes(), spec)
    spec["fields"].pop("facility")
    _signed_in(client, admin)
    response = client.post(reverse("imports:mapping", args=[batch.pk]), _form_data(spec))
    assert response.status_code == 400
    assert b"Map a column or a fixed value for: Facility" in response.content


@time_machine.travel(NOW, tick=False)
def test_an_unreadable_upload_is_refused_and_nothing_is_kept(client: Client, admin: User) -> None:
    _signed_in(client, admin)
    upload = SimpleUploadedFile("junk.xlsx", b"PK\x03\x04 not a workbook")
    response = client.post(
        reverse("imports:upload"), {"file": upload, "mapping": "builtin:complaints-register"}
    )
    assert response.status_code == 400
    assert b"not a readable XLSX workbook" in response.content
    assert ImportBatch.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_running_dry_run_says_so_and_the_import_waits_for_it(
    client: Client, admin: User, check: Checker
) -> None:
    batch = check((SAMPLES / "django_helpdesk_tickets.csv").read_bytes(), helpdesk_spec())
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.CHECKING)
    _signed_in(client, admin)
    page = client.get(reverse("imports:batch", args=[batch.pk]))
    assert b"Dry run running" in page.content
    assert b"Import 4 cases" not in page.content
    client.post(reverse("imports:run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKING
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_an_import_whose_worker_stopped_can_be_discarded(
    client: Client, admin: User, check: Checker
) -> None:
    batch = check((SAMPLES / "django_helpdesk_tickets.csv").read_bytes(), helpdesk_spec())
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.IMPORTING)
    _signed_in(client, admin)
    client.post(reverse("imports:discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert batch.content is None
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_discarding_an_upload_drops_its_bytes(client: Client, admin: User, check: Checker) -> None:
    batch = check((SAMPLES / "complaints_register.csv").read_bytes(), helpdesk_spec())
    _signed_in(client, admin)
    client.post(reverse("imports:discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert batch.content is None


@pytest.mark.parametrize("who", ["frontline_a", "manager_a", "advocate_x", "executive"])
def test_only_administrators_reach_the_import_pages(
    client: Client, personas: dict[str, User], who: str
) -> None:
    _signed_in(client, personas[who])
    assert client.get(reverse("imports:index")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_another_organizations_batch_is_not_found(
    client: Client, outsider: User, check: Checker
) -> None:
    batch = check((SAMPLES / "complaints_register.csv").read_bytes(), helpdesk_spec())
    _signed_in(client, outsider)
    for name in ("imports:batch", "imports:mapping"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[batch.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("imports:index"))
    assert response.status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_value_map_line_without_an_equals_sign_is_explained(
    client: Client, admin: User, check: Checker
) -> None:
    batch = check((SAMPLES / "django_helpdesk_tickets.csv").read_bytes(), helpdesk_spec())
    _signed_in(client, admin)
    data = _form_data(helpdesk_spec())
    data["unit__values"] = "North Route = North Route\nSouth Route"
    response = client.post(reverse("imports:mapping", args=[batch.pk]), data)
    assert response.status_code == 400
    assert b"Unit, value map line 2: write" in response.content
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
