"""The registry Application on SQLite and on PostgreSQL: the rules, same on both backends."""

from datetime import date

import eventlet
import pytest

from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS
from services.registry.directory import Directory
from services.registry.domain import Organisation
from shared.config import event_store_env
from shared.errors import Conflict, DomainRuleViolated, NotFound

PROFILE = dict(locality="rural", small_class=True, pupils=60, teachers=11, network_role=None)
OTHER_BIN = "010140000004"
IDENTITY = dict(organisation_id="AKT-001", bin="940140000385", kind="school",
                name_kk="№1 мектеп", name_ru="Школа №1", name_en=None, kato="153220100")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = RegistryApplication(env=event_store_env({"EVENT_STORE": store}))
    yield application
    application.close()


def register(app, school_year="2023-2024", **changes):
    profile = {**PROFILE, **{k: v for k, v in changes.items() if k in PROFILE}}
    identity = {**IDENTITY, **{k: v for k, v in changes.items() if k in IDENTITY}}
    return app.register_organisation(school_year=school_year, profile=profile, **identity)


def launch(app, budget_kzt=4_063_255_771):
    app.register_funder(funder_id="qh", name_kk="«Қазақстан халқына»", name_ru="Фонд",
                        name_en=None, organisation_type="60", iati_ref=None)
    return app.launch_programme(programme_id="aktobe", name_kk="Пилот", name_ru="Пилот",
                                name_en=None, regions=["15"], start=date(2023, 1, 1),
                                end=date(2024, 12, 31), models=["digital_solutions"],
                                budget_kzt=budget_kzt)


def commit(app, commitment_id="QH-EQ", amount_kzt=2_064_199_025, **changes):
    return app.commit_funding(programme_id="aktobe", funder_id="qh", **{
        "commitment_id": commitment_id, "scope": "equipment", "amount_kzt": amount_kzt,
        "committed_on": date(2023, 2, 1), **changes})


def test_keeps_the_profile_of_every_school_year(app):
    assert register(app)[1] == "registered"
    assert register(app, school_year="2024-2025", pupils=83)[1] == "updated"
    organisation, outcome = register(app, school_year="2023-2024")
    assert outcome == "unchanged"
    assert organisation.profiles["2023-2024"]["pupils"] == 60
    assert organisation.profile == {**PROFILE, "pupils": 83}
    assert app.last_notification_id() == 3  # registered + BIN claim, then one update


def test_a_corrected_profile_for_a_past_year_is_recorded_without_changing_the_current(app):
    register(app, school_year="2024-2025", pupils=70)
    organisation, outcome = register(app, school_year="2023-2024", pupils=64)
    assert outcome == "updated"
    assert organisation.current_year == "2024-2025" and organisation.profile["pupils"] == 70


def test_refuses_other_details_under_the_same_organisation_id(app):
    register(app)
    with pytest.raises(Conflict) as caught:
        register(app, kato="153630100", name_ru="Другая школа")
    assert set(caught.value.errors) == {"kato", "name_ru"}


def test_one_bin_belongs_to_one_organisation(app):
    register(app)
    with pytest.raises(Conflict) as caught:
        app.register_organisation(school_year="2023-2024", profile=PROFILE,
                                  **{**IDENTITY, "organisation_id": "AKT-999"})
    assert caught.value.errors == {"bin": ["Already registered to AKT-001."]}
    assert app.find(app.organisation("AKT-001").id, object) is not None
    with pytest.raises(NotFound):
        app.organisation("AKT-999")


def test_a_registration_committed_between_its_own_two_reads_is_read_again_not_refused(
        app, monkeypatch):
    """A resend running beside its first attempt (another replica) finds no organisation,
    then the BIN already claimed by that same organisation: it is the same registration."""
    register(app)
    real_find = app.find
    missed = []

    def find_before_the_first_attempt_committed(aggregate_id, kind):
        if kind is Organisation and not missed:
            missed.append(aggregate_id)
            return None
        return real_find(aggregate_id, kind)

    monkeypatch.setattr(app, "find", find_before_the_first_attempt_committed)
    organisation, outcome = register(app)
    assert (organisation.organisation_id, outcome, len(missed)) == ("AKT-001", "unchanged", 1)


