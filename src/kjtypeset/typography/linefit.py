"""Line adjustment: how a line of Chinese text takes up or gives back width (clreq §3.1.6, §3.8).

Pure arithmetic, shared by the two places of the line composer (kjtypeset.engine.justify) that
need it: choosing where a line breaks, and setting the line once it is broken. Widths are in
any one unit (the composer uses Pango units); ``em`` says how many of them make an em.

A line is laid out with every flexible item at its narrowest (JIS X 4051 追い込み: squeeze
before stretch), so that as much text fits as may. Setting the line then gives the width back
in a fixed order:

squeeze, when the line is still too full at natural widths
    a mark ending the line first (its blank half lies outside the text block), then the
    brackets and quotes evenly down to half an em (JIS X 4051 §9.4: “ ” （ ） at ½ em read as
    set, BRACKET_GAP_EM), then the stops (，。、；：？！) evenly to ¾ em, then Han–Latin
    spacing evenly (¼ em down to ⅛ em), then the stops on down to half an em, never below: a
    stop at ½ em shows more than spacing at ⅛ (issue 12: at most 5 % of lone marks under ¾ em);
    then, as the last resort, the gaps between Chinese characters close up (紧排), by at most
    PULL_SQUEEZE_EM, where a unit that may not break would otherwise leave the line before it
    spread (CLOSE_UP_COST); never in a paragraph page makeup sets a line shorter (缩行: its
    stops stay at ¾ em or wider, within_pull);
stretch, when there is room past the natural widths
    Han–Latin spacing up to ⅓ em, then the gaps between Chinese characters up to
    COMFORT_GAP_EM (no reader notices them), then Han–Latin spacing up to ½ em, Chinese gaps up
    to SOFT_GAP_EM, Latin word spaces up to SOFT_SPACE_EM, Chinese gaps up to the layout's cap
    (beyond which text extractors read a gap as a space), word spaces without limit and,
    rather than leave the line ragged, the word spaces of a Latin phrase set among Chinese
    (which otherwise keep their width). Han–Latin spacing takes its second share before the
    Chinese gaps pass the comfortable limit because a line around a number reads loose by its
    many Chinese gaps, not by the two beside the number (stress issue: Han–Han p95 0.060 → 0.030
    em, Han–Latin max ½ em as issue 12 allows). As the squeeze order read backwards, a line
    with room gives the stops back their width before the brackets.

Every share within a tier is equal, so a line is spread evenly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Tiers of justification gaps between two visible characters.
HAN, SPACE = "han", "space"
# (No tier between Latin letters: a word is never letter-spaced, P17 D2.)
# A word space inside a Latin phrase set among Chinese (Hugging Face, inline code): it keeps its
# width (the phrase reads as one run) unless nothing else can fill the line: a line of a few
# Chinese gaps and a long phrase stretched through its phrase before it would be left ragged.
PHRASE = "phrase"
PHRASE_COST = 1000.0  # such a line is worse than any other way of setting it, better than ragged
# In a list of names (a 纪要's 出席、列席, an 附件's 名单; engine/justify.py --kj-unfilled: names),
# a line ends at a name: past what its Chinese gaps take unseen (SOFT_GAP_EM; a unit's words,
# 市委办公室), it is justified through the gaps before its names (NAME: after the full-width
# space, the comma or the 、 that parts a name from the one before), never inside a person's
# name ("张　伟" is one; INNER: such a gap closes up as any Chinese gap, never widens). Set
# short, each such line read as a paragraph's end and pdfcheck counted it (w3: flush 0.93, P12).
NAME, INNER = "name", "inner"
# … each gap by at most this: a full-width space between two names then reads 1½ em (and a
# thousandth more, the measure's rounding: w3's line of seven three-character names, 3 ems
# short over six gaps, measured 0.0006 em over and was left short). A line these do not fill
# ends short at its natural widths.
NAME_GAP_EM = 0.501

SOFT_GAP_EM = 0.06  # between Chinese characters: below this, no reader sees a loose line
# A line ending before a long code that may not break (cjk.LONG_CODE) is set short at its
# natural spacing only past this: a line 7 ems short inside a paragraph reads as its end, where
# gaps of 0.044 em set it full (P16 R3); before, such lines were spread up to 0.40 em (P15 D3).
CODE_GAP_EM = 0.12
# Beyond the natural width of a Latin word space: a space inside a Latin run that stands
# between Chinese characters reads as part of the run's Han–Latin gaps, which stay ≤ ½ em.
SOFT_SPACE_EM = 0.12
# A line whose word spaces would stretch past this to fill it is loose to any reader: where
# a block may end such lines short (engine/justify.py --kj-unfilled: loose; a reference
# list's line before a URL spread 2 em a word space, P12 D3), it does.
LOOSE_SPACE_EM = 1 / 3
# A Latin word space is laid out this much narrower and given back as the line needs (TeX's
# interword shrink, a third of Noto Serif's 0.256 em space): English fits as TeX sets it.
SPACE_SHRINK_EM = 0.08
HAN_LATIN_SOFT_EM = 1 / 3  # Han–Latin spacing stretches to ⅓ em before Chinese gaps do
HAN_LATIN_MAX_EM = 0.5  # … then to ½ em once they reach COMFORT_GAP_EM; never past it (issue 12)
# A line that nothing else fills spreads its Chinese gaps past the layout's cap (max_stretch)
# up to this (稀排) before it is left short: a short line reads as a paragraph's end.
SPREAD_GAP_EM = 0.5

# What a reader tolerates, for choosing between squeezing a line and stretching it:
# the squeeze of a lone mark (a quarter of an em keeps it at ¾ em), the stretch of a gap
# between Chinese characters (p95 of ctex's lines is 0.011 em).
COMFORT_SQUEEZE_EM = 0.25
# How far the marks go before Han–Latin spacing gives way: to ¾ em, and a hair above it, since
# positions are rounded to whole units of the PDF (a mark set at 0.7499 em reads as under ¾ em).
FIRST_SQUEEZE_EM = 0.24
COMFORT_GAP_EM = 0.03
# A bracket or quote squeezed to half an em costs as much as Chinese gaps of this much
# (gap_cost): a line takes fully squeezed brackets before gaps a reader could see, where the
# stops' cost (squeeze_cost) would have it spread to 0.08 em (/tmp probe t1: “百村行” … 136名，).
BRACKET_GAP_EM = 0.03
# Past every mark at half an em, the gaps between Chinese characters close up by at most
# this much (0.4 pt at 13.8 pt), as a compositor tightens a line's 字距 (紧排), where a unit
# that may not break (845多项， 23.1亿元，
# RISC-V) misses the line's end and nothing else can fill it: above all a paragraph's first
# line, which no earlier break can help (generated issues: spread 0.09-0.13 em a gap, 2-3 em
# a line, where closed up by 0.02 em it is set solid).
PULL_SQUEEZE_EM = 0.03
# Closing up costs as much as an extra line (paragraph.LINE_COST): neither ctex nor Typst
# ever sets Chinese tighter than solid, so a line closes up only where it would otherwise be
# spread well past SOFT_GAP_EM (about 0.1 em a gap). Up to HAIR_TIGHTEN_EM (0.055 pt: below what
# print or the eye resolves; TeX's \hfuzz lets a line run 0.1 pt over unreported) it is free:
# a unit that misses the line by a hair (715余家， 0.045 em over 30 em) joins it.
CLOSE_UP_COST = 10.0
HAIR_TIGHTEN_EM = 0.004


def squeeze_cost(squeeze_em: float) -> float:
    """Badness of squeezing a lone mark by ``squeeze_em``: 1 at a quarter em; past it a steep
    rise (5.5 at 0.3 em, as Chinese gaps of 0.072 em) that then flattens (11 at half an em, as
    gaps of 0.086 em). A mark goes under ¾ em only where stretching would show more, and when
    a line cannot avoid one or the other, the marks give way before Chinese gaps pass the
    soft limit: 追い込み before 追い出し (JIS X 4051 §9.4; ctex squeezes the same way)."""
    if squeeze_em <= COMFORT_SQUEEZE_EM:
        return (squeeze_em / COMFORT_SQUEEZE_EM) ** 2
    return 1 + 10 * ((squeeze_em - COMFORT_SQUEEZE_EM) / 0.25) ** 0.5


def gap_cost(gap_em: float) -> float:
    """Badness of a gap of ``gap_em`` between Chinese characters: 1 at 0.03 em, 4 at the soft
    limit (0.06 em, where a reader starts to see a loose line), steep past it."""
    if gap_em <= SOFT_GAP_EM:
        return (gap_em / COMFORT_GAP_EM) ** 2
    return (SOFT_GAP_EM / COMFORT_GAP_EM) ** 2 + ((gap_em - SOFT_GAP_EM) / 0.01) ** 2


def bracket_cost(squeeze_em: float) -> float:
    """Badness of squeezing a bracket or quote by ``squeeze_em``: growing as its square to
    gap_cost(BRACKET_GAP_EM) (1.8) at half an em, its narrowest."""
    return gap_cost(BRACKET_GAP_EM) * (squeeze_em / 0.5) ** 2


def space_cost(space_em: float) -> float:
    """Badness of stretching a Latin word space by ``space_em``: 1 at 0.06 em, 4 at the soft
    limit (0.12 em, half a space more: where TeX's interword glue reaches its stretch and its
    badness 100), steep past it. English set among Chinese reads like English."""
    if space_em <= SOFT_SPACE_EM:
        return (space_em / (SOFT_SPACE_EM / 2)) ** 2
    return 4 + ((space_em - SOFT_SPACE_EM) / 0.03) ** 2


def tighten_cost(tighten_em: float) -> float:
    """Badness of closing up the gaps between Chinese characters by ``tighten_em``: as
    stretching them as much, past every squeeze of the marks, and CLOSE_UP_COST beyond a hair."""
    return gap_cost(tighten_em) + (CLOSE_UP_COST if tighten_em > HAIR_TIGHTEN_EM + 1e-9 else 0.0)


def shrink_cost(shrink_em: float) -> float:
    """Badness of shrinking a Latin word space by ``shrink_em``: 4 at the full shrink, as a
    stretch to the soft limit (TeX: badness 100 either way)."""
    return 4 * (shrink_em / SPACE_SHRINK_EM) ** 2


@dataclass
class Flex:
    """An item that can give up or take width: a punctuation mark's blank half, or the
    spacing between Han and a Latin run. Widths in the line's unit."""

    current: float  # as laid out
    natural: float  # what it is when nothing needs adjusting
    minimum: float
    maximum: float  # beyond natural at the first stretch tier (marks: natural)
    limit: float  # beyond natural at the last tier
    kind: str = "mark"  # "mark" | "spacing" | "space" (a Latin word space's shrink)
    first: bool = False  # squeezed before every other item: a mark at the end of the line
    bracket: bool = False  # a bracket or quote (chars.BRACKETS): squeezed before the stops


