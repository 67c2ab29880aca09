"""Protection in aggregates: small counts hidden, and whatever would let one be worked out.

Rules (issue 15):

- a count of 1 to 4 people is shown as "<5" (primary suppression). Nobody
  (0) is shown as 0: it singles no one out, and hiding it would only make a
  total easier to read backwards;
- in a table with totals, a hidden count must not be derivable from a total
  and the other cells (secondary suppression): more cells are hidden, shown
  as "*", until no protected cell can be pinned to one value;
- a figure derived from people (bed-nights from the people who asked for
  them, say) is hidden wherever the count of those people is hidden
  ("linked" cells, also shown as "*"), with the same secondary suppression.

"Pinned" is checked as a careful reader would: each shown number is known,
a "<5" lies in 1..4, a "*" in a people table is at least 5 (it was shown
before: shown counts are 0 or at least 5; zeros are never chosen) and a
linked "*" at least 1; every row and column (with its total) is an equation.
The reader's intervals are narrowed line by line until nothing moves; a
protected cell whose interval shrinks to a single value is exposed, and the
smallest non-zero shown number on one of its lines is hidden too. This
repeats until no protected cell is exposed (at worst everything is hidden).

Plain functions, no Flask: the pages, the CSV downloads and the command line
all print what `Suppressed` says, so the three never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SMALL = 5
SMALL_TEXT = "<5"
HIDDEN_TEXT = "*"
INF = 10 ** 12


def is_small(value: int) -> bool:
    return 0 < value < SMALL


@dataclass(frozen=True)
class Shown:
    """One number as the reader gets it: its text, and its value only when shown."""

    text: str
    value: int | float | None  # None when hidden: charts and sums never see a hidden value

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return self.text


def show(value) -> Shown:
    return Shown(str(value), value)


def small_count(value: int) -> Shown:
    """A lone count (no total beside it): "<5" when small, else the number."""
    return Shown(SMALL_TEXT, None) if is_small(value) else show(value)


SMALL_SHOWN = Shown(SMALL_TEXT, None)
HIDDEN_SHOWN = Shown(HIDDEN_TEXT, None)


@dataclass
class Suppressed:
    """A table after suppression: `cells[i][j]`, `row_totals[i]`, `col_totals[j]`, `grand`."""

    cells: list[list[Shown]]
    row_totals: list[Shown] | None
    col_totals: list[Shown] | None
    grand: Shown | None
    hidden: set = field(default_factory=set)  # keys of every hidden entry (to link other tables to)


def _keys(rows: int, cols: int, row_totals: bool, col_totals: bool):
    entries = [("c", i, j) for i in range(rows) for j in range(cols)]
    lines = []
    if row_totals:
        entries += [("r", i) for i in range(rows)]
        lines += [([("c", i, j) for j in range(cols)], ("r", i)) for i in range(rows)]
    if col_totals:
        entries += [("k", j) for j in range(cols)]
        lines += [([("c", i, j) for i in range(rows)], ("k", j)) for j in range(cols)]
    if row_totals and col_totals:
        entries.append(("g",))
        lines.append(([("k", j) for j in range(cols)], ("g",)))
        lines.append(([("r", i) for i in range(rows)], ("g",)))
    return entries, lines


def _values(cells: list[list[int]], row_totals: bool, col_totals: bool, cols: int) -> dict:
    values = {("c", i, j): v for i, row in enumerate(cells) for j, v in enumerate(row)}
    if row_totals:
        values.update({("r", i): sum(row) for i, row in enumerate(cells)})
    if col_totals:
        values.update({("k", j): sum(row[j] for row in cells) for j in range(cols)})
    if row_totals and col_totals:
        values[("g",)] = sum(sum(row) for row in cells)
    return values


def exposed(values: dict, lines: list, small: set, linked: set, secondary: set, floor: int) -> set:
    """Protected entries (small or linked) that a reader can pin to one value."""
    lo, hi = {}, {}
    for key, value in values.items():
        if key in small:
            lo[key], hi[key] = 1, SMALL - 1
        elif key in linked:
            lo[key], hi[key] = 1, INF
        elif key in secondary:
            lo[key], hi[key] = floor, INF
        else:
            lo[key] = hi[key] = value
    for _ in range(60):
        moved = False
        for parts, total in lines:
            sum_lo = sum(lo[p] for p in parts)
            sum_hi = sum(hi[p] for p in parts)  # not capped: with an unbounded part it stays >= INF
            t_lo, t_hi = max(lo[total], sum_lo), min(hi[total], sum_hi)
            if (t_lo, t_hi) != (lo[total], hi[total]):
                lo[total], hi[total], moved = t_lo, t_hi, True
            for p in parts:
                old_lo, old_hi = lo[p], hi[p]
                p_lo = max(old_lo, t_lo - (sum_hi - old_hi))
                p_hi = min(old_hi, t_hi - (sum_lo - old_lo))
                if p_lo != old_lo or p_hi != old_hi:
                    lo[p], hi[p], moved = p_lo, p_hi, True
                    sum_lo += p_lo - old_lo
                    sum_hi += p_hi - old_hi
        if not moved:
            break
    return {key for key in small | linked if lo[key] == hi[key]}


def suppress(cells: list[list[int]], *, row_totals: bool = True, col_totals: bool = True,
             linked_to: set | None = None, cols: int | None = None) -> Suppressed:
    """Suppress a table of counts of people (or, with `linked_to`, of a figure derived from them).

    Without `linked_to`, every count of 1..4 is primary ("<5"). With it (the
    `hidden` keys of the people table the figures come from), the entries at
    those keys are hidden instead ("*") and nothing else is primary.
    """
    rows = len(cells)
    cols = cols if cols is not None else (len(cells[0]) if cells else 0)
    entries, lines = _keys(rows, cols, row_totals, col_totals)
    values = _values(cells, row_totals, col_totals, cols)
    if linked_to is None:
        small = {k for k in entries if is_small(values[k])}
        linked: set = set()
        floor = SMALL
    else:
        small = set()
        linked = {k for k in entries if k in linked_to and values[k] != 0}
        floor = 1
    secondary: set = set()
    line_of: dict = {k: [] for k in entries}
    for line in lines:
        for k in (*line[0], line[1]):
            line_of[k].append(line)
    while True:
        open_keys = exposed(values, lines, small, linked, secondary, floor)
        if not open_keys:
            break
        hidden = small | linked | secondary
        chosen = set()
        for key in sorted(open_keys):  # one more hidden number on a line of each exposed cell, in one round
            candidates = [k for parts, total in line_of[key] for k in (*parts, total)
                          if k not in hidden and values[k] > 0]
            if any(k in chosen for k in candidates):
                continue  # this round already hides one of its neighbours
            if candidates:
                chosen.add(min(candidates, key=lambda k: (k[0] in ("r", "k", "g"), values[k], k)))
        if not chosen:  # every line of the exposed cells is hidden already: hide the smallest left
            rest = [k for k in entries if k not in hidden and values[k] > 0]
            if not rest:
                break
            chosen.add(min(rest, key=lambda k: (values[k], k)))
        secondary |= chosen

    def out(key) -> Shown:
        if key in small:
            return SMALL_SHOWN
        if key in linked or key in secondary:
            return HIDDEN_SHOWN
        return show(values[key])

    return Suppressed(
        cells=[[out(("c", i, j)) for j in range(cols)] for i in range(rows)],
        row_totals=[out(("r", i)) for i in range(rows)] if row_totals else None,
        col_totals=[out(("k", j)) for j in range(cols)] if col_totals else None,
        grand=out(("g",)) if row_totals and col_totals else None,
        hidden=small | linked | secondary,
    )


def suppress_column(values: list[int], *, linked_to: set | None = None) -> Suppressed:
    """A list of counts with its total (one column): the same rules."""
    return suppress([[v] for v in values], row_totals=False, col_totals=True, linked_to=linked_to, cols=1)
