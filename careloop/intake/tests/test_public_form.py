"""The public intake form, end to end through Django's test client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, Kind, Note, ReporterType, Visibility
from careloop.intake.forms import new_nonce
from careloop.intake.models import ClientAccess, IntakeSubmission
from careloop.intake.services import token_hash
from careloop.orgs.models import Facility, Person, Unit, User

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # Wednesday 09:00 in Chicago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_clear_cache")]


@pytest.fixture
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "path": "complaint",
        "reporter_role": "family",
        "narrative": "Nobody answered the call bell for an hour.",
        "contact_method": "none",
        "language": "en",
        "form_nonce": new_nonce(),
        "website": "",
    }
    data.update(overrides)
    return data


def post_unit(client: Client, where: Unit, lang: str = "en", **overrides: Any) -> Any:
    return client.post(
        reverse("intake:unit", args=[where.intake_code]),
        form_data(**overrides),
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@time_machine.travel(NOW, tick=False)
def test_a_unit_link_files_an_anonymous_complaint_into_that_units_queue(
    client: Client, unit_a: Unit
) -> None:
    response = post_unit(client, unit_a, reporter_role="prefer_not", unit=unit_a.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:confirmation")
    case = Case.objects.get()
    assert (case.unit, case.channel, case.reporter_type) == (
        unit_a,
        Channel.WEB,
        ReporterType.ANONYMOUS,
    )
    assert case.reporter_email == ""
    assert case.reporter_name == ""
    # A written complaint at a US hospital is a grievance (pack rule), with its clocks running.
    assert case.kind == Kind.GRIEVANCE
    assert case.clocks.filter(status="running").exists()
    assert IntakeSubmission.objects.get(case=case).source == "unit"
    page = client.get(response["Location"])
    assert case.reference in page.content.decode()
    assert "/s/" in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_status_link_is_random_and_only_its_hash_is_kept(client: Client, unit_a: Unit) -> None:
    post_unit(client, unit_a)
    done = client.session["careloop_intake_done"]
    token = done["token"]
    access = ClientAccess.objects.get()
    assert access.token_hash == token_hash(token)
    assert token not in access.token_hash
    assert done["reference"] not in token
    assert len(token) >= 32
    assert client.get(reverse("intake:status", args=[token])).status_code == 200
    tampered = token[:-1] + ("y" if token.endswith("x") else "x")
    assert client.get(reverse("intake:status", args=[tampered])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_status_page_shows_client_messages_not_internal_notes_and_takes_additions(
    client: Client, unit_a: Unit, advocate_x: User
) -> None:
    from careloop.cases.records import note_add

    post_unit(client, unit_a)
    token = client.session["careloop_intake_done"]["token"]
    case = Case.objects.get()
    note_add(
        actor=advocate_x,
        case=case,
        body="We are sorry; we are looking into it.",
        visibility=Visibility.CLIENT,
        now=NOW,
    )
    note_add(
        actor=advocate_x, case=case, body="INTERNAL staffing gap", visibility="internal", now=NOW
    )
    url = reverse("intake:status", args=[token])
    page = client.get(url).content.decode()
    assert "We are sorry; we are looking into it." in page
    assert "INTERNAL staffing gap" not in page
    response = client.post(url, {"body": "It happened again <script>alert(1)</script>"})
    assert response.status_code == 302
    added = Note.objects.get(case=case, from_client=True)
    assert added.author is None
    assert added.visibility == Visibility.CLIENT
    page = client.get(url + "?added=1").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert case.events.filter(kind="client_added").exists()
    assert AuditEvent.objects.filter(event_type="case.client_viewed", case_id=case.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_an_empty_addition_is_refused_with_a_clear_message(client: Client, unit_a: Unit) -> None:
    post_unit(client, unit_a)
    token = client.session["careloop_intake_done"]["token"]
    response = client.post(reverse("intake:status", args=[token]), {"body": "   "})
    assert response.status_code == 400
    assert "Please write something" in response.content.decode()
    assert not Note.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_replayed_form_opens_nothing_more(client: Client, unit_a: Unit) -> None:
    data = form_data()
    url = reverse("intake:unit", args=[unit_a.intake_code])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 409
    assert "already sent" in again.content.decode()
    assert Case.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_forged_nonce_is_refused(client: Client, unit_a: Unit) -> None:
    response = post_unit(client, unit_a, form_nonce="forged:value")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Case.objects.exists()


def test_an_old_form_has_expired(client: Client, unit_a: Unit) -> None:
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        nonce = new_nonce()
    with time_machine.travel(NOW, tick=False):
        response = post_unit(client, unit_a, form_nonce=nonce)
    assert response.status_code == 400
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_filled_honeypot_stores_nothing_but_looks_like_success(
    client: Client, unit_a: Unit
) -> None:
    response = post_unit(client, unit_a, website="http://spam.example")
    assert response.status_code == 200
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_forged_unit_code_is_not_found(client: Client, unit_a: Unit) -> None:
    assert client.get(reverse("intake:unit", args=["ZZZZZZZ"])).status_code == 404
    assert client.get("/u/%3Cscript%3E/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_unit_of_another_facility_cannot_be_chosen(
    client: Client, unit_a: Unit, other_unit: Unit
) -> None:
    response = post_unit(client, unit_a, unit=other_unit.pk)
    assert response.status_code == 400
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_missing_answers_are_listed_and_nothing_is_saved(client: Client, unit_a: Unit) -> None:
    response = post_unit(client, unit_a, narrative="", reporter_role="", contact_method="email")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'aria-invalid="true"' in body
    assert "Please give an email address" in body
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_future_date_is_refused(client: Client, unit_a: Unit) -> None:
    response = post_unit(client, unit_a, incident_on="2026-03-05")
    assert response.status_code == 400
    assert "in the future" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_incident_time_is_read_in_the_facility_zone(client: Client, unit_a: Unit) -> None:
    post_unit(client, unit_a, incident_on="2026-03-03", incident_time="23:30")
    case = Case.objects.get()
    assert case.incident_at == datetime(2026, 3, 4, 5, 30, tzinfo=UTC)  # CST is UTC-6


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script> DROP TABLE cases; --",
        "Nurse said \u202egnorw\u202c it was fine",
        "zero\u200bwidth\u200cjoin",
        "Robert'); DELETE FROM cases_case; --",
    ],
)
def test_hostile_text_is_stored_as_typed_and_shown_escaped(
    client: Client, unit_a: Unit, text: str
) -> None:
    assert post_unit(client, unit_a, narrative=text).status_code == 302
    case = Case.objects.get()
    assert case.narrative == text
    token = client.session["careloop_intake_done"]["token"]
    page = client.get(reverse("intake:status", args=[token])).content.decode()
    assert "<script>alert('x')" not in page


def _raw_post(client: Client, unit: Unit, narrative: bytes) -> Any:
    data = form_data()
    body = "&".join(f"{k}={v}" for k, v in data.items() if k != "narrative").encode()
    return client.post(
        reverse("intake:unit", args=[unit.intake_code]),
        data=body + b"&narrative=" + narrative,
        content_type="application/x-www-form-urlencoded",
    )


@time_machine.travel(NOW, tick=False)
def test_percent_encoded_invalid_utf8_gets_a_clear_error_and_nothing_is_saved(
    client: Client, unit_a: Unit
) -> None:
    response = _raw_post(client, unit_a, b"caf%E9+%FF%FE")
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_raw_body_that_is_not_utf8_is_read_as_latin1_and_stored_harmlessly(
    client: Client, unit_a: Unit
) -> None:
    # Django reads a form body that is not UTF-8 as ISO-8859-1: every byte becomes a character.
    assert _raw_post(client, unit_a, b"caf\xe9").status_code == 302
    assert Case.objects.get().narrative == "caf\u00e9"


@time_machine.travel(NOW, tick=False)
def test_a_twenty_megabyte_body_is_refused_and_nothing_is_saved(
    client: Client, unit_a: Unit
) -> None:
    response = post_unit(client, unit_a, lang="it", narrative="x" * (20 * 1024 * 1024))
    assert response.status_code == 413
    assert "Il suo messaggio è troppo lungo" in response.content.decode()
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_narrative_over_the_limit_gets_a_translated_error(
    client: Client, unit_a: Unit, settings: Any
) -> None:
    response = post_unit(client, unit_a, narrative="x" * 60_000, lang="es")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_one_address_is_slowed_and_then_let_through_again(
    client: Client, unit_a: Unit, settings: Any
) -> None:
    settings.CARELOOP_INTAKE_LIMITS = {
        **settings.CARELOOP_INTAKE_LIMITS,
        "submit_address": (2, 600),
    }
    with time_machine.travel(NOW, tick=False):
        assert post_unit(client, unit_a).status_code == 302
        assert post_unit(client, unit_a).status_code == 302
        blocked = post_unit(client, unit_a)
        assert blocked.status_code == 429
        assert "try again in" in blocked.content.decode()
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        assert post_unit(client, unit_a).status_code == 302
    assert Case.objects.count() == 3


def test_guessing_status_links_is_slowed(client: Client, unit_a: Unit, settings: Any) -> None:
    settings.CARELOOP_INTAKE_LIMITS = {
        **settings.CARELOOP_INTAKE_LIMITS,
        "status_miss_address": (3, 600),
    }
    codes = [client.get(reverse("intake:status", args=[f"guess{i}"])).status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]


@time_machine.travel(NOW, tick=False)
def test_the_form_and_pages_are_translated_by_browser_language(
    client: Client, unit_a: Unit
) -> None:
    url = reverse("intake:unit", args=[unit_a.intake_code])
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    italian = client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Algo salió mal" in spanish
    assert 'lang="es"' in spanish
    assert "Qualcosa è andato storto" in italian
    assert 'lang="it"' in italian


@time_machine.travel(NOW, tick=False)
def test_the_language_can_be_switched_on_the_page_without_javascript(
    client: Client, unit_a: Unit
) -> None:
    url = reverse("intake:unit", args=[unit_a.intake_code])
    response = client.post(reverse("set_language"), {"language": "it", "next": url})
    assert response.status_code == 302
    assert "Qualcosa è andato storto" in client.get(url).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_clients_language_is_kept_on_the_case(client: Client, unit_a: Unit) -> None:
    post_unit(client, unit_a, language="es", lang="es")
    assert Case.objects.get().language == "es"


@time_machine.travel(NOW, tick=False)
def test_an_email_address_queues_an_acknowledgement_in_the_clients_language(
    client: Client, unit_a: Unit
) -> None:
    from careloop.messaging.models import OutboundMessage

    post_unit(client, unit_a, contact_method="email", email="ana@example.org", language="es")
    message = OutboundMessage.objects.get()
    case = Case.objects.get()
    assert (message.case, message.to_address, message.language) == (case, "ana@example.org", "es")
    assert case.reference in message.subject
    assert message.template == "intake_acknowledgement"


@time_machine.travel(NOW, tick=False)
def test_no_contact_means_no_email(client: Client, unit_a: Unit) -> None:
    from careloop.messaging.models import OutboundMessage

    post_unit(client, unit_a, email="ana@example.org", contact_method="none")
    assert Case.objects.get().reporter_email == ""
    assert not OutboundMessage.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_compliment_goes_to_the_person_named_and_their_manager(
    client: Client, unit_a: Unit, nurse_a: Person, manager_a: User
) -> None:
    from careloop.messaging.models import OutboundMessage

    nurse_a.email = "dana@riverside.example"
    nurse_a.save()
    response = post_unit(
        client,
        unit_a,
        path="compliment",
        narrative="She sat with my mum all night.",
        people_involved="Nurse dana reyes on the night shift",
        unit=unit_a.pk,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.kind == Kind.COMPLIMENT
    assert list(case.staff_involved.all()) == [nurse_a]
    assert case.owner == manager_a
    assert set(OutboundMessage.objects.values_list("to_address", flat=True)) == {
        "dana@riverside.example",
        manager_a.email,
    }
    assert "She sat with" not in " ".join(OutboundMessage.objects.values_list("body", flat=True))


@time_machine.travel(NOW, tick=False)
def test_a_safety_worry_at_a_nursing_facility_starts_the_two_hour_clock(
    client: Client, unit_c: Unit
) -> None:
    response = post_unit(
        client, unit_c, path="safety", danger_type="not_sure", narrative="My dad is scared."
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.kind, case.safety_type) == (Kind.SAFETY_CONCERN, "abuse")
    clock = case.clocks.get(clock_id="initial_report_2h")
    assert clock.due_at == NOW + timedelta(hours=2)


@time_machine.travel(NOW, tick=False)
def test_the_kiosk_shows_the_link_once_as_a_code_and_resets(
    client: Client, facility_x: Facility
) -> None:
    url = reverse("intake:kiosk", args=[facility_x.intake_code])
    form_page = client.get(url + "?path=complaint").content.decode()
    assert 'autocomplete="off"' in form_page
    assert client.post(url, form_data()).status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.KIOSK
    confirmation = client.get(reverse("intake:confirmation")).content.decode()
    assert case.reference in confirmation
    assert "<svg" in confirmation
    assert "/s/" not in confirmation.replace(url, "")  # the link is only inside the QR code
    assert client.get(reverse("intake:confirmation")).status_code == 404
    assert client.get(url + "?reset=1").status_code == 200  # a GET changes nothing
    reset = client.post(url, {"reset": "1"})
    assert reset.status_code == 302
    assert "careloop_intake_done" not in client.session


def test_display_preferences_are_cookies_and_never_an_open_redirect(client: Client) -> None:
    assert client.get(reverse("intake:prefs"), {"text": "large"}).status_code == 405
    response = client.post(reverse("intake:prefs"), {"text": "large", "next": "/f/ABC/"})
    assert response["Location"] == "/f/ABC/"
    assert response.cookies["careloop_text"].value == "large"
    evil = client.post(
        reverse("intake:prefs"), {"contrast": "high", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/"


@time_machine.travel(NOW, tick=False)
def test_public_pages_are_never_cached_or_indexed(client: Client, unit_a: Unit) -> None:
    response = client.get(reverse("intake:unit", args=[unit_a.intake_code]) + "?path=complaint")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("narrative", "language"),
    [
        ("The night aide slapped my mother and she is scared of him.", "en"),
        ("La auxiliar de noche le pegó a mi madre y ahora tiene miedo.", "es"),
        ("L'operatore di notte ha picchiato mia madre e ora ha paura.", "it"),
    ],
)
def test_a_complaint_that_describes_abuse_is_screened_and_filed_under_f609(
    client: Client, unit_c: Unit, advocate_y: User, narrative: str, language: str
) -> None:
    from careloop.safety.models import SafetyFlag, SafetyPage

    response = post_unit(client, unit_c, lang=language, narrative=narrative, language=language)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.kind, case.safety_type) == (Kind.SAFETY_CONCERN, "abuse")
    assert case.clocks.get(clock_id="initial_report_2h").due_at == NOW + timedelta(hours=2)
    flag = SafetyFlag.objects.get(case=case)
    assert flag.status == "pending"
    assert "abuse" in flag.risks
    assert SafetyPage.objects.filter(flag=flag, user=advocate_y).exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("narrative", "language"),
    [
        ("The fall menu was lovely and the staff were kind.", "en"),
        ("Se me cayó el teléfono en el pasillo, pero el personal fue amable.", "es"),
        ("Il menù autunnale era buono e il personale gentile.", "it"),
    ],
)
def test_harmless_phrasing_is_not_flagged(
    client: Client, unit_c: Unit, narrative: str, language: str
) -> None:
    from careloop.safety.models import SafetyFlag

    post_unit(client, unit_c, lang=language, narrative=narrative, language=language)
    case = Case.objects.get()
    assert case.kind != Kind.SAFETY_CONCERN
    assert not SafetyFlag.objects.filter(case=case).exists()


@time_machine.travel(NOW, tick=False)
def test_the_audit_log_never_keeps_a_clients_address(client: Client, unit_a: Unit) -> None:
    post_unit(client, unit_a, REMOTE_ADDR="203.0.113.7")
    token = client.session["careloop_intake_done"]["token"]
    client.get(reverse("intake:status", args=[token]), REMOTE_ADDR="203.0.113.7")
    sources = set(AuditEvent.objects.values_list("source", flat=True))
    assert sources == {"public"}