@dataclass
class Result:
    widths: list[float]  # the width each Flex gets
    gaps: list[float]  # what each gap gets
    short: float  # width left over (> 0: the line ends short; < 0: it overflows)
    squeeze: float  # the largest squeeze of a stop that is not at the line end, per em
    spacing_squeeze: float  # the squeeze of Han–Latin spacing, per em
    han_gap: float  # the stretch of a gap between Chinese characters, per em
    space_gap: float  # the stretch of a Latin word space, per em
    spacing_stretch: float  # Han–Latin spacing beyond its natural width, per em
    space_shrink: float = 0.0  # the shrink of a Latin word space, per em
    phrase_gap: float = 0.0  # the stretch of a phrase's word space (the last resort), per em
    name_gap: float = 0.0  # the stretch of a gap before a name in a list of names, per em
    han_tighten: float = 0.0  # how much the gaps between Chinese characters close up (缩行), per em
    spread: float = 0.0  # width set past the cap (SPREAD_GAP_EM), that a capped line leaves short
    bracket_squeeze: float = 0.0  # the largest squeeze of a bracket not at the line end, per em

    def badness(self) -> float:
        """How visible the adjustment is: 1 at each comfortable limit, growing as its square."""
        if self.short + self.spread > 0.5:
            return 1e6 + self.short + self.spread  # a ragged line (or one spread past the cap)
        if self.short < -0.5:
            return 1e7 - self.short  # an overfull one
        return (squeeze_cost(self.squeeze) + bracket_cost(self.bracket_squeeze)
                + (self.spacing_squeeze / 0.125) ** 2
                + gap_cost(self.han_gap)
                + space_cost(self.space_gap)
                + (self.spacing_stretch / 0.25) ** 2
                + shrink_cost(self.space_shrink)
                + tighten_cost(self.han_tighten)
                + (self.name_gap / NAME_GAP_EM) ** 2
                + (PHRASE_COST + (self.phrase_gap / 0.1) ** 2 if self.phrase_gap > 0 else 0.0))


