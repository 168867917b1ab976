"""The Aktobe pilot's achievement rounds as data: baseline and endline of school year
2023-2024 in grades 6, 8 and 10, one row per pupil and subject as an e-journal exports them.

Pupils are invented external ids (the e-journal's own numbering), never names. Each pupil
has a latent ability; the endline adds a modest gain (about a tenth of a standard
deviation) and noise, and a few pupils leave or arrive between the rounds, so not every pupil
is matched. The region's 70 small-class schools outside the pilot are assessed in the same
rounds as its comparison group, with a smaller gain of their own. Deterministic: fixed seeds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from scripts.seed_registry import FIRST_YEAR, generate

PROGRAMME_ID = "aktobe-small-schools"
GRADES = [6, 8, 10]
SUBJECTS = {"math": {"max_score": 40, "threshold": 20},
            "kazakh_language": {"max_score": 40, "threshold": 20},
            "natural_science": {"max_score": 40, "threshold": 20}}
COMPARISON = [row["organisation_id"] for row in generate().comparison]
BASELINE = dict(round_id="AKT-2023-24-BASELINE", programme_id=PROGRAMME_ID,
                school_year=FIRST_YEAR, phase="baseline", grades=GRADES, subjects=SUBJECTS,
                opened_on="2023-09-18", baseline_round_id=None,
                comparison_school_ids=COMPARISON)
ENDLINE = dict(round_id="AKT-2023-24-ENDLINE", programme_id=PROGRAMME_ID,
               school_year=FIRST_YEAR, phase="endline", grades=GRADES, subjects=SUBJECTS,
               opened_on="2024-05-06", baseline_round_id=BASELINE["round_id"],
               comparison_school_ids=COMPARISON)
CLOSING = {BASELINE["round_id"]: "2023-10-20", ENDLINE["round_id"]: "2024-05-31"}
CSV_COLUMNS = ["school_id", "class", "pupil_id", "grade", "subject", "score"]
GAIN = 1.2          # points out of 40, about 0.15 of a standard deviation
COMPARISON_GAIN = 0.4  # what a year brings the schools outside the pilot
LEAVERS = 0.04      # share of pupils in the baseline who are gone by the endline


@dataclass
class AssessmentSeed:
    baseline: list[dict[str, Any]] = field(default_factory=list)
    endline: list[dict[str, Any]] = field(default_factory=list)


def _score(rng: random.Random, ability: float, shift: float) -> str:
    return str(max(0, min(40, round(21 + 7 * ability + shift + rng.gauss(0, 3)))))


def generate_scores(seed: int = 2024) -> AssessmentSeed:
    registry = generate()
    out = AssessmentSeed()
    # The pilot's schools first, with the generator they always had, so their scores stay
    # as they were; the comparison schools from a generator of their own.
    pilot = [r for r in registry.rows[FIRST_YEAR] if r["organisation_id"] not in COMPARISON]
    _schools(random.Random(seed), pilot, GAIN, out)
    _schools(random.Random(seed + 1), registry.comparison, COMPARISON_GAIN, out)
    return out


def _schools(rng: random.Random, schools: list[dict[str, str]], gain: float,
             out: AssessmentSeed) -> None:
    for school in schools:
        # Grades 1-11: about one pupil in eleven is in each grade.
        per_grade = max(1, round(int(school["pupils"]) / 11))
        for grade in GRADES:
            for n in range(1, per_grade + 1):
                pupil_id = f"EJ-{school['organisation_id']}-{grade:02d}{n:03d}"
                ability = {s: rng.gauss(0, 1) for s in SUBJECTS}
                stays = rng.random() >= LEAVERS
                for subject in SUBJECTS:
                    row = dict(school_id=school["organisation_id"], **{"class": f"{grade}А"},
                               pupil_id=pupil_id, grade=str(grade), subject=subject)
                    out.baseline.append({**row, "score": _score(rng, ability[subject], 0)})
                    if stays:
                        out.endline.append({**row, "score": _score(rng, ability[subject],
                                                                   gain)})
            arrivals = rng.random() < 0.3  # now and then a pupil joins during the year
            for subject in SUBJECTS if arrivals else ():
                out.endline.append(dict(
                    school_id=school["organisation_id"], **{"class": f"{grade}А"},
                    pupil_id=f"EJ-{school['organisation_id']}-{grade:02d}900", grade=str(grade),
                    subject=subject, score=_score(rng, rng.gauss(0, 1), gain)))
