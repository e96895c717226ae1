"""How many clean hospitals of the CMS October 2016 - September 2017 file the summary star
reproduces, from their published measure stars: shown on the results page so a reader can see
the star maths is the published one.

``data/hcahps_2016-10_2017-09_stars.csv`` is copied from the test fixture of the same clean
rows (tests/fixtures/README.md: at least 100 surveys, not the filled-in 716, box groups summing
to 100 +- 1), keeping the provider, the completed surveys and the eleven star columns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from careloop.surveys.scoring_stars import HcahpsMeasure, SummaryStar, summary_star

STARS_FILE = Path(__file__).resolve().parent / "data" / "hcahps_2016-10_2017-09_stars.csv"
SURVEYS = "Number.of.Completed.Surveys"
# CMS measure id -> the column stem of the wide file where it differs.
STEMS = {"H_CLEAN_HSP": "H_CLEAN", "H_QUIET_HSP": "H_QUIET"}


@dataclass(frozen=True)
class StarVerification:
    rows: int
    matched: int
    period: str = "October 2016 - September 2017"


@cache
def summary_star_verification(path: Path = STARS_FILE) -> StarVerification:
    """Clean rows, and those whose published summary star ours reproduces."""
    rows = matched = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            stars = {
                m: int(row[f"{STEMS.get(m.value, m.value)}_STAR_RATING"]) for m in HcahpsMeasure
            }
            result = summary_star(measure_stars=stars, completed_surveys=int(row[SURVEYS]))
            rows += 1
            matched += isinstance(result, SummaryStar) and result.stars == int(row["H_STAR_RATING"])
    return StarVerification(rows=rows, matched=matched)
