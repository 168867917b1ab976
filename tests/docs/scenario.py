"""A small programme driven through the raw RPC client so that every public contract is
published at least once, and every kind of refusal is answered at least once.

Consumers of the registry (equipment, assessment, training) follow its events, so where a
step needs them it asks for a catch-up first (`catch_up_registry`), as an integrator's
script would (docs/integrators.md, "Waiting for eventual consistency")."""

from __future__ import annotations

import uuid
from typing import Any

from tests.docs.wire import RawRpc

PROGRAMME = "docs-pilot"
SCHOOL = dict(kind="school", name_kk="№1 мектеп", name_ru="Школа №1", kato="153220100",
              school_year="2023-2024", locality="rural", small_class=True, teachers=9)
BINS = {"DOC-000": "940140000385", "DOC-001": "990140004654", "DOC-002": "010140000004"}
RULE = dict(programme_id=PROGRAMME, threshold_pupils=80, kinds=["school"],
            above=["online_robotics", "science_lab"], at_or_below=["combined"])


def registry_facts(rpc: RawRpc) -> None:
    rpc.call("registry.register_funder", funder_id="docs-funder", name_kk="Қор",
             name_ru="Фонд", organisation_type="60")
    rpc.call("registry.launch_programme", programme_id=PROGRAMME, name_kk="Пилот",
             name_ru="Пилот", regions=["15"], start="2023-01-01", end="2025-12-31",
             models=["digital_solutions"], budget_kzt=50_000_000)
    rpc.call("registry.assign_funder_role", programme_id=PROGRAMME, funder_id="docs-funder",
             role="accountable")
    rpc.call("registry.set_target", programme_id=PROGRAMME, indicator="teachers_trained",
             baseline={"year": 2023, "value": "0"},
             periods=[{"start": "2023-01-01", "end": "2025-12-31", "target": "100"}])
    rpc.call("registry.commit_funding", programme_id=PROGRAMME, funder_id="docs-funder",
             commitment_id="DOC-EQ", scope="equipment", amount_kzt=10_000_000,
             committed_on="2023-02-01")
    rpc.call("registry.record_disbursement", programme_id=PROGRAMME, commitment_id="DOC-EQ",
             reference="PO-1", amount_kzt=1_000_000, disbursed_on="2023-02-15")
    rpc.call("registry.import_kato", rows=[dict(
        row=2, te="153200000", ab="15", cd="32", ef="00", hij="000", k="2",
        name_kaz="Алға ауданы", name_rus="Алгинский район")])
    for school in ("DOC-000", "DOC-001"):
        join(rpc, school)
    development_facts(rpc)
    # An academy's platform granted the pilot, then a reader's grant made and revoked.
    rpc.call("registry.grant_access", principal="docs-academy", role="academy",
             programmes=[PROGRAMME], reason="the pilot's online academy")
    rpc.call("registry.grant_access", principal="docs-reader", role="reader", programmes=["*"])
    rpc.call("registry.revoke_access", principal="docs-reader", reason="contract ended")
    # A later school year with more pupils: the allocation rule now gives two cabinets
    # instead of the combined one (CabinetAllocationCancelled).
    rpc.call("registry.update_profile", organisation_id="DOC-000", school_year="2024-2025",
             locality="rural", small_class=False, pupils=120, teachers=12)


def join(rpc: RawRpc, school: str) -> None:
    rpc.call("registry.register_organisation", organisation_id=school, bin=BINS[school],
             pupils=45, **SCHOOL)
    rpc.call("registry.join_programme", programme_id=PROGRAMME, organisation_id=school,
             model="digital_solutions", joined_on="2023-02-01")


def development_facts(rpc: RawRpc) -> None:
    """A school's strategy, a project serving it and a partner it drew in."""
    rpc.call("registry.adopt_strategy", strategy_id="DOC-000-STR", programme_id=PROGRAMME,
             organisation_id="DOC-000", title="Даму стратегиясы 2023–2026",
             adopted_on="2023-03-01", valid_until="2026-08-31")
    rpc.call("registry.launch_project", project_id="DOC-000-P1", programme_id=PROGRAMME,
             organisation_id="DOC-000", title="STEM зертханасы", launched_on="2023-04-01",
             strategy_id="DOC-000-STR")
    rpc.call("registry.sign_partnership", partnership_id="DOC-000-M1",
             programme_id=PROGRAMME, organisation_id="DOC-000",
             partner_name="Ақтөбе өңірлік университеті", partner_kind="university",
             signed_on="2023-05-01", purpose="Педагогикалық практика",
             memorandum_ref="№ 3-М/2023")


