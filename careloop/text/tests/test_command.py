from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.orgs.models import Organization
from careloop.text.models import Codebook, ModelVersion
from careloop.text.tests.conftest import CodedCases

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("text", *args, stdout=out)
    return out.getvalue()


def test_train_then_evaluate_a_csv_with_junk_rows(
    org: Organization, coded_cases: CodedCases, tmp_path: Path
) -> None:
    coded_cases()
    trained = run("train", "--organization", "riverside")
    assert "riverside / HCAT:" in trained
    assert "theme #" in trained
    assert "promoted: first model of its kind" in trained
    assert "severity: not trained: only one value" in trained

    labelled = tmp_path / "labelled.csv"
    labelled.write_text(
        "text,labels\n"
        '"The soup was cold, the tray dirty.",environment\n'
        "The nurse was rude to my father.,respect\n"
        "We waited five hours in the waiting room.,institutional\n"
        "Wrong medication given twice.,safety|quality\n"
        ",environment\n"
        "😀😀😀,respect\n"
        "Cold food.,food_and_drink\n"
        "too,many,fields\n",
        encoding="utf-8",
    )
    report = run("evaluate", str(labelled), "--organization", "riverside")
    assert "rows read 8, used 4, skipped 4" in report
    assert "skipped (empty or letter-free text): 2" in report
    assert "skipped (label not in the codebook): 1" in report
    assert "skipped (wrong number of fields): 1" in report
    assert "theme: n=4 macro-F1=" in report
    assert "environment" in report
    assert "tp=" in report
    assert "calibration (confidence bin: n, mean confidence, observed):" in report

    harm = ModelVersion.objects.get(kind="harm")
    harm_csv = tmp_path / "harm.csv"
    harm_csv.write_text("text,labels\nCold food.,1\nRude nurse.,9\nWrong pills.,two\n")
    report = run("evaluate", str(harm_csv), "--version", str(harm.pk))
    assert "rows read 3, used 1, skipped 2" in report
    assert "skipped (harm not a whole number 0-5): 2" in report
    assert "confusion (rows: truth" in report


def test_evaluate_refuses_what_it_cannot_read(org: Organization, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No promoted theme model"):
        run("evaluate", str(tmp_path / "x.csv"), "--organization", "riverside")
    with pytest.raises(CommandError, match="No model version 99"):
        run("evaluate", str(tmp_path / "x.csv"), "--version", "99")


def test_train_with_a_seed_file(org: Organization, coded_cases: CodedCases, tmp_path: Path) -> None:
    coded_cases(per_category=3)
    seed = tmp_path / "seed.csv"
    rows = ["text,labels,sentiment"]
    rows += [f"Great kind staff number {n},respect,5" for n in range(20)]
    rows += [f"Awful cold food number {n},environment,1" for n in range(20)]
    rows += ["Junk label,nonsense,3", ",respect,2"]
    seed.write_text("\n".join(rows) + "\n")
    out = run("train", "--organization", "riverside", "--seed", str(seed))
    assert "rows read 42, used 40, skipped 2" in out
    assert "sentiment #" in out
    sentiment = ModelVersion.objects.get(kind="sentiment")
    assert sentiment.promoted


def test_import_codebooks_from_csv_and_the_nhs_frameworks(
    org: Organization, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,label,parent\na,A,b\nb,B,a\na,Again,\n")
    with pytest.raises(CommandError) as caught:
        run("import-codebook", str(bad), "--organization", "riverside", "--name", "Mine")
    assert "Duplicate code 'a' on lines 2, 4." in str(caught.value)
    assert not Codebook.objects.filter(name="Mine").exists()

    good = tmp_path / "good.csv"
    good.write_text("code,label,parent\nstaff,Staff,\nrude,Rude,staff\n")
    out = run("import-codebook", str(good), "--organization", "riverside", "--name", "Mine")
    assert "Imported 2 codes into Mine" in out

    out = run("import-nhs", "v6", "--organization", "riverside")
    assert "Imported 50 codes into NHS patient experience framework v6" in out
    with pytest.raises(CommandError, match="already exists"):
        run("import-nhs", "v6", "--organization", "riverside")
    with pytest.raises(CommandError, match="No organization 'nowhere'"):
        run("import-nhs", "phase1", "--organization", "nowhere")
