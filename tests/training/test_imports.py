"""An academy's completion export and a league's practices, imported into the real training
service (RabbitMQ, PostgreSQL) as a programme officer would: bad rows reported with field and
reason, good rows stored, the same file twice stores nothing, an unusable file refused."""

import csv

import pytest
from openpyxl import Workbook

from cli.importers import practices as import_practices
from cli.importers import training as import_training
from cli.importers.runner import UnusableFile, read_table
from tests.training.registry import launch
from tests.training.test_service import COURSE, stored_count

pytestmark = pytest.mark.integration

HEADER = ["participant_id", "full_name", "organisation_id", "course_code", "enrolled_on",
          "hours", "completed_on", "dropped_on", "drop_reason"]


def write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def academy_export(tmp_path):
    return write(tmp_path / "academy.csv", HEADER, [
        ["T-001", "Асан Үсенов", "S-01", "ONL-01", "2024-09-02", "22", "2024-10-10", "", ""],
        ["T-002", "Айгүл Н.", "S-01", "ONL-01", "2024-09-02", "6", "", "2024-09-20", "moved"],
        ["T-003", "Б. Б.", "S-02", "ONL-01", "2024-09-02", "8", "2024-10-10", "", ""],
        ["T-004", "В. В.", "S-02", "ONL-01", "2024-09-02", "22", "2024-08-01", "", ""],
        ["T-005", "Г. Г.", "S 03", "ONL-01", "2024-09-02", "22", "2024-10-10", "", ""],
        ["T-006", "Д. Д.", "S-03", "NO-SUCH", "2024-09-02", "22", "2024-10-10", "", ""]])


def test_an_academy_export_is_imported_row_by_row_and_again_stores_nothing(training,
                                                                          tmp_path):
    training.schedule_course(**COURSE)
    cells, ignored = read_table(academy_export(tmp_path), import_training.COLUMNS,
                                import_training.OPTIONAL)
    assert ignored == ["full_name"]  # people's names are never sent
    report = import_training.import_rows(training, "baquatty-audan", cells)
    assert dict(report.counts) == {"recorded": 2, "rejected": 4}
    problems = {(row, name) for row, name, _ in report.problems()}
    assert problems == {(4, "_schema"), (5, "completed_on"), (6, "organisation_id"),
                        (7, "course_code")}  # too few hours, before enrolment, not an id
    stored = stored_count(training)
    again = import_training.import_rows(training, "baquatty-audan", cells)
    assert dict(again.counts) == {"unchanged": 2, "rejected": 4}
    assert stored_count(training) == stored
    figures = training.summary(programme_id="baquatty-audan")
    assert (figures["teachers_trained"], figures["enrolments_dropped"]) == (1, 1)


def test_a_file_without_a_required_column_is_refused_before_anything_is_sent(tmp_path):
    path = write(tmp_path / "bad.csv", ["participant_id", "course_code"], [["T-1", "C"]])
    with pytest.raises(UnusableFile, match="missing column"):
        read_table(path, import_training.COLUMNS, import_training.OPTIONAL)
    broken = tmp_path / "bad.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(UnusableFile, match="not a readable XLSX"):
        read_table(broken, import_training.COLUMNS)


def test_a_leagues_practices_from_a_workbook_count_distinct_adopting_schools(
        training, registry, tmp_path):
    launch(registry, "kyzylorda", ["L-01", "L-02", "P-1", "P-2", "P-3"])
    book = Workbook()
    book.active.append(import_practices.COLUMNS + import_practices.OPTIONAL)
    for adopter, day in (("P-1", "2024-11-01"), ("P-2", "2024-11-02"), ("P-3", "2024-09-01")):
        book.active.append(["ECO", "Экология", "Жылыжай", "L-01", "2024-10-01", adopter, day])
    book.active.append(["IT", "Цифр", "IT studio", "L-02", "2024-10-01", "P-1", "2024-12-01"])
    book.save(tmp_path / "practices.xlsx")
    cells, _ = read_table(tmp_path / "practices.xlsx", import_practices.COLUMNS,
                          import_practices.OPTIONAL)
    report = import_practices.import_rows(training, "kyzylorda", cells)
    assert dict(report.counts) == {"recorded": 3, "rejected": 1}  # P-3 before publication
    assert {row for row, _, _ in report.problems()} == {4}
    again = import_practices.import_rows(training, "kyzylorda", cells)
    assert dict(again.counts) == {"unchanged": 3, "rejected": 1}
    figures = training.summary(programme_id="kyzylorda")
    assert (figures["practice_adoptions"], figures["schools_adopting"]) == (3, 2)
