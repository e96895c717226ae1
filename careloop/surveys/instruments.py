"""Survey content as data: the options of each item type with their labels in English, Spanish
and Italian, the built-in templates, and small pure rules (scale of an item type, low scores).

Survey wording is content, not interface: its translations live here and in Item.texts, not in
the .po files. The FFT question and answers are NHS England's official English wording."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from careloop.surveys.scoring_scales import Agreement, Fft, Frequency, Recommend, Scale, YesNo
from careloop.surveys.scoring_stars import HcahpsMeasure

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
    "agree_4": Scale.AGREEMENT,
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
    "agree_4": _labels(
        tuple(Agreement),
        en=("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
        es=("Muy en desacuerdo", "En desacuerdo", "De acuerdo", "Muy de acuerdo"),
        it=("Per niente d'accordo", "In disaccordo", "D'accordo", "Pienamente d'accordo"),
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


# Item type -> the answers that count as a low score unless an instrument says otherwise
# (Instrument.low_scores): CSAT 1-2, NPS detractors (0-6), FFT poor or very poor.
DEFAULT_LOW_SCORES: Mapping[str, tuple[str, ...]] = {
    "csat_1_5": ("1", "2"),
    "nps_0_10": tuple(str(n) for n in range(7)),
    "fft_6": (Fft.POOR, Fft.VERY_POOR),
}


def low_values(item_type: str, rules: Mapping[str, Sequence[str]] | None = None) -> frozenset[str]:
    """The answers of an item type that open a case: the instrument's own set when it has one
    for the type (possibly empty: never), else the default."""
    if rules is not None and item_type in rules:
        return frozenset(rules[item_type])
    return frozenset(DEFAULT_LOW_SCORES.get(item_type, ()))


def is_low_score(
    item_type: str, value: str, rules: Mapping[str, Sequence[str]] | None = None
) -> bool:
    """Whether an answer is one of its item type's low answers (see low_values)."""
    return value in low_values(item_type, rules)


def missing_languages(texts: Mapping[str, str]) -> list[str]:
    """The offered languages an item has no text in (the form falls back to English)."""
    return [lang for lang in LANGUAGES if not texts.get(lang, "").strip()]


# --- built-in templates -------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    type: str
    texts: Texts
    required: bool = False
    # (position of an earlier item, the answers that show this one)
    show_if: tuple[int, tuple[str, ...]] | None = None
    # The HCAHPS measure id (scoring_stars.HcahpsMeasure) the item counts towards, if any.
    measure: str | None = None


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


# --- inpatient (HCAHPS-style) and home-care experience ------------------------------------------
# Careloop's own wording in the HCAHPS style (not the CMS text); each scored item names the
# HCAHPS measure it counts towards, so results can be compared with CMS benchmarks and starred.


def _stay(en: str, es: str, it: str) -> Texts:
    return {
        "en": f"During this hospital stay, how often did {en}",
        "es": f"Durante esta estancia en el hospital, ¿con qué frecuencia {es}",
        "it": f"Durante questo ricovero, con quale frequenza {it}",
    }


def _freq(
    texts: Texts, measure: HcahpsMeasure, *, show_if: tuple[int, tuple[str, ...]] | None = None
) -> ItemSpec:
    return ItemSpec(
        type="frequency_4", texts=texts, required=False, show_if=show_if, measure=measure
    )


_NURSES, _DOCTORS = HcahpsMeasure.NURSE_COMMUNICATION, HcahpsMeasure.DOCTOR_COMMUNICATION
_MEDICINES = HcahpsMeasure.MEDICINES_COMMUNICATION


def _new_medicine(en: str, es: str, it: str) -> Texts:
    return {
        "en": f"Before giving you any new medicine, how often did the staff {en}",
        "es": f"Antes de darle un medicamento nuevo, ¿con qué frecuencia el personal {es}",
        "it": f"Prima di darle un nuovo farmaco, con quale frequenza il personale {it}",
    }


