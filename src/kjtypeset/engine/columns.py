"""Column widths of a table too wide for its measure: the fewest lines, not CSS's proportions.

When a table's cells cannot all stand on one line, CSS's automatic table layout (CSS Tables 3
§ width distribution, which WeasyPrint follows) gives each column its min-content width plus a
share of the rest in proportion to how much wider its max-content width is. A column of long
company names (内蒙古伊利实业集团股份有限公司) then gets the same share of its need as a column
of figures whose header alone is long (营业收入（万元）): every name wraps to two or three lines
while the figures stand in wide columns (an unseen issue: 40 rows of names over four pages).
A compositor widens the column whose wrapping costs the most lines (tabulary and Word's
"autofit to contents" do much the same): here each step gives the width to the column where
it saves the most lines per point, a line saved only where it lowers its row (the row's
tallest cell), until no step saves one; what is left goes to the columns still short of
their one-line width, in proportion. A column never goes under its min-content width (its
longest word), and the table keeps the width CSS gave it.

Only Markdown tables of simple cells (no spans, no author widths or percentages) are
rebalanced; the rest keep WeasyPrint's widths. Patched in by engine/makeup.py, behind
justify.check_internals.
"""

from __future__ import annotations

import math

from ..typography.cjk import PROSE_CELL  # a cell of sentences, broken between any two characters

TABLE_CLASS = "md-table"
MAX_STEPS = 400  # widenings tried per table (each saves at least one line)


def balance(minimum: list[float], maximum: list[float], rows: list[list[tuple[int, float, float]]],
            width: float) -> list[float] | None:
    """Column widths summing to ``width``, each at least ``minimum`` (its longest word), that
    set the rows in the fewest lines. ``rows``: per row, its cells as (column, max-content
    width, horizontal padding and borders), outer widths as the columns'. None when the
    minimum widths already fill ``width``."""
    count = len(minimum)
    widths = list(minimum)
    room = width - sum(widths)
    if room <= 0:
        return None

    def lines(cell: tuple[int, float, float], column_width: float) -> int:
        _column, content, padding = cell
        inner = max(column_width - padding, 1e-3)
        return max(1, math.ceil((content - padding) / inner - 1e-6))

    for _step in range(MAX_STEPS):
        heights = [[lines(cell, widths[cell[0]]) for cell in row] for row in rows]
        best = None  # (lines saved per point, column, new width)
        for column in range(count):
            if widths[column] >= maximum[column] - 1e-6:
                continue
            # Each row's height without this column, and this column's cells in it.
            others, cells = [], []
            for row, row_heights in zip(rows, heights):
                others.append(max((h for cell, h in zip(row, row_heights) if cell[0] != column), default=0))
                cells.append([(cell, h) for cell, h in zip(row, row_heights) if cell[0] == column])
            # Where a cell of this column loses a line: its width for one line fewer.
            targets = {(cell[1] - cell[2]) / (h - 1) + cell[2]
                       for row_cells in cells for cell, h in row_cells if h > 1}
            now = sum(max([other] + [h for _cell, h in row_cells]) for other, row_cells in zip(others, cells))
            for target in targets:
                cost = target - widths[column]
                if cost <= 0 or cost > room + 1e-6:
                    continue
                after = sum(max([other] + [lines(cell, target) for cell, _h in row_cells])
                            for other, row_cells in zip(others, cells))
                if after < now and (best is None or (now - after) / cost > best[0]):
                    best = ((now - after) / cost, column, target)
        if best is None:
            break
        _gain, column, target = best
        room -= target - widths[column]
        widths[column] = target
    # What is left: to the columns still short of their one-line width, as CSS would share it.
    short = [max(0.0, maximum[k] - widths[k]) for k in range(count)]
    shares = short if sum(short) else widths
    total = sum(shares)
    return [w + room * share / total for w, share in zip(widths, shares)]