def _fill(amounts: list[float], targets: list[int], rest: float, room) -> float:
    """Give ``rest`` to ``targets`` in equal shares, none past ``room(k)`` (None: no limit);
    an item that is full passes its share on (water filling). Returns what is left."""
    if not targets or rest <= 1e-9:
        return rest  # nothing to give, or no one to give it to (most calls: issue 15)
    open_ = [k for k in targets if (space := room(k)) is None or space > 1e-12]
    while rest > 1e-9 and open_:
        share = rest / len(open_)
        still = []
        for k in open_:
            space = room(k)
            grant = share if space is None else min(share, space)
            amounts[k] += grant
            rest -= grant
            if space is None or space - grant > 1e-12:
                still.append(k)
        if len(still) == len(open_):
            break  # every item took a whole share: nothing is left
        open_ = still
    return rest


def _squeeze(flexes: list[Flex], amount: float, em: float) -> tuple[list[float], float]:
    """Take ``amount`` out of the natural widths, in the squeeze order; returns the widths and
    what could not be taken."""
    cut = [0.0] * len(flexes)
    marks = [k for k, f in enumerate(flexes) if f.kind == "mark" and not f.first and not f.bracket]
    comfort = FIRST_SQUEEZE_EM * em

    def room(k):
        return flexes[k].natural - flexes[k].minimum - cut[k]

    amount = _fill(cut, [k for k, f in enumerate(flexes) if f.first], amount, room)
    amount = _fill(cut, [k for k, f in enumerate(flexes) if f.bracket and not f.first], amount, room)
    amount = _fill(cut, marks, amount, lambda k: min(room(k), comfort - cut[k]))
    amount = _fill(cut, [k for k, f in enumerate(flexes) if f.kind == "spacing"], amount, room)
    amount = _fill(cut, marks, amount, room)
    amount = _fill(cut, [k for k, f in enumerate(flexes) if f.kind == "space"], amount, room)
    return [f.natural - c for f, c in zip(flexes, cut)], amount


