"""Survey answer scales: the options of each scale, their box and their linear value.

Pure, no Django. DOMAIN.md M3 (boxes: frequency top = always, middle = usually, bottom =
sometimes + never; 0-10 rating top 9-10, middle 7-8; recommend top = definitely yes), M4 (linear
mean, ``Y = 100 (X - a) / (b - a)``: never 0, sometimes 33 1/3, usually 66 2/3, always 100;
0-10 ratings x 10), M9 (FFT six options), M10 (NPS 0-10) and M11 (CSAT 1-5).

Answers are ints (0-10, 1-5 scales) or the string values of the enums below; counts of answers
are ``Mapping[answer, int]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import TypeVar

Answer = int | str
# Counts of answers; generic so that ``dict[Frequency, int]`` and ``dict[int, int]`` both fit.
AnswerT = TypeVar("AnswerT", bound=Answer)

_HUNDRED = Fraction(100)


class Scale(StrEnum):
    FREQUENCY = "frequency"  # never / sometimes / usually / always (HCAHPS)
    RATING_0_10 = "rating_0_10"  # 0..10 overall rating (HCAHPS Q21)
    RECOMMEND = "recommend"  # definitely no .. definitely yes (HCAHPS Q22)
    YES_NO = "yes_no"
    AGREEMENT = "agreement"  # strongly disagree .. strongly agree (HCAHPS care transition)
    CSAT_1_5 = "csat_1_5"
    NPS_0_10 = "nps_0_10"
    FFT = "fft"  # very good .. very poor + don't know (NHS FFT since April 2020)
    FFT_LEGACY = "fft_legacy"  # extremely likely .. extremely unlikely + don't know (2013-2020)


class Box(StrEnum):
    TOP = "top"
    MIDDLE = "middle"
    BOTTOM = "bottom"


class Frequency(StrEnum):
    NEVER = "never"
    SOMETIMES = "sometimes"
    USUALLY = "usually"
    ALWAYS = "always"


class Recommend(StrEnum):
    DEFINITELY_NO = "definitely_no"
    PROBABLY_NO = "probably_no"
    PROBABLY_YES = "probably_yes"
    DEFINITELY_YES = "definitely_yes"


class YesNo(StrEnum):
    NO = "no"
    YES = "yes"


class Agreement(StrEnum):
    STRONGLY_DISAGREE = "strongly_disagree"
    DISAGREE = "disagree"
    AGREE = "agree"
    STRONGLY_AGREE = "strongly_agree"


class Fft(StrEnum):
    VERY_GOOD = "very_good"
    GOOD = "good"
    NEITHER = "neither"
    POOR = "poor"
    VERY_POOR = "very_poor"
    DONT_KNOW = "dont_know"


class FftLegacy(StrEnum):
    EXTREMELY_LIKELY = "extremely_likely"
    LIKELY = "likely"
    NEITHER = "neither"
    UNLIKELY = "unlikely"
    EXTREMELY_UNLIKELY = "extremely_unlikely"
    DONT_KNOW = "dont_know"


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """One answer scale: its options, which box each option falls in, and its linear value.

    ``boxes[option] is None`` marks an answer that counts as a response (it is in every box
    denominator) but belongs to no box, such as FFT "don't know". ``linear`` leaves such answers
    out: they have no place on the 0..100 line.
    """

    scale: Scale
    options: tuple[Answer, ...]
    boxes: Mapping[Answer, Box | None]
    linear: Mapping[Answer, Fraction]

    @property
    def has_middle_box(self) -> bool:
        return Box.MIDDLE in self.boxes.values()


def _linear_ladder(options: Iterable[Answer]) -> dict[Answer, Fraction]:
    """``Y = 100 (X - a) / (b - a)`` for options listed worst first (M4)."""
    ordered = list(options)
    steps = len(ordered) - 1
    return {option: _HUNDRED * index / steps for index, option in enumerate(ordered)}


def _zero_to_ten(*, top: int, middle: int) -> dict[Answer, Box | None]:
    return {
        value: Box.TOP if value >= top else Box.MIDDLE if value >= middle else Box.BOTTOM
        for value in range(11)
    }


def _spec(
    scale: Scale,
    worst_first: tuple[Answer, ...],
    boxes: dict[Answer, Box | None],
    extra: tuple[Answer, ...] = (),
) -> ScaleSpec:
    return ScaleSpec(
        scale=scale,
        options=worst_first + extra,
        boxes=MappingProxyType(boxes),
        linear=MappingProxyType(_linear_ladder(worst_first)),
    )


T, M, B = Box.TOP, Box.MIDDLE, Box.BOTTOM
SCALES: Mapping[Scale, ScaleSpec] = MappingProxyType(
    {
        Scale.FREQUENCY: _spec(
            Scale.FREQUENCY,
            tuple(Frequency),
            {Frequency.NEVER: B, Frequency.SOMETIMES: B, Frequency.USUALLY: M, Frequency.ALWAYS: T},
        ),
        Scale.RATING_0_10: _spec(
            Scale.RATING_0_10, tuple(range(11)), _zero_to_ten(top=9, middle=7)
        ),
        Scale.RECOMMEND: _spec(
            Scale.RECOMMEND,
            tuple(Recommend),
            {
                Recommend.DEFINITELY_NO: B,
                Recommend.PROBABLY_NO: B,
                Recommend.PROBABLY_YES: M,
                Recommend.DEFINITELY_YES: T,
            },
        ),
        Scale.YES_NO: _spec(Scale.YES_NO, tuple(YesNo), {YesNo.NO: B, YesNo.YES: T}),
        Scale.AGREEMENT: _spec(
            Scale.AGREEMENT,
            tuple(Agreement),
            {
                Agreement.STRONGLY_DISAGREE: B,
                Agreement.DISAGREE: B,
                Agreement.AGREE: M,
                Agreement.STRONGLY_AGREE: T,
            },
        ),
        Scale.CSAT_1_5: _spec(Scale.CSAT_1_5, (1, 2, 3, 4, 5), {1: B, 2: B, 3: M, 4: T, 5: T}),
        Scale.NPS_0_10: _spec(Scale.NPS_0_10, tuple(range(11)), _zero_to_ten(top=9, middle=7)),
        Scale.FFT: _spec(
            Scale.FFT,
            (Fft.VERY_POOR, Fft.POOR, Fft.NEITHER, Fft.GOOD, Fft.VERY_GOOD),
            {
                Fft.VERY_POOR: B,
                Fft.POOR: B,
                Fft.NEITHER: M,
                Fft.GOOD: T,
                Fft.VERY_GOOD: T,
                Fft.DONT_KNOW: None,
            },
            extra=(Fft.DONT_KNOW,),
        ),
        Scale.FFT_LEGACY: _spec(
            Scale.FFT_LEGACY,
            (
                FftLegacy.EXTREMELY_UNLIKELY,
                FftLegacy.UNLIKELY,
                FftLegacy.NEITHER,
                FftLegacy.LIKELY,
                FftLegacy.EXTREMELY_LIKELY,
            ),
            {
                FftLegacy.EXTREMELY_UNLIKELY: B,
                FftLegacy.UNLIKELY: B,
                FftLegacy.NEITHER: M,
                FftLegacy.LIKELY: T,
                FftLegacy.EXTREMELY_LIKELY: T,
                FftLegacy.DONT_KNOW: None,
            },
            extra=(FftLegacy.DONT_KNOW,),
        ),
    }
)
del T, M, B


def validated_counts(*, scale: Scale, counts: Mapping[AnswerT, int]) -> dict[Answer, int]:
    """Counts for every option of ``scale`` (missing options are 0); ValueError on bad input."""
    spec = SCALES[scale]
    known = set(spec.options)
    result: dict[Answer, int] = dict.fromkeys(spec.options, 0)
    for answer, count in counts.items():
        if isinstance(answer, bool) or answer not in known:
            raise ValueError(f"{answer!r} is not an answer on the {scale} scale")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count for {answer!r} must be a non-negative int, got {count!r}")
        result[answer] += count
    return result


def tally(*, scale: Scale, answers: Iterable[Answer | None]) -> dict[Answer, int]:
    """Count raw answers; ``None`` (item left blank) is skipped, anything unknown is an error."""
    counts: dict[Answer, int] = {}
    for answer in answers:
        if answer is not None:
            counts[answer] = counts.get(answer, 0) + 1
    return validated_counts(scale=scale, counts=counts)


def box_counts(*, scale: Scale, counts: Mapping[AnswerT, int]) -> dict[Box | None, int]:
    """Responses per box; key ``None`` holds answers in no box (FFT "don't know")."""
    spec = SCALES[scale]
    result: dict[Box | None, int] = {Box.TOP: 0, Box.MIDDLE: 0, Box.BOTTOM: 0, None: 0}
    for answer, count in validated_counts(scale=scale, counts=counts).items():
        result[spec.boxes[answer]] += count
    return result
