"""Intake posters: the PDF (pages, words, a QR code that is segno's and large enough, hostile names)
and the staff page that makes them (who may, for which places, and what is refused)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
import segno
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from reportlab.lib.units import mm

from careloop.audit.models import AuditEvent
from careloop.core.time import utcnow
from careloop.intake import posters
from careloop.intake.posters import (
    MARGIN,
    QR_MIN_SYMBOL,
    QUIET_ZONE,
    PosterText,
    poster_languages_untranslated,
    poster_page_plan,
    poster_pdf,
    printable,
    short_url,
)
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.surveys.models import Instrument
from careloop.surveys.services import instrument_from_template

URL = "https://careloop.example.org/u/K7M2QXA/"
SHORT = "careloop.example.org/u/K7M2QXA"

# The poster's words in Spanish and Italian, standing in for the message catalogs (and offered
# to the translator as they are).
CATALOG: dict[str, dict[str, str]] = {
    "es": {
        "Tell us how we did": "Cuéntenos cómo lo hicimos",
        "Something wrong? Want to thank someone? Tell us.": (
            "¿Algo salió mal? ¿Quiere dar las gracias a alguien? Díganoslo."
        ),
        "You can stay anonymous. It takes a few minutes.": (
            "Puede hacerlo de forma anónima. Solo le llevará unos minutos."
        ),
        "Scan the code with your phone camera, or type this address:": (
            "Escanee el código con la cámara de su teléfono o escriba esta dirección:"
        ),
        "For urgent help at any hour call %(phone)s": (
            "Si necesita ayuda urgente, a cualquier hora, llame al %(phone)s"
        ),
        "The form is private: what you write goes only to the staff who follow up on feedback.": (
            "El formulario es privado: lo que escriba solo lo lee el personal que atiende "
            "las opiniones."
        ),
        "How did we do? A one-minute survey": "¿Qué tal lo hicimos? Una encuesta de un minuto",
        "A few quick questions about your visit help us improve.": (
            "Unas preguntas rápidas sobre su visita nos ayudan a mejorar."
        ),
        "The survey is anonymous: we do not ask your name.": (
            "La encuesta es anónima: no le pedimos su nombre."
        ),
    },
    "it": {
        "Tell us how we did": "Raccontaci com'è andata",
        "Something wrong? Want to thank someone? Tell us.": (
            "Qualcosa non va? Vuoi ringraziare qualcuno? Diccelo."
        ),
        "You can stay anonymous. It takes a few minutes.": (
            "Puoi farlo in forma anonima. Bastano pochi minuti."
        ),
        "Scan the code with your phone camera, or type this address:": (
            "Inquadra il codice con la fotocamera del telefono, oppure digita questo indirizzo:"
        ),
        "For urgent help at any hour call %(phone)s": (
            "Per un aiuto urgente, a qualsiasi ora, chiama il %(phone)s"
        ),
        "The form is private: what you write goes only to the staff who follow up on feedback.": (
            "Il modulo è riservato: ciò che scrivi arriva solo al personale che segue "
            "le segnalazioni."
        ),
        "How did we do? A one-minute survey": "Com'è andata? Un sondaggio di un minuto",
        "A few quick questions about your visit help us improve.": (
            "Qualche domanda veloce sulla tua visita ci aiuta a migliorare."
        ),
        "The survey is anonymous: we do not ask your name.": (
            "Il sondaggio è anonimo: non ti chiediamo il nome."
        ),
    },
}


def catalog_gettext(message: str) -> str:
    return CATALOG.get(translation.get_language() or "en", {}).get(message, message)


@pytest.fixture
def translated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spanish and Italian words for the poster, looked up in the language active at the call."""
    monkeypatch.setattr(posters, "gettext", catalog_gettext)