def compose(flexes: list[Flex], tiers: list[str], extra: float, em: float, justify: bool,
            max_gap_em: float | None, tighten_em: float = 0.0, closable: list[int] | None = None,
            spreadable: list[int] | None = None) -> Result:
    """Set a line: ``extra`` is the width available beyond what is laid out (negative: the line
    overflows); ``tiers`` lists the line's justification gaps. A line that is not justified (a
    paragraph's last line, a centred heading) only gives back what it can up to natural.
    ``tighten_em``: how far the gaps between Chinese characters may close up when squeezing
    every item is not enough (PULL_SQUEEZE_EM); ``closable``: the indexes of the gaps that may
    (None: every Chinese gap). A gap beside a mark does not: the mark would go under ½ em.
    ``spreadable``: the gaps a line nothing else fills may spread past the cap (SPREAD_GAP_EM;
    None: none, the line is left short)."""
    natural = sum(f.natural for f in flexes)
    current = sum(f.current for f in flexes)
    room = current + extra  # what the flexible items and the gaps may take together
    gaps = [0.0] * len(tiers)
    if room < natural or not justify:
        widths, left = _squeeze(flexes, max(0.0, natural - room), em)
        if left > 1e-9 and tighten_em > 0:
            han = closable if closable is not None else [k for k, t in enumerate(tiers) if t == HAN]
            tightened = [0.0] * len(tiers)
            left = _fill(tightened, han, left, lambda k: tighten_em * em - tightened[k])
            gaps = [-g for g in tightened]
            room -= sum(gaps)
        short = (room - sum(widths)) if justify else 0.0
        if not justify and room > natural:
            short = 0.0
        return _result(flexes, widths, gaps, tiers, -left if left > 1e-9 else short, em)
    widths = [f.natural for f in flexes]
    rest = room - natural
    spacing = [k for k, f in enumerate(flexes) if f.kind == "spacing"]
    by_tier: dict[str, list[int]] = {HAN: [], SPACE: [], PHRASE: [], NAME: []}
    for k, t in enumerate(tiers):
        if t in by_tier:
            by_tier[t].append(k)
    han, space, phrase = by_tier[HAN], by_tier[SPACE], by_tier[PHRASE]
    names = by_tier[NAME]
    cap = None if max_gap_em is None else max_gap_em * em
    soft_gap = SOFT_GAP_EM * em if cap is None else min(SOFT_GAP_EM * em, cap)
    comfort_gap = min(COMFORT_GAP_EM * em, soft_gap)

    def widen(k: int, ceiling: float):
        return max(0.0, flexes[k].natural + ceiling - widths[k])

    rest = _fill(widths, spacing, rest, lambda k: widen(k, flexes[k].maximum))
    rest = _fill(gaps, han, rest, lambda k: comfort_gap - gaps[k])
    rest = _fill(widths, spacing, rest, lambda k: widen(k, flexes[k].limit))
    rest = _fill(gaps, han, rest, lambda k: soft_gap - gaps[k])
    rest = _fill(gaps, names, rest, lambda k: NAME_GAP_EM * em - gaps[k])
    rest = _fill(gaps, space, rest, lambda k: SOFT_SPACE_EM * em - gaps[k])
    rest = _fill(gaps, han, rest, lambda k: None if cap is None else cap - gaps[k])
    rest = _fill(gaps, space, rest, lambda k: None)
    rest = _fill(gaps, phrase, rest, lambda k: None)
    # Past the cap, rather than leave a line of a justified paragraph short (a reader takes a
    # short line for a paragraph's end): 稀排. A unit that may not break (2,860,000.00元，, a
    # long URL) missing a paragraph's first line spreads it so; the text layer folds such
    # gaps into the glyphs (textlayer.py), so extractors read no space between the characters.
    spread = max(cap or 0.0, SPREAD_GAP_EM * em)
    if spreadable and 0 < rest <= sum(spread - gaps[k] for k in spreadable) + 1e-9:  # only if that fills it
        _fill(gaps, spreadable, rest, lambda k: spread - gaps[k])
        # Set so, but judged as the short line it stands for (badness): where a line breaks is
        # chosen as before (a spread line is the last resort, never a reason to break elsewhere).
        return replace(_result(flexes, widths, gaps, tiers, 0.0, em), spread=rest)
    return _result(flexes, widths, gaps, tiers, rest, em)


