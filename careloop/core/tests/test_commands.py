"""The careloop commands: demo, audit verify, and the embedded server and worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from careloop.audit.models import AuditEvent
from careloop.audit.testing import append_only_set
from careloop.cases.models import Case, Channel
from careloop.core.demo_bulk import demo_bulk_cases
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Membership, Role
from careloop.policies.models import CaseClock

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]  # pytest-django settings


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_the_demo_is_a_realistic_organization(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", cases=60)

    facilities = Facility.objects.all()
    assert {f.setting for f in facilities} == {"hospital", "nursing_facility", "home_health"}
    assert len({f.time_zone for f in facilities}) == 2
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    # Plus the cases low survey scores opened (demo_insights).
    assert Case.objects.exclude(channel=Channel.SURVEY).count() == 60
    assert set(Case.objects.values_list("language", flat=True)) == {"en", "es", "it"}
    clock_states = Counter(CaseClock.objects.values_list("status", flat=True))
    assert clock_states["met"] > 0
    assert clock_states["breached"] > 0
    assert Case.objects.filter(status="closed").exists()
    assert "Created Riverside Health Partners with 60 cases" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_the_demo_loads_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", cases=5)
    call_command("demo", cases=5, if_empty=True)
    assert "already loaded" in capsys.readouterr().out
    assert Case.objects.count() == 5
    with pytest.raises(CommandError, match="exists already"):
        call_command("demo", cases=5)


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_bulk_generation_adds_cases_with_clocks_and_timelines() -> None:
    call_command("demo", cases=3)
    made = demo_bulk_cases(total=120, now=utcnow(), seed=1, progress=lambda _msg: None)
    assert made == 120
    bulk = Case.objects.filter(reference__startswith="RHP-B")
    assert bulk.count() == 120
    assert CaseClock.objects.filter(case__in=bulk).count() == 120
    assert AuditEvent.objects.filter(event_type="demo.bulk_generated").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("_fast_passwords")
def test_audit_verify_passes_then_catches_an_edit(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", cases=4)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Audit chain intact" in out
    assert "Head: #" in out

    append_only_set(enabled=False)
    AuditEvent.objects.filter(seq=3).update(actor_label="mallory")
    append_only_set(enabled=True)
    with pytest.raises(CommandError, match="Audit chain BROKEN"):
        call_command("audit", "verify")
    assert "event #3: contents were changed" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _interrupt_default() -> None:
    # A shell without job control starts background jobs with Ctrl-C ignored, and children
    # inherit that (CI may run the suite so): give `careloop run` a terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _careloop(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'careloop.sqlite3'}",
        "CARELOOP_SWEEP_SECONDS": "1",
        "CARELOOP_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "careloop.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_interrupt_default,
    )


def _run_to_end(tmp_path: Path, *args: str) -> str:
    process = _careloop(tmp_path, *args)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return out


def test_careloop_run_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    _run_to_end(tmp_path, "migrate", "-v0")
    port = _free_port()
    server = _careloop(tmp_path, "run", "--port", str(port))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    assert r.status == 200
                    assert "Sign in to Careloop" in r.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "careloop run never answered"
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert f"Careloop is running at http://127.0.0.1:{port}/" in out
    assert "Demo logins" in out
    assert "Careloop stopped." in out


def test_careloop_worker_processes_breach_clocks_once(tmp_path: Path) -> None:
    """Two worker processes sweep the same database: each breach is recorded once."""
    _run_to_end(tmp_path, "migrate", "-v0")
    _run_to_end(tmp_path, "demo", "--cases", "12")
    script = (
        "from careloop.policies.models import CaseClock as C;"
        "C.objects.filter(status='running').update(due_at='2000-01-01T00:00:00Z');"
        "print(C.objects.filter(status='running').count())"
    )
    running = int(_run_to_end(tmp_path, "shell", "-c", script).strip().splitlines()[-1])
    assert running > 0
    count = (
        "from careloop.cases.models import CaseEvent as E;"
        "from careloop.policies.models import CaseClock as C;"
        "print(C.objects.filter(status='running').count(),"
        " E.objects.filter(kind='clock_breached').count())"
    )
    before = int(_run_to_end(tmp_path, "shell", "-c", count).split()[-1])
    worker = _careloop(tmp_path, "worker", "--processes", "2")
    try:
        deadline = time.monotonic() + 60
        while True:
            left, events = map(int, _run_to_end(tmp_path, "shell", "-c", count).split()[-2:])
            if left == 0:
                break
            assert time.monotonic() < deadline, "the workers never swept"
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    assert events - before == running


def test_facility_zones_in_the_demo_are_real() -> None:
    from careloop.core.demo import FACILITIES

    for _name, _setting, _jurisdiction, zone, _packs, _units in FACILITIES:
        ZoneInfo(zone)
