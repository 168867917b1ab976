"""A small but complete event stream from all four services, made by their real
Applications on SQLite and mapped to the public envelopes they would publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.assessment.app import AssessmentApplication
from services.assessment.contracts import CONTRACTS as ASSESSMENT
from services.assessment.pseudonyms import Pseudonymiser
from services.equipment.app import EquipmentApplication
from services.equipment.contracts import CONTRACTS as EQUIPMENT
from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS as REGISTRY
from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS as TRAINING
from shared.contracts.envelope import Envelope

P = "aktobe"
# Two schools outside the programme assessed in its rounds: its comparison group.
COMPARISON = ["C0", "C1"]
COMPARISON_BASELINE = {"C0": [14, 18, 22], "C1": [9, 12]}
COMPARISON_ENDLINE = {"C0": [15, 18, 24], "C1": [10, 12]}
PROFILE = dict(locality="rural", small_class=True, teachers=9, network_role=None)


def envelopes_of(app, contracts) -> list[Envelope]:
    return [e for n in app.select_after(0, 10_000) if (e := contracts.envelope(app, n))]


def sqlite(app_class, tmp_path, name):
    return app_class(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                          "SQLITE_DBNAME": str(tmp_path / f"{name}.db")})


def registry_events(app: RegistryApplication) -> None:
    app.register_funder(funder_id="qh", name_kk="Қор", name_ru="Фонд", name_en="Fund",
                        organisation_type="60", iati_ref=None)
    app.register_funder(funder_id="akimat", name_kk="Әкімдік", name_ru="Акимат", name_en=None,
                        organisation_type="11", iati_ref=None)
    app.launch_programme(programme_id=P, name_kk="Пилот", name_ru="Пилот", name_en="Pilot",
                         regions=["15"], start=date(2023, 1, 1), end=date(2024, 12, 31),
                         models=["digital_solutions"], budget_kzt=5_000_000)
    app.commit_funding(programme_id=P, funder_id="qh", commitment_id="QH", scope="equipment",
                       amount_kzt=3_000_000, committed_on=date(2023, 2, 1))
    app.assign_funder_role(P, "akimat", "accountable")
    for reference, amount in (("PO-1", 2_000_000), ("PO-2", 500_000)):
        app.record_disbursement(P, "QH", reference, amount, date(2023, 3, 1))
    for indicator, value in (("cabinets_commissioned", 3), ("teachers_trained", 2)):
        app.set_target(P, indicator, measure="unit", ascending=True,
                       baseline={"year": 2023, "value": Decimal(0)},
                       periods=[{"start": date(2023, 1, 1), "end": date(2024, 12, 31),
                                 "target": Decimal(value + 1)}])
        app.set_target(P, indicator, measure="unit", ascending=True,  # revised: newer wins
                       baseline={"year": 2023, "value": Decimal(0)},
                       periods=[{"start": date(2023, 1, 1), "end": date(2024, 12, 31),
                                 "target": Decimal(value)}])
    app.set_target(P, "teachers_with_category_share", measure="percentage", ascending=True,
                   baseline={"year": 2023, "value": Decimal(25)},
                   periods=[{"start": date(2023, 1, 1), "end": date(2024, 12, 31),
                             "target": Decimal(80)}])
    # The classifier names the region and the schools' district (renamed once: the newer
    # edition's names win in any arrival order).
    app.name_place("150000000", "region", "Ақтөбе облысы", "Актюбинская область",
                   "Aktobe Region")
    app.name_place("153200000", "district", "Алға ауданы", "Алгинский р-н", None)
    app.name_place("153200000", "district", "Алға ауданы", "Алгинский район", "Alga district")
    for n, (bin_, pupils) in enumerate((("940140000385", 95), ("990140004654", 50))):
        app.register_organisation(school_year="2023-2024", profile={**PROFILE, "pupils": pupils},
                                  organisation_id=f"S{n}", bin=bin_, kind="school",
                                  name_kk="Мектеп", name_ru=f"Школа {n}", name_en=None,
                                  kato="153220100")
        app.join_programme(P, f"S{n}", "digital_solutions", date(2023, 2, 1))
    app.register_organisation(school_year="2024-2025", profile={**PROFILE, "pupils": 52},
                              organisation_id="S1", bin="990140004654", kind="school",
                              name_kk="Мектеп", name_ru="Школа 1", name_en=None,
                              kato="153220100")
    # An academy's platform granted the programme, and a reader's grant made and revoked.
    app.grant_access("stream-academy", "academy", [P], granted_by="operators")
    app.grant_access("stream-reader", "reader", ["*"], granted_by="operators")
    app.revoke_access("stream-reader", revoked_by="operators", reason="contract ended")


def training_events(app: TrainingApplication) -> None:
    # What training learns from the registry's events first: it refuses facts naming others.
    app.record_programme_launched(P)
    for school in ("S0", "S1"):
        app.record_school_joined(P, school)
    course = app.schedule_course(programme_id=P, code="C1", title="Digital lessons",
                                 subject="digital", format="online", audience="teacher",
                                 planned_hours=Decimal(10), completion_hours=Decimal(10),
                                 provider="ESEN")
    for n, outcome in enumerate(("complete", "complete", "drop")):
        enrolment = app.enrol(course.id, f"T{n}", "S0", "teacher", None, date(2023, 9, 1))
        app.record_attendance(enrolment.id, "w1", date(2023, 9, 8), Decimal(10))
        if outcome == "complete":
            app.complete(enrolment.id, date(2023, 9, 20))
        else:
            app.drop(enrolment.id, date(2023, 9, 20), "moved away")
    app.certify_trainer(person_id="T0", programme_id=P, school_id="S0", subjects=["digital"],
                        certified_on=date(2023, 10, 1))
    for month, category in ((11, "педагог-модератор"), (12, "педагог-эксперт")):
        app.attest_category("T0", category, date(2023, month, 1), "S0", P)
    app.attest_category("T9", "педагог", date(2023, 12, 1), "S0", P)  # in no course
    practice = app.publish_practice(programme_id=P, school_id="S0", code="ECO",
                                    direction="Экология", title="Мектеп жылыжайы",
                                    published_on=date(2023, 10, 2))
    app.adopt_practice(practice.id, "S1", date(2024, 2, 14))


def equipment_events(app: EquipmentApplication, registry: list[Envelope]) -> None:
    app.set_allocation_rule(P, threshold_pupils=80, above=["online_robotics", "science_lab"],
                            at_or_below=["combined"], kinds=["school"])
    for envelope in registry:
        app.apply_registry_fact(envelope.type, envelope.data)
    # S0 (95 pupils) gets two cabinets; then its contingent drops: one combined instead.
    app.apply_registry_fact("OrganisationProfileUpdated", {
        "organisation_id": "S0", "kind": "school", "district_code": "1532",
        "school_year": "2024-2025", "pupils": 70, "small_class": True})
    cabinets = [c for c in _cabinets(app) if c.status == "allocated"]
    app.procure("K1", "Supplier", "QH", date(2023, 4, 1),
                [{"cabinet_id": c.id, "cost_kzt": 1_000_000} for c in cabinets])
    app.record_expenditure("QH", "PO-7", 400_000, date(2023, 5, 2), "seminars")
    for c in cabinets:
        app.deliver(c.id, date(2023, 6, 1), [{"item": "laptop", "quantity": 10}], "ST-1")
        app.commission(c.id, date(2023, 6, 9), Decimal("7.5"))


def _cabinets(app: EquipmentApplication):
    from services.equipment.domain import Cabinet
    for organisation_id in ("S0", "S1"):
        for kind in ("online_robotics", "science_lab", "combined"):
            cabinet = app.find(Cabinet.create_id(P, organisation_id, kind), Cabinet)
            if cabinet is not None:
                yield cabinet


def assessment_events(app: AssessmentApplication) -> None:
    pseudonyms = Pseudonymiser("a-test-key-of-enough-length")
    app.record_school_joined(P, "S0")
    app.open_round("BASE", programme_id=P, school_year="2023-2024", phase="baseline",
                   grades=[6], subjects={"math": {"max_score": 40, "threshold": 20}},
                   opened_on=date(2023, 9, 15), baseline_round_id=None,
                   comparison_school_ids=COMPARISON)
    for school, base in COMPARISON_BASELINE.items():  # outside the programme, assessed too
        app.record_scores("BASE", school, [
            {"row": n, "pupil_ref": pseudonyms.reference(f"{school}-{n}"), "grade": 6,
             "subject": "math", "score": score} for n, score in enumerate(base)])
    app.record_scores("BASE", "S0", [
        {"row": n, "pupil_ref": pseudonyms.reference(f"EJ-{n}"), "grade": 6,
         "subject": "math", "score": 10 + n} for n in range(4)])
    app.correct_score("BASE", "S0", 6, pseudonyms.reference("EJ-0"), "math", 25, "re-marked")
    app.close_round("BASE", date(2023, 10, 1))
    app.open_round("END", programme_id=P, school_year="2023-2024", phase="endline",
                   grades=[6], subjects={"math": {"max_score": 40, "threshold": 20}},
                   opened_on=date(2024, 5, 6), baseline_round_id="BASE",
                   comparison_school_ids=COMPARISON)
    for school, end in COMPARISON_ENDLINE.items():
        app.record_scores("END", school, [
            {"row": n, "pupil_ref": pseudonyms.reference(f"{school}-{n}"), "grade": 6,
             "subject": "math", "score": score} for n, score in enumerate(end)])
    app.record_scores("END", "S0", [  # EJ-3 left; EJ-9 arrived: three pupils are matched
        {"row": n, "pupil_ref": pseudonyms.reference(f"EJ-{n}"), "grade": 6,
         "subject": "math", "score": score} for n, score in ((0, 27), (1, 16), (2, 21), (9, 30))])


def stream(tmp_path) -> list[Envelope]:
    registry = sqlite(RegistryApplication, tmp_path, "registry")
    registry_events(registry)
    out = envelopes_of(registry, REGISTRY)
    training = sqlite(TrainingApplication, tmp_path, "training")
    training_events(training)
    equipment = sqlite(EquipmentApplication, tmp_path, "equipment")
    equipment_events(equipment, out)
    assessment = sqlite(AssessmentApplication, tmp_path, "assessment")
    assessment_events(assessment)
    for app, contracts in ((training, TRAINING), (equipment, EQUIPMENT),
                           (assessment, ASSESSMENT)):
        out += envelopes_of(app, contracts)
    for app in (registry, training, equipment, assessment):
        app.close()
    return out