def _result(flexes, widths, gaps, tiers, short, em) -> Result:
    # The largest of each kind, in one pass over the items and one over the gaps (issue 15:
    # a build sets some 5,000 lines and candidate lines); none: 0.
    squeeze = bracket_squeeze = spacing_squeeze = spacing_stretch = space_shrink = 0.0
    for f, w in zip(flexes, widths):
        kind = f.kind
        if kind == "mark" and not f.first:
            if f.bracket:
                bracket_squeeze = max(bracket_squeeze, f.natural - w)
            elif f.natural - w > squeeze:
                squeeze = f.natural - w
        elif kind == "spacing":
            spacing_squeeze = max(spacing_squeeze, f.natural - w)
            spacing_stretch = max(spacing_stretch, w - f.natural)
        elif kind == "space":
            space_shrink = max(space_shrink, f.natural - w)
    han_gap = space_gap = phrase_gap = han_tighten = name_gap = 0.0
    for g, t in zip(gaps, tiers):
        if t == HAN:
            han_gap = max(han_gap, g)
            han_tighten = max(han_tighten, -g)
        elif t in (NAME, INNER):
            name_gap = max(name_gap, g)
            han_tighten = max(han_tighten, -g)
        elif t == SPACE:
            space_gap = max(space_gap, g)
        elif t == PHRASE:
            phrase_gap = max(phrase_gap, g)
    return Result(
        widths=widths, gaps=gaps, short=short,
        squeeze=squeeze / em, spacing_squeeze=spacing_squeeze / em, han_gap=han_gap / em,
        space_gap=space_gap / em, spacing_stretch=spacing_stretch / em,
        space_shrink=space_shrink / em, phrase_gap=phrase_gap / em, han_tighten=han_tighten / em,
        name_gap=name_gap / em, bracket_squeeze=bracket_squeeze / em,
    )


