from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from careloop.conftest import RECEIVED_AT
from careloop.orgs.models import Organization, User
from careloop.text.codebooks import CodebookError, nhs_framework_rows, parse_codebook_csv
from careloop.text.models import Code, Codebook, Crosswalk
from careloop.text.services import codebook_create_hcat, codebook_import, crosswalk_set

SHARED = Path("/work/shared/data/pxtextmining")
GOOD = "code,label,parent,description,language\nstaff,Staff,,,en\nrude,Rude staff,staff,,en\n"


def problems_of(content: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        parse_codebook_csv(content)
    return caught.value.problems


def test_it_reads_a_codebook_with_parents() -> None:
    rows = parse_codebook_csv(GOOD.encode())
    assert [(r.code, r.parent) for r in rows] == [("staff", ""), ("rude", "staff")]


def test_it_reports_a_cycle() -> None:
    found = problems_of("code,label,parent\na,A,c\nb,B,a\nc,C,b\n")
    assert len(found) == 1
    assert found[0].startswith("Cycle in parents: ")


def test_it_reports_duplicate_codes_with_their_lines() -> None:
    assert problems_of("code,label\na,A\nb,B\na,Again\n") == ["Duplicate code 'a' on lines 2, 4."]


def test_it_reports_a_missing_parent() -> None:
    assert problems_of("code,label,parent\na,A,nowhere\n") == [
        "Line 2: parent 'nowhere' of 'a' is not a code."
    ]


def test_it_reports_every_junk_row_and_imports_nothing() -> None:
    found = problems_of(
        "code,label,parent,description,language\n,No code,,,en\nb,,,,en\nc,C,,,fr\nd,D\ne,E,e,,en\n"
    )
    assert found == [
        "Line 2: the code is empty.",
        "Line 3: the label is empty.",
        "Line 4: language 'fr' is not one of en, es, it.",
        "Line 5: 2 fields, expected 5.",
        "Line 6: 'e' is its own parent.",
    ]


def test_it_refuses_bad_headers_empty_files_and_other_encodings() -> None:
    assert problems_of("") == ["The file is empty."]
    assert problems_of("name,label\n") == [
        "Missing column: code.",
        "Unknown column: 'name' (allowed: code, label, parent, description, language).",
    ]
    with pytest.raises(CodebookError, match="not UTF-8"):
        parse_codebook_csv("code,label\nx,caf\xe9\n".encode("latin-1"))
    assert problems_of("code,label\n\n") == ["The file has no codes."]


def test_the_shipped_nhs_frameworks_have_their_labels() -> None:
    v6 = nhs_framework_rows("v6")
    phase1 = nhs_framework_rows("phase1")
    assert len(v6) == 50
    assert "Staff manner & personal attributes" in {r.code for r in v6}
    majors = [r for r in phase1 if not r.parent]
    assert len(majors) == 9
    assert len(phase1) - len(majors) == 44
    assert {r.parent for r in phase1 if r.code == "sa"} == {"staff"}


@pytest.mark.skipif(not SHARED.exists(), reason="the pxtextmining data is not on this machine")
def test_the_shipped_copies_match_the_source_files() -> None:
    for framework in ("v6", "phase1"):
        assert nhs_framework_rows(framework, source_dir=SHARED) == nhs_framework_rows(framework)


def test_every_organization_gets_hcat_with_its_crosswalk(org: Organization) -> None:
    codebook = codebook_create_hcat(organization=org, now=RECEIVED_AT)
    assert codebook_create_hcat(organization=org, now=RECEIVED_AT) == codebook
    categories = Code.objects.filter(codebook=codebook, severity_max=3)
    assert categories.count() == 7
    assert Code.objects.filter(codebook=codebook, parent__isnull=True).count() == 3
    assert set(Crosswalk.objects.values_list("hcat_category", flat=True)) == {
        "sev_quality",
        "sev_safety",
        "sev_environment",
        "sev_institutional",
        "sev_listening",
        "sev_communication",
        "sev_respect",
    }


def test_an_administrator_imports_a_codebook_and_maps_it_onto_hcat(
    admin: User, org: Organization
) -> None:
    rows = nhs_framework_rows("phase1")
    codebook = codebook_import(
        organization=org, actor=admin, name="NHS phase 1", rows=rows, source="t", now=RECEIVED_AT
    )
    assert codebook.codes.count() == 53
    assert codebook.codes.get(code="sa").parent == codebook.codes.get(code="staff")
    mapped = crosswalk_set(
        actor=admin,
        codebook=codebook,
        mapping={"sa": "sev_respect", "ef": "sev_environment", "cm": ""},
        now=RECEIVED_AT,
    )
    assert mapped == 2
    assert Crosswalk.objects.get(code__code="sa").hcat_category == "sev_respect"
    with pytest.raises(ValidationError, match="Unknown HCAT categories: sev_food"):
        crosswalk_set(actor=admin, codebook=codebook, mapping={"ef": "sev_food"}, now=RECEIVED_AT)
    with pytest.raises(ValidationError, match="already exists"):
        codebook_import(
            organization=org, actor=admin, name="NHS phase 1", rows=rows, source="", now=RECEIVED_AT
        )


def test_the_import_page_reports_problems_and_writes_nothing(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile("book.csv", b"code,label,parent\na,A,b\nb,B,a\nc,C,zz\n")
    response = client.post("/text/codebooks/", {"name": "Mine", "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "parent &#x27;zz&#x27; of &#x27;c&#x27; is not a code" in page
    assert not Codebook.objects.filter(name="Mine").exists()

    good = SimpleUploadedFile("book.csv", GOOD.encode())
    response = client.post("/text/codebooks/", {"name": "Mine", "file": good})
    assert response.status_code == 302
    codebook = Codebook.objects.get(name="Mine")
    response = client.post(
        f"/text/codebooks/{codebook.pk}/",
        {f"code_{codebook.codes.get(code='rude').pk}": "sev_respect"},
    )
    assert response.status_code == 302
    assert Crosswalk.objects.get(code__codebook=codebook).hcat_category == "sev_respect"


def test_codebook_pages_are_for_administrators_of_the_organization(
    advocate_x: User, outsider: User, admin: User, org: Organization
) -> None:
    codebook = codebook_create_hcat(organization=org, now=RECEIVED_AT)
    client = Client()
    client.force_login(advocate_x)
    assert client.get("/text/codebooks/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/text/codebooks/{codebook.pk}/").status_code == 404
    client.force_login(admin)
    page = client.get(f"/text/codebooks/{codebook.pk}/")
    assert page.status_code == 200
    assert "Respect and patient rights" in page.content.decode()