def _agree(texts: Texts) -> ItemSpec:
    return ItemSpec(type="agree_4", texts=texts, measure=HcahpsMeasure.CARE_TRANSITION)


INPATIENT_ITEMS: tuple[ItemSpec, ...] = (
    _freq(
        _stay(
            "the nurses treat you politely and with respect?",
            "las enfermeras y los enfermeros le trataron con cortesía y respeto?",
            "gli infermieri l'hanno trattata con cortesia e rispetto?",
        ),
        _NURSES,
    ),
    _freq(
        _stay(
            "the nurses listen closely to what you said?",
            "las enfermeras y los enfermeros escucharon con atención lo que usted decía?",
            "gli infermieri hanno ascoltato con attenzione ciò che diceva?",
        ),
        _NURSES,
    ),
    _freq(
        _stay(
            "the nurses explain things in a way that was clear to you?",
            "las enfermeras y los enfermeros le explicaron las cosas de forma clara para usted?",
            "gli infermieri le hanno spiegato le cose in modo chiaro per lei?",
        ),
        _NURSES,
    ),
    _freq(
        _stay(
            "the doctors treat you politely and with respect?",
            "los médicos le trataron con cortesía y respeto?",
            "i medici l'hanno trattata con cortesia e rispetto?",
        ),
        _DOCTORS,
    ),
    _freq(
        _stay(
            "the doctors listen closely to what you said?",
            "los médicos escucharon con atención lo que usted decía?",
            "i medici hanno ascoltato con attenzione ciò che diceva?",
        ),
        _DOCTORS,
    ),
    _freq(
        _stay(
            "the doctors explain things in a way that was clear to you?",
            "los médicos le explicaron las cosas de forma clara para usted?",
            "i medici le hanno spiegato le cose in modo chiaro per lei?",
        ),
        _DOCTORS,
    ),
    ItemSpec(
        type="yes_no",
        texts={
            "en": "During this hospital stay, did you ask the staff for help, for example "
            "with the call button?",
            "es": "Durante esta estancia en el hospital, ¿pidió ayuda al personal, por ejemplo "
            "con el timbre de llamada?",
            "it": "Durante questo ricovero, ha chiesto aiuto al personale, per esempio con il "
            "campanello di chiamata?",
        },
    ),
    _freq(
        _stay(
            "you get help as soon as you wanted it?",
            "recibió ayuda tan pronto como la quería?",
            "ha ricevuto aiuto non appena lo desiderava?",
        ),
        HcahpsMeasure.STAFF_RESPONSIVENESS,
        show_if=(7, (YesNo.YES,)),
    ),
    _freq(
        _stay(
            "your room and bathroom look clean?",
            "su habitación y su baño estaban limpios?",
            "la sua stanza e il bagno erano puliti?",
        ),
        HcahpsMeasure.CLEANLINESS,
    ),
    _freq(
        _stay(
            "it stay quiet around your room at night?",
            "había tranquilidad alrededor de su habitación por la noche?",
            "c'era silenzio intorno alla sua stanza di notte?",
        ),
        HcahpsMeasure.QUIETNESS,
    ),
    ItemSpec(
        type="rating_0_10",
        required=True,
        measure=HcahpsMeasure.OVERALL_RATING,
        texts={
            "en": "On a scale from 0 (the worst hospital possible) to 10 (the best hospital "
            "possible), how would you rate this hospital for this stay?",
            "es": "En una escala de 0 (el peor hospital posible) a 10 (el mejor hospital "
            "posible), ¿qué calificación le daría a este hospital por esta estancia?",
            "it": "Su una scala da 0 (il peggior ospedale possibile) a 10 (il miglior ospedale "
            "possibile), che voto darebbe a questo ospedale per questo ricovero?",
        },
    ),
    ItemSpec(
        type="definitely_4",
        measure=HcahpsMeasure.RECOMMEND,
        texts={
            "en": "Would you suggest this hospital to your friends and family?",
            "es": "¿Recomendaría este hospital a sus amigos y familiares?",
            "it": "Consiglierebbe questo ospedale ai suoi amici e familiari?",
        },
    ),
    ItemSpec(
        type="yes_no",
        texts={
            "en": "During this hospital stay, were you given any medicine that you had not "
            "taken before?",
            "es": "Durante esta estancia en el hospital, ¿le dieron algún medicamento que no "
            "hubiera tomado antes?",
            "it": "Durante questo ricovero, le è stato dato qualche farmaco che non aveva mai "
            "preso prima?",
        },
    ),
    _freq(
        _new_medicine(
            "tell you what the medicine was for?",
            "le explicó para qué servía el medicamento?",
            "le ha spiegato a che cosa serviva il farmaco?",
        ),
        _MEDICINES,
        show_if=(13, (YesNo.YES,)),
    ),
    _freq(
        _new_medicine(
            "describe possible side effects in a way you could understand?",
            "le describió los posibles efectos secundarios de forma que usted pudiera entender?",
            "le ha descritto i possibili effetti collaterali in modo comprensibile per lei?",
        ),
        _MEDICINES,
        show_if=(13, (YesNo.YES,)),
    ),
    ItemSpec(
        type="yes_no",
        measure=HcahpsMeasure.DISCHARGE_INFORMATION,
        texts={
            "en": "Before you left the hospital, did the staff talk with you about whether you "
            "would have the help you needed at home?",
            "es": "Antes de salir del hospital, ¿el personal habló con usted sobre si tendría en "
            "casa la ayuda que necesitaba?",
            "it": "Prima di lasciare l'ospedale, il personale ha parlato con lei dell'aiuto di "
            "cui avrebbe avuto bisogno a casa?",
        },
    ),
    ItemSpec(
        type="yes_no",
        measure=HcahpsMeasure.DISCHARGE_INFORMATION,
        texts={
            "en": "Before you left the hospital, were you given written information about the "
            "symptoms or health problems to watch for?",
            "es": "Antes de salir del hospital, ¿le dieron por escrito información sobre los "
            "síntomas o problemas de salud a los que debía estar atento?",
            "it": "Prima di lasciare l'ospedale, le hanno dato informazioni scritte sui sintomi "
            "o sui problemi di salute a cui fare attenzione?",
        },
    ),
    _agree(
        {
            "en": "The staff took my wishes and those of my family into account when "
            "deciding what care I would need after leaving the hospital.",
            "es": "El personal tuvo en cuenta mis deseos y los de mi familia al decidir qué "
            "atención necesitaría después de salir del hospital.",
            "it": "Il personale ha tenuto conto dei desideri miei e della mia famiglia nel "
            "decidere di quali cure avrei avuto bisogno dopo il ricovero.",
        }
    ),
    _agree(
        {
            "en": "When I left the hospital, I understood well what I was responsible for in "
            "looking after my health.",
            "es": "Al salir del hospital, entendía bien de qué era responsable en el cuidado de "
            "mi salud.",
            "it": "Quando ho lasciato l'ospedale, avevo capito bene che cosa toccava a me fare "
            "per prendermi cura della mia salute.",
        }
    ),
    _agree(
        {
            "en": "When I left the hospital, I clearly understood why I should take each of "
            "my medicines.",
            "es": "Al salir del hospital, entendía claramente por qué debía tomar cada uno de "
            "mis medicamentos.",
            "it": "Quando ho lasciato l'ospedale, avevo capito chiaramente perché dovevo "
            "prendere ciascuno dei miei farmaci.",
        }
    ),
    ItemSpec(
        type="free_text",
        texts={
            "en": "Is there anything else you would like to tell us about your stay?",
            "es": "¿Hay algo más que quiera contarnos sobre su estancia?",
            "it": "C'è altro che vorrebbe dirci sul suo ricovero?",
        },
    ),
)


