"""The messages Careloop can send, and what each needs to be rendered.

A template named ``<name>`` is rendered from ``messaging/<name>_subject.txt`` and
``messaging/<name>_body.txt``. `label` is staff-facing (timeline summaries): it never holds client
text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from careloop.cases.models import Kind


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    label: str
    # Sent by Careloop on its own, not written by a person: marked "Auto-Submitted".
    automatic: bool
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    # Keys whose value must be one of a closed set.
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)


INTAKE_ACKNOWLEDGEMENT = MessageTemplate(
    name="intake_acknowledgement",
    label="Acknowledgement of receipt",
    automatic=True,
    required=frozenset({"reference", "facility_name", "status_url", "kind"}),
    optional=frozenset({"phone", "reply_by"}),
    choices={"kind": frozenset(Kind.values)},
)

# To staff: a client thanked them (the client's words stay in Careloop, behind sign-in).
COMPLIMENT_RECEIVED = MessageTemplate(
    name="compliment_received",
    label="Compliment passed on to the staff member and their manager",
    automatic=True,
    required=frozenset({"reference", "person_name", "facility_name"}),
)

# To the case owner: the client added information through their status link.
CLIENT_ADDED_INFORMATION = MessageTemplate(
    name="client_added_information",
    label="Owner told the client added information",
    automatic=True,
    required=frozenset({"reference"}),
)

# To the client: a staff member's message on their case (the client asked to hear by email).
CASE_MESSAGE = MessageTemplate(
    name="case_message",
    label="Message to the client",
    automatic=False,
    required=frozenset({"reference", "facility_name", "message", "sender"}),
)

# To the case owner: the client said it was not (or only partly) put right; the case reopened.
FOLLOWUP_REOPENED = MessageTemplate(
    name="followup_reopened",
    label="Owner told the client said it was not put right",
    automatic=True,
    required=frozenset({"reference"}),
)

# To the client: a written response (or an interim "still working on it" letter) as a PDF
# attachment. Sent because a person issued the letter, so not marked automatic.
DECISION_LETTER = MessageTemplate(
    name="decision_letter",
    label="Letter to the client (PDF attached)",
    automatic=False,
    required=frozenset({"reference", "facility_name", "kind"}),
    optional=frozenset({"addressee", "reply_by", "phone"}),
    choices={"kind": frozenset({"decision", "interim"})},
)

# To the client, some days after a resolution: "Was this put right?" with one-click answer links
# (followups.checkbacks); the reminder asks again.
FOLLOWUP_CHECKBACK = MessageTemplate(
    name="followup_checkback",
    label="Check-back: was it put right?",
    automatic=True,
    required=frozenset({"reference", "facility_name", "yes_url", "partly_url", "no_url"}),
    optional=frozenset({"phone"}),
)

FOLLOWUP_CHECKBACK_REMINDER = MessageTemplate(
    name="followup_checkback_reminder",
    label="Check-back reminder: was it put right?",
    automatic=True,
    required=frozenset({"reference", "facility_name", "yes_url", "partly_url", "no_url"}),
    optional=frozenset({"phone"}),
)

# To the client: a survey link with a one-time token and a one-click opt-out (careloop.surveys).
SURVEY_INVITATION = MessageTemplate(
    name="survey_invitation",
    label="Survey invitation",
    automatic=True,
    required=frozenset({"facility_name", "survey_url", "optout_url"}),
)

# To the client: the one reminder to someone who has not answered a survey (careloop.surveys).
SURVEY_REMINDER = MessageTemplate(
    name="survey_reminder",
    label="Survey reminder",
    automatic=True,
    required=frozenset({"facility_name", "survey_url", "optout_url"}),
)

TEMPLATES: dict[str, MessageTemplate] = {
    t.name: t
    for t in (
        INTAKE_ACKNOWLEDGEMENT,
        COMPLIMENT_RECEIVED,
        CLIENT_ADDED_INFORMATION,
        FOLLOWUP_REOPENED,
        FOLLOWUP_CHECKBACK,
        FOLLOWUP_CHECKBACK_REMINDER,
        DECISION_LETTER,
        CASE_MESSAGE,
        SURVEY_INVITATION,
        SURVEY_REMINDER,
    )
}


def template_get(name: str) -> MessageTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"Unknown message template {name!r}") from None


def context_check(*, template: MessageTemplate, context: Mapping[str, str]) -> dict[str, str]:
    """The context with optional keys defaulted to ""; a missing, unknown or out-of-range key is
    a programming error (ValueError)."""
    missing = sorted(template.required - set(context))
    if missing:
        raise ValueError(f"{template.name}: missing context {', '.join(missing)}")
    unknown = sorted(set(context) - template.required - template.optional)
    if unknown:
        raise ValueError(f"{template.name}: unknown context {', '.join(unknown)}")
    for key, value in context.items():
        if not isinstance(value, str):
            raise ValueError(f"{template.name}: context {key} must be a string")
    for key, allowed in template.choices.items():
        if key in context and context[key] not in allowed:
            raise ValueError(f"{template.name}: {key} {context[key]!r} is not one of {allowed}")
    return {**dict.fromkeys(template.optional, ""), **context}