@pytest.fixture
def untranslated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No catalog at all: every language would print the English words."""
    monkeypatch.setattr(posters, "gettext", lambda message: message)


def make_pdf(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "place": "4 West",
        "facility_name": "Riverside General",
        "url": URL,
        "short_url": SHORT,
        "phone": "(312) 555-0142",
        "languages": ["en", "es", "it"],
        "paper": "letter",
        **overrides,
    }
    return poster_pdf(**values)  # type: ignore[arg-type]  # the test varies each argument


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def drawn_qr(pdf: bytes, page: int = 0) -> tuple[list[list[bool]], float]:
    """The dark modules filled on a page (read back from its `re` operators) and the module
    size in points."""
    stream = PdfReader(io.BytesIO(pdf)).pages[page].get_contents()
    assert stream is not None
    number = r"(-?[\d.]+)"
    rects = [
        tuple(float(v) for v in m)
        for m in re.findall(rf"{number} {number} {number} {number} re", stream.get_data().decode())
    ]
    module = min(h for _, _, _, h in rects)
    left = min(x for x, _, _, _ in rects)
    top = max(y + h for _, y, _, h in rects)
    size = round((max(x + w for x, _, w, _ in rects) - left) / module)
    matrix = [[False] * size for _ in range(size)]
    for x, y, w, h in rects:
        row = round((top - y - h) / module)
        for col in range(round((x - left) / module), round((x + w - left) / module)):
            matrix[row][col] = True
    return matrix, module


# --- the PDF ---------------------------------------------------------------------------------


def test_the_short_address_has_no_scheme_and_no_trailing_slash() -> None:
    assert short_url(URL) == SHORT
    assert short_url("http://localhost:8000/f/ABCDEFG/") == "localhost:8000/f/ABCDEFG"


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_it_makes_one_page_per_language_on_the_chosen_paper(translated: None, paper: str) -> None:
    pdf = make_pdf(paper=paper)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    width, height = (595, 842) if paper == "a4" else (612, 792)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (width, height)


def test_each_page_is_wholly_in_its_own_language(translated: None) -> None:
    english, spanish, italian = page_texts(make_pdf())
    assert "Tell us how we did" in english
    assert "Something wrong? Want to thank someone? Tell us." in english
    assert "For urgent help at any hour call (312) 555-0142" in english
    assert "Cuéntenos cómo lo hicimos" in spanish
    assert "¿Algo salió mal? ¿Quiere dar las gracias a alguien? Díganoslo." in spanish
    assert "llame al (312) 555-0142" in spanish
    assert "Raccontaci com'è andata" in italian
    assert "Il modulo è riservato" in italian
    assert "Tell us" not in spanish + italian
    for text in (english, spanish, italian):
        assert SHORT in text
        assert "Riverside General" in text
        assert "4 West" in text


def test_the_phone_number_is_never_split_across_lines(translated: None) -> None:
    words = PosterText("", "", "", "", "llame al " * 9 + "(312)\u00a0555-0142", "")
    plan = poster_page_plan(words=words, place_lines=[], short=SHORT, url=URL, paper="letter")
    (urgent,) = [b for b in plan.blocks if "555" in b.paragraph.text]
    lines = urgent.paragraph.blPara.lines  # type: ignore[attr-defined]  # set by wrap(), unstubbed
    assert any(
        "(312)\u00a0555-0142" in (line[1] if isinstance(line, tuple) else line.words)
        for line in lines
    )
    (text,) = page_texts(make_pdf(phone="(312) 555 0142", languages=["es"]))
    assert "(312) 555 0142" in text


def test_the_urgent_line_is_printed_only_with_a_phone_number() -> None:
    (text,) = page_texts(make_pdf(phone="", languages=["en"]))
    assert "urgent" not in text


def test_a_facility_poster_names_the_facility_once() -> None:
    (text,) = page_texts(make_pdf(place="Riverside General", languages=["en"]))
    assert text.count("Riverside General") == 1


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_qr_code_drawn_is_segnos_matrix_at_least_8_cm_wide(paper: str) -> None:
    pdf = make_pdf(paper=paper, languages=["en", "es"])
    expected = [[bool(v) for v in row] for row in segno.make(URL, error="m").matrix]
    for page in (0, 1):
        matrix, module = drawn_qr(pdf, page)
        assert matrix == expected
        assert module * len(matrix) >= 80 * mm  # the symbol alone, quiet zone on top
    assert segno.make(URL, error="m").error in {"M", "Q", "H"}


def test_the_quiet_zone_and_qr_stay_clear_of_the_text() -> None:
    words = PosterText(*(["x " * 40] * 6))
    plan = poster_page_plan(words=words, place_lines=["y " * 60], short=SHORT, url=URL, paper="a4")
    qr = plan.qr
    assert qr.module * len(qr.matrix) >= QR_MIN_SYMBOL
    assert qr.side == pytest.approx(qr.module * (len(qr.matrix) + 2 * QUIET_ZONE))
    for block in plan.blocks:
        assert block.y + block.height <= qr.y or block.y >= qr.y + qr.side


def test_accented_letters_are_kept_and_others_fall_back_to_their_base_letter() -> None:
    assert printable("¿Clínica Peña? Città, perché") == "¿Clínica Peña? Città, perché"
    assert printable("Łódź Szpital") == "Łódz Szpital"
    assert printable("病院") == "??"
    (text,) = page_texts(
        make_pdf(facility_name="Clínica Peña", place="Sala Niño", languages=["en"])
    )
    assert "Clínica Peña" in text
    assert "Sala Niño" in text


HOSTILE = {
    "markup": ("<script>alert(1)</script>", "<b>4 West</b> & <font size=90>x</font>"),
    "unclosed": ("<para", "&amp; &#x41; </i>"),
    "rtl override": ("Riverside \u202egnp.exe", "\u200b4\u2066 West\u0000\u0007"),
    "long words": ("W" * 200, "M" * 120),
    "long names": ("Saint Mary of the Very Long Name " * 6, "Outpatient " * 11),
}


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_names_are_drawn_as_plain_text_inside_the_page(
    translated: None, case: str, paper: str
) -> None:
    facility_name, place = HOSTILE[case]
    pdf = make_pdf(facility_name=facility_name, place=place, paper=paper)
    texts = page_texts(pdf)
    assert len(texts) == 3
    for text in texts:
        assert "\u202e" not in text
        assert "\u200b" not in text
    if case == "markup":
        assert "<script>alert(1)</script>" in texts[0]
        assert "<b>4 West</b> & <font size=90>x</font>" in texts[0]
    if case == "rtl override":
        assert "Riverside gnp.exe" in texts[0]
    for page in range(3):
        _, module = drawn_qr(pdf, page)
        assert module * len(segno.make(URL, error="m").matrix) >= 80 * mm


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("case", HOSTILE)
def test_no_text_overflows_the_page(case: str, paper: str) -> None:
    words = PosterText(
        headline="Headline " * 12,
        invitation="Invitation " * 20,
        anonymous="Anonymous " * 15,
        scan_hint="Scan " * 30,
        urgent="Call " * 30,
        private="Private " * 40,
    )
    lines = [printable(n) for n in HOSTILE[case]]
    plan = poster_page_plan(
        words=words,
        place_lines=lines,
        short="x" * 120 + ".example.org/u/K7M2QXA",
        url=URL,
        paper=paper,  # type: ignore[arg-type]  # parametrized
    )
    assert plan.qr.module * len(plan.qr.matrix) >= QR_MIN_SYMBOL
    assert plan.qr.x >= MARGIN
    assert plan.qr.x + plan.qr.side <= plan.width - MARGIN
    for block in plan.blocks:
        assert block.x >= MARGIN - 0.01
        assert block.x + block.width <= plan.width - MARGIN + 0.01
        assert block.y >= MARGIN - 0.01
        assert block.y + block.height <= plan.height - MARGIN + 0.01
        blpara = block.paragraph.blPara  # type: ignore[attr-defined]  # set by wrap(), unstubbed
        spare = [line[0] if isinstance(line, tuple) else line.extraSpace for line in blpara.lines]
        assert min(spare) >= -0.01  # no line wider than the text column


def test_a_poster_needs_a_language() -> None:
    with pytest.raises(ValueError, match="language"):
        make_pdf(languages=[])


def test_untranslated_languages_are_named(untranslated: None) -> None:
    assert poster_languages_untranslated(["en", "es", "it"]) == ["es", "it"]


def test_translated_languages_are_not_named(translated: None) -> None:
    assert poster_languages_untranslated(["en", "es", "it"]) == []


# --- the staff page --------------------------------------------------------------------------

PAGE = "/manage/posters/"


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def post_for(place: str, **fields: object) -> dict[str, object]:
    return {"place": place, "languages": ["en"], "paper": "letter", **fields}


@pytest.fixture
def places(unit_a: Unit, unit_b: Unit, unit_c: Unit, other_unit: Unit) -> dict[str, Unit]:
    return {"unit_a": unit_a, "unit_b": unit_b, "unit_c": unit_c, "other_unit": other_unit}


def test_the_page_is_at_its_named_address() -> None:
    assert reverse("web:posters") == PAGE


def test_an_administrator_sees_every_place_with_its_links(
    client: Client, admin: User, places: dict[str, Unit], facility_x: Facility
) -> None:
    response = logged_in(client, admin).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    unit_a = places["unit_a"]
    assert f"http://testserver/u/{unit_a.intake_code}/" in html
    assert f"testserver/u/{unit_a.intake_code}<" in html
    assert f"http://testserver/k/{facility_x.intake_code}/" in html
    assert f"http://testserver/f/{facility_x.intake_code}/" in html
    assert "Oak Wing" in html
    assert "2 North" not in html  # another organization's unit


def test_the_page_reads_the_same_number_of_queries_however_many_places(
    client: Client, admin: User, facility_x: Facility
) -> None:
    client = logged_in(client, admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    Unit.objects.create(facility=facility_x, name="Ward 1")
    few = queries()
    for n in range(2, 8):
        Unit.objects.create(facility=facility_x, name=f"Ward {n}")
    assert queries() == few


def test_a_unit_manager_is_offered_only_their_unit(
    client: Client, manager_a: User, places: dict[str, Unit]
) -> None:
    html = logged_in(client, manager_a).get(PAGE).content.decode()
    assert f"unit:{places['unit_a'].pk}" in html
    assert f"unit:{places['unit_b'].pk}" not in html
    assert "facility:" not in html


def test_an_administrator_downloads_a_pdf_and_it_is_audited(
    client: Client, admin: User, places: dict[str, Unit], translated: None
) -> None:
    unit_a = places["unit_a"]
    data = post_for(f"unit:{unit_a.pk}", languages=["en", "it"], paper="a4")
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="careloop-poster-{unit_a.intake_code}.pdf"'
    )
    pdf = response.content
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert f"testserver/u/{unit_a.intake_code}" in page_texts(pdf)[0]
    url = f"http://testserver/u/{unit_a.intake_code}/"
    assert drawn_qr(pdf)[0] == [[bool(v) for v in row] for row in segno.make(url, error="m").matrix]
    event = AuditEvent.objects.get(event_type="intake.poster_made")
    assert (event.action, event.actor_id, event.object_type) == ("R", admin.pk, "unit")
    assert event.object_id == str(unit_a.pk)
    assert event.detail == {"languages": ["en", "it"], "paper": "a4"}


def test_the_after_hours_phone_is_the_one_printed(
    client: Client, admin: User, facility_x: Facility
) -> None:
    facility_x.phone = "(312) 555-0100"
    facility_x.after_hours_phone = "(312) 555-0199"
    facility_x.save()
    response = logged_in(client, admin).post(PAGE, post_for(f"facility:{facility_x.pk}"))
    (text,) = page_texts(response.content)
    assert "at any hour call (312) 555-0199" in text
    assert "555-0100" not in text
    assert response["Content-Disposition"].endswith(f'-{facility_x.intake_code}.pdf"')


POST_UNIT_A = {
    "admin": 200,
    "advocate_x": 200,
    "manager_a": 200,
    "frontline_a": 403,
    "executive": 403,
    "advocate_y": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("persona", "status"), POST_UNIT_A.items())
def test_who_may_make_a_poster_for_unit_a(
    client: Client,
    personas: dict[str, User],
    places: dict[str, Unit],
    persona: str,
    status: int,
) -> None:
    client = logged_in(client, personas[persona])
    response = client.post(PAGE, post_for(f"unit:{places['unit_a'].pk}"))
    assert response.status_code == status
    assert response.content.startswith(b"%PDF") == (status == 200)
    assert client.get(PAGE).status_code == (403 if status == 403 else 200)


def test_a_unit_manager_cannot_make_the_facility_poster(
    client: Client, manager_a: User, facility_x: Facility
) -> None:
    response = logged_in(client, manager_a).post(PAGE, post_for(f"facility:{facility_x.pk}"))
    assert response.status_code == 404


def test_another_organizations_unit_looks_missing(
    client: Client, admin: User, places: dict[str, Unit]
) -> None:
    client = logged_in(client, admin)
    assert client.post(PAGE, post_for(f"unit:{places['other_unit'].pk}")).status_code == 404
    assert client.post(PAGE, post_for("unit:999999")).status_code == 404
    assert not AuditEvent.objects.filter(event_type="intake.poster_made").exists()


BAD_INPUT: dict[str, Callable[[Unit], dict[str, object]]] = {
    "no language": lambda u: post_for(f"unit:{u.pk}", languages=[]),
    "unknown language": lambda u: post_for(f"unit:{u.pk}", languages=["fr"]),
    "unknown paper": lambda u: post_for(f"unit:{u.pk}", paper="tabloid"),
    "malformed place": lambda u: post_for(f"ward:{u.pk}"),
    "place with markup": lambda u: post_for(f"unit:{u.pk}<script>"),
    "no place": lambda u: {"languages": ["en"], "paper": "a4"},
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_choices_get_the_form_back_not_a_pdf(
    client: Client, admin: User, places: dict[str, Unit], case: str
) -> None:
    response = logged_in(client, admin).post(PAGE, BAD_INPUT[case](places["unit_a"]))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b'role="alert"' in response.content


def test_a_language_without_translated_words_is_refused(
    client: Client, admin: User, places: dict[str, Unit], untranslated: None
) -> None:
    data = post_for(f"unit:{places['unit_a'].pk}", languages=["en", "es"])
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 400
    assert b"not translated into Espa" in response.content


def test_a_translated_language_is_printed(
    client: Client, admin: User, places: dict[str, Unit], translated: None
) -> None:
    data = post_for(f"unit:{places['unit_a'].pk}", languages=["es"])
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 200
    assert "Cuéntenos cómo lo hicimos" in page_texts(response.content)[0]


def test_hostile_names_are_escaped_on_the_page_and_printed_as_text(
    client: Client, admin: User, facility_x: Facility
) -> None:
    unit = Unit.objects.create(facility=facility_x, name="<script>alert(1)</script>\u202e")
    client = logged_in(client, admin)
    html = client.get(PAGE).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    response = client.post(PAGE, post_for(f"unit:{unit.pk}"))
    assert response.status_code == 200
    assert "<script>alert(1)</script>" in page_texts(response.content)[0]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, unit_a: Unit) -> None:
    for response in (client.get(PAGE), client.post(PAGE, post_for(f"unit:{unit_a.pk}"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_other_methods_are_not_allowed(client: Client, admin: User) -> None:
    assert logged_in(client, admin).put(PAGE).status_code == 405


# --- survey posters ---------------------------------------------------------------------------


def test_a_survey_poster_invites_to_a_short_survey_in_each_language(translated: None) -> None:
    texts = page_texts(make_pdf(survey=True))
    assert "How did we do? A one-minute survey" in texts[0]
    assert "Una encuesta de un minuto" in texts[1]
    assert "Un sondaggio di un minuto" in texts[2]
    assert all("Something wrong?" not in text for text in texts)


def test_survey_words_untranslated_are_named(untranslated: None) -> None:
    assert poster_languages_untranslated(["en", "es"], survey=True) == ["es"]


@pytest.fixture
def csat(admin: User, org: Organization) -> Instrument:
    return instrument_from_template(
        actor=admin, organization=org, template="csat_post_resolution", now=utcnow()
    )


def test_the_page_offers_the_organizations_surveys(
    client: Client, admin: User, places: dict[str, Unit], csat: Instrument
) -> None:
    html = logged_in(client, admin).get(PAGE).content.decode()
    assert f'<option value="{csat.pk}">{csat.name}</option>' in html


def test_a_unit_survey_poster_leads_to_the_units_survey_link(
    client: Client, admin: User, places: dict[str, Unit], csat: Instrument, translated: None
) -> None:
    unit_a = places["unit_a"]
    data = post_for(f"unit:{unit_a.pk}", languages=["en", "es"], survey=str(csat.pk))
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    url = f"http://testserver/q/u/{unit_a.intake_code}/{csat.pk}/"
    assert url == "http://testserver" + reverse("surveys:unit", args=[unit_a.intake_code, csat.pk])
    texts = page_texts(response.content)
    assert f"testserver/q/u/{unit_a.intake_code}/{csat.pk}" in texts[0]
    assert "How did we do? A one-minute survey" in texts[0]
    assert "¿Qué tal lo hicimos? Una encuesta de un minuto" in texts[1]
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m").matrix]
    assert drawn_qr(response.content, 0)[0] == expected
    assert drawn_qr(response.content, 1)[0] == expected
    event = AuditEvent.objects.get(event_type="intake.poster_made")
    assert event.detail == {
        "languages": ["en", "es"],
        "paper": "letter",
        "survey_instrument_id": csat.pk,
    }
    assert client.get(url).status_code == 200  # the link answers


def test_another_organizations_survey_is_refused(
    client: Client, admin: User, outsider: User, other_org: Organization, unit_a: Unit
) -> None:
    theirs = instrument_from_template(
        actor=outsider, organization=other_org, template="nps", now=utcnow()
    )
    data = post_for(f"unit:{unit_a.pk}", survey=str(theirs.pk))
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 400
    assert not response.content.startswith(b"%PDF")
    assert b'role="alert"' in response.content
    assert (
        logged_in(client, admin)
        .post(PAGE, post_for(f"unit:{unit_a.pk}", survey="999999"))
        .status_code
        == 400
    )
    assert not AuditEvent.objects.filter(event_type="intake.poster_made").exists()


def test_a_facility_poster_cannot_be_a_survey_poster(
    client: Client, admin: User, facility_x: Facility, csat: Instrument
) -> None:
    data = post_for(f"facility:{facility_x.pk}", survey=str(csat.pk))
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 400
    assert b"A survey poster is for a unit" in response.content


def test_untranslated_survey_words_are_refused(
    client: Client, admin: User, unit_a: Unit, csat: Instrument, untranslated: None
) -> None:
    data = post_for(f"unit:{unit_a.pk}", languages=["en", "it"], survey=str(csat.pk))
    response = logged_in(client, admin).post(PAGE, data)
    assert response.status_code == 400
    assert b"not translated into Italiano yet" in response.content