def _visits(en: str, es: str, it: str) -> Texts:
    return {
        "en": f"In the last two months, how often did {en}",
        "es": f"En los últimos dos meses, ¿con qué frecuencia {es}",
        "it": f"Negli ultimi due mesi, con quale frequenza {it}",
    }


HOME_CARE_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec(
        type="frequency_4",
        texts=_visits(
            "the staff from this agency treat you politely and with respect?",
            "el personal de esta agencia le trató con cortesía y respeto?",
            "il personale di questo servizio l'ha trattata con cortesia e rispetto?",
        ),
    ),
    ItemSpec(
        type="frequency_4",
        texts=_visits(
            "the staff from this agency listen closely to you?",
            "el personal de esta agencia le escuchó con atención?",
            "il personale di questo servizio l'ha ascoltata con attenzione?",
        ),
    ),
    ItemSpec(
        type="frequency_4",
        texts=_visits(
            "the staff explain things in a way that was clear to you?",
            "el personal le explicó las cosas de forma clara para usted?",
            "il personale le ha spiegato le cose in modo chiaro per lei?",
        ),
    ),
    ItemSpec(
        type="frequency_4",
        texts=_visits(
            "the staff arrive at the time you expected?",
            "el personal llegó a la hora que usted esperaba?",
            "il personale è arrivato all'orario che si aspettava?",
        ),
    ),
    ItemSpec(
        type="yes_no",
        texts={
            "en": "When you started with this agency, did someone tell you what care and "
            "services you would receive?",
            "es": "Cuando empezó con esta agencia, ¿alguien le explicó qué atención y servicios "
            "iba a recibir?",
            "it": "Quando ha iniziato con questo servizio, qualcuno le ha spiegato quali cure e "
            "servizi avrebbe ricevuto?",
        },
    ),
    ItemSpec(
        type="rating_0_10",
        required=True,
        texts={
            "en": "On a scale from 0 (the worst home care possible) to 10 (the best home care "
            "possible), how would you rate the care from this agency?",
            "es": "En una escala de 0 (la peor atención a domicilio posible) a 10 (la mejor "
            "atención a domicilio posible), ¿cómo calificaría la atención de esta agencia?",
            "it": "Su una scala da 0 (la peggiore assistenza domiciliare possibile) a 10 (la "
            "migliore possibile), che voto darebbe all'assistenza di questo servizio?",
        },
    ),
    ItemSpec(
        type="definitely_4",
        texts={
            "en": "Would you suggest this agency to your friends and family?",
            "es": "¿Recomendaría esta agencia a sus amigos y familiares?",
            "it": "Consiglierebbe questo servizio ai suoi amici e familiari?",
        },
    ),
    ItemSpec(type="free_text", texts=_WHY),
)

