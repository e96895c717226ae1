"""careloop import_cases: the same dry run and import from the command line."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import CommandError, call_command

from careloop.cases.models import Case
from careloop.imports.models import BatchStatus, ImportBatch
from careloop.imports.tests.conftest import NOW, SAMPLES
from careloop.orgs.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("places")]
TICKETS = str(SAMPLES / "django_helpdesk_tickets.csv")


@time_machine.travel(NOW, tick=False)
def test_a_dry_run_prints_the_report_and_imports_nothing(
    admin: User, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--mapping", "django-helpdesk", "--actor", admin.username]
    call_command("import_cases", TICKETS, *args, "--facility", "Riverside Home Care", "--dry-run")
    out = capsys.readouterr().out
    assert "5 rows read, 4 would be created, 0 rejected, 1 skipped." in out
    assert "skipped row 5 [status]: status maps to skip" in out
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_it_imports_and_a_second_run_creates_nothing(
    admin: User, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--mapping", "django-helpdesk", "--actor", admin.username, "--facility"]
    call_command("import_cases", TICKETS, *args, "Riverside Home Care")
    assert "4 created" in capsys.readouterr().out
    assert Case.objects.count() == 4
    with pytest.raises(CommandError, match="no rejected rows"):
        call_command("import_cases", TICKETS, *args, "Riverside Home Care")
    assert Case.objects.count() == 4
    assert ImportBatch.objects.filter(status=BatchStatus.IMPORTED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_rejected_rows_stop_the_command(admin: User, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--mapping", "django-helpdesk", "--actor", admin.username, "--facility", "Nowhere"]
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_cases", TICKETS, *args)
    assert "unknown facility 'Nowhere'" in capsys.readouterr().out
    assert Case.objects.count() == 0


def test_unknown_mappings_and_users_are_refused(admin: User) -> None:
    with pytest.raises(CommandError, match="No mapping"):
        call_command("import_cases", TICKETS, "--mapping", "nope", "--actor", admin.username)
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_cases", TICKETS, "--mapping", "django-helpdesk", "--actor", "ghost")