def equipment_facts(rpc: RawRpc) -> None:
    rpc.call("equipment.catch_up_registry")
    allocated = rpc.call("equipment.list_cabinets", programme_id=PROGRAMME,
                         organisation_id="DOC-000", status="allocated")["items"]
    cabinet = allocated[0]["cabinet_id"]
    rpc.call("equipment.procure", contract_ref="C-1", supplier="TOO «Digital Mektep»",
             commitment_id="DOC-EQ", procured_on="2023-04-03",
             items=[{"cabinet_id": cabinet, "cost_kzt": 1_000_000}])
    rpc.call("equipment.deliver", cabinet_id=cabinet, delivered_on="2023-05-02",
             items=[{"item": "robotics kit", "quantity": 10}], received_by="STAFF-1")
    rpc.call("equipment.commission", cabinet_id=cabinet, accepted_on="2023-05-20",
             internet_mbps="9.9")
    rpc.call("equipment.report_fault", cabinet_id=cabinet, fault_id="F-1",
             reported_on="2023-06-01", description="A kit arrived broken.")
    rpc.call("equipment.resolve_fault", cabinet_id=cabinet, fault_id="F-1",
             resolved_on="2023-06-10", resolution="Replaced by the supplier.")
    rpc.call("equipment.record_expenditure", commitment_id="DOC-EQ", reference="INV-1",
             amount_kzt=150_000, spent_on="2023-06-12", category="seminars")
    rpc.call("equipment.get_cabinet", cabinet_id=cabinet)
    rpc.call("equipment.get_commitment", commitment_id="DOC-EQ")


def training_facts(rpc: RawRpc) -> dict[str, Any]:
    course = rpc.call("training.schedule_course", programme_id=PROGRAMME, code="DOC-ONL-01",
                      title="Цифрлық сабақ", subject="digital literacy", format="online",
                      audience="teacher", planned_hours="4", provider="Academy")
    trainer = rpc.call("training.certify_trainer", person_id="TR-1", programme_id=PROGRAMME,
                       school_id="DOC-000", subjects=["digital literacy"],
                       certified_on="2023-03-01")
    rpc.call("training.assign_trainer", course_id=course["id"], trainer_id=trainer["id"])
    completed = rpc.call("training.enrol", course_id=course["id"], participant_id="TCH-1",
                         school_id="DOC-000", role="teacher", enrolled_on="2023-03-10")
    rpc.call("training.record_attendance", enrolment_id=completed["id"], session_id="s1",
             attended_on="2023-03-11", hours="4")
    rpc.call("training.complete", enrolment_id=completed["id"], completed_on="2023-03-12")
    dropped = rpc.call("training.enrol", course_id=course["id"], participant_id="TCH-2",
                       school_id="DOC-001", role="teacher", enrolled_on="2023-03-10")
    rpc.call("training.drop", enrolment_id=dropped["id"], dropped_on="2023-03-11",
             reason="Moved to another school.")
    rpc.call("training.attest_category", teacher_id="TCH-1", category="педагог-модератор",
             attested_on="2023-05-01", school_id="DOC-000", programme_id=PROGRAMME)
    practice = rpc.call("training.publish_practice", programme_id=PROGRAMME,
                        school_id="DOC-000", code="PR-1", direction="STEM",
                        title="Робототехника үйірмесі", published_on="2023-04-01")
    rpc.call("training.adopt_practice", practice_id=practice["id"], school_id="DOC-001",
             adopted_on="2023-04-20")
    rpc.call("training.get_course", id=course["id"])
    return {"course": course, "dropped": dropped}


def assessment_facts(rpc: RawRpc) -> None:
    rpc.call("assessment.catch_up_registry")
    rpc.call("assessment.open_round", round_id="DOC-BASE", programme_id=PROGRAMME,
             school_year="2023-2024", phase="baseline", grades=[6],
             subjects={"math": {"max_score": 40, "threshold": 20}}, opened_on="2023-09-15")
    rpc.call("assessment.record_scores", round_id="DOC-BASE", school_id="DOC-000",
             scores=[{"row": 1, "pupil_id": "P-1", "grade": 6, "subject": "math",
                      "score": 25}])
    rpc.call("assessment.correct_score", round_id="DOC-BASE", school_id="DOC-000", grade=6,
             pupil_id="P-1", subject="math", score=26, reason="Mistyped in the e-journal.")
    rpc.call("assessment.close_round", round_id="DOC-BASE", closed_on="2023-10-01")
    rpc.call("assessment.get_round", round_id="DOC-BASE")


# Frames the edge refuses (shared/edge.py) and the part each is named by in the field map.
MALFORMED = [
    ("body", {"body": b"{not json"}),
    ("content_type", {"body": b"{}", "properties": {"content_type": "text/plain"}}),
    ("args", {"body": {"args": [1], "kwargs": {}}}),
    ("kwargs", {"body": {"args": []}}),
    ("kwargs", {"body": {"args": [], "kwargs": {"id": None, "self": 1}}}),
]


def malformed(rpc: RawRpc) -> list[tuple[str, dict[str, Any]]]:
    """(the part that should be named, the error) for each malformed frame."""
    return [(part, rpc.error_of("training.get_course", **frame)) for part, frame in MALFORMED]


def refusals(rpc: RawRpc, made: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One call answered with each error a caller can provoke; {exc_type: error}."""
    errors = [
        rpc.error_of("training.enrol", course_id="not-a-uuid", participant_id="TCH-3"),
        rpc.error_of("training.get_course", id=str(uuid.uuid4())),
        rpc.error_of("training.complete", enrolment_id=made["dropped"]["id"],
                     completed_on="2023-03-20"),
        rpc.error_of("registry.register_funder", funder_id="docs-funder", name_kk="Басқа",
                     name_ru="Другой", organisation_type="21"),
        rpc.error_of("training.no_such_command"),
        # No user_id: no principal, so no command runs (docs/commands.json, transport.access).
        rpc.error_of("training.get_course", properties={"user_id": None},
                     id=made["dropped"]["id"]),
    ]
    return {error["exc_type"]: error for error in errors}
