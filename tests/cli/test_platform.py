"""The command line against the five real services (`nameko run` processes on throwaway
databases and a throwaway vhost): each template filled in and imported, its effect read back
over RPC or HTTP; tokens; the read model's maintenance; status, and what it says when a
service goes away."""

from __future__ import annotations

import csv
import time

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from openpyxl import load_workbook

from scripts.seed_registry import generate as registry_seed
from tests.cli.run import baqylau, one_line_error
from tests.conftest import RABBIT_API_URI, throwaway_databases, throwaway_vhost
from tests.faults.platform import SERVICES, Platform
from tests.training.test_service import COURSE

pytestmark = pytest.mark.integration
PROGRAMME, FUNDER, COMMITMENT, YEAR = "baquatty-audan", "amanat", "BA-AMANAT-2024", "2024-2025"
SCHOOLS = ["AKM-TSL-001", "AKM-TSL-002"]
ROUND = dict(round_id="BA-BASELINE", programme_id=PROGRAMME, school_year=YEAR,
             phase="baseline", grades=[6], subjects={"math": {"max_score": 40,
                                                              "threshold": 20}},
             opened_on="2024-09-10")


@pytest.fixture(scope="module")
def platform(rabbit_manager, tmp_path_factory):
    with throwaway_vhost(rabbit_manager, "baqylau_cli") as vhost, \
            throwaway_databases() as databases:
        running = Platform(tmp_path_factory.mktemp("cli"), vhost, databases)
        try:
            running.start_all()
            yield running
        finally:
            running.stop_all()


@pytest.fixture(scope="module")
def env(platform):
    return {"AMQP_URI": platform.amqp_uri, "BAQYLAU_RPC_TIMEOUT": "20",
            "RABBITMQ_MANAGEMENT_URL": RABBIT_API_URI,
            **{f"BAQYLAU_{name.upper()}_URL": platform.web(name) for name in SERVICES}}


@pytest.fixture(scope="module")
def rpc(platform):
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=30) as proxy:
        yield proxy