TEMPLATES = {
    **TEMPLATES,
    "inpatient_experience": TemplateSpec(
        kind="inpatient",
        names={
            "en": "Inpatient experience",
            "es": "Experiencia de hospitalización",
            "it": "Esperienza di ricovero",
        },
        items=INPATIENT_ITEMS,
    ),
    "home_care_experience": TemplateSpec(
        kind="home_care",
        names={
            "en": "Home care experience",
            "es": "Experiencia de atención a domicilio",
            "it": "Esperienza di assistenza domiciliare",
        },
        items=HOME_CARE_ITEMS,
    ),
}

# (item type, English text) -> HCAHPS measure, so items of instruments built from the inpatient
# template (and later versions that keep those items) are recognised.
HCAHPS_MEASURE_OF_ITEM: Mapping[tuple[str, str], HcahpsMeasure] = {
    (spec.type, spec.texts["en"]): HcahpsMeasure(spec.measure)
    for spec in INPATIENT_ITEMS
    if spec.measure is not None
}


def hcahps_measure_of(item_type: str, texts: Mapping[str, str]) -> HcahpsMeasure | None:
    """The HCAHPS measure an item counts towards, if it is one of the inpatient template's."""
    return HCAHPS_MEASURE_OF_ITEM.get((item_type, texts.get("en", "")))
