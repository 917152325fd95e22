"""Where a paragraph's lines break: total fit over the whole paragraph (Knuth and Plass 1981).

WeasyPrint breaks lines greedily, each as full as it can be. In Chinese text almost every
character is a break chance, so greedy lines are nearly all good, but a unit that cannot be
broken (30万元, 1,540亿美元, a Latin word, “引号”) that fits neither at the end of one line nor
by squeezing leaves that line loose. Like TeX (and ctex), the planner considers every way of
breaking the paragraph and picks the one whose worst lines are least bad: a line a few
characters earlier or later lets the next one set solid.

Pure arithmetic on what the line composer measured (kjtypeset.engine.justify): the width of
each unit as laid out, what it gives back at natural width, and what kind of flexible item or
gap it is; badness per line from kjtypeset.typography.linefit.estimate.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from . import linefit

LINE_COST = 10.0  # an extra line costs as much as a line with gaps of 0.095 em (as TeX's linepenalty)
HYPHEN_COST = 6.0  # a line ending in a hyphenated word (TeX's hyphenpenalty, on the same scale)
# A line ending where a break is allowed but reads badly (between a number and its magnitude:
# US$3.7 / billion): taken only to spare a line gaps of about 0.09 em or more.
DISCOURAGED_COST = 10.0
# … and after the dash of a range of years (2042— / 2044年): as a line end gaps of about 0.1 em
# would spare, more than a first line set 0.02 em tight (an unseen issue's gongwen 报道 broke it).
YEAR_RANGE_COST = 20.0
# … and before a telephone extension's 转 (0471-4366683 / 转8021): the two numbers apart read as a
# split number (linecheck counts it), so only to spare a line gaps of 0.12 em or more (P10 D3:
# bound whole, a gongwen line before it was spaced 0.35 em and still short).
EXTENSION_COST = 40.0
# … and inside a name that reads as cut (cjk.name_breaks: GB/T 22080— / 2016, P11 D6): as much.
# Bound outright, the line before it had to absorb up to the name's 8 ems: a paragraph's first
# line in gongwen was spread 0.43 em a gap.
NAME_COST = EXTENSION_COST
# … and after an operator of a short formula (cjk.short_formula_breaks: "5 × / 10³ m", P12 D2): as
# much as gaps at the soft limit cost (linefit.gap_cost(SOFT_GAP_EM)), so that it is taken only to
# spare a line a reader would see loose. Bound outright, the line before "“5 × 10³ m”" was spread
# 0.072 em a gap.
SHORT_FORMULA_COST = linefit.gap_cost(linefit.SOFT_GAP_EM)
# A line ending before a long code (cjk.LONG_CODE: 91150100U2NU8GBX55, ZL 2024 1 0195119.8) is
# set short at its natural spacing when it would be spread past linefit.CODE_GAP_EM (engine/
# justify.py, as a reference list's line before a URL is): it costs what such gaps would (P15 D3).
BEFORE_CODE_COST = linefit.gap_cost(linefit.CODE_GAP_EM)
SHORTEST_EM = 5.0  # a justified line ending this far before the measure is not considered
OVERFULL = 1e6  # linefit.estimate's badness of a line stretched past its limits (1e7: does not fit)


# Not frozen, slotted: a measured paragraph makes one a character, and a frozen dataclass's
# __init__ (object.__setattr__ a field) took 2.8 µs where this takes 0.6 (issue 15). Nothing
# changes a Unit once made (dataclasses.replace makes another); hashed as a frozen one is.
@dataclass(slots=True, unsafe_hash=True)
class Unit:
    """One character (or inline object) of the paragraph as laid out."""

    width: float  # laid out, every flexible item at its narrowest
    extra: float = 0.0  # what it gives back at natural width (a mark's half, spacing's ⅛ em,
    #                     a word space's shrink)
    mark: str = ""  # "open" or "close" for a squeezable mark (its blank side), else ""
    spacing: bool = False  # the Han–Latin spacing character
    space: bool = False  # white space a line end drops: a Latin word space, an ideographic space (hung)
    gap: str | None = None  # the justification gap to the next unit: linefit.HAN, SPACE, NAME, INNER
    closable: bool = True  # a HAN gap that may close up (not beside a mark: linefit.compose)
    held: bool = False  # a spacing beside a Latin phrase (justify._phrases): squeezes, never stretches
    bracket: bool = False  # a mark that is a bracket or quote (chars.BRACKETS): squeezed before the stops


class Planner:
    """The paragraph's units, with running sums, to cost any run of them as one line."""

    def __init__(self, units: list[Unit], em: float, max_gap_em: float | None,
                 halfwidth_line_start: bool = True, halfwidth_line_end: bool = False,
                 discouraged: dict[int, float] | frozenset[int] = frozenset(),
                 before_code: frozenset[int] = frozenset()):
        self.units = units
        # where a line may start at a cost: {index: cost}, or a set of indexes at DISCOURAGED_COST
        self.discouraged = (discouraged if isinstance(discouraged, dict)
                            else dict.fromkeys(discouraged, DISCOURAGED_COST))
        self.before_code = before_code  # where a line may end short (BEFORE_CODE_COST)
        self.em, self.max_gap_em = em, max_gap_em
        self.halfwidth_line_start, self.halfwidth_line_end = halfwidth_line_start, halfwidth_line_end
        self.x = [0.0]
        self.extra, self.marks, self.spacings, self.shrinks = [0.0], [0], [0], [0]
        self.held, self.brackets = [0], [0]
        self.gaps = {tier: [0] for tier in (linefit.HAN, linefit.SPACE, linefit.NAME)}
        self.closable = [0]
        for unit in units:
            self.x.append(self.x[-1] + unit.width)
            self.extra.append(self.extra[-1] + unit.extra)
            self.marks.append(self.marks[-1] + (1 if unit.mark and unit.extra > 0 else 0))
            self.brackets.append(self.brackets[-1] + (1 if unit.bracket and unit.extra > 0 else 0))
            self.spacings.append(self.spacings[-1] + unit.spacing)
            self.held.append(self.held[-1] + (unit.spacing and unit.held))
            self.shrinks.append(self.shrinks[-1] + (unit.space and unit.extra > 0))
            for tier, sums in self.gaps.items():
                sums.append(sums[-1] + (unit.gap == tier))
            self.closable.append(self.closable[-1] + (unit.gap in (linefit.HAN, linefit.INNER) and unit.closable))

    def _end(self, a: int, p: int) -> int:
        """The line [a, p) without what a line end drops: spaces and spacing."""
        while p > a and (self.units[p - 1].space or self.units[p - 1].spacing):
            p -= 1
        return p

    def counts(self, a: int, p: int, continuation: bool) -> linefit.Counts:
        q = self._end(a, p)
        laid = self.x[q] - self.x[a]
        extra = self.extra[q] - self.extra[a]
        marks = self.marks[q] - self.marks[a]
        brackets = self.brackets[q] - self.brackets[a]
        first, last = self.units[a], self.units[q - 1] if q > a else None
        if first.mark == "open" and first.extra > 0 and continuation and self.halfwidth_line_start:
            extra -= first.extra  # an opening bracket starting a line keeps half width
            marks -= 1
            brackets -= first.bracket
        elif first.mark == "open" and first.extra > 0 and not continuation:
            laid += first.extra  # … one opening a paragraph, its natural width (（一）（二） aligned)
            extra -= first.extra
            marks -= 1
            brackets -= first.bracket
        end_mark = 0.0
        if last is not None and last.mark == "close" and last.extra > 0 and q - 1 > a:
            marks -= 1
            brackets -= last.bracket
            if self.halfwidth_line_end:
                extra -= last.extra
            else:
                end_mark = last.extra
        gaps = {tier: sums[max(q - 1, a)] - sums[a] for tier, sums in self.gaps.items()}
        return linefit.Counts(
            laid=laid, natural=laid + extra, marks=max(marks, 0), end_mark=end_mark,
            brackets=max(brackets, 0),
            spacings=self.spacings[q] - self.spacings[a], held=self.held[q] - self.held[a],
            han=gaps[linefit.HAN],
            spaces=gaps[linefit.SPACE],
            shrinks=self.shrinks[q] - self.shrinks[a], names=gaps[linefit.NAME],
            closable=self.closable[max(q - 1, a)] - self.closable[a])

    def plan(self, breaks: list[int], first_width: float, width: float,
             first_continues: bool = False, hyphens: dict[int, float] | None = None,
             max_lines: int | None = None) -> list[int] | None:
        """The line ends (indexes into the units) that set the paragraph best, the last being
        len(units); ``breaks`` are the indexes a line may start at. ``first_width`` is the
        first line's measure (less any indent); ``first_continues``: the paragraph's first
        line here continues one from a previous page (no indent). ``max_lines``: the best way
        in that many lines or fewer with every line within the composer's limits (缩行: page
        makeup pulls a paragraph back by a line, issue 13), None when there is none."""
        n = len(self.units)
        hyphens = hyphens or {}
        chances = sorted({b for b in breaks if 0 < b < n} | {h for h in hyphens if 0 < h < n} | {n})
        plain = set(breaks)
        if max_lines is not None:
            return self._plan_within(chances, plain, first_width, width, first_continues, hyphens,
                                     max_lines)
        best: dict[int, tuple[float, int | None]] = {0: (0.0, None)}
        for a in [0] + chances:  # lines only go forward: increasing order is a valid DP order
            if a == n or a not in best:
                continue
            for p, cost in self._lines_from(a, chances, plain, first_width, width, first_continues, hyphens):
                cost += best[a][0]
                if p not in best or cost < best[p][0] - 1e-9:
                    best[p] = (cost, a)
        if n not in best:
            return None
        ends, p = [], n
        while p:
            ends.append(p)
            p = best[p][1]
        return ends[::-1]

    def _plan_within(self, chances: list[int], plain: set, first_width: float, width: float,
                     first_continues: bool, hyphens: dict[int, float], max_lines: int) -> list[int] | None:
        """plan() in ``max_lines`` lines or fewer, every line within what a pulled paragraph
        may take (linefit.within_pull: stops at ¾ em or wider, Chinese gaps never closed up):
        the same costs, the line ends kept per number of lines."""
        n = len(self.units)
        best: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {(0, 0): (0.0, None)}
        reached: dict[int, list[int]] = {0: [0]}
        for a in [0] + chances:
            if a == n or a not in reached:
                continue
            for p, line_cost in self._lines_from(a, chances, plain, first_width, width, first_continues, hyphens,
                                                 pull=True):
                if line_cost >= OVERFULL:
                    continue
                for count in reached[a]:
                    if count >= max_lines:
                        continue
                    cost = best[(a, count)][0] + line_cost
                    key = (p, count + 1)
                    if key not in best:
                        reached.setdefault(p, []).append(count + 1)
                    elif cost >= best[key][0] - 1e-9:
                        continue
                    best[key] = (cost, (a, count))
        ends = [key for key in best if key[0] == n]
        if not ends:
            return None
        key: tuple[int, int] | None = min(ends, key=lambda k: best[k][0])
        out = []
        while key[0]:
            out.append(key[0])
            key = best[key][1]
        return out[::-1]

    def _lines_from(self, a: int, chances: list[int], plain: set, first_width: float, width: float,
                    first_continues: bool, hyphens: dict[int, float], pull: bool = False):
        """The lines that may start at ``a``: (where it ends, its cost: badness, LINE_COST and
        any HYPHEN_COST). Its Chinese gaps may close up (linefit.PULL_SQUEEZE_EM, at a cost).
        ``pull``: only lines within a pulled paragraph's limits (linefit.within_pull)."""
        n = len(self.units)
        available = first_width if a == 0 else width
        continuation = a > 0 or first_continues
        shortest = SHORTEST_EM * self.em
        tighten_em = 0.0 if pull else linefit.PULL_SQUEEZE_EM
        longest = available + self.em + tighten_em * available
        low = bisect_left(chances, bisect_left(self.x, self.x[a] + available - shortest))
        high = bisect_right(chances, bisect_right(self.x, self.x[a] + longest))
        candidates = chances[low:high]
        if self.x[n] - self.x[a] <= longest and n not in candidates:
            candidates.append(n)  # the paragraph's last line may be of any length
        # … and so may a line ending before a long code (BEFORE_CODE_COST)
        candidates += [p for p in self.before_code if a < p and p not in candidates
                       and self.x[p] - self.x[a] <= longest]
        for p in candidates:
            if p <= a:
                continue
            counts = self.counts(a, p, continuation)
            hyphen = hyphens.get(p, 0.0) if p not in plain and p != n else 0.0
            if hyphen:
                counts = replace(counts, laid=counts.laid + hyphen, natural=counts.natural + hyphen)
            if counts.laid > available + tighten_em * self.em * counts.closable + 1e-6:
                continue
            if pull and not linefit.within_pull(counts, available, self.em):
                continue
            badness = linefit.estimate(counts, available, self.em, p != n, self.max_gap_em, tighten_em)
            if p in self.before_code and badness > BEFORE_CODE_COST:
                short = BEFORE_CODE_COST
                if not (counts.han or counts.spaces or counts.names):
                    # A line with no gap to spread (a URL's middle) is short however it breaks:
                    # the shorter, the worse (P17 D2: not "footprint" alone on a line).
                    short *= max(0.0, available - counts.natural) / available
                badness = max(short,
                              linefit.estimate(counts, available, self.em, False, self.max_gap_em, tighten_em))
            yield p, (badness + LINE_COST + (HYPHEN_COST if hyphen else 0.0)
                      + self.discouraged.get(p, 0.0))