def until(check, what: str, seconds: float = 30):
    """Wait for an eventually consistent fold, with a deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} not seen within {seconds} s"
        time.sleep(0.3)


def filled(tmp_path, env, kind, rows, fmt="csv", *options):
    """`baqylau template KIND`, its example row replaced by `rows`, imported."""
    path = tmp_path / f"{kind}.{fmt}"
    assert baqylau("template", kind, "-o", path, env=env).returncode == 0
    if fmt == "xlsx":
        book = load_workbook(path)
        sheet = book.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        sheet.delete_rows(2)  # the example; then typed in from row 2, as a person would
        for number, row in enumerate(rows, start=2):  # (append would go below the
            for column, name in enumerate(header, start=1):  # template's formatted rows)
                sheet.cell(row=number, column=column, value=row.get(name, ""))
        book.save(path)
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle))
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows({name: row.get(name, "") for name in header} for row in rows)
    return baqylau("import", kind, path, *options, env=env)


def test_organisations_from_a_filled_template_are_registered_and_read_back(tmp_path, env,
                                                                            rpc):
    seed = registry_seed()
    rows = [row for row in seed.rows[YEAR] if row["organisation_id"] in SCHOOLS]
    result = filled(tmp_path, env, "organisations", rows, "csv", "--school-year", YEAR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 registered" in result.stdout
    again = filled(tmp_path, env, "organisations", rows, "csv", "--school-year", YEAR)
    assert "2 unchanged" in again.stdout
    assert rpc.registry.get_organisation(organisation_id=SCHOOLS[0])["bin"] == rows[0]["bin"]
    # The programme they take part in, its funder and commitment, for the imports below.
    rpc.registry.register_funder(**seed.funders[0])
    rpc.registry.launch_programme(**seed.programmes[0])
    rpc.registry.commit_funding(**seed.commitments[0])
    for join in seed.joins[:2]:
        rpc.registry.join_programme(**join)


def test_expenditures_from_a_filled_workbook_are_charged_once(tmp_path, env, rpc):
    rpc.equipment.catch_up_registry()
    spent = [{"commitment_id": COMMITMENT, "reference": "BA-PO-T1", "amount_kzt": "1 000 000",
              "spent_on": "2024-10-15", "category": "seminars"},
             {"commitment_id": COMMITMENT, "reference": "BA-PO-T2", "amount_kzt": "-5",
              "spent_on": "2024-10-16", "category": "seminars"}]
    report = tmp_path / "rejected.csv"
    result = filled(tmp_path, env, "expenditures", spent, "xlsx", "--report", report)
    assert result.returncode == 1, result.stderr
    assert "1 recorded, 1 rejected" in result.stdout
    assert "row 3: amount_kzt" in result.stdout and "row,field,reason" in report.read_text()
    again = filled(tmp_path, env, "expenditures", spent[:1], "xlsx")
    assert again.returncode == 0 and "1 unchanged" in again.stdout
    ledger = rpc.equipment.get_commitment(commitment_id=COMMITMENT)
    assert ledger["charges"] == {"BA-PO-T1": 1_000_000}


def test_disbursements_from_a_filled_template_are_paid_once_and_never_past_the_commitment(
        tmp_path, env, rpc):
    paid = [{"programme_id": PROGRAMME, "commitment_id": COMMITMENT, "reference": "BA-T1",
             "amount_kzt": "90 000 000", "disbursed_on": "2024-06-24"},
            {"programme_id": PROGRAMME, "commitment_id": COMMITMENT, "reference": "BA-T2",
             "amount_kzt": "60000001", "disbursed_on": "2024-10-08"}]
    result = filled(tmp_path, env, "disbursements", paid, "csv")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 recorded, 1 rejected" in result.stdout
    assert "row 3: amount_kzt" in result.stdout and "by 1 KZT" in result.stdout
    again = filled(tmp_path, env, "disbursements", paid[:1], "csv")
    assert again.returncode == 0 and "1 unchanged" in again.stdout
    [line] = rpc.registry.get_programme(programme_id=PROGRAMME)["commitments"]
    assert line["disbursed_kzt"] == 90_000_000


def test_training_from_a_filled_template_counts_the_teachers_trained(tmp_path, env, rpc):
    rpc.training.schedule_course(**COURSE)
    rows = [{"participant_id": "T-1", "organisation_id": SCHOOLS[0], "course_code": "ONL-01",
             "enrolled_on": "2024-09-02", "hours": "22", "completed_on": "2024-10-10"}]
    result = filled(tmp_path, env, "training", rows, "csv", "--programme", PROGRAMME)
    assert result.returncode == 0, result.stdout + result.stderr
    until(lambda: rpc.training.summary(programme_id=PROGRAMME)["teachers_trained"] == 1,
          "the teacher trained")


def test_an_import_rejects_rows_of_unknown_or_foreign_schools_and_too_few_hours(tmp_path,
                                                                                env, rpc):
    seed = registry_seed()
    uralsk, aktobe = "uralsk-accelerator", "aktobe-small-schools"
    schools = ["URL-SCH-01", "URL-SCH-02", "AKT-001"]
    rows = [row for row in seed.rows[YEAR] if row["organisation_id"] in schools]
    assert filled(tmp_path, env, "organisations", rows, "csv", "--school-year",
                  YEAR).returncode == 0
    for programme in seed.programmes:
        if programme["programme_id"] in (uralsk, aktobe):
            rpc.registry.launch_programme(**programme)
    for join in seed.joins:
        if join["organisation_id"] in schools:
            rpc.registry.join_programme(**join)
    rpc.training.schedule_course(**{**COURSE, "programme_id": uralsk, "code": "URL-UU"})
    teacher = {"course_code": "URL-UU", "enrolled_on": "2024-09-02", "hours": "76",
               "completed_on": "2024-11-20"}
    result = filled(tmp_path, env, "training", [
        {**teacher, "participant_id": "URL-T-1", "organisation_id": "URL-SCH-01"},
        {**teacher, "participant_id": "URL-T-2", "organisation_id": "NO-SUCH-SCHOOL"},
        {**teacher, "participant_id": "URL-T-3", "organisation_id": "AKT-001"},
        {**teacher, "participant_id": "URL-T-4", "organisation_id": "URL-SCH-02", "hours": "0"},
        {**teacher, "participant_id": "URL-T-5", "organisation_id": "URL-SCH-02"}],
        "csv", "--programme", uralsk)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 recorded, 3 rejected" in result.stdout
    assert f"row 3: organisation_id: Not a school of programme {uralsk}" in result.stdout
    assert f"row 4: organisation_id: Not a school of programme {uralsk}" in result.stdout
    assert "row 5: hours: Must be greater than or equal to 0.5" in result.stdout
    until(lambda: rpc.training.summary(programme_id=uralsk)["teachers_trained"] == 2,
          "the two teachers of Uralsk schools trained")


def test_practices_from_a_filled_template_count_their_adoptions(tmp_path, env, rpc):
    rows = [{"practice_code": "ECO", "direction": "Экология", "title": "Жылыжай",
             "publishing_school": SCHOOLS[0], "published_on": "2024-10-01",
             "adopting_school": SCHOOLS[1], "adopted_on": "2024-11-01"}]
    result = filled(tmp_path, env, "practices", rows, "xlsx", "--programme", PROGRAMME)
    assert result.returncode == 0, result.stdout + result.stderr
    until(lambda: rpc.training.summary(programme_id=PROGRAMME)["practice_adoptions"] == 1,
          "the adoption")


def test_scores_from_a_filled_template_are_in_the_rounds_summary(tmp_path, env, rpc):
    rpc.assessment.catch_up_registry()
    rpc.assessment.open_round(**ROUND)
    rows = [{"school_id": SCHOOLS[0], "pupil_id": f"P-{n}", "grade": "6", "subject": "math",
             "score": str(20 + n)} for n in range(3)]
    result = filled(tmp_path, env, "scores", rows, "csv", "--round", "BA-BASELINE")
    assert result.returncode == 0, result.stdout + result.stderr
    until(lambda: rpc.assessment.round_summary(round_id="BA-BASELINE")["scores"] == 3,
          "the scores")


def test_a_token_is_issued_listed_with_its_last_use_and_revoked(env, platform):
    assert baqylau("catch-up", env=env).returncode == 0
    issued = baqylau("token", "issue", FUNDER, env=env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    listed = baqylau("token", "list", env=env)
    assert FUNDER in listed.stdout and "never" in listed.stdout and token not in listed.stdout
    token_id = listed.stdout.splitlines()[2].split()[0]
    answer = requests.get(f"{platform.web('reporting')}/v1/programmes", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and PROGRAMME in answer.text
    assert "never" not in baqylau("token", "list", env=env).stdout
    assert baqylau("token", "revoke", token_id, env=env).returncode == 0
    assert baqylau("token", "list", env=env).stdout.strip() == "no tokens"
    again = baqylau("token", "revoke", token_id, env=env)
    assert again.returncode == 1 and "not found or already revoked" in one_line_error(again)


def test_an_unknown_funder_gets_no_token_and_is_told_what_to_do(env):
    result = baqylau("token", "issue", "no-such-funder", env=env)
    assert result.returncode == 1 and "baqylau catch-up" in one_line_error(result)


def test_the_read_model_reconciles_with_the_logs_and_no_dead_letters_wait(env):
    reconciled = baqylau("reconcile", env=env)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "0 differences" in reconciled.stdout
    letters = baqylau("dead-letters", "list", env=env)
    assert letters.returncode == 0 and "0 dead letters waiting" in letters.stdout
    assert "replayed 0" in baqylau("dead-letters", "replay", env=env).stdout


def test_status_is_all_well_when_every_service_is_ready(env):
    result = baqylau("status", env=env)
    assert result.returncode == 0, result.stdout
    assert "all well" in result.stdout and "reporting feed:" in result.stdout


def test_status_exits_nonzero_when_training_is_down(env, platform, tmp_path):
    platform.kill("training")
    result = baqylau("status", env=env)
    assert result.returncode == 1
    assert "training is not answering" in result.stdout and "make services" in result.stdout
    # A call to it waits no longer than its deadline, then says who did not answer.
    path = tmp_path / "training.csv"
    assert baqylau("template", "training", "-o", path, env=env).returncode == 0
    header, example = path.read_text().splitlines()[:2]
    path.write_text(f"{header}\n{example.removeprefix('EXAMPLE-')}\n")  # a row to send
    started = time.monotonic()
    silent = baqylau("import", "training", path, "--programme", PROGRAMME,
                     env={**env, "BAQYLAU_RPC_TIMEOUT": "3"})
    assert silent.returncode == 2 and time.monotonic() - started < 30
    assert "training is not answering (no reply within 3 s)" in one_line_error(silent)


def test_a_service_nobody_started_is_named_as_not_running(rabbit_manager):
    with throwaway_vhost(rabbit_manager, "baqylau_cli_empty") as empty:
        result = baqylau("token", "list", env={"AMQP_URI": empty})
    assert result.returncode == 2
    assert "reporting is not running" in one_line_error(result)
