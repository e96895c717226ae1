"""Test support: the letters in Spanish and Italian as they will read once the lead has merged
the proposed translations (careloop/letters/proposed_translations/*.po) into locale/.

The project's own catalogue still wins wherever it has a translation; the proposal only fills
what it does not hold yet. Nothing global is changed outside the `with` block."""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import trans_real

PROPOSED = Path(__file__).resolve().parents[1] / "proposed_translations"


def _merged(language: str) -> trans_real.DjangoTranslation:
    merged = trans_real.DjangoTranslation(language)
    proposal = polib.pofile(str(PROPOSED / f"{language}.po"))
    merged.merge(gettext.GNUTranslations(io.BytesIO(proposal.to_binary())))
    project = gettext.translation(
        "django", localedir=str(settings.LOCALE_PATHS[0]), languages=[language]
    )
    merged.merge(project)  # merged last, so it is looked up first
    return merged


@contextmanager
def proposed_translations() -> Iterator[None]:
    original = trans_real.translation
    cache: dict[str, trans_real.DjangoTranslation] = {}

    def translation(language: str) -> trans_real.DjangoTranslation:
        if not (PROPOSED / f"{language}.po").exists():
            return original(language)
        if language not in cache:
            cache[language] = _merged(language)
        return cache[language]

    trans_real.translation = translation  # restored below
    try:
        yield
    finally:
        trans_real.translation = original