@dataclass(slots=True, unsafe_hash=True)  # one a candidate line: see paragraph.Unit
class Counts:
    """What a candidate line holds, for a quick estimate of its badness (no Flex lists): the
    widths of its flexible items are equal within each kind, so equal shares need no filling."""

    laid: float  # its width as laid out (every flexible item at its narrowest)
    natural: float  # its width with every item at its natural width
    marks: int  # squeezable marks, the one ending the line excepted
    end_mark: float  # what the mark ending the line may give (0 if none)
    spacings: int  # Han–Latin spacings
    han: int  # gaps between Chinese characters (and beside marks)
    spaces: int  # Latin word spaces
    shrinks: int = 0  # Latin word spaces laid out narrower (SPACE_SHRINK_EM each)
    closable: int | None = None  # Chinese gaps that may close up, none beside a mark (None: han)
    held: int = 0  # of the spacings, those beside a Latin phrase: they squeeze, never stretch
    names: int = 0  # gaps before a name in a list of names (NAME)
    brackets: int = 0  # of the marks, the brackets and quotes (squeezed before the stops)


def within_pull(counts: Counts, available: float, em: float) -> bool:
    """Whether a line of a paragraph page makeup sets a line shorter (缩行) fits within what
    a pulled paragraph may take: its brackets and quotes to half an em (as in any line), its
    stops to ¾ em (FIRST_SQUEEZE_EM), its Han–Latin spacing to ⅛ em, never its stops further
    nor its Chinese gaps closed up. Taken to those limits, 2081-01's pulled paragraph read as
    a solid block beside the others: every stop at ½ em, glyphs touching at −0.03 em (P16 R4).
    compose() squeezes in the same order, so a line within them is set within them."""
    if counts.laid > available + 1e-6:
        return False  # only with its Chinese gaps closed up
    rest = counts.natural - available - counts.end_mark
    stops = counts.marks - counts.brackets
    rest -= counts.brackets * em / 2 + stops * FIRST_SQUEEZE_EM * em + counts.spacings * em / 8
    if rest <= 1e-6:
        return True
    # Past those, compose() takes the stops on to ½ em before a Latin word space shrinks.
    return not stops and rest <= counts.shrinks * SPACE_SHRINK_EM * em + 1e-6


