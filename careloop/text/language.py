"""Which texts the local text models can read: script and language checks (pure, no Django).

The theme, sentiment and severity models are trained on English (the NHS data) and on whatever
staff coded locally; their character n-grams also carry over to Spanish and Italian, which share
the Latin script and many word stems.  They have never seen Chinese, Arabic, Cyrillic ... text,
and a linear model fed features it never saw still returns its *prior* themes with a confident
looking score.  So before suggesting anything, callers ask :func:`text_supported`; a ``False``
answer means "no suggestion" (staff code the case by hand), never a guess.

Rules, in order (the first that applies gives the reason):

``empty``
    not a string, or only whitespace.
``no_letters``
    no letter at all: emoji-only, punctuation-only, digits-only ("12/03").
``unsupported_script``
    fewer than half of the letters are Latin (the first :data:`SCRIPT_SAMPLE` letters are
    counted).  Mixed texts with a Latin majority ("Staff 很好, very kind") are read.
``unsupported_language``
    Latin script but clearly another language: more stop words of French, German or Portuguese
    than of English, Spanish or Italian (at least :data:`MIN_EVIDENCE` of them).  Texts without
    any stop word ("Excellent care", "Fast response, friendly paramedics") are read: telegraphic
    English is common in real feedback (0.2 % of the NHS comments have six or more words and no
    English stop word), and refusing it would cost more than it saves.
``ok``
    everything else.

:func:`guess_language` names the language among ``en``/``es``/``it`` (or ``unknown``) by counting
stop words; the bench reports accuracy per language with it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

SUPPORTED_LANGUAGES: Final = ("en", "es", "it")
UNKNOWN: Final = "unknown"

OK: Final = "ok"
EMPTY: Final = "empty"
NO_LETTERS: Final = "no_letters"
UNSUPPORTED_SCRIPT: Final = "unsupported_script"
UNSUPPORTED_LANGUAGE: Final = "unsupported_language"

#: Letters inspected for the script check (a 10 MB text costs the same as a short one).
SCRIPT_SAMPLE: Final = 2000
#: Words inspected for the language check.
LANGUAGE_SAMPLE: Final = 400
MIN_EVIDENCE: Final = 2

_TOKEN: Final = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common function words, accents stripped, lower case.  Words shared by two languages count for
# both; only the balance matters.
_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        "the and was were is are be been being to of in on at for with from by it its this that "
        "these those they them their there he she his her him we our us you your i me my mine "
        "not no nothing but or so very too all any some what which who when where why how "
        "had has have would could should will can did does do an a as if than then just about "
        "after before staff nurse nurses doctor care"
    ),
    "es": _words(
        "el la los las un una unos unas y o pero que de del al en con por para sin sobre muy mas "
        "mi mis su sus es son fue fueron era estaba estan esta este esto ese esa eso hay ha han "
        "he nos les le lo se me te ya no si todo toda todos cuando porque como donde tambien "
        "nadie nunca siempre personal atencion trato bien"
    ),
    "it": _words(
        "il lo la i gli le un uno una e ed o ma che di del della dello dei degli delle al alla "
        "nel nella con per su tra fra molto piu mio mia miei mie suo sua suoi sue e sono era "
        "erano stato stata hanno ha ho non si mi ci ti gia anche quando perche come dove sempre "
        "nessuno niente tutto tutta tutti personale grazie bene"
    ),
}
# Latin-script languages we do not support, to tell "another language" from "short English".
_OTHER_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "fr": _words(
        "le les et est un une des du au aux je tu il elle nous vous ils elles pas tres avec pour "
        "dans sur mais ou ce cette ces qui que sont etait ete avons avez"
    ),
    "de": _words(
        "der die das und ist nicht ich du er sie es wir ihr sehr mit fur auf aber oder war waren "
        "ein eine einen dem den des zu im vom zum auch noch wurde haben hat"
    ),
    "pt": _words(
        "o os as um uma uns umas e de do da dos das no na nos nas com por para muito nao sim "
        "eu ele ela voce foi era sao esta estava tem mas ou ao pela pelo"
    ),
}


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _latin_share(text: str) -> tuple[int, float]:
    """(letters seen, share of them that are Latin) over the first SCRIPT_SAMPLE letters."""
    if text.isascii():
        letters = sum(1 for ch in text[: SCRIPT_SAMPLE * 4] if ch.isalpha())
        return min(letters, SCRIPT_SAMPLE), 1.0
    seen = latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        seen += 1
        if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
        if seen >= SCRIPT_SAMPLE:
            break
    return seen, (latin / seen if seen else 0.0)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        out.append(_strip_accents(match.group().casefold()))
        if len(out) >= LANGUAGE_SAMPLE:
            break
    return out


def _scores(tokens: list[str], table: dict[str, frozenset[str]]) -> dict[str, int]:
    return {lang: sum(1 for t in tokens if t in words) for lang, words in table.items()}


def guess_language(text: object) -> str:
    """``en``, ``es`` or ``it`` by stop-word counts; ``unknown`` when unsure or unsupported."""
    if not isinstance(text, str):
        return UNKNOWN
    scores = _scores(_tokens(text), _STOPWORDS)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_EVIDENCE or top == second:
        return UNKNOWN
    return best


def text_supported(text: object) -> tuple[bool, str]:
    """``(True, "ok")`` when the models may suggest for ``text``; else ``(False, reason)``.

    Reasons: ``empty``, ``no_letters``, ``unsupported_script``, ``unsupported_language`` (see
    the module docstring).  Pure and cheap: at most a few thousand characters are inspected.
    """
    if not isinstance(text, str) or not text.strip():
        return False, EMPTY
    letters, latin = _latin_share(text)
    if letters == 0:
        return False, NO_LETTERS
    if latin < 0.5:
        return False, UNSUPPORTED_SCRIPT
    tokens = _tokens(text)
    ours = max(_scores(tokens, _STOPWORDS).values())
    theirs = max(_scores(tokens, _OTHER_STOPWORDS).values())
    if theirs >= MIN_EVIDENCE and theirs > ours:
        return False, UNSUPPORTED_LANGUAGE
    return True, OK


# ---------------------------------------------------------------------------------------------
# English gloss of Spanish and Italian care vocabulary
# ---------------------------------------------------------------------------------------------
#
# The theme and sentiment models learn from English comments.  Character n-grams carry over to
# Spanish and Italian only through shared stems ("ambulancia", "profesional"), which is not
# much; so the word features of a text also get the English gloss of the Spanish and Italian
# care words it contains ("la comida estaba fría" + "food cold").  The list is written by hand
# from general care vocabulary (staff, waiting, food, cleanliness, information, medication,
# transport, feelings ...), accents stripped, lower case.  Words that are also common English
# words with another meaning are left out ("personal", "come", "dove").

_ES_GLOSS: Final[dict[str, str]] = {
    "enfermera": "nurse",
    "enfermero": "nurse",
    "enfermeras": "nurses",
    "enfermeros": "nurses",
    "medico": "doctor",
    "medica": "doctor",
    "doctora": "doctor",
    "auxiliar": "carer",
    "cuidador": "carer",
    "cuidadora": "carer",
    "recepcionista": "receptionist",
    "trabajadores": "staff",
    "plantilla": "staff",
    "amable": "kind",
    "amables": "kind",
    "simpatico": "friendly",
    "simpatica": "friendly",
    "carinoso": "caring",
    "carinosa": "caring",
    "atento": "attentive",
    "atenta": "attentive",
    "educado": "polite",
    "maleducado": "rude",
    "maleducada": "rude",
    "grosero": "rude",
    "grosera": "rude",
    "borde": "rude",
    "antipatico": "unfriendly",
    "profesionales": "professional",
    "servicial": "helpful",
    "ayuda": "help",
    "ayudo": "helped",
    "ayudaron": "helped",
    "gracias": "thank you",
    "agradecido": "grateful",
    "agradecida": "grateful",
    "excelente": "excellent",
    "estupendo": "great",
    "maravilloso": "wonderful",
    "maravillosa": "wonderful",
    "bueno": "good",
    "buena": "good",
    "buenisimo": "very good",
    "malo": "bad",
    "mala": "bad",
    "fatal": "terrible",
    "contento": "happy",
    "contenta": "happy",
    "satisfecho": "satisfied",
    "satisfecha": "satisfied",
    "queja": "complaint",
    "quejas": "complaints",
    "mejorar": "improve",
    "nada": "nothing",
    "espera": "wait",
    "esperar": "wait",
    "esperamos": "waited",
    "espere": "waited",
    "esperando": "waiting",
    "tarde": "late",
    "retraso": "delay",
    "rapido": "quick",
    "rapida": "quick",
    "rapidamente": "quickly",
    "lento": "slow",
    "horas": "hours",
    "hora": "hour",
    "minutos": "minutes",
    "urgencias": "emergency department",
    "cita": "appointment",
    "citas": "appointments",
    "consulta": "appointment",
    "cancelaron": "cancelled",
    "cancelada": "cancelled",
    "telefono": "phone",
    "llamar": "call",
    "llame": "called",
    "llamada": "call",
    "contactar": "contact",
    "comida": "food",
    "comidas": "meals",
    "cena": "dinner",
    "desayuno": "breakfast",
    "almuerzo": "lunch",
    "bebida": "drink",
    "agua": "water",
    "fria": "cold",
    "frio": "cold",
    "caliente": "hot",
    "rica": "tasty",
    "sabrosa": "tasty",
    "limpio": "clean",
    "limpia": "clean",
    "limpieza": "cleanliness",
    "limpiaban": "cleaned",
    "impecable": "spotless",
    "sucio": "dirty",
    "sucia": "dirty",
    "suciedad": "dirt",
    "bano": "toilet",
    "banos": "toilets",
    "habitacion": "room",
    "planta": "ward",
    "cama": "bed",
    "ruido": "noise",
    "ruidoso": "noisy",
    "informacion": "information",
    "informados": "informed",
    "informado": "informed",
    "explico": "explained",
    "explicaron": "explained",
    "explicacion": "explanation",
    "escucho": "listened",
    "escucharon": "listened",
    "escuchan": "listen",
    "medicacion": "medication",
    "medicamentos": "medication",
    "pastillas": "tablets",
    "dolor": "pain",
    "tratamiento": "treatment",
    "ambulancia": "ambulance",
    "transporte": "transport",
    "aparcamiento": "parking",
    "aparcar": "parking",
    "familia": "family",
    "familiares": "family",
    "madre": "mother",
    "padre": "father",
    "actividades": "activities",
    "jardin": "garden",
    "alta": "discharge",
    "seguro": "safe",
    "segura": "safe",
    "formado": "trained",
    "formacion": "training",
    "turno": "shift",
    "noche": "night",
    "suficiente": "enough",
    "falta": "lack",
}

_IT_GLOSS: Final[dict[str, str]] = {
    "infermiera": "nurse",
    "infermiere": "nurse",
    "infermieri": "nurses",
    "medico": "doctor",
    "medici": "doctors",
    "dottore": "doctor",
    "dottoressa": "doctor",
    "operatrice": "carer",
    "operatore": "carer",
    "operatori": "carers",
    "personale": "staff",
    "gentile": "kind",
    "gentili": "kind",
    "gentilissimo": "very kind",
    "gentilissima": "very kind",
    "cordiale": "friendly",
    "cordiali": "friendly",
    "premuroso": "caring",
    "premurosa": "caring",
    "premurose": "caring",
    "disponibile": "helpful",
    "disponibili": "helpful",
    "scortese": "rude",
    "scortesi": "rude",
    "maleducato": "rude",
    "maleducata": "rude",
    "sgarbato": "rude",
    "antipatico": "unfriendly",
    "professionale": "professional",
    "professionali": "professional",
    "aiuto": "help",
    "aiutato": "helped",
    "grazie": "thank you",
    "grato": "grateful",
    "grata": "grateful",
    "eccellente": "excellent",
    "ottimo": "excellent",
    "ottima": "excellent",
    "meraviglioso": "wonderful",
    "meravigliosa": "wonderful",
    "buono": "good",
    "buona": "good",
    "bravo": "good",
    "bravi": "good",
    "cattivo": "bad",
    "pessimo": "terrible",
    "pessima": "terrible",
    "orribile": "horrible",
    "contento": "happy",
    "contenta": "happy",
    "soddisfatto": "satisfied",
    "soddisfatta": "satisfied",
    "lamentela": "complaint",
    "reclamo": "complaint",
    "migliorare": "improve",
    "niente": "nothing",
    "nulla": "nothing",
    "attesa": "wait",
    "aspettare": "wait",
    "aspettato": "waited",
    "ritardo": "late",
    "tardi": "late",
    "veloce": "quick",
    "fretta": "quickly",
    "rapido": "quick",
    "lento": "slow",
    "lunga": "long",
    "lungo": "long",
    "ore": "hours",
    "minuti": "minutes",
    "pronto soccorso": "emergency department",
    "soccorso": "emergency",
    "appuntamento": "appointment",
    "visita": "appointment",
    "prenotare": "book",
    "prenotazione": "booking",
    "annullato": "cancelled",
    "annullata": "cancelled",
    "telefono": "phone",
    "chiamare": "call",
    "chiamato": "called",
    "chiamata": "call",
    "contattare": "contact",
    "cibo": "food",
    "pasti": "meals",
    "pasto": "meal",
    "cena": "dinner",
    "colazione": "breakfast",
    "pranzo": "lunch",
    "bere": "drink",
    "acqua": "water",
    "freddo": "cold",
    "fredda": "cold",
    "caldo": "hot",
    "gustoso": "tasty",
    "gustosi": "tasty",
    "pulito": "clean",
    "pulita": "clean",
    "pulitissimo": "spotless",
    "pulizia": "cleanliness",
    "puliti": "cleaned",
    "sporco": "dirty",
    "sporca": "dirty",
    "bagno": "toilet",
    "bagni": "toilets",
    "stanza": "room",
    "reparto": "ward",
    "letto": "bed",
    "rumore": "noise",
    "rumoroso": "noisy",
    "informazioni": "information",
    "informati": "informed",
    "informato": "informed",
    "spiegato": "explained",
    "spiegazione": "explanation",
    "ascoltato": "listened",
    "ascoltare": "listen",
    "farmaci": "medication",
    "terapia": "medication",
    "pastiglie": "tablets",
    "dolore": "pain",
    "cura": "treatment",
    "ambulanza": "ambulance",
    "trasporto": "transport",
    "autista": "driver",
    "parcheggio": "parking",
    "famiglia": "family",
    "familiari": "family",
    "madre": "mother",
    "padre": "father",
    "attivita": "activities",
    "giardino": "garden",
    "dimissione": "discharge",
    "dimesso": "discharged",
    "dimessa": "discharged",
    "sicuro": "safe",
    "sicura": "safe",
    "preparato": "trained",
    "formazione": "training",
    "turno": "shift",
    "notte": "night",
    "abbastanza": "enough",
    "mancanza": "lack",
}

_GLOSS_TOKEN: Final = re.compile(r"[a-z]+")


def _gloss_lookup(token: str) -> str | None:
    for table in (_ES_GLOSS, _IT_GLOSS):
        if token in table:
            return table[token]
    if len(token) > 4 and token.endswith("s") and token[:-1] in _ES_GLOSS:
        return _ES_GLOSS[token[:-1]]
    return None


def english_gloss(text: str) -> str:
    """English words for the Spanish/Italian care words in ``text`` ("" when there are none).

    Used by the theme features (see ``careloop.text.themes_features``): the gloss is appended to
    the text seen by the word n-gram block, so a model trained on English comments has something
    to read in a Spanish or Italian one.  At most :data:`LANGUAGE_SAMPLE` words are read.
    """
    folded = _strip_accents(text[: LANGUAGE_SAMPLE * 12].casefold())
    words = [w for w in (_gloss_lookup(t) for t in _GLOSS_TOKEN.findall(folded)) if w]
    if "pronto soccorso" in folded:
        words.append(_IT_GLOSS["pronto soccorso"])
    return " ".join(words[:LANGUAGE_SAMPLE])
