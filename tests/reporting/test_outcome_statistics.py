"""The outcomes' statistics against a computation written here from the formulas of
docs/statistics.md: cluster-robust intervals, d_av's delta-method interval, the difference
in differences; on a small evaluation of two models and a comparison group, through the real
Applications, the read model in PostgreSQL and the reconciliation."""

import math
import random
from datetime import date

import pytest

from scripts.seed_registry import _Maker
from services.assessment.app import AssessmentApplication
from services.assessment.contracts import CONTRACTS as ASSESSMENT
from services.assessment.pseudonyms import Pseudonymiser
from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS as REGISTRY
from services.reporting.figures import intervals, outcomes, reconcile
from services.reporting.ingest import projections
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import PROFILE, envelopes_of, sqlite

P = "eval"
MATH = {"math": {"max_score": 40, "threshold": 20}}
MODELS = {"A0": "streaming", "A1": "streaming", "A2": "streaming", "A3": "streaming",
          "B0": "online_teaching", "B1": "online_teaching", "B2": "online_teaching"}
COMPARISON = ["C0", "C1", "C2"]
GAIN = {"streaming": 3, "online_teaching": 1, None: 0}  # the comparison's gain is smaller
# Student's t, two-sided 95 %, from a printed table.
T_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 5: 2.571, 10: 2.228, 30: 2.042, 69: 1.995}


def test_t_critical_values_are_those_of_the_printed_table():
    for df, printed in T_TABLE.items():
        assert intervals.t_critical(df) == pytest.approx(printed, abs=5e-4)


def test_with_one_pupil_per_school_the_interval_is_the_classical_t_interval():
    scores = [12, 15, 9, 20, 17, 11]
    estimate = intervals.clustered_mean([(1, float(s)) for s in scores])
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
    assert estimate.se == pytest.approx(sd / math.sqrt(len(scores)))
    low, high = estimate.interval()
    assert high - mean == pytest.approx(T_TABLE[5] * sd / math.sqrt(6), abs=1e-3)
    assert mean - low == pytest.approx(high - mean)


def test_pupils_alike_within_a_school_widen_the_interval():
    # Two schools, each of identical pupils: 20 pupils but, in effect, two observations.
    alike = intervals.clustered_mean([(10, 100.0), (10, 200.0)])
    apart = intervals.clustered_mean([(1, float(v)) for v in [10] * 10 + [20] * 10])
    assert alike.se > 4 * apart.se


def evaluation(tmp_path):
    """Seven programme schools under two models and three comparison schools, grade 6 math,
    each pupil assessed at baseline and endline (a few leave)."""
    rng, make = random.Random(19), _Maker(random.Random(3))
    registry = sqlite(RegistryApplication, tmp_path, "registry")
    registry.launch_programme(programme_id=P, name_kk="Бағалау", name_ru="Оценка",
                              name_en=None, regions=["15"], start=date(2023, 1, 1),
                              end=date(2024, 12, 31), models=["streaming", "online_teaching"],
                              budget_kzt=1_000_000)
    for school in [*MODELS, *COMPARISON]:
        registry.register_organisation(
            school_year="2023-2024", profile={**PROFILE, "pupils": 40},
            organisation_id=school, bin=make.bin(), kind="school", name_kk="Мектеп",
            name_ru=f"Школа {school}", name_en=None, kato="153220100")
        if school in MODELS:
            registry.join_programme(P, school, MODELS[school], date(2023, 2, 1))
    assessment = sqlite(AssessmentApplication, tmp_path, "assessment")
    pseudonyms = Pseudonymiser("a-test-key-of-enough-length")
    for school in MODELS:
        assessment.record_school_joined(P, school)
    scores: dict[str, list[tuple[str, int, int | None]]] = {}
    for school in [*MODELS, *COMPARISON]:
        level = rng.randint(12, 26)  # schools differ: that is what clustering is about
        scores[school] = [(f"{school}-{n}", b := max(0, min(40, level + rng.randint(-6, 6))),
                           None if rng.random() < 0.1 else
                           max(0, min(40, b + GAIN[MODELS.get(school)] + rng.randint(-3, 3))))
                          for n in range(rng.randint(3, 7))]
    for round_id, phase, opened, baseline in (("B", "baseline", date(2023, 9, 15), None),
                                              ("E", "endline", date(2024, 5, 6), "B")):
        assessment.open_round(round_id, programme_id=P, school_year="2023-2024", phase=phase,
                              grades=[6], subjects=MATH, opened_on=opened,
                              baseline_round_id=baseline, comparison_school_ids=COMPARISON)
        for school, pupils in scores.items():
            entries = [{"row": n, "pupil_ref": pseudonyms.reference(pupil), "grade": 6,
                        "subject": "math", "score": before if phase == "baseline" else after}
                       for n, (pupil, before, after) in enumerate(pupils, 1)
                       if phase == "baseline" or after is not None]
            assessment.record_scores(round_id, school, entries)
    events = envelopes_of(registry, REGISTRY) + envelopes_of(assessment, ASSESSMENT)
    registry.close()
    assessment.close()
    return events, scores


def reference_gain(scores, schools):
    """Mean gain of matched pupils and its 95 % interval, written from the formulas: the
    sandwich variance of an intercept-only regression with schools as clusters, CR1."""
    rows = [(s, after - before) for s in schools for _, before, after in scores[s]
            if after is not None]
    n, g = len(rows), len(schools)
    mean = sum(v for _, v in rows) / n
    meat = sum(sum(v - mean for s, v in rows if s == school) ** 2 for school in schools)
    se = math.sqrt(g / (g - 1) * meat / n ** 2)  # bread (X'X)^-1 = 1/n on both sides
    return mean, se, g - 1


