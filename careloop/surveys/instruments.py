"""Survey content as data: the options of each item type with their labels in English, Spanish
and Italian, the built-in templates, and small pure rules (scale of an item type, low scores).

Survey wording is content, not interface: its translations live here and in Item.texts, not in
the .po files. The FFT question and answers are NHS England's official English wording."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from careloop.surveys.scoring_scales import Fft, Frequency, Recommend, Scale, YesNo

LANGUAGES = ("en", "es", "it")

Texts = Mapping[str, str]

SCALE_OF_TYPE: Mapping[str, Scale] = {
    "nps_0_10": Scale.NPS_0_10,
    "csat_1_5": Scale.CSAT_1_5,
    "fft_6": Scale.FFT,
    "frequency_4": Scale.FREQUENCY,
    "yes_no": Scale.YES_NO,
    "rating_0_10": Scale.RATING_0_10,
    "definitely_4": Scale.RECOMMEND,
}

_ZERO_TEN = tuple(str(n) for n in range(11))


def _labels(values: tuple[str, ...], **by_language: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {lang: dict(zip(values, labels, strict=True)) for lang, labels in by_language.items()}


def _anchored(low: Texts, high: Texts) -> dict[str, dict[str, str]]:
    return {
        lang: {
            v: f"{v} - {low[lang]}" if v == "0" else f"{v} - {high[lang]}" if v == "10" else v
            for v in _ZERO_TEN
        }
        for lang in LANGUAGES
    }


_FFT = (Fft.VERY_GOOD, Fft.GOOD, Fft.NEITHER, Fft.POOR, Fft.VERY_POOR, Fft.DONT_KNOW)
_FREQ = (Frequency.NEVER, Frequency.SOMETIMES, Frequency.USUALLY, Frequency.ALWAYS)
_DEF = (
    Recommend.DEFINITELY_NO,
    Recommend.PROBABLY_NO,
    Recommend.PROBABLY_YES,
    Recommend.DEFINITELY_YES,
)

# Item type -> language -> value -> label, in the order shown.
OPTIONS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "fft_6": _labels(
        tuple(_FFT),
        en=("Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"),
        es=("Muy buena", "Buena", "Ni buena ni mala", "Mala", "Muy mala", "No lo sé"),
        it=("Molto buona", "Buona", "Né buona né cattiva", "Cattiva", "Molto cattiva", "Non so"),
    ),
    "csat_1_5": _labels(
        ("1", "2", "3", "4", "5"),
        en=(
            "1 - Very dissatisfied",
            "2 - Dissatisfied",
            "3 - Neither satisfied nor dissatisfied",
            "4 - Satisfied",
            "5 - Very satisfied",
        ),
        es=(
            "1 - Muy insatisfecho",
            "2 - Insatisfecho",
            "3 - Ni satisfecho ni insatisfecho",
            "4 - Satisfecho",
            "5 - Muy satisfecho",
        ),
        it=(
            "1 - Molto insoddisfatto",
            "2 - Insoddisfatto",
            "3 - Né soddisfatto né insoddisfatto",
            "4 - Soddisfatto",
            "5 - Molto soddisfatto",
        ),
    ),
    "frequency_4": _labels(
        tuple(_FREQ),
        en=("Never", "Sometimes", "Usually", "Always"),
        es=("Nunca", "A veces", "La mayoría de las veces", "Siempre"),
        it=("Mai", "A volte", "Di solito", "Sempre"),
    ),
    "yes_no": _labels((YesNo.YES, YesNo.NO), en=("Yes", "No"), es=("Sí", "No"), it=("Sì", "No")),
    "definitely_4": _labels(
        tuple(_DEF),
        en=("Definitely no", "Probably no", "Probably yes", "Definitely yes"),
        es=("Definitivamente no", "Probablemente no", "Probablemente sí", "Definitivamente sí"),
        it=("Sicuramente no", "Probabilmente no", "Probabilmente sì", "Sicuramente sì"),
    ),
    "nps_0_10": _anchored(
        {"en": "Not at all likely", "es": "Nada probable", "it": "Per niente probabile"},
        {"en": "Extremely likely", "es": "Extremadamente probable", "it": "Estremamente probabile"},
    ),
    "rating_0_10": _anchored(
        {"en": "Worst possible", "es": "El peor posible", "it": "Il peggiore possibile"},
        {"en": "Best possible", "es": "El mejor posible", "it": "Il migliore possibile"},
    ),
}


def options_for(item_type: str, language: str) -> Mapping[str, str]:
    """Value -> label for a scale item in `language` (English if missing); {} for free text."""
    by_language = OPTIONS.get(item_type, {})
    return by_language.get(language) or by_language.get("en", {})


def text_in(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en", "")


def scored_value(item_type: str, value: str) -> int | str:
    """An answer as the scoring module counts it: ints on numeric scales."""
    return int(value) if item_type in ("nps_0_10", "csat_1_5", "rating_0_10") else value


def is_low_score(item_type: str, value: str) -> bool:
    """CSAT 1-2, NPS detractor (0-6), FFT poor or very poor."""
    if item_type == "csat_1_5":
        return int(value) <= 2
    if item_type == "nps_0_10":
        return int(value) <= 6
    if item_type == "fft_6":
        return value in (Fft.POOR, Fft.VERY_POOR)
    return False


# --- built-in templates -------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    type: str
    texts: Texts
    required: bool = False
    # (position of an earlier item, the answers that show this one)
    show_if: tuple[int, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    names: Texts
    items: tuple[ItemSpec, ...] = field(default_factory=tuple)


_WHY = {
    "en": "Please can you tell us why you gave your answer?",
    "es": "¿Puede decirnos por qué dio esa respuesta?",
    "it": "Può dirci perché ha dato questa risposta?",
}

TEMPLATES: Mapping[str, TemplateSpec] = {
    "csat_post_resolution": TemplateSpec(
        kind="csat",
        names={"en": "Satisfaction after a case"},
        items=(
            ItemSpec(
                type="csat_1_5",
                required=True,
                texts={
                    "en": "How satisfied are you with how we handled your concern?",
                    "es": "¿Qué tan satisfecho está con la forma en que atendimos su inquietud?",
                    "it": "Quanto è soddisfatto di come abbiamo gestito la sua segnalazione?",
                },
            ),
            ItemSpec(
                type="free_text",
                show_if=(1, ("1", "2", "3")),
                texts={
                    "en": "What could we have done better?",
                    "es": "¿Qué podríamos haber hecho mejor?",
                    "it": "Che cosa avremmo potuto fare meglio?",
                },
            ),
        ),
    ),
    "nps": TemplateSpec(
        kind="nps",
        names={"en": "Net Promoter Score"},
        items=(
            ItemSpec(
                type="nps_0_10",
                required=True,
                texts={
                    "en": "How likely is it that you would recommend us to a friend or "
                    "family member?",
                    "es": "¿Qué probabilidad hay de que nos recomiende a un amigo o familiar?",
                    "it": "Con quale probabilità ci consiglierebbe a un amico o a un familiare?",
                },
            ),
            ItemSpec(
                type="free_text",
                texts={
                    "en": "What is the main reason for your score?",
                    "es": "¿Cuál es el motivo principal de su puntuación?",
                    "it": "Qual è il motivo principale del suo punteggio?",
                },
            ),
        ),
    ),
    "fft": TemplateSpec(
        kind="fft",
        names={"en": "Friends and Family Test"},
        items=(
            ItemSpec(
                type="fft_6",
                required=True,
                texts={
                    "en": "Overall, how was your experience of our service?",
                    "es": "En general, ¿cómo fue su experiencia con nuestro servicio?",
                    "it": "Nel complesso, com'è stata la sua esperienza con il nostro servizio?",
                },
            ),
            ItemSpec(type="free_text", texts=_WHY),
        ),
    ),
}
