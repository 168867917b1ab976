"""How an import batch is split for saving side by side: rows that name the same
organisation or the same BIN stay together in file order, so the outcome is the one a
row-at-a-time import gives (the last profile of a year wins; a BIN goes to its first
organisation)."""

from services.registry.service import rows_sharing_identity


def positions(rows):
    return sorted([position for position, _ in group] for group in rows_sharing_identity(rows))


def test_rows_of_one_organisation_stay_together_in_file_order():
    rows = [{"organisation_id": "A", "bin": "1"}, {"organisation_id": "B", "bin": "2"},
            {"organisation_id": "A", "bin": "1"}]
    assert positions(rows) == [[1, 3], [2]]


def test_rows_sharing_a_bin_stay_together_so_the_first_organisation_keeps_it():
    rows = [{"organisation_id": "A", "bin": "1"}, {"organisation_id": "C", "bin": "9"},
            {"organisation_id": "B", "bin": "1"}]
    assert positions(rows) == [[1, 3], [2]]


def test_a_row_naming_two_groups_joins_them():
    rows = [{"organisation_id": "A", "bin": "1"}, {"organisation_id": "B", "bin": "2"},
            {"organisation_id": "A", "bin": "2"}, {"organisation_id": "D", "bin": "4"}]
    assert positions(rows) == [[1, 2, 3], [4]]


def test_a_cell_that_is_not_text_names_nothing_and_its_row_stands_alone():
    rows = [{"organisation_id": ["A"], "bin": {"x": 1}}, {"organisation_id": "A", "bin": "1"},
            {"bin": None}]
    assert positions(rows) == [[1], [2], [3]]
