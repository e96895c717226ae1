"""Invitations: one-time hashed tokens, expiry, the email, and opt-outs honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import CaseEvent
from careloop.conftest import CaseOpener
from careloop.surveys.models import Invitation, SurveyOptOut
from careloop.surveys.selectors import (
    LinkState,
    invitation_for_optout_token,
    invitation_for_token,
    invitation_state,
)
from careloop.surveys.services import (
    INVITATION_VALID_DAYS,
    email_hash,
    invitation_send,
    optout_record,
    response_submit,
)
from careloop.surveys.tests.conftest import CLIENT_ADDRESS, NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_token_is_stored(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, token = invite(make_instrument("nps"))
    assert token not in invitation.token_hash
    assert invitation_for_token(token=token) == invitation
    assert invitation_for_token(token=token + "x") is None


def test_a_token_answers_once(make_instrument: InstrumentMaker, invite: Inviter) -> None:
    invitation, _ = invite(make_instrument("nps"))
    response_submit(invitation=invitation, raw={"item_1": "10"}, now=NOW)
    with pytest.raises(ValidationError) as refused:
        response_submit(invitation=invitation, raw={"item_1": "9"}, now=NOW)
    assert refused.value.code == "answered"
    invitation.refresh_from_db()
    assert invitation_state(invitation=invitation, now=NOW) == LinkState.ANSWERED


def test_an_expired_token_is_refused(make_instrument: InstrumentMaker, invite: Inviter) -> None:
    invitation, _ = invite(make_instrument("nps"))
    later = NOW + timedelta(days=INVITATION_VALID_DAYS)
    assert invitation_state(invitation=invitation, now=later) == LinkState.EXPIRED
    with pytest.raises(ValidationError) as refused:
        response_submit(invitation=invitation, raw={"item_1": "10"}, now=later)
    assert refused.value.code == "expired"


def test_an_opted_out_address_gets_no_invitation(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    invitation, _ = invite(instrument)
    optout_record(invitation=invitation, now=NOW)
    optout_record(invitation=invitation, now=NOW)  # twice is fine
    assert SurveyOptOut.objects.get().email_hash == email_hash(CLIENT_ADDRESS)
    with pytest.raises(ValidationError) as refused:
        invite(instrument, email="  Maria.Lopez@Example.org ")
    assert refused.value.code == "opted_out"
    assert Invitation.objects.count() == 1


def test_the_email_goes_in_the_clients_language_with_new_links(
    make_instrument: InstrumentMaker, invite: Inviter, open_case: CaseOpener
) -> None:
    case = open_case()
    invitation, old_token = invite(
        make_instrument("csat_post_resolution"), case=case, language="es"
    )
    message = invitation_send(
        actor=None, invitation=invitation, base_url="https://care.example.org", now=NOW
    )
    assert message.template == "survey_invitation"
    assert message.language == "es"
    assert message.redact_after_send
    assert invitation_for_token(token=old_token) is None
    url = next(w for w in message.body.split() if "/q/" in w and "optout" not in w)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert invitation_for_token(token=token) == invitation
    optout_url = next(w for w in message.body.split() if "/q/optout/" in w)
    assert invitation_for_optout_token(token=optout_url.rstrip("/").rsplit("/", 1)[1])


def test_an_invitation_without_a_case_is_emailed_and_audited_on_the_organization(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, _ = invite(make_instrument("nps"))
    message = invitation_send(actor=None, invitation=invitation, base_url="https://x", now=NOW)
    assert message.case is None
    assert message.organization_id == invitation.organization_id
    audit = AuditEvent.objects.get(event_type="message.queued")
    assert audit.case_id is None
    assert audit.organization_id == invitation.organization_id
    assert not CaseEvent.objects.filter(kind="message_queued").exists()


def test_an_address_that_opted_out_after_the_invitation_is_not_emailed(
    make_instrument: InstrumentMaker, invite: Inviter, open_case: CaseOpener
) -> None:
    invitation, _ = invite(make_instrument("nps"), case=open_case())
    optout_record(invitation=invitation, now=NOW)
    with pytest.raises(ValidationError):
        invitation_send(actor=None, invitation=invitation, base_url="https://x", now=NOW)
