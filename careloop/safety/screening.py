"""What screening means for a case being opened. No database writes: case_open asks, then files.

The engine (careloop.text.screening) reads the narrative and the desired outcome. Any hit that is
not a listed false-positive context flags the case for a person to review (negated hits too:
"possible"). Where the facility's packs include the nursing-facility abuse-allegation pack
(42 CFR 483.12(c), F609), a *likely* abuse, neglect, injury or fall hit also files the case as a
safety concern from the start, so the F609 wall clocks run from receipt. Medication errors and
self-harm flag and page but never change the kind. Nothing here dismisses anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from careloop.cases.models import Kind, SafetyType
from careloop.orgs.models import Facility
from careloop.text.screening import LANGUAGES, RISKS, Hit, Screening, screen

ABUSE_ALLEGATION_PACK: Final = "us.snf.abuse_allegation"

# Risk -> the safety type a nursing facility files it as; the first risk found in this order wins.
SAFETY_TYPE_FOR_RISK: Final[dict[str, str]] = {
    "abuse": SafetyType.ABUSE,
    "neglect": SafetyType.NEGLECT,
    "injury": SafetyType.INJURY_UNKNOWN,
    "fall": SafetyType.INJURY_UNKNOWN,
}
RISK_LABELS: Final[dict[str, str]] = {
    "abuse": "abuse",
    "neglect": "neglect",
    "injury": "injury",
    "fall": "fall",
    "medication_error": "medication error",
    "self_harm": "self-harm",
}


@dataclass(frozen=True)
class SafetyDecision:
    """What screening found and what it means for the case's kind.

    `risks`: every risk with a live hit (likely or possible), in RISKS order; `likely_risks`
    those with a hit that is neither negated nor dismissed. `hits` are plain dicts with rule
    ids, risk, certainty, negation, language, the field and character span: never the words."""

    flagged: bool
    risks: tuple[str, ...]
    likely_risks: tuple[str, ...]
    hits: tuple[dict[str, Any], ...]
    language: str
    original_kind: str
    kind: str
    original_safety_type: str
    safety_type: str

    @property
    def filed_as_safety_concern(self) -> bool:
        return self.kind != self.original_kind

    @property
    def risk_labels(self) -> str:
        return ", ".join(RISK_LABELS.get(risk, risk) for risk in self.risks)

    @property
    def reason(self) -> str:
        """The classification reason when screening files the case (staff-facing)."""
        if not self.filed_as_safety_concern:
            return ""
        return (
            f"Safety screening found possible {self.risk_labels}: filed as a safety concern "
            "pending review (42 CFR 483.12(c), F609)."
        )


def _screened(text: str, *, hint: str | None) -> tuple[Screening | None, list[Hit]]:
    """Detect the language (all three when unsure); when the case's language is one we screen
    and detection left it out, screen with it too. Recall first: the union of both."""
    if not text:
        return None, []
    result = screen(text)
    hits = list(result.hits)
    if hint is not None and hint not in result.languages_screened:
        seen = {(h.rule_id, h.start, h.end) for h in hits}
        hits += [
            h for h in screen(text, language=hint).hits if (h.rule_id, h.start, h.end) not in seen
        ]
    return result, hits


def _plain(hit: Hit, *, field: str) -> dict[str, Any]:
    return {
        "rule_id": hit.rule_id,
        "risk": hit.risk,
        "certainty": hit.certainty,
        "negated": hit.negated,
        "false_positive": hit.false_positive or "",
        "language": hit.language,
        "field": field,
        "start": hit.start,
        "end": hit.end,
    }


def _language_hint(language: str) -> str | None:
    code = language.strip().lower()[:2]
    return code if code in LANGUAGES else None


def screening_decide(
    *,
    narrative: str,
    desired_outcome: str,
    language: str,
    facility: Facility,
    kind: str,
    safety_type: str,
) -> SafetyDecision:
    """Screen what the client told us and decide how the case is filed. `kind` is the kind the
    case would have without screening (after the packs' own classification rules)."""
    hint = _language_hint(language)
    plain: list[dict[str, Any]] = []
    detected = ""
    for field, text in (("narrative", narrative), ("desired_outcome", desired_outcome)):
        result, hits = _screened(text, hint=hint)
        if result is not None and not detected:
            detected = result.language
        plain += [_plain(hit, field=field) for hit in hits]
    live = [h for h in plain if h["certainty"] != "dismissed"]
    risks = tuple(r for r in RISKS if any(h["risk"] == r for h in live))
    likely = tuple(
        r for r in RISKS if any(h["risk"] == r and h["certainty"] == "likely" for h in live)
    )
    new_kind, new_type = kind, safety_type
    mapped = [SAFETY_TYPE_FOR_RISK[r] for r in SAFETY_TYPE_FOR_RISK if r in likely]
    if mapped and kind != Kind.SAFETY_CONCERN and ABUSE_ALLEGATION_PACK in facility.policy_packs:
        new_kind, new_type = Kind.SAFETY_CONCERN, safety_type or mapped[0]
    return SafetyDecision(
        flagged=bool(live),
        risks=risks,
        likely_risks=likely,
        hits=tuple(plain),
        language=detected or (hint or "unknown"),
        original_kind=kind,
        kind=new_kind,
        original_safety_type=safety_type,
        safety_type=new_type,
    )