def test_commitments_are_exact_and_never_exceed_the_budget(app):
    launch(app)
    commit(app)
    commit(app)  # re-sent: nothing new
    programme = commit(app, "AKIMAT", 1_999_056_746, scope="programme")
    assert programme.committed_kzt == programme.budget_kzt == 4_063_255_771
    with pytest.raises(DomainRuleViolated, match="by 1 KZT"):
        commit(app, "ONE-MORE", 1)
    assert programme.roles == {"qh": ["funding"]}


def test_refuses_a_commitment_id_reused_with_another_amount(app):
    launch(app)
    commit(app)
    with pytest.raises(Conflict) as caught:
        commit(app, amount_kzt=2_064_199_026)
    assert set(caught.value.errors) == {"amount_kzt"}


def test_only_organisations_of_the_programmes_regions_join_it(app):
    launch(app)
    register(app)
    app.register_organisation(school_year="2023-2024", profile=PROFILE, **{
        **IDENTITY, "organisation_id": "AKM-001", "bin": "990140004654", "kato": "116651200"})
    joined = app.join_programme("aktobe", "AKT-001", "digital_solutions", date(2023, 2, 1))
    assert joined == app.join_programme("aktobe", "AKT-001", "digital_solutions",
                                        date(2023, 2, 1))
    with pytest.raises(DomainRuleViolated, match="outside"):
        app.join_programme("aktobe", "AKM-001", "digital_solutions", date(2023, 2, 1))
    register(app, organisation_id="AKT-002", bin=OTHER_BIN)
    with pytest.raises(DomainRuleViolated, match="model"):
        app.join_programme("aktobe", "AKT-002", "streaming", date(2023, 2, 1))


def test_every_stored_event_maps_to_a_valid_public_contract(app):
    launch(app)
    register(app)
    register(app, school_year="2024-2025", pupils=81)
    commit(app)
    app.assign_funder_role("aktobe", "qh", "accountable")
    app.set_target("aktobe", "cabinets_commissioned", measure="unit", ascending=True,
                   baseline={"year": 2023, "value": 0},
                   periods=[{"start": date(2023, 1, 1), "end": date(2024, 12, 31),
                             "target": 155}])
    app.join_programme("aktobe", "AKT-001", "digital_solutions", date(2023, 2, 1))
    public = [e for n in app.select_after(0, 100) if (e := CONTRACTS.envelope(app, n))]
    assert [e.type for e in public] == [
        "FunderRegistered", "ProgrammeLaunched", "OrganisationRegistered",
        "OrganisationProfileUpdated", "FundingCommitted", "FunderRoleAssigned",
        "FunderRoleAssigned", "TargetSet", "OrganisationJoinedProgramme"]
    assert public[4].data["amount_kzt"] == 2_064_199_025
    assert public[7].data["periods"] == [
        {"start": "2023-01-01", "end": "2024-12-31", "target": "155"}]


def test_the_summary_counts_size_classes_contingent_and_money(app):
    launch(app)
    for n, (pupils, number) in enumerate([(60, "940140000385"), (90, "990140004654")]):
        register(app, organisation_id=f"AKT-{n}", bin=number, pupils=pupils)
        app.join_programme("aktobe", f"AKT-{n}", "digital_solutions", date(2023, 2, 1))
    commit(app)
    summary = Directory(app).programme_summary("aktobe", "2023-2024")
    assert summary["schools_by_size"] == {"80_or_fewer_pupils": 1, "over_80_pupils": 1}
    assert (summary["pupils"], summary["committed_kzt"]) == (150, 2_064_199_025)
    assert summary["uncommitted_kzt"] == 4_063_255_771 - 2_064_199_025
    assert Directory(app).programme_summary("aktobe", "2030-2031")[
        "without_profile_for_year"] == 2


