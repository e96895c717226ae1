"""NHS Friends and Family Test scores: % positive / % negative and the legacy 2013-2015 score.

Pure functions, no Django. DOMAIN.md M9 and Appendix A:

- % positive = (very good + good) / all responses, % negative = (poor + very poor) / all
  responses; "don't know" stays in the denominator. On the legacy "how likely are you to
  recommend" scale the same formulas give % recommend (extremely likely + likely) and % not
  recommend (unlikely + extremely unlikely).
- First-level suppression (NHS England publication rule): 0 < total < 5 is shown as ``*``.
  Second-level and cascade suppression need the whole ward/site tree and are not done here.
- Legacy FFT score = 100 (extremely likely - neither - unlikely - extremely unlikely) / answers
  other than "don't know"; "likely" is passive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from careloop.surveys.scoring import (
    DEFAULT_CONFIDENCE,
    Score,
    Suppressed,
    difference_interval,
    suppression_for,
    wilson_interval,
)
from careloop.surveys.scoring_scales import (
    AnswerT,
    Box,
    FftLegacy,
    Scale,
    box_counts,
    validated_counts,
)

# NHS England first-level suppression: totals of 1 to 4 are published as "*".
FFT_MINIMUM_N = 5

_FFT_SCALES = (Scale.FFT, Scale.FFT_LEGACY)


@dataclass(frozen=True, slots=True)
class FftScores:
    scale: Scale
    n: int  # all responses, "don't know" included
    dont_know: int
    positive: Score
    negative: Score


def fft_scores(
    *,
    counts: Mapping[AnswerT, int],
    scale: Scale = Scale.FFT,
    minimum_n: int = FFT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> FftScores | Suppressed:
    """% positive and % negative of all responses, "don't know" included in the denominator."""
    if scale not in _FFT_SCALES:
        raise ValueError(
            f"FFT scores need the {Scale.FFT} or {Scale.FFT_LEGACY} scale, not {scale}"
        )
    per_box = box_counts(scale=scale, counts=counts)
    n = sum(per_box.values())
    if (withheld := suppression_for(n=n, minimum_n=minimum_n)) is not None:
        return withheld

    def share(successes: int) -> Score:
        return Score(
            value=Fraction(100 * successes, n),
            n=n,
            ci=wilson_interval(successes=successes, n=n, confidence=confidence),
        )

    return FftScores(
        scale=scale,
        n=n,
        dont_know=per_box[None],
        positive=share(per_box[Box.TOP]),
        negative=share(per_box[Box.BOTTOM]),
    )


def fft_legacy_score(
    *,
    counts: Mapping[AnswerT, int],
    minimum_n: int = FFT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Score | Suppressed:
    """The April 2013 - early 2015 NPS-like FFT score; n excludes "don't know".

    Its interval is that of a difference of two shares of one multinomial sample, as for NPS.
    """
    valid = validated_counts(scale=Scale.FFT_LEGACY, counts=counts)
    n = sum(valid.values()) - valid[FftLegacy.DONT_KNOW]
    if (withheld := suppression_for(n=n, minimum_n=minimum_n)) is not None:
        return withheld
    promoters = valid[FftLegacy.EXTREMELY_LIKELY]
    detractors = (
        valid[FftLegacy.NEITHER] + valid[FftLegacy.UNLIKELY] + valid[FftLegacy.EXTREMELY_UNLIKELY]
    )
    return Score(
        value=Fraction(100 * (promoters - detractors), n),
        n=n,
        ci=difference_interval(plus=promoters, minus=detractors, n=n, confidence=confidence),
    )
