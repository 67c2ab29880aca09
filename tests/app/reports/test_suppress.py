"""Suppression from the reader's side: whatever a reader works out from the cells shown,
no count of 1 to 4 people can be pinned to one value."""
from __future__ import annotations

import random

import pytest

from app.reports.suppress import HIDDEN_TEXT, SMALL_TEXT, suppress, suppress_column


def reader_table(result, rows: int, cols: int, row_totals: bool, col_totals: bool) -> dict:
    """What the reader has: every entry's text, by key."""
    seen = {("c", i, j): result.cells[i][j].text for i in range(rows) for j in range(cols)}
    if row_totals:
        seen.update({("r", i): result.row_totals[i].text for i in range(rows)})
    if col_totals:
        seen.update({("k", j): result.col_totals[j].text for j in range(cols)})
    if row_totals and col_totals:
        seen[("g",)] = result.grand.text
    return seen


def possible_range(seen: dict, key, rows: int, cols: int, row_totals: bool, col_totals: bool) -> tuple[int, int]:
    """The least and the most a determined reader can make of one hidden cell (CP-SAT, not our own reasoning).

    She knows the rules: "<5" is 1..4, "*" is 5 or more (shown counts are 0 or at least 5, and "*" hides
    one of them), a shown number is itself, and every row and column adds up to its total.
    """
    from ortools.sat.python import cp_model

    big = 10 ** 6

    def solve(sense) -> int:
        model = cp_model.CpModel()
        var = {}
        for k, text in seen.items():
            if text == SMALL_TEXT:
                var[k] = model.NewIntVar(1, 4, str(k))
            elif text == HIDDEN_TEXT:
                var[k] = model.NewIntVar(5, big, str(k))
            else:
                var[k] = model.NewConstant(int(text))
        if row_totals:
            for i in range(rows):
                model.Add(sum(var[("c", i, j)] for j in range(cols)) == var[("r", i)])
        if col_totals:
            for j in range(cols):
                model.Add(sum(var[("c", i, j)] for i in range(rows)) == var[("k", j)])
        if row_totals and col_totals:
            model.Add(sum(var[("k", j)] for j in range(cols)) == var[("g",)])
            model.Add(sum(var[("r", i)] for i in range(rows)) == var[("g",)])
        sense(model, var[key])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.Solve(model)
        assert status == cp_model.OPTIMAL, "the shown table must be consistent"
        return int(solver.Value(var[key]))

    return solve(lambda m, v: m.Minimize(v)), solve(lambda m, v: m.Maximize(v))


def assert_no_small_count_pinned(values, row_totals=True, col_totals=True):
    rows, cols = len(values), len(values[0])
    result = suppress(values, row_totals=row_totals, col_totals=col_totals)
    seen = reader_table(result, rows, cols, row_totals, col_totals)
    for i in range(rows):
        for j in range(cols):
            v = values[i][j]
            if 0 < v < 5:
                assert seen[("c", i, j)] == SMALL_TEXT, (values, seen)
            assert seen[("c", i, j)] != "1" and seen[("c", i, j)] in (str(v), SMALL_TEXT, HIDDEN_TEXT)
    for key, text in seen.items():
        if text == SMALL_TEXT:
            low, high = possible_range(seen, key, rows, cols, row_totals, col_totals)
            assert low < high, f"{key} is pinned to {low} in {values}: {seen}"
    return seen


def test_a_lone_small_count_in_a_column_with_its_total_takes_another_cell_with_it():
    result = suppress_column([7, 3, 9])
    assert [row[0].text for row in result.cells] == [HIDDEN_TEXT, SMALL_TEXT, "9"]
    assert result.col_totals[0].text == "19"
    assert result.cells[1][0].value is None and result.cells[0][0].value is None  # charts never see them


def test_nobody_shows_zero_and_large_counts_show_themselves():
    result = suppress_column([0, 12, 5])
    assert [row[0].text for row in result.cells] == ["0", "12", "5"]


def test_two_small_counts_that_add_up_to_two_are_not_left_alone_with_the_total():
    # 1 + 1 = 2: with the total 14 and the 12 shown, both could only be 1
    seen = assert_no_small_count_pinned([[1], [1], [12]], row_totals=False)
    assert seen[("c", 0, 0)] == SMALL_TEXT and seen[("c", 1, 0)] == SMALL_TEXT


def test_one_person_beside_five_is_not_given_away_by_the_total():
    assert_no_small_count_pinned([[1], [5]], row_totals=False)


@pytest.mark.parametrize("values", [
    [[1, 8], [6, 7]],
    [[1, 0, 9], [0, 6, 7]],
    [[2, 2, 9], [5, 0, 3]],
    [[0, 0, 1], [0, 0, 0], [6, 0, 0]],
])
def test_tables_with_row_and_column_totals(values):
    assert_no_small_count_pinned(values)


def test_random_tables_never_let_a_small_count_be_worked_out():
    rng = random.Random(15)
    for _ in range(150):
        rows, cols = rng.choice([(2, 2), (2, 3), (3, 2), (3, 3), (2, 6)])
        values = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9]) for _ in range(cols)] for _ in range(rows)]
        assert_no_small_count_pinned(values)


def test_a_linked_table_hides_where_the_people_are_hidden_and_protects_it_the_same_way():
    people = suppress_column([1, 6, 8])
    bed_nights = suppress_column([10, 60, 80], linked_to=people.hidden)
    texts = [row[0].text for row in bed_nights.cells]
    assert texts[0] == HIDDEN_TEXT  # ten bed-nights would say: one person for ten days
    assert texts.count(HIDDEN_TEXT) >= 2 or bed_nights.col_totals[0].text == HIDDEN_TEXT