@pytest.fixture(scope="module")
def evaluated(database, tmp_path_factory):
    events, scores = evaluation(tmp_path_factory.mktemp("evaluation"))
    schema = fresh_schema(database)
    for envelope in events:
        assert projections.handle(database, envelope, schema)
    with database, database.cursor() as cur:
        cells = {o["split"]: o for o in outcomes.learning_outcomes(cur, P, schema)}
        found = reconcile.differences(events, cur, [P], schema)
    return cells, scores, found, events, schema


@pytest.mark.integration
def test_outcomes_are_split_by_model_and_by_the_comparison_group(evaluated):
    cells, scores, *_ = evaluated
    assert {"all", "model:streaming", "model:online_teaching", "comparison"} <= set(cells)
    assert cells["comparison"]["baseline"]["schools"] == 3
    assert cells["model:streaming"]["baseline"]["pupils"] == sum(
        len(scores[s]) for s in MODELS if MODELS[s] == "streaming")
    assert cells["all"]["baseline"]["schools"] == 7  # the comparison is not the programme's


@pytest.mark.integration
def test_the_gain_interval_is_cluster_robust_with_schools_as_clusters(evaluated):
    cells, scores, *_ = evaluated
    for split, schools in (("all", list(MODELS)), ("comparison", COMPARISON),
                           ("model:streaming", ["A0", "A1", "A2", "A3"])):
        mean, se, df = reference_gain(scores, schools)
        low, high = (float(v) for v in cells[split]["gain_ci"])
        assert float(cells[split]["gain"]) == pytest.approx(mean, abs=5e-4)
        assert low == pytest.approx(mean - T_TABLE.get(df, intervals.t_critical(df)) * se,
                                    abs=2e-3)
        assert high == pytest.approx(mean + intervals.t_critical(df) * se, abs=1e-3)
        assert cells[split]["matched_schools"] == len(schools)


@pytest.mark.integration
def test_difference_in_differences_subtracts_the_comparison_gain(evaluated):
    cells, scores, *_ = evaluated
    for split, schools in (("all", list(MODELS)), ("model:online_teaching", ["B0", "B1", "B2"])):
        gain, se, df = reference_gain(scores, schools)
        other, other_se, other_df = reference_gain(scores, COMPARISON)
        assert float(cells[split]["difference_in_differences"]) == pytest.approx(
            gain - other, abs=1e-3)
        half = intervals.t_critical(min(df, other_df)) * math.sqrt(se ** 2 + other_se ** 2)
        low, high = (float(v) for v in cells[split]["difference_in_differences_ci"])
        assert (low, high) == (pytest.approx(gain - other - half, abs=1e-3),
                               pytest.approx(gain - other + half, abs=1e-3))
    assert "difference_in_differences" not in cells["comparison"]
    assert "difference_in_differences" not in cells["small_class"]


@pytest.mark.integration
def test_the_effect_size_interval_follows_the_delta_method(evaluated):
    cells, scores, *_ = evaluated
    pairs = [(b, a) for s in MODELS for _, b, a in scores[s] if a is not None]
    n = len(pairs)

    def variance(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    s = math.sqrt((variance([b for b, _ in pairs]) + variance([a for _, a in pairs])) / 2)
    gain, se, df = reference_gain(scores, list(MODELS))
    d = gain / s
    half = intervals.t_critical(df) * math.sqrt((se / s) ** 2 + d * d / (2 * (n - 1)))
    low, high = (float(v) for v in cells["all"]["effect_size_d_ci"])
    assert float(cells["all"]["effect_size_d"]) == pytest.approx(d, abs=1e-3)
    assert (low, high) == (pytest.approx(d - half, abs=1e-3), pytest.approx(d + half, abs=1e-3))


@pytest.mark.integration
def test_the_mean_interval_counts_every_pupil_of_the_round(evaluated):
    cells, scores, *_ = evaluated
    rows = [(s, b) for s in COMPARISON for _, b, _ in scores[s]]
    mean = sum(v for _, v in rows) / len(rows)
    meat = sum(sum(v - mean for s, v in rows if s == school) ** 2 for school in COMPARISON)
    se = math.sqrt(3 / 2 * meat) / len(rows)
    low, high = (float(v) for v in cells["comparison"]["baseline"]["mean_ci"])
    assert (low, high) == (pytest.approx(mean - T_TABLE[2] * se, abs=2e-3),
                           pytest.approx(mean + T_TABLE[2] * se, abs=2e-3))


@pytest.mark.integration
def test_the_reconciliation_fold_agrees_on_every_new_cell(evaluated):
    _, _, found, *_ = evaluated
    assert found == []


@pytest.mark.integration
def test_the_reconciliation_catches_a_comparison_score_gone_wrong(database, evaluated):
    *_, events, schema = evaluated
    with database, database.cursor() as cur:
        cur.execute(f"UPDATE {schema}.scores SET score = score + 9 WHERE round_id = 'E'"
                    " AND school_id = 'C0'")
        found = {d["indicator"].split(":", 4)[-1] for d in
                 reconcile.differences(events, cur, [P], schema)}
        database.rollback()
    assert {"comparison:gain", "comparison:gain_ci.low", "all:difference_in_differences",
            "model:streaming:difference_in_differences_ci.high"} <= found


def test_a_bound_that_rounds_to_zero_is_never_written_minus_zero():
    from services.reporting.figures.outcomes import _ci
    assert _ci((-0.0004, 1.104)) == ["0.000", "1.104"]
