from __future__ import annotations

import pytest
from django.test import Client

from careloop.orgs.models import User
from careloop.text.learning import codebook_train
from careloop.text.models import Codebook, ModelVersion
from careloop.text.tests.conftest import TRAINED_AT, CodedCases

pytestmark = pytest.mark.django_db


def test_administrators_see_each_model_report(
    hcat: Codebook, coded_cases: CodedCases, admin: User, advocate_x: User, outsider: User
) -> None:
    coded_cases()
    codebook_train(codebook=hcat, now=TRAINED_AT)
    theme = ModelVersion.objects.get(kind="theme")
    harm = ModelVersion.objects.get(kind="harm")
    client = Client()
    client.force_login(admin)
    listing = client.get("/text/models/").content.decode()
    assert f'href="/text/models/{theme.pk}/"' in listing
    assert "promoted" in listing
    page = client.get(f"/text/models/{theme.pk}/").content.decode()
    assert "Scores on held-out examples" in page
    assert "<td>environment</td>" in page
    assert "Calibration" in page
    harm_page = client.get(f"/text/models/{harm.pk}/").content.decode()
    assert "Confusion (rows: truth, columns: predicted)" in harm_page

    client.force_login(advocate_x)
    assert client.get("/text/models/").status_code == 403
    assert client.get(f"/text/models/{theme.pk}/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/text/models/{theme.pk}/").status_code == 404
    assert client.post("/text/models/").status_code == 405