def estimate(counts: Counts, available: float, em: float, justify: bool,
             max_gap_em: float | None, tighten_em: float = 0.0) -> float:
    """The badness compose() would give the line (compose's tiers, in closed form)."""
    if counts.laid > available + 1e-6:
        over = counts.laid - available
        closable = counts.han if counts.closable is None else counts.closable
        if not (tighten_em and closable and over <= closable * tighten_em * em + 1e-6):
            return 1e7  # does not fit even squeezed
        # Every item squeezed to its narrowest, then the Chinese gaps closed up.
        return (squeeze_cost(0.5) * (counts.marks > counts.brackets)
                + bracket_cost(0.5) * (counts.brackets > 0) + (counts.spacings > 0)
                + shrink_cost(SPACE_SHRINK_EM) * (counts.shrinks > 0)
                + tighten_cost(over / closable / em))
    if counts.natural > available:  # squeeze
        rest = counts.natural - available - counts.end_mark
        bracket = squeeze = spacing = shrink = 0.0
        stops = counts.marks - counts.brackets
        if rest > 0 and counts.brackets:
            bracket = min(rest / counts.brackets, em / 2)
            rest -= bracket * counts.brackets
        if rest > 1e-9 and stops:
            squeeze = min(rest / stops, FIRST_SQUEEZE_EM * em)
            rest -= squeeze * stops
        if rest > 1e-9 and counts.spacings:
            spacing = min(rest / counts.spacings, em / 8)
            rest -= spacing * counts.spacings
        if rest > 1e-9 and stops:
            deeper = min(rest / stops, em / 2 - squeeze)
            squeeze += deeper
            rest -= deeper * stops
        if rest > 1e-9 and counts.shrinks:
            shrink = min(rest / counts.shrinks, SPACE_SHRINK_EM * em)
        return (squeeze_cost(squeeze / em) + bracket_cost(bracket / em)
                + (spacing / em / 0.125) ** 2 + shrink_cost(shrink / em))
    if not justify:
        return 0.0
    rest = available - counts.natural
    carrier = han = space = 0.0
    cap = None if max_gap_em is None else max_gap_em * em
    soft = SOFT_GAP_EM * em if cap is None else min(SOFT_GAP_EM * em, cap)

    def take(count, room):
        nonlocal rest
        if not count or rest <= 1e-9:
            return 0.0
        share = rest / count if room is None else min(rest / count, room)
        rest -= share * count
        return share

    comfort = min(COMFORT_GAP_EM * em, soft)
    # (A phrase's spacing keeps its width: counted as stretching, it had the planner take a
    # line whose Chinese gaps compose() then spread to 0.13 em, an unseen issue's "CEO John
    # Neuffer在声明中说：“The global semi-".)
    stretching = counts.spacings - counts.held
    carrier += take(stretching, (HAN_LATIN_SOFT_EM - 0.25) * em)
    han += take(counts.han, comfort)
    carrier += take(stretching, (HAN_LATIN_MAX_EM - HAN_LATIN_SOFT_EM) * em)
    han += take(counts.han, soft - han)
    name = take(counts.names, NAME_GAP_EM * em)
    space += take(counts.spaces, SOFT_SPACE_EM * em)
    han += take(counts.han, None if cap is None else cap - han)
    space += take(counts.spaces, None)
    if rest > 0.5:
        return 1e6 + rest
    return (gap_cost(han / em) + space_cost(space / em)
            + (carrier / em / 0.25) ** 2 + (name / em / NAME_GAP_EM) ** 2)