def test_refuses_a_commitment_id_another_programme_already_uses(app):
    launch(app)
    commit(app)
    app.launch_programme(programme_id="baquatty", name_kk="Бақуатты", name_ru="Бакуатты",
                         name_en=None, regions=["11"], start=date(2024, 1, 1),
                         end=date(2025, 12, 31), models=["online_teaching"], budget_kzt=None)
    with pytest.raises(Conflict) as refused:
        app.commit_funding(programme_id="baquatty", funder_id="qh", commitment_id="QH-EQ",
                           scope="training", amount_kzt=1_000_000,
                           committed_on=date(2024, 2, 1))
    assert "aktobe" in refused.value.errors["commitment_id"][0]
    assert app.programme("baquatty").commitments == {}
    # The same commitment re-sent to its own programme still stores nothing twice.
    before = app.last_notification_id()
    commit(app)
    assert app.last_notification_id() == before


def disburse(app, reference, amount_kzt, disbursed_on=date(2023, 3, 1), commitment="QH-EQ"):
    return app.record_disbursement(programme_id="aktobe", commitment_id=commitment,
                                   reference=reference, amount_kzt=amount_kzt,
                                   disbursed_on=disbursed_on)


def test_disbursements_never_exceed_their_commitment_and_a_payment_resent_stores_nothing(app):
    launch(app)
    commit(app)
    disburse(app, "PO-1", 2_000_000_000)
    disburse(app, "PO-1", 2_000_000_000)  # re-sent: nothing new
    with pytest.raises(DomainRuleViolated, match="by 1 KZT") as caught:
        disburse(app, "PO-2", 64_199_026)
    assert caught.value.errors == {"amount_kzt": ["Exceeds what is left to disburse by 1 KZT."]}
    programme = disburse(app, "PO-2", 64_199_025)
    assert programme.commitments["QH-EQ"]["disbursements"] == {
        "PO-1": {"amount_kzt": 2_000_000_000, "disbursed_on": date(2023, 3, 1)},
        "PO-2": {"amount_kzt": 64_199_025, "disbursed_on": date(2023, 3, 1)}}
    with pytest.raises(Conflict) as conflict:
        disburse(app, "PO-1", 1_999_999_999)
    assert set(conflict.value.errors) == {"amount_kzt"}
    public = [e for n in app.select_after(0, 100) if (e := CONTRACTS.envelope(app, n))]
    assert [(e.data["reference"], e.data["amount_kzt"], e.data["funder_id"]) for e in public
            if e.type == "FundsDisbursed"] == [("PO-1", 2_000_000_000, "qh"),
                                               ("PO-2", 64_199_025, "qh")]


def test_refuses_a_disbursement_before_its_commitment_or_under_no_commitment(app):
    launch(app)
    commit(app)
    with pytest.raises(DomainRuleViolated) as early:
        disburse(app, "PO-1", 1, disbursed_on=date(2023, 1, 31))
    assert early.value.errors == {"disbursed_on": ["Must be within 2023-02-01 .. 2024-12-31."]}
    with pytest.raises(DomainRuleViolated) as unknown:
        disburse(app, "PO-1", 1, commitment="NO-SUCH")
    assert set(unknown.value.errors) == {"commitment_id"}
    assert app.programme("aktobe").commitments["QH-EQ"]["disbursements"] == {}


@pytest.mark.integration
def test_two_disbursements_at_once_from_two_replicas_never_exceed_the_commitment(pg_database):
    replicas = [RegistryApplication(env=event_store_env({"EVENT_STORE": pg_database}))
                for _ in range(2)]
    try:
        launch(replicas[0])
        for n in range(5):  # each round, two payments of which only one fits
            commit(replicas[0], f"C{n}", 1_000_000)
            racing = [eventlet.spawn(_outcome, replica, f"C{n}", f"PO-{n}-{k}")
                      for k, replica in enumerate(replicas)]
            assert sorted(r.wait() for r in racing) == ["ok", "refused"]
            paid = replicas[1].programme("aktobe").commitments[f"C{n}"]["disbursements"]
            assert sum(d["amount_kzt"] for d in paid.values()) == 600_000
    finally:
        for replica in replicas:
            replica.close()


def _outcome(app, commitment, reference):
    try:
        disburse(app, reference, 600_000, commitment=commitment)
        return "ok"
    except DomainRuleViolated as refused:
        assert refused.errors == {"amount_kzt": [
            "Exceeds what is left to disburse by 200000 KZT."]}
        return "refused"