def auto_table_layout(context, box, containing_block):
    """WeasyPrint's automatic table layout, its column widths then rebalanced (balance) when
    the table's cells cannot all stand on one line."""
    from weasyprint.layout import preferred

    _state["auto_table_layout"](context, box, containing_block)
    table = box.get_wrapped_table()
    if table.element is None or TABLE_CLASS not in (table.element.get("class") or "").split():
        return
    (_least, _most, minimum, maximum, percentages, constrained, spacing,
     columns) = preferred.table_and_columns_preferred_widths(context, box, outer=False)
    width = table.width - spacing
    if not columns or any(percentages) or any(constrained) or width >= sum(maximum) - 1e-6:
        return
    cached = getattr(context, "_kj_columns", {}).get(id(table))
    if cached is not None and cached[0] == width:
        table.column_widths = list(cached[1])
        return
    minimum = _labels_readable(minimum, maximum, columns, width)
    measured = getattr(context, "_kj_cells", {})
    rows = []
    for row in zip(*columns):
        cells = []
        for column, cell in enumerate(row):
            if cell is None:
                continue
            if cell.colspan != 1 or cell.rowspan != 1 or id(cell) not in measured:
                return
            cells.append((column, measured[id(cell)], _padding(cell)))
        rows.append(cells)
    widths = balance(minimum, maximum, rows, width)
    if widths is not None:
        table.column_widths = widths
        if not hasattr(context, "_kj_columns"):
            context._kj_columns = {}
        context._kj_columns[id(table)] = (width, tuple(widths))


LABEL_EM = 6.0  # beside prose, a column is set at least this wide (or as its widest cell), room permitting


def _labels_readable(minimum: list[float], maximum: list[float], columns, width: float) -> list[float]:
    """The columns' least widths, in a table with cells of prose, each raised to LABEL_EM (or
    its widest cell) when the table has the room: prose breaks anywhere (typography/cjk.py),
    so every line went to it, and the labels beside it stood two characters a line ("奖励 /
    比例", "比例 / 提高 / 20个 / 百分点", an unseen issue's policy table). A table of names and
    figures keeps its least widths: its names take the room (a figures column of six ems took
    it from 中环领先半导体材料有限公司)."""
    cells = [cell for column in columns for cell in column if cell is not None]
    if not any(PROSE_CELL in (cell.element.get("class") or "").split()
               for cell in cells if cell.element is not None):
        return minimum
    raised = list(minimum)
    for k, column in enumerate(columns):
        present = [cell for cell in column if cell is not None]
        if present:
            least = LABEL_EM * present[0].style["font_size"] + _padding(present[0])
            raised[k] = max(minimum[k], min(maximum[k], least))
    return raised if sum(raised) <= width else minimum


def table_cell_min_max_content_width(context, box, outer=True):
    """WeasyPrint's, keeping each cell's max-content width for auto_table_layout."""
    found = _state["table_cell_min_max_content_width"](context, box, outer)
    if outer:
        if not hasattr(context, "_kj_cells"):
            context._kj_cells = {}
        context._kj_cells[id(box)] = found[1]
    return found


def _padding(cell) -> float:
    """A cell's horizontal padding and borders (a collapsed border counts half on each side)."""
    style = cell.style

    def length(value) -> float:
        unit = getattr(value, "unit", None)
        if unit == "px":
            return value.value
        if unit == "em":
            return value.value * style["font_size"]
        return 0.0

    collapse = style["border_collapse"] == "collapse"
    borders = style["border_left_width"] + style["border_right_width"]
    return length(style["padding_left"]) + length(style["padding_right"]) + (borders / 2 if collapse else borders)


_state: dict = {}


def install() -> None:
    from weasyprint.layout import preferred, table
    if not _state:
        _state["auto_table_layout"] = table.auto_table_layout
        _state["table_cell_min_max_content_width"] = preferred.table_cell_min_max_content_width
        table.auto_table_layout = auto_table_layout
        preferred.table_cell_min_max_content_width = table_cell_min_max_content_width


def uninstall() -> None:
    from weasyprint.layout import preferred, table
    if _state:
        table.auto_table_layout = _state["auto_table_layout"]
        preferred.table_cell_min_max_content_width = _state["table_cell_min_max_content_width"]
        _state.clear()
