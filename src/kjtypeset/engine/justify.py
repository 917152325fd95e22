"""Typeset seam: Chinese line composition inside WeasyPrint 70 (pinned).

A patch with one entry point, ``install()``, which refuses to patch a WeasyPrint whose
internals are not the ones tested here (tests/test_justify.py fails loudly on another one).
WeasyPrint's ``text-align: justify`` only widens U+0020/U+00A0 and knows nothing of Chinese
punctuation, so lines of Chinese stay ragged or loose. Four hooks make a line composer of it:

1. ``Layout.set_text`` (Pango attributes, no extra boxes): in a justified paragraph every
   full-width mark is shaped half width (the font's ``halt``) and the Han–Latin spacing
   characters kjtypeset.typography.cjk inserts (U+FEFF) are given ⅛ em, so Pango's greedy
   line breaking packs each line as far as squeezing could (JIS X 4051 追い込み). Elsewhere the
   marks of an adjacent pair are set 1.5 em and the spacing ¼ em: their natural widths.
2. ``first_line_metrics`` (where Pango's first line is taken): a justified line that fits only
   by squeezing may instead break one unit earlier and be stretched, whichever shows less
   (kjtypeset.typography.linefit); a centred heading breaks into lines of balanced length,
   preferably after ：, at an ideographic space or before an opening bracket.
3. ``text_align``: each line gives the width back in the order of linefit (marks to full
   width, Han–Latin spacing to ¼ then ⅓ em, gaps between Chinese characters, word spaces);
   spacing at either end of a line goes, an opening bracket starting a line keeps half width.
   The widths are written into the shaped glyphs (``_Plan``), never as inserted characters,
   so the text layer reads exactly as written.
4. ``draw_text``: a box stretched so much that viewers might read a space between two Chinese
   characters carries its own text as ``/ActualText``; a hyphen added by hyphenation is not
   part of the text either.

How the space is added to glyphs
--------------------------------
*Inside a TextBox* a width change at a cluster boundary is split into a "trail" added to the
advance of the glyph before it and a "lead" added to the advance and x_offset of the glyph
after it. The plan (byte offset → Pango units) is stored on WeasyPrint's ``Layout`` object and
re-applied by a wrapper around ``Layout.get_first_line``, which ``draw_first_line`` calls on
the fresh PangoLayout that ``reactivate()`` builds at draw time. Pango 1.50's letter-spacing
attributes would give every cluster half on each side (measured in demos/ls_semantics.py);
editing glyphs is one-sided and exact.

*Between boxes* (``<strong>`` run-ins, links…) the first half widens the last glyph of the box
before, the second half shifts ``position_x`` of what follows, as WeasyPrint's own
``add_word_spacing`` does.

Pitfall: Pango computes and caches a line's extents while building it, so
``pango_layout_line_get_extents`` does not see edited glyphs: a box's new width is Pango's
width plus what was really written into the glyphs.
"""

import inspect
import logging
import re
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from types import SimpleNamespace

from ..typography import linefit, paragraph
from ..typography.chars import (
    BRACKETS,
    CLOSING,
    OPENING,
    PAIRED_MARKS,
    SQUEEZABLE,
    STOPS,
    is_cjk_letter,
    is_han,
    is_invisible,
    is_wide,
)

LOGGER = logging.getLogger("kjtypeset.engine.justify")

SUPPORTED_WEASYPRINT = ("70.0",)
MIN_PANGO = 14400  # tested on 1.50.12; WeasyPrint 70 itself needs 1.44

# Signatures of the internals we replace, wrap or call.
_EXPECTED_SIGNATURES = {
    "weasyprint.layout.inline.justify_line": ["context", "line", "extra_width"],
    "weasyprint.layout.inline.text_align": ["context", "line", "available_width", "last"],
    "weasyprint.layout.inline.add_word_spacing": [
        "context", "box", "justification_spacing", "x_advance"],
    "weasyprint.layout.inline.count_expandable_spaces": ["box"],
    "weasyprint.layout.inline.trailing_whitespace_size": ["context", "box"],
    "weasyprint.layout.inline.iter_line_boxes": [
        "context", "box", "position_y", "bottom_space", "skip_stack", "containing_block",
        "absolute_boxes", "fixed_boxes", "first_letter_style", "first_line_style"],
    "weasyprint.layout.inline.get_next_linebox": [
        "context", "linebox", "position_y", "bottom_space", "skip_stack", "containing_block",
        "absolute_boxes", "fixed_boxes", "first_letter_style", "first_line_style"],
    "weasyprint.layout.inline.split_first_line": [
        "text", "style", "context", "max_width", "justification_spacing", "is_line_start",
        "minimum"],
    "weasyprint.text.line_break.first_line_metrics": [
        "first_line", "text", "layout", "resume_at", "space_collapse", "style", "hyphenated",
        "hyphenation_character"],
    "weasyprint.text.line_break.create_layout": [
        "text", "style", "context", "max_width", "justification_spacing"],
    "weasyprint.text.line_break.line_size": ["line", "style"],
    "weasyprint.text.line_break.strut": ["style"],
    "weasyprint.text.line_break.Layout.get_first_line": ["self"],
    "weasyprint.text.line_break.Layout.set_text": ["self", "text", "justify"],
    "weasyprint.text.line_break.Layout.setup": ["self", "style"],
    "weasyprint.text.line_break.Layout.reactivate": ["self", "style"],
    "weasyprint.text.line_break.Layout.deactivate": ["self"],
    "weasyprint.draw.text.draw_text": [
        "stream", "textbox", "offset_x", "text_overflow", "block_ellipsis"],
    # Page makeup (engine/makeup.py, engine/typeset.py): wrapped or called.
    "weasyprint.layout.block._in_flow_layout": [
        "context", "box", "index", "child", "new_children", "page_is_empty", "absolute_boxes",
        "fixed_boxes", "adjoining_margins", "bottom_space", "position_y", "skip_stack",
        "first_letter_style", "first_line_style", "discard", "next_page", "max_lines"],
    "weasyprint.layout.block._linebox_layout": [
        "context", "box", "index", "child", "new_children", "page_is_empty", "absolute_boxes",
        "fixed_boxes", "adjoining_margins", "bottom_space", "position_y", "skip_stack",
        "first_letter_style", "first_line_style", "draw_bottom_decoration", "max_lines"],
    "weasyprint.layout.LayoutContext._update_footnote_area": ["self"],
    "weasyprint.layout.block.block_level_layout": [
        "context", "box", "bottom_space", "skip_stack", "containing_block", "page_is_empty",
        "absolute_boxes", "fixed_boxes", "adjoining_margins", "first_letter_style",
        "first_line_style", "discard", "max_lines"],
    "weasyprint.layout.block.collapse_margin": ["adjoining_margins"],
    "weasyprint.layout.percent.resolve_percentages": ["box", "containing_block"],
    "weasyprint.layout.page.make_page": [
        "context", "root_box", "page_type", "resume_at", "page_number", "page_state"],
    # page_state is (quote_depth, counter_values, counter_scopes, page_groups): makeup restores it.
    "weasyprint.formatting_structure.build.update_counters": ["state", "style"],
    "weasyprint.layout.LayoutContext.overflows_page": ["self", "bottom_space", "position_y"],
    "weasyprint.formatting_structure.boxes.Box.translate": ["self", "dx", "dy", "ignore_floats"],
    "weasyprint.formatting_structure.boxes.Box.descendants": ["self", "placeholders"],
    "weasyprint.formatting_structure.boxes.BlockBox.get_wrapped_table": ["self"],
    "weasyprint.formatting_structure.boxes.ParentBox.copy_with_children": ["self", "new_children"],
    "weasyprint.formatting_structure.boxes.FootnoteAreaBox.__init__": ["self", "page", "style"],
    "weasyprint.css.ComputedStyle.copy": ["self"],
    # makeup._collect_missing_counters: wrapped (the missing local counters it drops).
    "weasyprint.css.targets.TargetCollector.collect_missing_counters": [
        "self", "parent_box", "css_token", "parse_again_function", "missing_counters",
        "missing_target_counters"],
    "weasyprint.css.targets.TargetCollector.cache_target_page_counters": [
        "self", "anchor_name", "page_counter_values", "page_maker_index", "page_maker"],
    # Table columns (engine/columns.py): wrapped, and the preferred widths it reads.
    "weasyprint.layout.table.auto_table_layout": ["context", "box", "containing_block"],
    "weasyprint.layout.preferred.table_cell_min_max_content_width": ["context", "box", "outer"],
    "weasyprint.layout.preferred.table_and_columns_preferred_widths": ["context", "box", "outer"],
    # Tagged PDF (engine/tagging.py): the tree builder replaced, the marking it reads.
    "weasyprint.pdf.tags.add_tags": ["pdf", "document", "pdf_version", "page_streams"],
    "weasyprint.pdf.stream.Stream.marked": ["self", "box", "tag"],
    # The footnotes' 注线 placed again where typeset.pin_to_page_bottom moves the notes.
    "weasyprint.layout.background.layout_box_backgrounds": [
        "page", "box", "get_image_from_uri", "layout_children", "style"],
}

# Global names a function must still reference for our hooks to be reached.
_EXPECTED_REFERENCES = {
    "weasyprint.layout.inline.text_align": {"justify_line"},
    "weasyprint.layout.inline.get_next_linebox": {"text_align", "split_inline_box",
                                                  "avoid_collisions"},
    "weasyprint.layout.inline.iter_line_boxes": {
        "get_next_linebox", "handle_leader", "resolve_percentages", "resolve_one_percentage",
        "text_indent"},
    "weasyprint.layout.block._linebox_layout": {"iter_line_boxes",
                                                # makeup._linebox_layout: notes moved for a line
                                                "report_footnote", "current_page_footnotes",
                                                "layout_footnote"},
    "weasyprint.layout.float.avoid_collisions": {"margin_right"},
    "weasyprint.layout.inline.split_text_box": {"split_first_line", "strut", "margin_top"},
    "weasyprint.text.line_break.split_first_line": {"first_line_metrics", "create_layout"},
    "weasyprint.text.line_break.first_line_metrics": {"set_text", "get_first_line", "line_size"},
    "weasyprint.layout.inline.add_word_spacing": {"justification_spacing"},
    "weasyprint.text.line_break.Layout.reactivate": {"setup", "set_text"},
    "weasyprint.text.line_break.Layout.set_text": {"justification_spacing",
                                                   "pango_layout_get_attributes"},
    "weasyprint.draw.text.draw_text": {"reactivate", "draw_first_line"},
    "weasyprint.draw.text.draw_first_line": {
        "get_first_line", "geometry", "width", "x_offset", "max_width", "PANGO_GLYPH_EMPTY",
        "int"},
    "weasyprint.draw.draw_inline_level": {"draw_text", "marked"},
    "weasyprint.pdf.generate_pdf": {"add_tags"},
    "weasyprint.pdf.stream.Stream.marked": {"_tags", "begin_marked_content"},
    "weasyprint.pdf.anchors.add_links": {"link_annotation", "reference"},
    "pydyf.Stream.begin_marked_content": {"stream", "append"},
    # Page makeup: where our hooks are looked up, and the context fields they read.
    "weasyprint.layout.block.block_container_layout": {"_in_flow_layout", "_linebox_layout"},
    "weasyprint.layout.LayoutContext.report_footnote": {"reported_footnotes",
                                                        "current_page_footnotes",
                                                        "_update_footnote_area"},
    "weasyprint.layout.block._in_flow_layout": {"block_level_layout", "overflows_page", "index"},
    "weasyprint.layout.page.remake_page": {"make_page", "page_maker"},
    "weasyprint.layout.page.make_page": {
        "block_level_layout", "page_bottom", "current_page", "current_footnote_area",
        "content_box_y", "children",
        # What makeup._Snapshot restores when a page is laid out again.
        "footnotes", "reported_footnotes", "current_page_footnotes", "broken_out_of_flow",
        "update_counters", "page_maker"},
    "weasyprint.layout.block.block_level_layout": {"is_for_root_element"},
    "weasyprint.layout.table.table_wrapper_width": {"auto_table_layout"},
    "weasyprint.layout.preferred.table_and_columns_preferred_widths": {
        "table_cell_min_max_content_width", "colspan", "rowspan", "tables"},
    "weasyprint.layout.page.make_all_pages": {"page_maker", "remake_page"},
    "weasyprint.layout.inline.atomic_box": {"copy", "inline_replaced_box_layout"},
    "weasyprint.layout.percent.resolve_percentages": {"style"},
    "weasyprint.css.ComputedStyle.__missing__": {"cascaded"},
    "weasyprint.document.Page.__init__": {"gather_anchors", "_page_box"},
    # engine/contents.py cuts the parsed tree of an HTML nobody has rendered yet: the tree
    # the render reads, and the element wrapper whose children are read only when rendering.
    "weasyprint.HTML.__init__": {"etree_element", "wrapper_element"},
    "weasyprint.document.Document._render": {"etree_element"},
}

_state = {}

from ..typography.cjk import (  # noqa: E402
    DISCOURAGED_BREAK,  # US$3.7 / billion, 2042— / 2044年, 0471-4366683 / 转8021
    LEADING_WORDS,  # 与, 在, 对…: a word that leads what follows
    LONG_CODE,  # 91150100U2NU8GBX55, ZL 2024 1 0195119.8
    NAME_CHARS,  # a person's name: at most five characters
    SPACING,  # the Han–Latin spacing character
    code_spaces,  # ZL 2024 1 0195119.8
    digit_group_spaces,  # 27 436.5, 0.000 04
    long_formula_breaks,  # P=380 V× / 25 A
    name_breaks,  # GB/T 22080— / 2016
    name_spans,  # 巴特尔　张　伟　孟克巴雅尔: three names
    short_formula_breaks,  # 5 × / 10³ m
    url_spans,  # https://github.com/…, footprint-framework.support@…
)

SPACING_EM = 0.25  # its natural width (clreq §3.2.1)
SPACING_MIN_EM = 0.125  # squeezed
# Beside a Latin phrase set among Chinese (Hugging Face, 27 436.5): with the phrase's word space
# (0.26 em in Noto Serif CJK) it makes the gap a reader sees, kept under ½ em (issue 12).
PHRASE_SPACING_EM = 0.2
SPACING_SOFT_EM = linefit.HAN_LATIN_SOFT_EM
SPACING_MAX_EM = linefit.HAN_LATIN_MAX_EM
_SPACES = (" ", "\u00a0")
# White space a line's end drops: a word space (WeasyPrint removes it) and an ideographic space,
# which hangs past the measure (CSS Text 3 §4.1.3, as Pango lets it) and loses its advance when
# the line is set (_model). A roster's names parted by U+3000 then fill a line to the point:
# counted, the U+3000 after the last name overflowed it, and "出席：" stood alone on its line
# (P12 D5). The planner (paragraph.Unit.space), the greedy breaks and WeasyPrint's own overflow
# test (_trailing_whitespace_size) drop the same.
IDEOGRAPHIC_SPACE = "\u3000"
_WHITE = (" ", IDEOGRAPHIC_SPACE)
# No stretch after an opening mark or before a closing one, so marks stay attached to the
# words they enclose or end; the space goes on their outer side.
_OPENING = set(OPENING + "［｛〘〚〝([{")
_CLOSING = set(CLOSING + STOPS + "〙〛〞)]},.;:?!%．％‰")
# A gap this wide (em) may read as a space in a viewer's text layer (PDFium: half the space
# width, 0.112 em for Noto Sans CJK, 0.128 em for Noto Serif CJK): its box gets ActualText.
ACTUAL_TEXT_EM = 0.1
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\u00ad\ufeff"))
# Where a centred heading prefers to break (issue 12): after a colon, a comma or an ideographic
# space, before an opening bracket or after a closing one; elsewhere a break costs as much as
# lines four ems apart in length (two lines d ems apart cost d²/2), and inside brackets or
# quotation marks as lines six ems apart: 《呼和浩特市促进科技成果转化若干措施》政策要点解读
# breaks after 》, not at 若干 / 措施 for lines of equal length (a quotation longer than the line
# still breaks, between words), and …签署合作协议，/ 共建… after its comma rather than at
# 合作 / 协议 for lines of 17 and 19 (an unseen issue; at two ems apart the comma lost). An
# enumeration comma too: "…稀土新材料、/ 乳业生物技术…", not "…新材料、乳业 / 生物技术…" (P10 D12).
_PREFERRED_AFTER = set("：:\u3000，；、")
_BREAK_PENALTY_EM2 = 8.0
_INSIDE_QUOTE_PENALTY_EM2 = 18.0
_UNBROKEN_GROUP_PENALTY_EM2 = 400.0  # inside one that fits on a line: as lines 28 ems apart
_EXTRA_LINE_EM2 = 50.0  # a heading set in one line more than Pango's, to keep such a group whole
# … and at a bracket a little more than after punctuation (南京着力打造“123”体系　/ 促进“科技—产业—
# 金融”深度融合: the verb with its object, not 体系　促进 / “科技…).
_BRACKET_PENALTY_EM2 = 2.0
# … but not before a bracket set solid after a word, which glosses it (an abbreviation, a formula:
# "…公司磷酸铁锂 / （LiFePO₄）储能电池", an unseen issue, P10 D12): a break there splits the term
# from its gloss as any break between words does; after the closing bracket stays preferred.
_GLOSS_OPENING = "（(［["
# An ideographic space is where the title's author parted its two phrases (南京深化科技金融融合
# 　畅通…): a break there is worth lines three ems more apart than elsewhere.
_SPACE_BONUS_EM2 = -4.5
# A dash before more text opens the title's subtitle (副题, cjk.py lets it break there): a title of
# more than one line starts its subtitle on a line of its own, as a newspaper sets 主题 and 副题.
_SUBTITLE_BONUS_EM2 = -1000.0
# Where the author parted a title (an ideographic space, a colon, the dash of a subtitle), it
# breaks there if its shortest line is then at least this share of its longest (_balance).
_AUTHOR_BREAKS = ("\u3000", "：", ":")
AUTHOR_BREAK_SHARE = 0.4
# Then, where the balanced lines break between two words, at a comma or an enumeration comma
# if the lines are then no more unequal than this: "新认定自治区级重点实验室12家、/ 工程技术研究中心
# 8家", balanced, broke "…重点实验室 / 12家、…" (P17 D4). Not where they break at a mark or before
# a word that leads what follows: "…科技特派员、联合实验室 / 和科技计划…", not "…科技特派员、/
# 联合实验室和科技计划…" (P18 R3).
_CLAUSE_BREAKS = ("，", "、", "；")
CLAUSE_BREAK_SHARE = 0.5
# A one-character preposition or conjunction (cjk.LEADING_WORDS) leads the words after it: a
# title line does not end with it ("…生成式人工智能在 / 政务服务中的应用…", P17 D4).
_AUTHOR_MARKS_TRIED = 4  # a title's author's marks tried in every combination (2⁴ plans at most)


@dataclass(frozen=True)
class Composition:
    """The layout's typography switches that the composer reads (layout.yaml ``typography:``)."""

    squeeze: bool = True  # lay justified lines out at their narrowest and give width back
    punctuation_compression: bool = True  # adjacent full-width marks take 1.5 em
    halfwidth_line_end: bool = False  # a mark ending a justified line is always half width
    halfwidth_line_start: bool = True  # an opening bracket starting a line is half width
    balance_headings: bool = True  # centred text breaks into lines of similar length
    max_gap_em: float | None = None  # the most a gap between Chinese characters may take (None: no limit)


# --------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def gap_is_opportunity(a, b, strict=True):
    """Can extra space go between the visible characters ``a`` and ``b``?

    ``strict=False`` drops the opening/closing-mark rule, for lines that would otherwise have
    no opportunity at all.
    """
    if a in _SPACES:
        return True  # the space itself is widened (the gap after it)
    if b in _SPACES:
        return False  # ... so the gap before it is not a second opportunity
    if a == b and a in PAIRED_MARKS:
        return False
    if not (is_wide(a) or is_wide(b)):
        return False  # never inside a Latin word or a number
    if strict and (a in _OPENING or b in _CLOSING):
        return False
    return True


def pair_halves(chars):
    """Indexes of the marks an adjacent pair sets half width (1.5 em for the two, clreq
    §3.1.6.1): a closing mark or stop before another mark, an opening mark after another
    opening mark."""
    halves = set()
    for i in range(len(chars) - 1):
        a = chars[i]
        if a in _ENDING:
            if chars[i + 1] in SQUEEZABLE:
                halves.add(i)
        elif a in OPENING and chars[i + 1] in OPENING:
            halves.add(i + 1)
    return halves


_ENDING = frozenset(CLOSING + STOPS)


@dataclass(frozen=True)
class _TextPlan:
    """What ``set_text`` adds to a text: byte ranges of the marks shaped half width, and of
    the spacing characters with the width they get."""

    halts: tuple = ()
    spacings: tuple = ()
    spaces: tuple = ()  # Latin word spaces laid out SPACE_SHRINK_EM narrower
    halt_runs: tuple = ()  # the halts joined across the ideographs between them (_halt_runs)
    groups: tuple = ()  # ((start, end), separator) of the spaces between digit groups (27 436.5)


@lru_cache(maxsize=8192)
def _text_plan(text, squeeze, compression):
    offsets, visible = [], []
    spacings = []
    position = 0
    for char in text:
        size = len(char.encode())
        if char == SPACING:
            spacings.append((position, position + size))
        elif not is_invisible(char):
            offsets.append((position, position + size))
            visible.append(char)
        position += size
    halves = pair_halves(visible) if compression else set()
    halts = tuple(span for k, (span, char) in enumerate(zip(offsets, visible))
                  if char in SQUEEZABLE and (squeeze or k in halves))
    spaces = ()
    if squeeze:
        # A space between two Latin words (or at the box's edge beside one): not a digit
        # group's (27 436.5 never changes), not a patent number's (code_spaces), not one
        # beside Chinese text.
        fixed = set(code_spaces("".join(visible)))
        spaces = tuple(span for k, (span, char) in enumerate(zip(offsets, visible))
                       if char == " " and k not in fixed
                       and _word_space(visible[k - 1] if k else None,
                                       visible[k + 1] if k + 1 < len(visible) else None))
    groups = tuple((offsets[k], visible[k]) for k in digit_group_spaces("".join(visible)))
    return _TextPlan(halts, tuple(spacings), spaces, _halt_runs(halts, offsets, visible), groups)


def _halt_runs(halts, offsets, visible):
    """The byte ranges to give ``halt``: each halted mark's, joined with the next one's when
    only ideographs lie between them (no font has half-width forms of ideographs: ``halt``
    leaves them as they are).

    Pango 1.50 shapes an item with at most 32 OpenType features (``hb_feature_t
    features[32]`` in pango/shape.c), the font's own and WeasyPrint's included, and keeps
    the features of the *last* attributes it met: with one attribute per mark, a paragraph
    measured in one layout had its first marks shaped full width once it held more than
    about 30 of them. One attribute per run keeps a paragraph's count small (and Pango's
    attribute lists short)."""
    if not halts:
        return ()
    halted = set(halts)
    runs = []
    start = end = None
    for span, char in zip(offsets, visible):
        if span in halted:
            if start is None:
                start = span[0]
            end = span[1]
        elif start is not None and not is_han(char):
            runs.append((start, end))
            start = None
    if start is not None:
        runs.append((start, end))
    return tuple(runs)


def _word_space(before, after):
    if before is None and after is None:
        return False
    if before is not None and after is not None and before.isdigit() and after.isdigit():
        return False
    return all(char is None or (not char.isspace() and not is_wide(char) and char != SPACING)
               for char in (before, after))


# A quotation mark of English text is shaped proportional (typography/cjk.py: kj-pw, pwid):
# the composer takes it for the Latin mark it stands for, with no blank half to squeeze.
_LATIN_STAND_IN = {"’": "'", "‘": "'", "“": '"', "”": '"'}


def _latin_marks(style):
    """Whether the box's quotation marks are English ones (font-feature-settings: pwid)."""
    settings = style["font_feature_settings"]  # 'normal' or ((tag, value), …)
    return settings != "normal" and any(tag == "pwid" and value for tag, value in settings)


def _box_plan(text, style, squeeze):
    """(_text_plan of a box's text, whether its marks are English ones): English marks are
    never shaped half width. ``squeeze``: the box is laid out at its narrowest (_squeezes)."""
    latin = _latin_marks(style)
    compression = _state["composition"].punctuation_compression
    return _text_plan(text, squeeze and not latin, compression and not latin), latin


def _unfilled(style) -> str | None:
    """How a justified line nothing fills is set: None, spread (稀排); "ragged", flush left at
    its natural widths when nothing fills it within the cap (``--kj-unfilled: ragged``: table
    cells of prose, typography/cjk.py's stylesheet; a line of contact fields); "loose", so
    already when its Chinese gaps would pass the soft limit a reader sees or its word spaces
    linefit.LOOSE_SPACE_EM (``--kj-unfilled: loose``: a reference list's entries); "names", a
    list of names, whose lines end at a name: justified through the gaps before its names only,
    each by at most linefit.NAME_GAP_EM, else short at its natural widths (_name_tiers)."""
    return next((token.value for token in style[UNFILLED]
                 if getattr(token, "value", None) in ("ragged", "loose", "names")), None)


def _squeezes(style):
    """Whether text in ``style`` is laid out at its narrowest (a justified paragraph)."""
    composition = _state.get("composition")
    return bool(composition and composition.squeeze and style["text_align_all"] == "justify"
                and style["white_space"] in ("normal", "pre-line") and not _solid(style))


SOLID = "__kj_solid"  # the CSS custom property --kj-solid, as WeasyPrint keys it


def _solid(style) -> bool:
    """Whether the marks of text in ``style`` keep their natural width: a hanging label
    (``--kj-solid: 1``; the 出席：, 附件： of layouts' style.css), whose turned lines stand
    under the first character after its colon; squeezed on a tight first line, the names
    after it stood half an em left of the names under them (an unseen 纪要)."""
    return any(getattr(token, "value", None) for token in style[SOLID] or ())


# --------------------------------------------------------------------------
# Version guard
# --------------------------------------------------------------------------

def _resolve(dotted):
    import importlib
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def check_internals(version=None):
    """Return a list of problems; empty when the internals look as expected."""
    import weasyprint
    problems = []
    version = weasyprint.__version__ if version is None else version
    if version not in SUPPORTED_WEASYPRINT:
        problems.append(
            f"WeasyPrint {version} is not in the tested versions {SUPPORTED_WEASYPRINT}")
    for dotted, params in _EXPECTED_SIGNATURES.items():
        try:
            func = _resolve(dotted)
            found = list(inspect.signature(func).parameters)
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            problems.append(f"{dotted} is missing ({exc})")
            continue
        if found != params:
            problems.append(f"{dotted}{tuple(found)} != expected {tuple(params)}")
    for dotted, names in _EXPECTED_REFERENCES.items():
        try:
            # Look through wrappers that declare what they wrap (functools.wraps).
            code = inspect.unwrap(_resolve(dotted)).__code__
        except (ImportError, AttributeError) as exc:
            problems.append(f"{dotted} is missing ({exc})")
            continue
        missing = names - set(code.co_names)
        if missing:
            problems.append(f"{dotted} no longer references {sorted(missing)}")
    try:
        from weasyprint.formatting_structure.boxes import TextBox
        if not hasattr(TextBox, "justification_spacing"):
            problems.append("TextBox.justification_spacing is gone")
        from weasyprint.formatting_structure.boxes import Box, MarginBox
        from weasyprint.layout.absolute import AbsolutePlaceholder
        if not (hasattr(Box, "is_leader") and hasattr(Box, "link_annotation")
                and "at_keyword" in inspect.signature(MarginBox).parameters
                and "_box" in AbsolutePlaceholder.__init__.__code__.co_consts):
            problems.append("the box attributes engine/tagging.py reads are gone")
        from weasyprint.css.properties import INITIAL_VALUES
        unknown = [name for name in _MEASURED_PROPERTIES if name not in INITIAL_VALUES]
        if unknown:  # the key of a kept measure (measures_kept) would not see a style change
            problems.append(f"WeasyPrint no longer has the properties {unknown}")
        from weasyprint.text.ffi import ffi, pango
        if pango.pango_version() < MIN_PANGO:
            problems.append(f"Pango {pango.pango_version()} < {MIN_PANGO}")
        fields = dict(ffi.typeof("PangoGlyphGeometry").fields)
        item_fields = dict(ffi.typeof("PangoItem").fields)
        string_fields = dict(ffi.typeof("PangoGlyphString").fields)
        if "width" not in fields or not {"offset", "length", "analysis"} <= set(item_fields) \
                or not {"num_glyphs", "glyphs", "log_clusters"} <= set(string_fields):
            problems.append("Pango glyph structures are not declared as expected in text/ffi.py")
        if "is_line_break" not in dict(ffi.typeof("PangoLogAttr").fields):
            problems.append("PangoLogAttr is not declared as expected in text/ffi.py")
        for name in ("pango_attr_font_features_new", "pango_attr_letter_spacing_new",
                     "pango_layout_get_log_attrs_readonly", "pango_layout_get_line_readonly"):
            getattr(pango, name)
    except Exception as exc:  # noqa: BLE001 - report any breakage as a problem
        problems.append(f"cannot inspect WeasyPrint/Pango internals: {exc!r}")
    from . import margins
    problems += margins.problems()  # the margin boxes a page drops (nested in make_margin_boxes)
    return problems


# --------------------------------------------------------------------------
# 1. Layout.set_text: marks half width and spacing as Pango attributes
# --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _pango():
    """WeasyPrint's Pango binding, with the two attribute-list calls it does not declare."""
    from weasyprint.text.ffi import ffi, pango
    if not hasattr(pango, "pango_attr_list_copy"):
        ffi.cdef("PangoAttrList * pango_attr_list_copy (PangoAttrList *list);"
                 "PangoAttrList * pango_attr_list_ref (PangoAttrList *list);")
    return ffi, pango


def _set_text(self, text, justify=False):
    """WeasyPrint's set_text, then our attributes on a copy of its attribute list.

    WeasyPrint edits the list it finds on the layout, so it must always find its own: the
    list as WeasyPrint left it is kept (``_kj_base``) and put back before each call.
    """
    ffi, pango = _pango()
    self._kj_scaled = None  # a new text: new lines, not yet scaled for writing
    saved = self.__dict__.get("_kj_base")
    if saved is not None and saved[0] == self.layout:
        pango.pango_layout_set_attributes(self.layout, saved[1])
    _state["set_text"](self, text, justify)
    squeeze = _squeezes(self.style)
    plan, _latin = _box_plan(self.text, self.style, squeeze)
    groups = plan.groups if self.style["letter_spacing"] == "normal" and not self.style["word_spacing"] else ()
    if not plan.halts and not plan.spacings and not plan.spaces and not groups:
        self._kj_base = None
        return
    base = pango.pango_layout_get_attributes(self.layout)
    if base != ffi.NULL:
        base = ffi.gc(pango.pango_attr_list_ref(base), pango.pango_attr_list_unref)
        mine = ffi.gc(pango.pango_attr_list_copy(base), pango.pango_attr_list_unref)
    else:
        mine = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for start, end in plan.halt_runs:
        attr = pango.pango_attr_font_features_new(b"halt")
        attr.start_index, attr.end_index = start, end
        pango.pango_attr_list_insert(mine, attr)
    from weasyprint.text.ffi import TO_UNITS
    length = len(self.text.encode())

    def letter_spacing(start, end, units):
        # Pango gives a letter-spaced character half on each side and trims the half that
        # falls outside its line: the spacing that opens or closes a box's text (a word in
        # <strong> or a hyphenation span) would keep half its width, and a composer that
        # counted on all of it would set the line 1/16 em past the measure.
        edges = (start == 0) + (end == length)
        attr = pango.pango_attr_letter_spacing_new(units * 2 if edges == 1 else units)
        attr.start_index, attr.end_index = start, end
        pango.pango_attr_list_change(mine, attr)

    if plan.spacings:
        em = SPACING_MIN_EM if squeeze else SPACING_EM
        units = int(round(self.style["font_size"] * em * TO_UNITS))
        for start, end in plan.spacings:
            letter_spacing(start, end, units)
    if plan.spaces:
        # What WeasyPrint's own attribute on a space holds (CSS word- and letter-spacing),
        # less the shrink: the attribute set here replaces it.
        letter = self.style["letter_spacing"]
        own = self.style["word_spacing"] + (0 if letter == "normal" else letter)
        units = int(round((own - self.style["font_size"] * linefit.SPACE_SHRINK_EM) * TO_UNITS))
        for start, end in plan.spaces:
            letter_spacing(start, end, units)
    size = self.style["font_size"]
    for (start, end), char in groups:
        # As wide as the face's own word space where that is wider (FandolFang's, 0.333 em):
        # typed spaces stay as they are drawn, the narrow ones widen to them.
        extra = max(size * GROUP_SPACE_EM, _separator_width(self.style, " ")) - _separator_width(self.style, char)
        if abs(extra) >= size * 0.002:
            letter_spacing(start, end, int(round(extra * TO_UNITS)))
    pango.pango_layout_set_attributes(self.layout, mine)
    self._kj_base = (self.layout, base)


# Digit groups (GB/T 15835 千分空: 27 436.5) are a quarter of a Chinese character apart (or the
# face's word space, if wider), whichever space the editor typed: the faces draw them
# differently (Noto Serif CJK: a space 0.256 em, a narrow no-break space U+202F 0.128 em, so
# "1 937.2" read as "1937.2" beside "4 218.7", an unseen issue's table). A typed space is never
# narrowed: set narrower by letter-spacing, gongwen's moved its digits once the text layer
# folded the Han–Latin gaps beside them (tests/test_textlayer.py).
GROUP_SPACE_EM = 0.25
_separator_widths = {}


def _separator_width(style, char):
    """The width ``char`` takes between two digits in ``style`` (px)."""
    key = (char, _style_key(style))
    width = _separator_widths.get(key)
    if width is None:
        from weasyprint.text.line_break import Layout, line_size
        widths = []
        for text in (f"0{char}0", "00"):
            layout = Layout(style)
            _state["set_text"](layout, text)
            line, _ = _state["get_first_line"](layout)
            widths.append(line_size(line, style)[0])
            layout.deactivate()
        width = _separator_widths[key] = widths[0] - widths[1]
    return width


# --------------------------------------------------------------------------
# Lines as the composer sees them
# --------------------------------------------------------------------------

@dataclass(slots=True)
class _Unit:
    """A visible character or a spacing character of a line, and where it lies (slots: a
    build makes one for each character of each line, and the preview keeps a paragraph's)."""

    leaf: int  # index of its leaf box in the line
    char: str  # U+FFFC for an atomic inline box
    start: int | None  # byte offsets in the leaf's text
    end: int | None
    em: float  # its font size, in the line's unit
    squeezed: bool = False  # laid out at its narrowest (a justified box)
    box_half: bool = False  # shaped half width by the box's own pair rule
    solid: bool = False  # its marks keep their natural width (--kj-solid: a hanging label)
    listed: bool = False  # in a list of names (--kj-unfilled: names): justified between names only


def _leaves(box, boxes, inline_starts, out, parents=()):
    """Append in-flow leaves of a line in visual (LTR) order to ``out``.

    ``inline_starts`` maps a leaf to the inline boxes that start with it, outermost first,
    so a gap before the leaf is added outside them.
    """
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        first = True
        for child in box.children:
            if child.is_in_normal_flow():
                before = len(out)
                inherited = parents + (box,) if isinstance(box, boxes.InlineBox) else ()
                _leaves(child, boxes, inline_starts, out, inherited if first else ())
                first = first and len(out) == before
    else:  # TextBox or atomic inline-level box
        out.append(box)
        inline_starts[id(box)] = parents


def _units_of(leaf, index, boxes, to_units):
    if not isinstance(leaf, boxes.TextBox):
        return [_Unit(index, "\ufffc", None, None, 0.0)]
    style = leaf.style
    em = style["font_size"] * to_units
    squeezed = _squeezes(style)
    solid = _solid(style)
    listed = _unfilled(style) == "names"
    plan, latin = _box_plan(leaf.text, style, squeezed)
    halts = {start for start, _end in plan.halts}
    shrunk = {start for start, _end in plan.spaces}
    units = []
    offset = 0
    length = len(leaf.text.encode())
    for char in leaf.text:
        size = len(char.encode())
        if char == SPACING and offset == 0 and size == length:
            pass  # a box holding only the spacing: Pango trims both halves, it has no width
        elif char == SPACING or not is_invisible(char):
            if latin:
                char = _LATIN_STAND_IN.get(char, char)  # a Latin mark, not a Chinese one
            units.append(_Unit(index, char, offset, offset + size, em,
                               offset in shrunk if char == " " else squeezed,
                               offset in halts and not squeezed, solid, listed))
        offset += size
    return units


def _line_units(line, boxes, to_units):
    leaves, starts = [], {}
    _leaves(line, boxes, starts, leaves)
    units = []
    for i, leaf in enumerate(leaves):
        units.extend(_units_of(leaf, i, boxes, to_units))
    return leaves, starts, units


@dataclass
class _Model:
    """A line's flexible items and justification gaps, ready for linefit."""

    flexes: list = field(default_factory=list)
    flex_units: list = field(default_factory=list)  # (unit, side): 'right' | 'left' | 'spacing'
    tiers: list = field(default_factory=list)
    gap_units: list = field(default_factory=list)  # (unit before, unit after)
    closable: list = field(default_factory=list)  # indexes of the gaps that may close up (linefit)
    spreadable: list = field(default_factory=list)  # … that may spread past the cap (linefit, 稀排)
    fixed: list = field(default_factory=list)  # (unit, side, change): edge adjustments
    freed: float = 0.0  # width the fixed adjustments give back
    continuation: bool = True  # not the first line of its paragraph


def _model(units, composition, line_start, continuation, line_end):
    """The flexible items and gaps of ``units`` (one line, or a candidate first line).

    ``line_start``/``line_end``: the units begin or end a line (edge rules apply);
    ``continuation``: the line is not the first of its paragraph.
    """
    model = _Model(continuation=continuation)
    visible = [u for u in units if u.char != SPACING]
    halves = pair_halves([u.char for u in visible]) if composition.punctuation_compression else set()
    first_visible = next((k for k, u in enumerate(units) if u.char != SPACING), len(units))
    last_solid = next((k for k in range(len(units) - 1, -1, -1)
                       if units[k].char != SPACING and units[k].char not in _SPACES + _WHITE), -1)
    hanging = sum(1 for u in units[last_solid + 1:] if u.char == IDEOGRAPHIC_SPACE) if line_end else 0
    phrases = _phrases(units)
    v = -1  # index of the unit among the visible ones
    for k, unit in enumerate(units):
        if unit.char == IDEOGRAPHIC_SPACE and line_end and k > last_solid:
            model.fixed.append((unit, "right", -unit.em))  # it hangs (_WHITE): no advance
            model.freed += unit.em
            continue
        if unit.char == SPACING:
            current = unit.em * (SPACING_MIN_EM if unit.squeezed else SPACING_EM)
            if (line_start and k < first_visible) or (line_end and k > last_solid):
                # clreq §3.2.1: no Han–Latin spacing at the start or end of a line
                model.fixed.append((unit, "spacing", -current))
                model.freed += current
                continue
            if id(unit) in phrases:  # beside a phrase, whose word space is part of its gap
                flex = linefit.Flex(current, unit.em * PHRASE_SPACING_EM, unit.em * SPACING_MIN_EM,
                                    0.0, 0.0, kind="spacing")
            else:
                flex = linefit.Flex(current, unit.em * SPACING_EM, unit.em * SPACING_MIN_EM,
                                    unit.em * (SPACING_SOFT_EM - SPACING_EM),
                                    unit.em * (SPACING_MAX_EM - SPACING_EM), kind="spacing")
            model.flexes.append(flex)
            model.flex_units.append((unit, "spacing"))
            continue
        v += 1
        if unit.char == " " and unit.squeezed:
            shrink = unit.em * linefit.SPACE_SHRINK_EM
            if k < first_visible or k > last_solid:
                # A space at a line edge is not seen: as it would be unshrunk. A phrase's
                # space (see _phrases) never stretches but shrinks as any word space, last:
                # the line was broken with it laid out narrower, and set back to its natural
                # width it ran an English quotation 0.77 em into the margin (an unseen issue).
                model.fixed.append((unit, "space", shrink))
                model.freed -= shrink
                continue
            model.flexes.append(linefit.Flex(0.0, shrink, 0.0, 0.0, 0.0, kind="space"))
            model.flex_units.append((unit, "space"))
            continue
        if unit.char not in SQUEEZABLE or unit.start is None or unit.solid:
            continue
        current = unit.em * (0.5 if unit.squeezed or unit.box_half else 1.0)
        natural = unit.em * (0.5 if v in halves else 1.0)
        side = "left" if unit.char in OPENING else "right"
        if side == "left" and line_start and v == 0 and not continuation:
            # A paragraph's opening mark keeps its natural width: squeezed when the line was
            # tight, "（二）" stood 2.7 pt left of the "（一）" and "（三）" above and below it
            # (an unseen notice). The planner counts it so (paragraph.Planner.counts).
            if current != natural:
                model.fixed.append((unit, side, natural - current))
                model.freed -= natural - current
            continue
        if side == "left" and line_start and v == 0 and continuation \
                and composition.halfwidth_line_start:
            # An opening bracket starting a line keeps half width: its blank outer half would
            # push the line in (clreq §3.1.6.2).
            if current != unit.em * 0.5:
                model.fixed.append((unit, side, unit.em * 0.5 - current))
                model.freed += current - unit.em * 0.5
            continue
        at_end = line_end and side == "right" and v == len(visible) - 1 - hanging
        if at_end and composition.halfwidth_line_end:
            if current != unit.em * 0.5:
                model.fixed.append((unit, side, unit.em * 0.5 - current))
                model.freed += current - unit.em * 0.5
            continue
        model.flexes.append(linefit.Flex(current, natural, unit.em * 0.5, 0.0, 0.0,
                                         kind="mark", first=at_end, bracket=unit.char in BRACKETS))
        model.flex_units.append((unit, side))
    solid = units[:last_solid + 1] if line_end else units  # no gap before white space that hangs
    gaps = _gaps(solid, strict=True)
    if not any(tier == linefit.HAN for _a, _b, tier in gaps):
        gaps = _gaps(solid, strict=False)  # a line with no other opportunity
    # A phrase's word space keeps its width (see _phrases) unless the line would be ragged;
    # its letters are never tracked.
    gap_units, tiers, closable, spreadable = model.gap_units, model.tiers, model.closable, model.spreadable
    listed = _name_tiers(solid)
    for a, b, tier in gaps:
        if id(a) in phrases:
            if tier != linefit.SPACE:
                continue
            tier = linefit.PHRASE
        k = len(tiers)
        gap_units.append((a, b))
        tiers.append(_listed_tier(listed, a, b, tier))
        if _closable(a, b, tier):
            closable.append(k)
        # Only between two Chinese letters: the text layer folds such a gap into the glyph
        # before it (textlayer.py); beside a mark, a note call or a Latin run it would copy
        # as a space.
        if tier == linefit.HAN and is_cjk_letter(a.char) and is_cjk_letter(b.char):
            spreadable.append(k)
    return model


def _name_tiers(units):
    """{id(unit): linefit.NAME or linefit.INNER} for the units of a list of names (``listed``)
    that a Chinese gap before them is relabelled for: NAME where a name starts (after the
    full-width space, the comma or the 、 parting it from the one before; not after a hanging
    label's colon), INNER inside a person's name ("张　伟", cjk.name_spans; of a unit and its
    person, 市委办公室李建国, the last NAME_CHARS characters, as cjk._bind_names keeps them
    whole), after a name's last character and after the label. The other gaps (between the
    words of a unit's name) are Chinese gaps as in text. The same for a line (_model) as for
    the paragraph the planner measures (_measure_paragraph)."""
    if not any(unit.listed for unit in units):
        return {}
    text = "".join(" " if unit.char == SPACING else unit.char for unit in units)
    tiers = {}
    for start, end in name_spans(text):
        if start and units[start - 1].listed:
            tiers[id(units[start])] = linefit.INNER if units[start - 1].solid else linefit.NAME
        for k in range(max(start + 1, end - NAME_CHARS + 1), end + 1):
            if k < len(units) and units[k].listed:
                tiers[id(units[k])] = linefit.INNER
    return tiers


def _listed_tier(listed, a, b, tier):
    """The tier of the gap between units ``a`` and ``b``: a Chinese gap in a list of names as
    _name_tiers (``listed``) relabels it, else ``tier``; one rule for a line and a paragraph."""
    return listed.get(id(b), tier) if tier == linefit.HAN and a.listed else tier


def _closable(a, b, tier):
    """Whether a justification gap may close up (linefit.PULL_SQUEEZE_EM): between Chinese
    characters, not beside a squeezable mark (set at ½ em by then: it would go under)."""
    return tier == linefit.HAN and a.char not in SQUEEZABLE and b.char not in SQUEEZABLE


PHRASE_WORDS = 2  # word spaces from which a Latin run at a line's edge is running English


def _phrases(units):
    """ids of the word spaces of Latin phrases set among Chinese (Hugging Face, 27 436.5) and
    of the spacing beside them: they keep their natural widths. A phrase reads as one run, so
    widening its space or its spacing widens the gap between it and the Chinese text."""
    held, run, spaced = set(), [], 0
    among = False  # the run follows Chinese text (or a mark) on this line
    after_han = False  # … and that is a Chinese letter (or the spacing beside one), not a mark
    for unit in units + [None]:
        if unit is None or _ends_run(unit.char):
            # A run with Chinese on neither side is a line of English: its spaces justify it;
            # so do those of three words or more running on from the line before or to the
            # next (an English quotation: held, its line's Chinese gaps took the width,
            # "SIA 总 裁 兼 CEO John Neuffer 在 声 明 中 说：“The global semi-", an unseen issue),
            # and those of a phrase between two marks, which no Chinese letter stands beside:
            # "（Massachusetts Institute of Technology，" took the width of a paragraph's first
            # line in its seven Chinese gaps, 0.156 em each (an unseen English-heavy issue).
            flowing = not among or unit is None
            before_han = unit is not None and unit.char not in SQUEEZABLE
            if spaced and (among or unit is not None) and not (flowing and spaced >= PHRASE_WORDS) \
                    and (after_han or before_han):
                held.update(id(u) for u in run)
            if unit is not None and unit.char == SPACING:
                run, spaced = [unit], 0  # the spacing before the next run
            elif run:
                run, spaced = [], 0
            among = True
            after_han = unit is not None and unit.char not in SQUEEZABLE
            continue
        if unit.char in _SPACES and run:
            spaced += 1
        run.append(unit)
    # The spacing after a phrase: the unit that closed it, when it is spacing.
    for k, unit in enumerate(units):
        if unit.char == SPACING and k and id(units[k - 1]) in held:
            held.add(id(unit))
    return held


@lru_cache(maxsize=65536)
def _ends_run(char):
    """Whether ``char`` ends a Latin run (_phrases): spacing, a Chinese letter or a mark."""
    return char == SPACING or is_cjk_letter(char) or char in SQUEEZABLE


def _gaps(units, strict):
    """(unit, next visible unit, tier) of every justification gap among ``units``: none where
    a spacing character stands between (it is the gap's flexible item), none inside a number
    written in digit groups (27 436.5) or a patent number (ZL 2024 1 0195119.8: its "ZL␣2024"
    took a line's stretch, 0.85 em, P15 D3)."""
    gaps = []
    previous = before = None
    spacing = False
    fixed = set(code_spaces("".join(unit.char for unit in units)))
    for k, unit in enumerate(units):
        if unit.char == SPACING:
            spacing = True
            continue
        if previous is not None and not spacing:
            digit_group = (previous.char in _SPACES + ("\u2009", "\u202f") and before is not None
                           and before.char.isdigit() and unit.char.isdigit()) or k - 1 in fixed
            tier = None if digit_group else _tier(previous.char, unit.char, strict)
            if tier is not None:
                gaps.append((previous, unit, tier))
        before, previous, spacing = previous, unit, False
    return gaps


@lru_cache(maxsize=65536)
def _tier(a, b, strict):
    if gap_is_opportunity(a, b, strict):
        if a in _SPACES:
            return linefit.SPACE
        return linefit.HAN
    # No gap between Latin letters: a word is never letter-spaced (a line before a long URL had
    # "G i t H u b" spread 0.06 em a letter, P17 D2); a line nothing else fills ends short.
    return None


# --------------------------------------------------------------------------
# 2. Where a line breaks: squeeze or stretch; balanced headings
# --------------------------------------------------------------------------

def _split_first_line(text, style, context, max_width, justification_spacing,
                      is_line_start=True, minimum=False):
    """WeasyPrint's split_first_line, telling first_line_metrics the width it breaks for; a
    justified paragraph's text is handed over cut short (_short_text). Where measures are
    kept (measures_kept), a line already split from the same text in the same style and width
    is not split again: its (deactivated) Layout is copied."""
    if _kept is None or _state.get("measuring"):  # a paragraph measured is one not kept
        return _split_first_line_now(text, style, context, max_width, justification_spacing,
                                     is_line_start, minimum)
    key = _Key(("line", text, _style_key(style), max_width, justification_spacing, is_line_start,
                minimum, _state["composition"]))
    _kept_used.add(key)
    kept = _kept_get(key)
    if kept is not None:
        return (copy(kept[0]), *kept[1:])
    result = _split_first_line_now(text, style, context, max_width, justification_spacing,
                                   is_line_start, minimum)
    if "layout" not in result[0].__dict__:  # let go of its PangoLayout: nothing shared
        layout = copy(result[0])
        layout._kj_base = None  # the PangoLayout it was set on: for that layout only (_set_text)
        _kept[key] = (layout, *result[1:])
    return result


def _split_first_line_now(text, style, context, max_width, justification_spacing,
                          is_line_start, minimum):
    outer = _state["breaking"]
    _state["breaking"] = None if minimum else (max_width, text, context)
    try:
        cut = None if minimum or not _squeezes(style) else _short_text(text, style, max_width)
        if cut is not None:
            result = _state["split_first_line"](text[:cut], style, context, max_width,
                                                justification_spacing, is_line_start, minimum)
            if result[2] is not None:  # the line ended inside: as it ends in the whole text
                return result
        return _state["split_first_line"](text, style, context, max_width, justification_spacing,
                                          is_line_start, minimum)
    finally:
        _state["breaking"] = outer


SHORT_LINES = 1.3  # what _short_text hands to Pango for one line, in lines (at least)


def _short_text(text, style, max_width):
    """Where to cut ``text`` so that Pango lays out little more than the one line asked for
    (issue 15: WeasyPrint hands over about four lines, `ratio = 4` in split_first_line, all of
    them itemised, shaped and broken): after SHORT_LINES lines counted at their narrowest
    (a Chinese letter 1 em, another wide character ½ em, anything else ⅕ em), between Chinese
    letters, with one more break between letters before the cut. Nothing up to the first
    line's end and the next word changes: line-break opportunities and shaping only see their
    neighbours, and WeasyPrint itself cuts its text short the same way. None: no such place
    before where WeasyPrint cuts anyway."""
    size = style["font_size"]
    if (not size or max_width is None or not 0 < max_width < 2 ** 21
            or style["word_break"] == "keep-all"):
        return None
    limit = min(len(text) - 1, int(max_width / size * 4))
    need = SHORT_LINES * max_width / size
    total = 0.0
    for i in range(limit):
        char = text[i]
        if total >= need and i >= 2 and is_cjk_letter(char) and is_cjk_letter(text[i - 1]) \
                and is_cjk_letter(text[i - 2]):
            return i
        total += 1.0 if is_cjk_letter(char) else 0.5 if is_wide(char) else 0.0 if is_invisible(char) else 0.2
    return None


def _first_line_metrics(first_line, text, layout, resume_at, space_collapse, style,
                        hyphenated=False, hyphenation_character=None):
    """Pango's first line, or the first line of a balanced heading."""
    breaking = _state.get("breaking")
    composition = _state["composition"]
    if (breaking is not None and breaking[0] not in (None, float("inf")) and not hyphenated
            and first_line is not None and composition.balance_headings
            and style["text_align_all"] == "center" and breaking[1].startswith(text[:1])):
        max_width, whole, context = breaking
        chosen = _balanced_break(whole, layout if layout.text == whole else None, style, context,
                                 max_width)
        if chosen is not None and chosen != first_line.length:
            first_line, resume_at = SimpleNamespace(length=chosen), chosen
    table = None
    if _state.get("measuring") and first_line is not None and not hyphenated:
        # The measured paragraph's widths, read before WeasyPrint lets go of the shaped line
        # (_measure_paragraph: no second shaping of the paragraph).
        table = _char_table(layout, [first_line])
    result = _state["first_line_metrics"](first_line, text, layout, resume_at, space_collapse,
                                          style, hyphenated, hyphenation_character)
    if table is not None:
        result[0]._kj_table = table
    if hyphenated:
        result[0]._kj_hyphenated = hyphenation_character  # not in the text: see draw_text
    if text and style["line_height"] != "normal":  # text '': the strut itself being measured
        *rest, height, baseline = result
        result = (*rest, height, _strut_baseline(style, height, baseline))
    return result


def _strut_baseline(style, height, baseline):
    """A text box's baseline where the style's first available font puts it (the strut, CSS 2.1
    §10.8.1), whatever faces its glyphs come from. Pango measures a line holding a fallback
    face (CO₂'s ₂, ①, ≥ in FandolFang) by its tallest face, and WeasyPrint centres the line
    height on that (split_text_box: baseline + (line height − height) / 2), so such a line
    stood lower and its line box grew: gongwen set 73 % of a symbol-rich text on the grid."""
    from weasyprint.text.line_break import strut
    line_height, baseline_in_line = strut(style)
    wanted = baseline_in_line - (line_height - height) / 2
    return wanted if abs(wanted - baseline) > 1e-3 else baseline


def _glyph_widths(line):
    """{byte offset of a cluster start: its width} for a PangoLayoutLine."""
    from weasyprint.text.ffi import ffi
    widths = {}
    run = line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item, glyphs = glyph_item.item, glyph_item.glyphs
        for i in range(glyphs.num_glyphs):
            start = item.offset + glyphs.log_clusters[i]
            widths[start] = widths.get(start, 0) + glyphs.glyphs[i].geometry.width
    return widths


def _char_table(layout, lines):
    """The characters of ``layout``: (char, byte start, byte end, width in the given Pango
    lines, whether a line may break before it)."""
    from weasyprint.text.ffi import ffi, pango
    widths = {}
    for line in lines:
        widths.update(_glyph_widths(line))
    count = ffi.new("gint *")
    attrs = pango.pango_layout_get_log_attrs_readonly(layout.layout, count)
    table = []
    offset = 0
    for k, char in enumerate(layout.text):
        size = len(char.encode())
        table.append((char, offset, offset + size, widths.get(offset, 0),
                      k < count[0] and bool(attrs[k].is_line_break)))
        offset += size
    return table


# Where a line breaks. WeasyPrint's line breaking is greedy: each line takes as much as fits
# (here: as fits when squeezed) and knows nothing of what the next line needs. Two things are
# added, both by laying a line out in a narrower width, which makes it end earlier:
# - a line that fits only by squeezing may be better broken before its last unit and
#   stretched (badness in kjtypeset.typography.linefit);
# - a paragraph with a bad line (a long number or word that fits on neither) is planned as a
#   whole (kjtypeset.typography.paragraph).
# A justified paragraph is first laid out on one line as wide as it needs (_measure_paragraph):
# from its widths _greedy_breaks works out where the greedy lines with that local choice end,
# and each line is laid out once, at its break (_laid_once; issue 15: before, a line was laid
# out, judged in text_align, laid out again one unit earlier, and a planned paragraph's lines
# all again). What the widths cannot foretell (a forced break, hyphenation, WeasyPrint breaking
# elsewhere) goes the long way: greedy lines judged one by one (_greedy_then_planned).

UNFILLED = "__kj_unfilled"  # the CSS custom property --kj-unfilled, as WeasyPrint keys it
MAX_OPTIONS = 5  # earlier breaks considered for one line
PLAN_BADNESS = 1.0  # a paragraph with a worse line is planned as a whole
MAX_BUFFERED = 60  # lines of a paragraph held before they are handed on (a longer one goes on greedily)
# A paragraph longer than this (characters; some 120 lines) is never measured as a whole: its
# rest was measured afresh at every page and every MAX_BUFFERED lines, quadratic in its
# length (a pasted document of 30 000 characters without a paragraph break took 41 s for 20
# pages). It goes the long way, and where it is planned, the planner sees the next
# MEASURE_WINDOW_LINES lines (a sliding window; only the first MAX_BUFFERED + 8 of them are
# laid out before the next window is planned). No real paragraph comes near it (the longest
# in the sample and the test issues: some 300 characters).
MAX_MEASURED_CHARS = 4000
MEASURE_WINDOW_LINES = 100


def _get_next_linebox(context, linebox, position_y, bottom_space, skip_stack, containing_block,
                      absolute_boxes, fixed_boxes, first_letter_style, first_line_style):
    args = (context, linebox, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
    forced = _state.get("force")
    _state["force"] = None
    saved = {key: _state.get(key) for key in ("choosing", "request", "widen")}
    choosing = (forced is None and _squeezes(linebox.style) and not context.excluded_shapes
                and not first_letter_style and linebox.style["direction"] == "ltr")
    _state.update(choosing=choosing, request=None, widen=0.0)
    try:
        if forced is not None:  # 0.0: as it comes, the break already chosen (_laid_once)
            return _narrower(args, forced)
        counts = len(absolute_boxes), len(fixed_boxes)
        line, resume_at = _state["get_next_linebox"](*args)
        request = _state["request"]
        if request is None or line is None or counts != (len(absolute_boxes), len(fixed_boxes)):
            return line, resume_at
        return _narrower(args, request)
    finally:
        _state.update(saved)


def _narrower(args, narrower):
    """Lay a line out in ``narrower`` px less than its width; set it to the whole width."""
    linebox = args[1]
    margin = linebox.margin_right
    linebox.margin_right = margin + narrower
    _state.update(choosing=False, request=None, widen=narrower)
    try:
        line, resume_at = _state["get_next_linebox"](*args)
    finally:
        linebox.margin_right = margin
    if line is not None:
        line.margin_right = margin
        line._kj_narrower = narrower
    return line, resume_at


def _line_options(context, line, available_width, leaves, units, model, result, em):
    """How ``line`` could end: [(px narrower to lay it out in, badness)], this break first,
    then earlier ones (within its last text box) while they still need squeezing, up to the
    first that needs stretching and is worse than the one before."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS
    from weasyprint.text.line_break import create_layout

    options = [(0.0, result.badness())]
    last = leaves[-1]
    if not isinstance(last, boxes.TextBox) or len(last.text) < 2:
        return options
    layout = create_layout(last.text, last.style, context, max_width=None, justification_spacing=0)
    first_line, _ = _state["get_first_line"](layout)
    table = _char_table(layout, [first_line])
    layout.deactivate()
    available = available_width * TO_UNITS
    width = line.width * TO_UNITS
    index = len(leaves) - 1
    first_of_last = next(k for k, u in enumerate(units) if u.leaf == index)
    breaks = [k for k in range(len(table) - 1, 0, -1) if table[k][4]][:MAX_OPTIONS]
    # The units before each break: the line's, but those of its last box from the break on.
    ends = [first_of_last + sum(1 for u in units[first_of_last:] if u.start < table[k][1])
            for k in breaks]
    tails = [sum(row[3] for row in table[k:]) for k in breaks]
    judged = _earlier_breaks(units, 0, ends, [width - tail for tail in tails], available,
                             model.continuation, em, result.badness())
    previous = len(table)
    for i, badness, _option, _model_of in judged:
        k = breaks[i]
        next_unit = sum(row[3] for row in table[k:previous])
        # Laid out in this width, the line ends at k: the unit after k no longer fits.
        options.append((available_width - (width - tails[i] + min(next_unit / 2, 1024)) * FROM_UNITS,
                        badness))
        previous = k
    return options


def _earlier_breaks(units, start, ends, laid, available, continuation, em, badness):
    """Whether a squeezed line reads better broken earlier, one rule for a laid-out line
    (_line_options) and a measured paragraph (_greedy_breaks): [(i, badness, linefit's Result,
    the _Model it was set from)] of the breaks ``ends[i]`` judged (unit indexes, the latest
    first, at most MAX_OPTIONS), units[start:ends[i]] set as one justified line ``laid[i]``
    wide in ``available`` (_greedy_breaks sets the line it chooses from that model).
    ``badness``: the line's own. Judging stops before a break with nothing visible before
    it, and after the first that needs stretching and is worse than the break after it: an
    earlier break leaves more room to fewer gaps, so it only stretches more (issue 15: the
    sample's build models 1,054 lines instead of 1,601; the same PDFs as judging all five)."""
    composition = _state["composition"]
    judged = []
    for i, end in enumerate(ends[:MAX_OPTIONS]):
        if not any(u.char != SPACING for u in units[start:end]):
            break
        model = _model(units[start:end], composition, True, continuation, True)
        option = linefit.compose(model.flexes, model.tiers, available - laid[i] + model.freed, em,
                                 True, composition.max_gap_em)
        judged.append((i, option.badness(), option, model))
        if judged[-1][1] > (judged[-2][1] if len(judged) > 1 else badness) and not (
                option.squeeze or option.bracket_squeeze or option.spacing_squeeze or option.space_shrink):
            break
    return judged


def _iter_line_boxes(context, box, position_y, bottom_space, skip_stack, containing_block,
                     absolute_boxes, fixed_boxes, first_letter_style, first_line_style):
    """WeasyPrint's iter_line_boxes; a justified paragraph's lines end where the planner
    (kjtypeset.typography.paragraph) sets the paragraph best."""
    from weasyprint.layout.inline import handle_leader
    from weasyprint.layout.percent import resolve_one_percentage, resolve_percentages

    if not _squeezes(box.style) or box.style["direction"] != "ltr":
        yield from _state["iter_line_boxes"](
            context, box, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
        return
    resolve_percentages(box, containing_block)
    if skip_stack is None:
        resolve_one_percentage(box, "text_indent", containing_block.width)
    else:
        box.text_indent = 0
    indent = box.text_indent

    def lay(skip, y, first, narrower=None, loose=False):
        box.text_indent = indent if first else 0
        _state["force"] = narrower
        _state["continuation"] = not first or skip_stack is not None  # for _compose_line
        _state["loose"] = loose  # the line ends before a long code (_Paragraph.before_code)
        try:
            return _get_next_linebox(
                context, box, y, bottom_space, skip, containing_block, absolute_boxes,
                fixed_boxes, first_letter_style if first else None,
                first_line_style if first else None)
        finally:
            _state["loose"] = False

    # The paragraph is measured once and its breaks chosen from the widths (issue 15): each
    # line is then laid out once. Paragraphs the measure cannot stand for go the long way.
    counts = len(absolute_boxes), len(fixed_boxes)
    lines = None
    if not _very_long(box) and not context.excluded_shapes and not first_letter_style:
        key = None
        if _kept is not None and not first_line_style:
            key = _paragraph_key(box, skip_stack, containing_block)
        lines = _laid_once(context, lay, box, skip_stack, position_y, containing_block,
                           absolute_boxes, fixed_boxes, key)
        if lines is None:
            del absolute_boxes[counts[0]:], fixed_boxes[counts[1]:]
    if lines is None:
        lines = _greedy_then_planned(context, lay, box, skip_stack, position_y, containing_block,
                                     absolute_boxes, fixed_boxes, first_letter_style, counts)
    for line, resume_at in lines:
        handle_leader(context, line, containing_block)
        yield line, resume_at
        box.text_indent = 0
    if lines and lines[-1][1] is not None:  # more than MAX_BUFFERED lines: go on
        line, resume_at = lines[-1]
        yield from _iter_line_boxes(context, box, line.position_y + line.height, bottom_space,
                                    resume_at, containing_block, absolute_boxes, fixed_boxes,
                                    None, None)


def _very_long(box) -> bool:
    """Whether the paragraph holds more than MAX_MEASURED_CHARS characters."""
    from weasyprint.formatting_structure import boxes

    total = 0
    for leaf in box.descendants():
        if isinstance(leaf, boxes.TextBox):
            total += len(leaf.text)
            if total > MAX_MEASURED_CHARS:
                return True
    return False


def _greedy_then_planned(context, lay, box, skip_stack, position_y, containing_block,
                         absolute_boxes, fixed_boxes, first_letter_style, counts):
    """The long way: greedy lines (each with the local choice of _get_next_linebox); only a
    paragraph with a line worse than PLAN_BADNESS is planned as a whole and laid out again."""
    first = True
    lines, skip, y = [], skip_stack, position_y
    while True:
        line, resume_at = lay(skip, y, first)
        if line is None:
            break
        lines.append((line, resume_at))
        if resume_at is None or len(lines) >= MAX_BUFFERED:
            break
        skip, y, first = resume_at, line.position_y + line.height, False
    if (lines and max(getattr(line, "_kj_badness", 0.0) for line, _ in lines) > PLAN_BADNESS
            and not context.excluded_shapes and not first_letter_style):
        del absolute_boxes[counts[0]:], fixed_boxes[counts[1]:]
        planned = _planned_lines(context, lay, box, skip_stack, position_y, containing_block,
                                 absolute_boxes, fixed_boxes, len(lines))
        if planned is not None:
            lines = planned
        else:  # the greedy lines stand: lay them out again as they were
            lines = _relaid(lay, skip_stack, position_y, len(lines))
    return lines


def _laid_once(context, lay, box, skip_stack, position_y, containing_block, absolute_boxes,
               fixed_boxes, key=None):
    """The paragraph's lines, each laid out once where _greedy_breaks (or, for a paragraph with
    a line worse than PLAN_BADNESS, the planner) ends it; None when the paragraph cannot be
    measured or WeasyPrint did not break where the widths said (the long way is taken).
    ``key``: the paragraph's _paragraph_key, when measures are kept (measures_kept)."""
    def measure():
        return _measured_segments(context, lay, box, skip_stack, position_y, containing_block,
                                  absolute_boxes, fixed_boxes) or ()

    segments = kept(key, measure) if key is not None else measure()
    if not segments:
        return None
    pull = _pull_line(box, skip_stack, segments)
    if (pull or max(line[2] for _measured, lines in segments for line in lines) > PLAN_BADNESS
            or any(line[0] in measured.planner.discouraged for measured, lines in segments for line in lines)):
        lines = _planned_lines(context, lay, box, skip_stack, position_y, containing_block,
                               absolute_boxes, fixed_boxes,
                               sum(len(lines) for _measured, lines in segments), segments[0][0], pull)
        if pull and lines:
            # Where a page may break it, the lines the plan had left (_pull_line, continued).
            _pulled_rest[id(box.element)] = (box.element, {
                repr(resume_at): len(lines) - k for k, (_line, resume_at) in enumerate(lines, start=1)})
        return lines
    out, skip, y, first = [], skip_stack, position_y, True
    for measured, greedy in segments:
        expected = _narrowers(measured, [line[0] for line in greedy])
        for (_end, narrower, _badness, model), (_, count, loose) in zip(greedy, expected):
            _state["foretold"] = model  # for _compose_line: the model of this very line
            try:
                line, resume_at = lay(skip, y, first, narrower, loose)
            finally:
                _state["foretold"] = None
            if line is None or _visible_count(line) != count:
                LOGGER.debug("not measured once: line %d broke elsewhere", len(out) + 1)
                return None
            out.append((line, resume_at))
            skip, y, first = resume_at, line.position_y + line.height, False
        if resume_at != measured.resume_at:
            LOGGER.debug("not measured once: the forced break moved")
            return None
    return out


PULL_LINE = "__kj_pull_line"  # --kj-pull-line, set by page makeup (engine/makeup.py, 缩行)


def pulled(style) -> bool:
    """Whether page makeup asked for this paragraph to be set one line shorter."""
    return any(getattr(token, "value", None) for token in style[PULL_LINE] or ())


_pulled_rest = {}  # id(element) -> (the element, {repr(resume_at): lines its plan had left})


def _pull_line(box, skip_stack, segments) -> int | None:
    """The most lines the paragraph may take when page makeup asks for it to be set one line
    shorter (``--kj-pull-line``: its lines a little tighter, its stops at ¾ em or wider and
    its Chinese gaps as they are, linefit.within_pull, see paragraph.Planner.plan), without a
    forced break, when the planner can; None otherwise (the paragraph is set as it would be).
    The part of a paragraph continued on the next page is asked again: planned afresh from
    there, it would take back the line its first part gave up; it is held to the lines its
    first part's plan had left for it, or, if that part was not pulled, one fewer."""
    if len(segments) != 1 or not pulled(box.style):
        return None
    measured, greedy = segments[0]
    most = len(greedy) - 1
    if skip_stack is not None:
        element, rest = _pulled_rest.get(id(box.element), (None, {}))
        if element is box.element and repr(skip_stack) in rest:
            most = rest[repr(skip_stack)]
    if most < 1 or most >= len(greedy) or _planned_breaks(measured, most) is None:
        return None
    return most


# --------------------------------------------------------------------------
# Measures kept between builds (the warm preview) and a build's layouts (issue 15)
# --------------------------------------------------------------------------

_kept = None  # {key: a paragraph's _measured_segments (() when it could not be measured), a
#               split line, a line's _Composed, the contents' setting}: see measures_kept
_kept_used = set()  # the keys looked up since measures_kept was entered
_kept_served = None  # the keys a layout may take from the store (None: any; see measures_kept)
_key_styles = {}  # id(style) -> (style, its _style_key), for one build

# What a paragraph's measure depends on, besides its text and the measure: every property
# WeasyPrint 70's line layout and text shaping read (weasyprint/text/*.py, layout/inline.py,
# layout/percent.py: grep "style\[") and this module's, with the inline boxes' horizontal
# margins, borders and paddings (they move the boxes after them: _measure_paragraph's drift).
# On a WeasyPrint upgrade, grep again (check_internals only sees names that are gone).
_MEASURED_PROPERTIES = (
    "font_family", "font_size", "font_style", "font_weight", "font_stretch", "font_kerning",
    "font_feature_settings", "font_variation_settings", "font_language_override",
    "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position", "lang",
    "letter_spacing", "word_spacing", "white_space", "tab_size", "text_transform", "hyphens",
    "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "overflow_wrap",
    "word_break", "line_height", "vertical_align", "direction", "text_align_all",
    "text_align_last", "text_indent", "text_overflow", "text_decoration_line", "display",
    "position", "float", "overflow", "box_sizing", "box_decoration_break", "width", "min_width",
    "max_width", "height", "min_height", "max_height", "margin_left", "margin_right",
    "padding_left", "padding_right", "border_left_width", "border_right_width",
    "border_left_style", "border_right_style")


@contextmanager
def measures_kept(store, earlier=False):
    """Within: a justified paragraph is measured (_measured_segments) only when ``store``, a
    dict its caller keeps between builds, holds no measure of a paragraph with the same boxes,
    texts, styles (_MEASURED_PROPERTIES), measure, indent, starting point and composition.
    The warm preview keeps one: after an edit only the paragraphs that changed are measured.
    On leaving, the store keeps only the paragraphs of this build; the lines split from a
    paragraph's text (_split_first_line) and the lines' compositions (_compose_line) are kept
    alike. ``earlier``: only what was kept before this was entered is taken, so that
    paragraphs repeated within one layout are each measured (typeset.py keeps a store over
    the layouts of one build: a makeup try measures only what the try changed, while the 4x
    and 200-page bench issues, which repeat the sample's articles, are measured in full as a
    real long issue would be)."""
    global _kept, _kept_served
    outer = _kept, _kept_served
    _kept, _kept_served = store, (set(store) if earlier else None)
    _kept_used.clear()
    try:
        yield store
    finally:
        for key in [key for key in store if key not in _kept_used]:
            del store[key]
        _kept_used.clear()
        _key_styles.clear()
        _kept, _kept_served = outer


def keeping() -> bool:
    """Whether measures are kept (within measures_kept)."""
    return _kept is not None


_NOTHING = object()


class _Key(tuple):
    """A key of the kept store, equal to the tuple it holds, its hash worked out once: a key
    holds a paragraph's or a line's text and the style values of its boxes, and is hashed at
    each look-up (the keys used, the keys served, the store) and again for every key each
    time a layout enters or leaves measures_kept (issue 15)."""

    def __hash__(self):
        try:
            return self._hash
        except AttributeError:
            self._hash = tuple.__hash__(self)
            return self._hash


def kept(key, compute):
    """Within measures_kept: the value this or an earlier build kept under ``key`` (a tuple
    naming its kind first, or a _paragraph_key), else ``compute()``, kept; outside:
    ``compute()``. For a paragraph's measure (_laid_once) and what a warm rebuild can take
    from the last build besides (the contents' setting, engine/contents.py); the key must
    hold everything the value depends on."""
    if _kept is None:
        return compute()
    _kept_used.add(key)
    value = _kept_get(key, _NOTHING)
    if value is _NOTHING:
        value = _kept[key] = compute()
    return value


def _kept_get(key, default=None):
    """What the store keeps under ``key`` for this build to take (kept, _laid_once,
    _split_first_line and _compose_line ask here: one place decides what a build may be
    served)."""
    if _kept_served is not None and key not in _kept_served:
        return default  # kept by this very layout (measures_kept ``earlier``)
    return _kept.get(key, default)


def _paragraph_key(box, skip_stack, containing_block):
    """What the measure of ``box`` (a paragraph's line box) from ``skip_stack`` depends on, as
    a hashable value; None for a paragraph holding anything but text and inline boxes (an
    image, an inline block, a footnote call: their layout is not keyed)."""
    from weasyprint.formatting_structure import boxes

    parts = [repr(skip_stack), containing_block.width, box.text_indent, _state["composition"],
             _state["measure"]]

    def walk(node):
        if isinstance(node, boxes.TextBox):
            parts.append((node.text, _style_key(node.style)))
            return True
        if not isinstance(node, (boxes.LineBox, boxes.InlineBox)):
            return False
        parts.append((type(node).__name__, _style_key(node.style)))
        if not all(walk(child) for child in node.children):
            return False
        parts.append(None)
        return True

    return _Key(parts) if walk(box) else None


def _style_key(style):
    kept = _key_styles.get(id(style))
    if kept is None:
        values = []
        for name in _MEASURED_PROPERTIES:
            value = style[name]
            try:
                hash(value)
            except TypeError:
                value = repr(value)
            values.append(value)
        values.append(_solid(style))  # this module's (check_internals knows WeasyPrint's only)
        kept = _key_styles[id(style)] = (style, tuple(values))
    return kept[1]


def _measured_segments(context, lay, box, skip_stack, position_y, containing_block,
                       absolute_boxes, fixed_boxes):
    """[(the paragraph up to a forced break measured (_Paragraph), its _greedy_breaks)] from
    ``skip_stack`` on; None when it cannot be measured or its breaks foretold."""
    segments = []  # (measured, greedy lines) up to each forced break (<br>)
    skip, first = skip_stack, True
    while True:
        measured = _measure_paragraph(context, lay, box, skip, position_y, first,
                                      containing_block, absolute_boxes, fixed_boxes)
        if measured is None:
            LOGGER.debug("not measured once: no measure")
            return None
        greedy = _greedy_breaks(measured, skip is not None)
        if greedy is None:
            return None
        segments.append((measured, greedy))
        if sum(len(lines) for _measured, lines in segments) > MAX_BUFFERED:
            LOGGER.debug("not measured once: too long")
            return None
        if measured.resume_at is None:
            break
        skip, first = measured.resume_at, False
    return segments


def _greedy_breaks(measured, continued):
    """[(line end, px narrower or 0.0, badness, (units, _Model) set or None)]: where WeasyPrint's greedy lines with the local
    choice of _compose_line/_line_options end, worked out from the measured widths with the
    same arithmetic (_model and linefit.compose on the same units and widths), without laying
    the lines out. 0.0: the greedy break itself, laid out at full width. ``continued``: the
    paragraph goes on from a previous page (its first line is a continuation); None when a
    break cannot be foretold."""
    from weasyprint.text.ffi import FROM_UNITS

    units, laid_x = measured.units, measured.laid_x
    n = len(units)
    ordered = sorted(measured.chances | {n})
    em, width = measured.em, measured.available
    hyphens = measured.hyphens
    hyphen_points = sorted(hyphens)
    lines, a = [], 0
    while a < n:
        available = width - (measured.indent if a == 0 else 0)
        continuation = a > 0 or continued
        # The furthest break at which the line fits as Pango lays it out (at its narrowest;
        # white space ending the line need not fit).
        low = bisect_right(ordered, a)
        i = bisect_right(ordered, bisect_right(laid_x, laid_x[a] + available + 2 * em) - 1, low) - 1
        while i >= low and laid_x[_unspaced(units, a, ordered[i], _WHITE)] - laid_x[a] > available:
            i -= 1
        if i < low:
            LOGGER.debug("not measured once: a unit wider than the line")
            return None  # a unit wider than the line
        p, hyphen = ordered[i], 0.0
        if hyphens and p < n:
            # The word after the break, if it may be hyphenated: WeasyPrint's split_first_line
            # ends the line at the last of its hyphenation points that fits, hyphen included.
            after = ordered[bisect_right(ordered, p)]
            points = [h for h in hyphen_points[bisect_right(hyphen_points, p):] if h < after]
            fitting = [h for h in points if laid_x[h] - laid_x[a] + hyphens[h] <= available]
            if fitting:
                p = fitting[-1]
                hyphen = hyphens[p]
        q = _unspaced(units, a, p, _WHITE)
        badness, squeezed, model = _set_as_laid(measured, a, q, continuation, p != n, hyphen)
        chosen, narrower = p, 0.0
        if squeezed and badness > 0:
            # An earlier break in the line's last box may read better (_earlier_breaks, as
            # _line_options judges a laid-out line: from its width, a hyphen ending it included).
            first_of_last = max(a, measured.leaf_starts[units[q - 1].leaf])
            ends = []
            if q - first_of_last >= 2:
                j = bisect_left(ordered, p) - 1
                while j >= 0 and ordered[j] > first_of_last and len(ends) < MAX_OPTIONS:
                    ends.append(ordered[j])
                    j -= 1
            judged = _earlier_breaks(units, a, ends, [laid_x[k] - laid_x[a] + hyphen for k in ends],
                                     available, continuation, em, badness)
            options = [(p, badness)] + [(ends[i], judged_badness) for i, judged_badness, _, _ in judged]
            k, option_badness = min(options, key=lambda option: option[1])
            if k != p and option_badness < badness - 1e-6:
                # Laid out again at k, the line is set without what ends it there (spaces);
                # when nothing does, its units are those judged: their model is taken as is.
                chosen = k
                q = _unspaced(units, a, k, _WHITE)
                judged_model = next(model for i, _b, _o, model in judged if ends[i] == k) if q == k else None
                badness, _squeezed, model = _set_as_laid(measured, a, q, continuation, True, 0.0,
                                                         judged_model)
        if chosen != p:
            following = ordered[bisect_right(ordered, chosen)]
            laid = laid_x[chosen] - laid_x[a] + (measured.indent if a == 0 else 0)
            narrower = (width - laid - min((laid_x[following] - laid_x[chosen]) / 2, em / 4)) * FROM_UNITS
        lines.append((chosen, narrower, badness, model))
        a = chosen
    return lines


def _unspaced(units, a, k, white):
    """``k`` less the white space ending units[a:k] (_WHITE: what WeasyPrint removes from a
    line's end, or what hangs past the measure)."""
    while k > a and units[k - 1].char in white:
        k -= 1
    return k


def _set_as_laid(measured, a, k, continuation, justify, hyphen, model=None):
    """What _compose_line makes of units[a:k] laid out as one line (``hyphen``: the width of a
    hyphen drawn at its end): (badness, squeezed, (the units, their _Model) or None when it
    would leave the line to WeasyPrint). ``model``: the _Model of those units, if made already."""
    composition = _state["composition"]
    units = measured.units[a:k]
    if model is None:
        model = _model(units, composition, True, continuation, True)
    available = measured.available - (measured.indent if a == 0 else 0)
    extra = available - (measured.laid_x[k] - measured.laid_x[a] + hyphen) + model.freed
    outcome = linefit.compose(model.flexes, model.tiers, extra, measured.em, justify,
                              composition.max_gap_em)
    if _nothing_to_set(model, justify, extra):
        return 0.0, False, None  # nothing to set: WeasyPrint's own line
    squeezed = sum(f.natural for f in model.flexes) > sum(f.current for f in model.flexes) + extra + 1e-6
    return outcome.badness(), squeezed, (units, model)


def _nothing_to_set(model, justify, extra):
    """Whether a line is WeasyPrint's own: no flexible item, and no gap to widen (justified)
    or to close up (a line over the measure by ``-extra``, as the planner may end one:
    paragraph.Planner closes up Chinese gaps by linefit.PULL_SQUEEZE_EM). A line ended by a
    hard break, "4．内蒙古和林格尔新区算力产业发展有限公司　91150123MA13TQ6A8X", has no mark to
    squeeze: left to WeasyPrint, it ran 6.8 pt past the type area (P15 D4)."""
    if model.flexes or model.fixed:
        return False
    if justify and any(t in (linefit.HAN, linefit.SPACE, linefit.NAME) for t in model.tiers):
        return False
    return not (extra < -1e-6 and model.closable)


def _relaid(lay, skip, y, count):
    lines, first = [], True
    while len(lines) < count:
        line, resume_at = lay(skip, y, first)
        if line is None:
            break
        lines.append((line, resume_at))
        if resume_at is None:
            break
        skip, y, first = resume_at, line.position_y + line.height, False
    return lines


def _planned_lines(context, lay, box, skip, y, containing_block, absolute_boxes, fixed_boxes,
                   limit, measured=None, max_lines=None):
    """The paragraph's lines where the planner ends them (None: it cannot plan this one).
    ``measured``: the paragraph from ``skip`` already measured (_measure_paragraph), planned
    in ``max_lines`` lines if it can be (_pull_line)."""
    lines, first = [], True
    while len(lines) < limit + 8:
        if measured is not None:
            plan, measured = _planned_breaks(measured, max_lines), None
        else:
            plan = _plan_lines(context, lay, box, skip, y, first, containing_block, absolute_boxes,
                               fixed_boxes)
        if plan is None:
            return None if not lines else lines + _relaid(lay, skip, y, limit)
        for narrower, expected, loose in plan:
            line, resume_at = lay(skip, y, first, narrower, loose)
            if line is None:
                return lines
            lines.append((line, resume_at))
            if resume_at is None:
                return lines
            skip, y, first = resume_at, line.position_y + line.height, False
            if _visible_count(line) != expected:
                break  # WeasyPrint broke elsewhere than planned: plan the rest again
    return lines


def _visible_count(line):
    """The characters _narrowers counts on a laid-out line: its units (_line_units) but the
    spacing and the word spaces, counted from the texts without making the units."""
    from weasyprint.formatting_structure import boxes
    leaves = []
    _leaves(line, boxes, {}, leaves)
    return sum(sum(1 for char in leaf.text if char not in _SPACES and not is_invisible(char))
               if isinstance(leaf, boxes.TextBox) else 1 for leaf in leaves)


def _plan_lines(context, lay, box, skip_stack, position_y, first, containing_block,
                absolute_boxes, fixed_boxes):
    """[(px narrower, visible characters)] for each line of the paragraph (up to a forced
    break), or None when the paragraph is not one the planner can measure."""
    measured = _measure_paragraph(context, lay, box, skip_stack, position_y, first,
                                  containing_block, absolute_boxes, fixed_boxes)
    return None if measured is None else _planned_breaks(measured)


@dataclass
class _Paragraph:
    """A paragraph (up to a forced break) measured on one line: the planner's units and the
    places a line may end."""

    planner: paragraph.Planner
    units: list  # the composer's _Unit of each planner unit
    chances: set  # unit indexes a line may start at
    hyphens: dict  # unit index a word may be hyphenated before -> width of the hyphen
    leaf_starts: list  # unit index of each leaf's first unit
    laid_x: list  # where each unit starts as laid out (a phrase's space shrunk), from the first
    available: float  # the measure (Pango units)
    indent: float  # the first line's indent (Pango units)
    em: float
    first: bool  # starts the paragraph (not continued from a previous page)
    resume_at: object  # where the measured line ended (None: the paragraph's end)
    before_code: frozenset = frozenset()  # unit indexes a long code starts at, a line may end before
    planned: dict = field(default_factory=dict)  # _planned_breaks' answers by line limit: kept with the measure


def _planned_breaks(measured, max_lines=None):
    """[(px narrower, visible characters)] of the lines where the planner ends them (in
    ``max_lines`` lines or fewer: _pull_line), or None. Kept with the measure: the warm
    preview plans an unchanged paragraph once, and a paragraph asked to be set a line shorter
    is planned once for the question and the answer."""
    if max_lines not in measured.planned:
        measured.planned[max_lines] = _plan_of(measured, max_lines)
    return measured.planned[max_lines]


def _plan_of(measured, max_lines=None):
    ends = measured.planner.plan(sorted(measured.chances), measured.available - measured.indent,
                                 measured.available, first_continues=not measured.first,
                                 hyphens=measured.hyphens, max_lines=max_lines)
    return None if ends is None else _narrowers(measured, ends)


def _narrowers(measured, ends):
    """[(px narrower to lay each line out in, its visible characters, whether it ends before a
    long code)] for lines ending at ``ends``; None as the last line's narrower (laid out as it
    comes)."""
    from weasyprint.text.ffi import FROM_UNITS

    planner, units, hyphens, chances = measured.planner, measured.units, measured.hyphens, measured.chances
    available, indent, em = measured.available, measured.indent, measured.em
    plan, start = [], 0
    ordered = sorted(chances | set(hyphens) | {len(units)})
    for end in ends:
        hyphen = hyphens.get(end, 0.0) if end not in chances else 0.0
        if end == len(units):
            narrower = None
            laid = planner.x[end] - planner.x[start] + (indent if start == 0 else 0)
            if laid > available + 1:  # a last line closed up (缩行, Pango units): laid out wider, set to the measure
                narrower = (available - laid - em / 4) * FROM_UNITS
        else:
            following = ordered[bisect_right(ordered, end)] if end < ordered[-1] else len(units)
            next_unit = planner.x[following] - planner.x[end]
            laid = planner.x[end] - planner.x[start] + (indent if start == 0 else 0) + hyphen
            narrower = (available - laid - min(next_unit / 2, em / 4)) * FROM_UNITS
        expected = sum(1 for u in units[start:end] if u.char != SPACING and u.char not in _SPACES)
        # (a hyphen is drawn as a character)
        plan.append((narrower, expected + bool(hyphen), end in measured.before_code))
        start = end
    return plan


def _measure_paragraph(context, lay, box, skip_stack, position_y, first, containing_block,
                       absolute_boxes, fixed_boxes):
    """The paragraph from ``skip_stack`` laid out on one line as wide as it needs, as a
    _Paragraph; None when it is not one the planner can measure."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.inline import can_break_text
    from weasyprint.text.ffi import TO_UNITS
    from weasyprint.text.line_break import create_layout

    composition = _state["composition"]
    counts = len(absolute_boxes), len(fixed_boxes)
    _state["measuring"] = True
    try:
        # The rest of the paragraph on one line as wide as it needs (a very long one: as wide
        # as MEASURE_WINDOW_LINES lines): every box as laid out.
        wide = containing_block.width * MEASURE_WINDOW_LINES if _very_long(box) else 1e7
        line, measured_resume = lay(skip_stack, position_y, first, narrower=-wide)
    finally:
        _state["measuring"] = False
        del absolute_boxes[counts[0]:], fixed_boxes[counts[1]:]
    if line is None:
        return None
    leaves, _starts, units = _line_units(line, boxes, TO_UNITS)
    if not units or not all(isinstance(leaf, boxes.TextBox) for leaf in leaves):
        return None
    em = box.style["font_size"] * TO_UNITS
    widths, chances = {}, set()
    hyphens = {}  # unit index a word may be hyphenated before -> width of the hyphen
    by_leaf = {}  # leaf -> ([byte offsets of its units], [their indexes])
    for k, unit in enumerate(units):
        offsets, indexes = by_leaf.setdefault(unit.leaf, ([], []))
        offsets.append(unit.start)
        indexes.append(k)
    for i, leaf in enumerate(leaves):
        offsets, indexes = by_leaf.get(i, ([], []))
        table = leaf.pango_layout.__dict__.get("_kj_table")
        if table is None or len(table) != len(leaf.text) or \
                "".join(row[0] for row in table) != leaf.text:  # shaped as a text of its own
            layout = create_layout(leaf.text, leaf.style, context, max_width=None, justification_spacing=0)
            shaped, _ = _state["get_first_line"](layout)
            table = _char_table(layout, [shaped])
            layout.deactivate()
        for _char, start, _end, width, may_break in table:
            widths[(i, start)] = width
            if may_break and start:
                j = bisect_left(offsets, start)
                if j < len(offsets):
                    chances.add(indexes[j])
        if i and indexes and leaves[i - 1].text and leaf.text and can_break_text(
                leaves[i - 1].text[-1] + leaf.text[0], leaf.style["lang"]):
            chances.add(indexes[0])
        for start, hyphen in _hyphenations(context, leaf):
            j = bisect_left(offsets, start)
            if j < len(offsets) and offsets[j] == start:
                hyphens[indexes[j]] = hyphen
    visible = [u for u in units if u.char != SPACING]
    halves = pair_halves([u.char for u in visible]) if composition.punctuation_compression else set()
    index_of = {id(u): v for v, u in enumerate(visible)}
    phrases = _phrases(units)
    listed = _name_tiers(units)
    gap_after = {id(a): (_listed_tier(listed, a, b, tier), _closable(a, b, tier))
                 for a, b, tier in _gaps(units, strict=True) if id(a) not in phrases}
    planned, restored = [], {}  # restored: unit index -> width added back (a phrase's space)
    for k, unit in enumerate(units):
        width = widths.get((unit.leaf, unit.start), 0)
        extra, mark = 0.0, ""
        if unit.char == SPACING:
            natural = PHRASE_SPACING_EM if id(unit) in phrases else SPACING_EM
            extra = unit.em * (natural - SPACING_MIN_EM)
        elif unit.char in SQUEEZABLE and not unit.solid:
            mark = "open" if unit.char in OPENING else "close"
            extra = 0.0 if index_of[id(unit)] in halves else unit.em * 0.5
        elif unit.char == " " and unit.squeezed:
            shrink = unit.em * linefit.SPACE_SHRINK_EM
            if id(unit) in phrases:
                width += shrink  # a phrase's space is set at its natural width
                restored[k] = shrink
            else:
                extra = shrink
        gap, closable = gap_after.get(id(unit), (None, False))
        planned.append(paragraph.Unit(width, extra, mark, unit.char == SPACING,
                                      unit.char in _SPACES or unit.char == IDEOGRAPHIC_SPACE, gap, closable,
                                      held=unit.char == SPACING and id(unit) in phrases,
                                      bracket=unit.char in BRACKETS))
    # Inline boxes' margins, borders and paddings: what the units do not account for.
    laid = box.text_indent * TO_UNITS
    laid_x = [0.0]
    for k, unit in enumerate(units):
        if k and unit.leaf != units[k - 1].leaf:
            drift = (leaves[unit.leaf].position_x - line.position_x) * TO_UNITS - laid
            if abs(drift) > 1:
                previous = planned[k - 1]
                planned[k - 1] = replace(previous, width=previous.width + drift)
                laid += drift
                laid_x[-1] += drift
        laid += planned[k].width - restored.get(k, 0.0)  # as laid out, to compare with the boxes
        laid_x.append(laid - box.text_indent * TO_UNITS)
    available = containing_block.width * TO_UNITS
    indent = box.text_indent * TO_UNITS
    chars = "".join(unit.char for unit in units)
    discouraged = {m.end(): paragraph.DISCOURAGED_COST if m.group() in ("～", "〜")  # a range's tilde (P17 D12)
                   else paragraph.YEAR_RANGE_COST if m.group().endswith(tuple("—–-～〜"))
                   else paragraph.EXTENSION_COST if chars.startswith("转", m.end())
                   else paragraph.DISCOURAGED_COST
                   for m in DISCOURAGED_BREAK.finditer(chars) if m.end() in chances}
    discouraged.update((p, paragraph.NAME_COST) for p in name_breaks(chars) if p in chances)
    discouraged.update((p, paragraph.SHORT_FORMULA_COST)
                       for p in short_formula_breaks(chars) + long_formula_breaks(chars)
                       if p in chances and p not in discouraged)
    # A line may end before a long code short, at its natural spacing (P15 D3, LONG_CODE), and
    # before or inside a URL or an e-mail address (P17 D2).
    before_code = frozenset([m.start() for m in LONG_CODE.finditer(chars) if m.start() in chances]
                            + [p for start, end in url_spans(chars) for p in range(start, end) if p in chances])
    planner = paragraph.Planner(planned, em, composition.max_gap_em,
                                composition.halfwidth_line_start, composition.halfwidth_line_end,
                                discouraged, before_code)
    leaf_starts = [by_leaf[i][1][0] if i in by_leaf else None for i in range(len(leaves))]
    return _Paragraph(planner, units, chances, hyphens, leaf_starts, laid_x, available, indent, em,
                      first, measured_resume, before_code=before_code)


_pyphens = {}


_HYPHENATED_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# A word that is an identifier or a name: a compound joined by hyphens, underscores, | or &
# (Dangerous-Workflow, Science|Business,
# megawatt-hours: TeX never hyphenates a word with a hyphen of its own, which reads as one the
# name has: "“Pinned-Dependen- / cies”" in an unseen issue) or written in CamelCase (GitHub,
# OpenSSF, PyTorch): it breaks only at its own hyphen.
_IDENTIFIER = re.compile(r"[A-Za-z\u00c0-\u024f0-9]\u2060?[-_|&]\u2060?[A-Za-z\u00c0-\u024f0-9]|[a-z][A-Z]")
_COMPOUND_CHAR = re.compile(r"[A-Za-z\u00c0-\u024f0-9_|&\u2060-]")


def _compound(text, start, end):
    """The span of the compound (letters, digits, hyphens, underscores) the word at
    text[start:end] is part of."""
    while start > 0 and _COMPOUND_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and _COMPOUND_CHAR.match(text[end]):
        end += 1
    return start, end


def _hyphenations(context, leaf):
    """(byte offset, width of the hyphen) where WeasyPrint may hyphenate a word of ``leaf``:
    the points pyphen gives, for text set with ``hyphens: auto`` in a language it knows."""
    import pyphen
    from weasyprint.text.ffi import TO_UNITS
    from weasyprint.text.line_break import create_layout, line_size

    style = leaf.style
    lang = style["hyphens"] == "auto" and style["lang"] and pyphen.language_fallback(style["lang"])
    if not lang:
        return []
    total, left, right = style["hyphenate_limit_chars"]
    key = (lang, left, right, style["hyphenate_character"], style["font_size"], style["font_family"])
    if key not in _pyphens:
        layout = create_layout(style["hyphenate_character"], style, context, None, 0)
        shaped, _ = _state["get_first_line"](layout)
        width = line_size(shaped, style)[0] * TO_UNITS
        layout.deactivate()
        _pyphens[key] = (pyphen.Pyphen(lang=lang, left=left, right=right), width)
    dictionary, width = _pyphens[key]
    points = []
    for match in _HYPHENATED_WORD.finditer(leaf.text):
        word = match.group()
        if len(word) < total or _IDENTIFIER.search(leaf.text, *_compound(leaf.text, *match.span())):
            continue
        for position in dictionary.positions(word):
            points.append((len(leaf.text[:match.start() + position].encode()), width))
    return points


_balanced = {}  # (remaining text, width, size) of a heading → byte length of its next line


def _balanced_break(text, layout, style, context, max_width):
    """Break a centred heading into lines of similar length (issue 12). ``layout``: Pango's
    layout of the whole ``text`` in ``max_width``, if there is one already."""
    key = (round(max_width, 2), style["font_size"])
    if (text, *key) in _balanced:
        return _balanced[(text, *key)]
    from weasyprint.text.ffi import TO_UNITS, ffi, pango
    from weasyprint.text.line_break import create_layout
    if layout is None:
        layout = create_layout(text, style, context, max_width, 0)
    lines = []
    while True:
        line = pango.pango_layout_get_line_readonly(layout.layout, len(lines))
        if line == ffi.NULL:
            break
        lines.append(line)
    if len(lines) < 2 or len(layout.text) != len(text):
        return None
    table = _char_table(layout, lines)
    em = style["font_size"] * TO_UNITS
    available = max_width * TO_UNITS
    breaks = (len(lines) == 2 and _fields(style) and _field_break(table, available)) or _balance(
        table, len(lines), em, available)
    if not breaks:
        return None
    bounds = [0] + [table[k][1] for k in breaks]
    encoded = text.encode()
    for here, after in zip(bounds[1:], bounds[2:] + [None]):
        if after is not None:
            _balanced[(encoded[here:].decode(), *key)] = after - here
    if len(_balanced) > 4096:
        _balanced.clear()
    return bounds[1]


FIELDS = "__kj_break"  # the CSS custom property --kj-break, as WeasyPrint keys it


def _fields(style) -> bool:
    """Whether the text is a line of labelled fields (--kj-break: fields; the byline's
    "来源：…　作者：…"): two lines part them at the ideographic space between them."""
    try:
        value = style[FIELDS]
    except KeyError:
        return False
    return bool(value) and any(getattr(token, "value", None) == "fields" for token in value)


def _field_break(table, available):
    """The break after the ideographic space between two fields, when both lines then fit:
    a byline broke between two words of a magazine's name for lines of equal length
    ("…官网、MIT / Technology Review　作者：…", an unseen issue)."""
    total = sum(row[3] for row in table)
    width = 0.0
    for k, row in enumerate(table[:-1]):
        width += row[3]
        if row[0] == "\u3000" and table[k + 1][4] and width - row[3] <= available and total - width <= available:
            return [k + 1]
    return None


def _balance(table, count, em, available):
    """Char indexes where ``count`` lines of most even length start (DP over break chances)."""
    n = len(table)
    prefix = [0.0]
    for row in table:
        prefix.append(prefix[-1] + row[3])
    chances = [k for k in range(1, n) if table[k][4]]

    def width(i, j):
        while j > i and table[j - 1][0] in _SPACES + ("\u200b", SPACING, "\u2060"):
            j -= 1
        return prefix[j] - prefix[i]

    def letters(i, j):
        return sum(1 for row in table[i:j] if not is_invisible(row[0]) and row[0] not in _SPACES)

    depth, inside = 0, [False] * (n + 1)  # inside[k]: a break before table[k] is inside brackets
    for k, row in enumerate(table):
        depth = max(0, depth + (row[0] in OPENING) - (row[0] in CLOSING))
        inside[k + 1] = depth > 0
    # A bracketed or quoted group that fits on a line is not broken at all (README: only one
    # longer than the line breaks inside): 检索增强生成（Retrieval-Augmented / Generation）… broke
    # inside for lines of equal length (an unseen issue).
    whole, opened = [False] * (n + 1), []
    for k, row in enumerate(table):
        if row[0] in OPENING:
            opened.append(k)
        elif row[0] in CLOSING and opened:
            start = opened.pop()
            if width(start, k + 1) <= available:
                for j in range(start + 1, k + 1):
                    whole[j] = True

    def penalty(k, forced=()):
        if k in forced:
            return -_FORCED_EM2
        before, after = table[k - 1][0], table[k][0]
        if whole[k]:
            return _UNBROKEN_GROUP_PENALTY_EM2
        if inside[k]:
            return _INSIDE_QUOTE_PENALTY_EM2
        if after == "—" and before != "—":
            return _SUBTITLE_BONUS_EM2
        if before == "\u3000":
            return _SPACE_BONUS_EM2
        if before in _PREFERRED_AFTER or before == " ":
            return 0.0
        if before in LEADING_WORDS and table[k - 1][4]:  # a word of its own
            return 2 * _BREAK_PENALTY_EM2
        if after in _GLOSS_OPENING and _visible_before(table, k).isalnum():
            return _BREAK_PENALTY_EM2  # a bracket glossing the term before it: 磷酸铁锂（LiFePO₄）
        return _BRACKET_PENALTY_EM2 if after in OPENING or before in CLOSING else _BREAK_PENALTY_EM2

    def over(w):
        """A line wider than the measure only where a unit that cannot break is (a long
        quotation): as little as can be."""
        return 1000 * max(0.0, w - available) / em

    def plan(lines, forced=()):
        """(cost, line starts) of the best way in ``lines`` lines, or None; ``forced``: breaks
        taken wherever they can be."""
        mean = width(0, n) / lines
        # best[j][m]: cost of setting table[:j] in m lines ending with a break before j
        best = {(0, 0): (0.0, None)}
        for m in range(1, lines):
            for j in chances:
                options = []
                for (i, mm), (cost, _prev) in list(best.items()):
                    if mm != m - 1 or i >= j:
                        continue
                    w = width(i, j)
                    options.append((cost + ((w - mean) / em) ** 2 + penalty(j, forced) + over(w), i))
                if options:
                    best[(j, m)] = min(options)
        finals = []
        for (i, m), (cost, _prev) in best.items():
            if m != lines - 1:
                continue
            w = width(i, n)
            if letters(i, n) < 3:
                continue
            finals.append((cost + ((w - mean) / em) ** 2 + over(w), i))
        if not finals:
            return None
        cost, j = min(finals)
        breaks, m = [], lines - 1
        while m > 0:
            breaks.append(j)
            j = best[(j, m)][1]
            m -= 1
        return cost, sorted(breaks)

    # A title parts at its author's own marks, an ideographic space, a colon or the dash of a
    # subtitle, wherever all lines fit and the shortest is not much under half the longest:
    # balanced, titles broke "OpenAI发布GPT-4.1系列 / 模型　API价格下调26%", "ChatGPT之后：大模型 /
    # 产业的“下半场”怎么走？" and, over three lines, "…重点行业CO₂排放 / 强度下降8.7%　单位GDP / 能耗…"
    # (unseen issues, P10 D12). As a compositor reads the author's parting: as many of the marks
    # as can be, then balance. Within Pango's count of lines: a subtitle's dash given a line
    # more ("…惠企政策直达快享 / ——新区政务服务中心 / …") pushed the next article's opener over a
    # page and the 版记 onto a page of its own after a blank one (an unseen gongwen issue, i-g).
    marks = [k for k in chances if not inside[k] and letters(k, n) >= 3
             and (table[k - 1][0] in _AUTHOR_BREAKS or _opens_subtitle(table, k))][:_AUTHOR_MARKS_TRIED]
    if taken := _marked_plan(plan, marks, count, width, n, available, AUTHOR_BREAK_SHARE):
        return taken
    found = plan(count)

    def good(k):  # after a mark or a space, or before a word that leads what follows (和, 与)
        return penalty(k) <= 0 or (table[k][0] in LEADING_WORDS and k + 1 < n and table[k + 1][4])

    if not (found and all(map(good, found[1]))):
        clauses = [k for k in chances if not inside[k] and letters(k, n) >= 3
                   and table[k - 1][0] in _CLAUSE_BREAKS][:_AUTHOR_MARKS_TRIED]
        if taken := _marked_plan(plan, clauses, count, width, n, available, CLAUSE_BREAK_SHARE):
            return taken
    if found and found[0] >= _UNBROKEN_GROUP_PENALTY_EM2:
        # A group that fits on a line broken only because the lines Pango found are too few
        # for it: a line more keeps it whole (检索增强生成 / （Retrieval-Augmented Generation） /
        # 技术进展综述), at the cost of an extra line.
        more = plan(count + 1)
        if more and more[0] + _EXTRA_LINE_EM2 < found[0]:
            found = more
    return found[1] if found else None


def _visible_before(table, k) -> str:
    """The last visible character before table[k] ('' at the start)."""
    while k > 0 and (is_invisible(table[k - 1][0]) or table[k - 1][0] == SPACING):
        k -= 1
    return table[k - 1][0] if k else ""


_FORCED_EM2 = 10000.0  # a break _marked_plan takes wherever it can be


def _opens_subtitle(table, k) -> bool:
    """Whether a break before table[k] is before the dash that opens a subtitle (副题)."""
    return table[k][0] == "—" and table[k - 1][0] != "—"


def _marked_plan(plan, marks, lines, width, n, available, share):
    """Line starts of the best plan in ``lines`` lines that breaks at as many of the author's
    ``marks`` as it can with every line fitting and the shortest line at least ``share`` of
    the longest, or None."""
    for size in range(len(marks), 0, -1):
        found = []
        for chosen in combinations(marks, size):
            planned = plan(lines, chosen)
            if planned is None or not set(chosen) <= set(planned[1]):
                continue
            cost = planned[0] + size * _FORCED_EM2
            if cost >= _UNBROKEN_GROUP_PENALTY_EM2:
                continue  # a group that fits on a line broken
            bounds = [0, *planned[1], n]
            widths = [width(i, j) for i, j in zip(bounds, bounds[1:])]
            if max(widths) <= available and min(widths) >= share * max(widths):
                found.append((cost, planned[1]))
        if found:
            return min(found)[1]
    return None


# --------------------------------------------------------------------------
# Glyph editing (inside a TextBox)
# --------------------------------------------------------------------------

@dataclass
class _Plan:
    """Stored on a WeasyPrint Layout: glyph edits to re-apply at draw time."""
    text: str
    gaps: dict  # byte offset of a cluster boundary -> (trail, lead) Pango units
    keys: list = field(default_factory=list)  # sorted offsets
    canary: int = None  # unedited width of the first edited glyph


def _apply_plan(layout, line):
    """Apply the plan stored on ``layout`` to ``line``; idempotent.

    Return the Pango units actually added, or None without a plan.

    A boundary gets its "trail" added to the advance of the cluster before it and its "lead"
    added, as width and x_offset, to the cluster after it.
    """
    from weasyprint.text.ffi import ffi
    plan = layout.__dict__.get("_kj_plan")
    if plan is None or layout.text != plan.text:
        return None
    edits = []  # (glyph address, geometry, width, shift)
    run = line.runs
    keys, gaps = plan.keys, plan.gaps
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item, glyphs = glyph_item.item, glyph_item.glyphs
        start, end = item.offset, item.offset + item.length
        lo = bisect_left(keys, start)
        if lo == len(keys) or keys[lo] > end or item.analysis.level % 2:
            continue  # no boundary here (or an RTL run, left alone)
        n = glyphs.num_glyphs
        clusters = ffi.unpack(glyphs.log_clusters, n)
        infos = glyphs.glyphs
        for key in keys[lo:bisect_left(keys, end + 1)]:
            # Keys are cluster boundaries: one at a run boundary is seen by both runs, each
            # applying its own part. A ligature such as "——" (one glyph, two characters) is
            # found by its end.
            i = bisect_left(clusters, key - start)
            if i < n and clusters[i] != key - start:
                continue  # inside a cluster: unrealised, see _compose_line
            trail, lead = gaps[key]
            if i > 0 and trail:
                edits.append((infos + i - 1, infos[i - 1].geometry, trail, 0))
            if i < n and lead:
                edits.append((infos + i, infos[i].geometry, lead, lead))
    if not edits:
        return 0
    added = sum(edit[2] for edit in edits)
    # Idempotence: the first edited glyph is a canary. Its unedited width is recorded on the
    # first application (at layout time); a fresh layout at draw time shows that width
    # again, an already edited line shows it widened by all the edits that hit it.
    canary = edits[0][1]
    grown = sum(edit[2] for edit in edits if edit[0] == edits[0][0])
    if plan.canary is None:
        plan.canary = canary.width
    if canary.width == plan.canary + grown:
        return added
    if canary.width != plan.canary:
        LOGGER.warning("glyphs changed between layout and drawing in %r", plan.text)
        return 0
    for _, geometry, width, shift in edits:
        geometry.width += width
        geometry.x_offset += shift
    return added


def _wrapped_get_first_line(self):
    first_line, index = _state["get_first_line"](self)
    if "_kj_plan" in self.__dict__:
        _apply_plan(self, first_line)
    if _state.get("drawing") and self.__dict__.get("_kj_scaled") != first_line:
        _scale_for_writing(first_line)
        self._kj_scaled = first_line
    return first_line, index


def _scale_for_writing(line):
    """Undo a scale error of WeasyPrint 70's text writer (draw/text.py draw_first_line).

    It writes a glyph's x_offset, and the width of an empty glyph, as Pango units divided by
    the font size in px: in 1/1024 em where the TJ operator reads thousandths. A halved
    opening bracket drew 0.512 em left, Han–Latin spacing came out 2.4 % wide and a line
    with five of them 0.05 em past the measure. Scaled here by 1000/1024, the glyphs land
    where Pango put them (advances are written exactly either way).
    """
    from weasyprint.text.ffi import ffi, pango
    run = line.runs
    while run != ffi.NULL:
        glyphs = run.data.glyphs
        run = run.next
        for i in range(glyphs.num_glyphs):
            geometry = glyphs.glyphs[i].geometry
            if geometry.x_offset:
                geometry.x_offset = round(geometry.x_offset * 1000 / 1024)
            if glyphs.glyphs[i].glyph == pango.PANGO_GLYPH_EMPTY and geometry.width:
                geometry.width = round(geometry.width * 1000 / 1024)


# --------------------------------------------------------------------------
# 3. text_align: setting a broken line
# --------------------------------------------------------------------------

def _alignment(line, last):
    """WeasyPrint's resolved alignment of a line (as layout.inline.text_align computes it)."""
    align = line.style["text_align_all"]
    if last:
        align_last = line.style["text_align_last"]
        align = align if align_last == "auto" else align_last
    if align in ("left", "right"):
        align = "start" if (align == "left") ^ (line.style["direction"] == "rtl") else "end"
    return align


def text_align(context, line, available_width, last):
    if _state.get("measuring"):
        return _state["text_align"](context, line, available_width, last)
    if line.style["direction"] != "rtl":
        available_width += _state.get("widen") or 0.0  # a line laid out narrower on purpose
        justify = (_alignment(line, last) == "justify"
                   and line.style["white_space"] in ("normal", "nowrap", "pre-line"))
        # A paragraph's last line may be broken earlier too: a new short last line is better
        # than a full one squeezed hard.
        choose = _state.get("choosing") and line.style["text_align_all"] == "justify"
        composed = _compose_line(context, line, available_width, justify, choose)
        if composed and justify:
            return 0
        if _alignment(line, last) == "center" and not composed:  # (composed: _model hung it)
            available_width += _trailing_ideographic_space(line)
    return _state["text_align"](context, line, available_width, last)


def _trailing_ideographic_space(line) -> float:
    """The width of an ideographic space ending a centred line (a title broken where its author
    parted two phrases with one): CSS does not hang it as it does a space, and the line's
    visible text stood half an em left of the centre."""
    from weasyprint.formatting_structure import boxes
    texts = [box for box in line.descendants() if isinstance(box, boxes.TextBox)]
    if not texts or not texts[-1].text.rstrip("\u200b\u2060\ufeff").endswith("\u3000"):
        return 0.0
    return texts[-1].style["font_size"]


def _trailing_whitespace_size(context, box):
    """WeasyPrint's trailing white space of ``box`` (the part of a line that may overflow it),
    with the ideographic spaces ending a justified paragraph's text, which hang (_WHITE)."""
    from weasyprint.formatting_structure import boxes
    size = _state["trailing_whitespace_size"](context, box)
    while isinstance(box, (boxes.InlineBox, boxes.LineBox)) and box.children:
        box = box.children[-1]
    if size or not isinstance(box, boxes.TextBox) or not _squeezes(box.style):
        return size
    text = box.text.translate(_INVISIBLE)
    return (len(text) - len(text.rstrip(IDEOGRAPHIC_SPACE))) * box.style["font_size"]


def justify_line(context, line, extra_width):
    """WeasyPrint's word-space justification, for lines the composer left alone."""
    if getattr(line, "_kj_composed", False):
        return None
    return _state["justify_line"](context, line, extra_width)


def _compose_line(context, line, available_width, justify, choose=False):
    """Set ``line`` to ``available_width`` (justified) or give back what it can (otherwise).

    Returns False, leaving the line to WeasyPrint, when nothing on it is ours to set. With
    ``choose``, a line that would be better broken earlier is not set: a request to lay it
    out again is left for _get_next_linebox.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import TO_UNITS

    composition = _state["composition"]
    leaves, starts, units = _line_units(line, boxes, TO_UNITS)
    if not units:
        return False
    # A line that continues a justified paragraph (set by _iter_line_boxes); headings,
    # contents entries and the paragraph's first line are no continuation.
    continuation = bool(_state.get("continuation")) and _squeezes(line.style)
    foretold = _foretold(units, continuation)
    last_leaf = leaves[-1]
    room = (available_width - line.width) * TO_UNITS
    # WeasyPrint counts CSS letter-spacing after the last character of a box but Pango trims
    # it at the line end: the glyphs end that much before the box does.
    trimmed = (last_leaf.style["letter_spacing"] * TO_UNITS
               if justify and isinstance(last_leaf, boxes.TextBox)
               and last_leaf.style["letter_spacing"] != "normal" else None)
    em = line.style["font_size"] * TO_UNITS
    key = None
    if _kept is not None:  # a line set the same way before (the warm preview, a build's later
        #                    layouts) is not worked out again
        key = _Key(("compose", tuple((u.leaf, u.char, u.start, u.end, u.em, u.squeezed, u.box_half, u.listed)
                                     for u in units),
                    tuple((type(leaf).__name__, len(starts[id(leaf)])) for leaf in leaves), foretold is None,
                    continuation, room, trimmed, em, justify, choose, composition, _state["measure"],
                    bool(_state.get("loose"))))
        _kept_used.add(key)
        composed = _kept_get(key)
        if composed is not None:
            return _set_composed(context, line, leaves, starts, composed)
    model = foretold or _model(units, composition, True, continuation, True)
    if _nothing_to_set(model, justify, room):
        if key is not None:
            _kept[key] = False
        return False  # nothing to set: WeasyPrint's own (a line with no gap it could widen)
    extra = room + model.freed
    if trimmed is not None:
        extra += trimmed
    # Closing up is the last resort (linefit): 缩行, or a line the planner set a little over.
    # A line ending before a long code (LONG_CODE) is set as a reference list's line is: short
    # at its natural spacing rather than spread (P15 D3).
    own = _unfilled(line.style)
    unfilled = own or ("loose" if _state.get("loose") else None)
    soft = linefit.SOFT_GAP_EM if own else linefit.CODE_GAP_EM
    result = linefit.compose(model.flexes, model.tiers, extra, em, justify, composition.max_gap_em,
                             linefit.PULL_SQUEEZE_EM, model.closable, None if unfilled else model.spreadable)
    line._kj_badness = badness = result.badness()
    if unfilled and justify and (result.short > 1e-6 or (unfilled in ("loose", "names") and (
            result.han_gap > soft + 1e-6
            or max(result.space_gap, result.phrase_gap) > linefit.LOOSE_SPACE_EM + 1e-6))):
        # A line nothing fills within the cap, in a table cell of prose: set as it comes, flush
        # left (a column five characters wide spread "新 增 高 新 技 术 企 业" half an em a gap
        # before a number that did not fit, an unseen issue); a cell's lines may end unevenly.
        result = linefit.compose(model.flexes, model.tiers, extra, em, False, composition.max_gap_em)
    squeezed = sum(f.natural for f in model.flexes) > sum(f.current for f in model.flexes) + extra + 1e-6
    if choose and squeezed and badness > 0:
        # A squeezed line may be better broken earlier: its options are worked out.
        key = None  # (from the line's glyphs: not kept)
        options = _line_options(context, line, available_width, leaves, units, model, result, em)
        narrower, option_badness = min(options, key=lambda option: option[1])
        if narrower > 0 and option_badness < badness - 1e-6:
            _state["request"] = narrower
            return True

    edits = {}  # leaf index -> {byte offset: [trail, lead]} (float Pango units)

    def edit(leaf, offset, trail=0.0, lead=0.0):
        slot = edits.setdefault(leaf, {}).setdefault(offset, [0.0, 0.0])
        slot[0] += trail
        slot[1] += lead

    for unit, side, change in model.fixed:
        _edit_flex(edit, unit, side, change)
    for (unit, side), flex, width in zip(model.flex_units, model.flexes, result.widths):
        if abs(width - flex.current) > 1e-6:
            _edit_flex(edit, unit, side, width - flex.current)
    shifts = {}  # id(box to shift) -> Pango units, for gaps between leaves
    shifted = {}  # id(box to shift) -> the leaf it holds (a kept line names boxes by leaf)
    loose = set()  # leaf indexes next to a gap a viewer may read as a space
    for (a, b), amount in zip(model.gap_units, result.gaps):
        if abs(amount) < 1e-9:
            continue  # (a gap closes up only in a paragraph set a line shorter: 缩行)
        if amount >= ACTUAL_TEXT_EM * em and a.leaf == b.leaf:
            # Inside one box only: a box's ActualText cannot cover a gap between boxes (a
            # viewer compares the boxes' positions).
            loose.add(a.leaf)
        # Half before the gap, half after: WeasyPrint writes each half as its own TJ offset,
        # and pypdf turns an offset into a space only past about half a space width, so
        # halves keep the text layer clean for twice the stretch.
        lead = amount / 2
        if a.leaf == b.leaf:
            edit(a.leaf, a.end, amount - lead, lead)
        elif isinstance(leaves[a.leaf], boxes.TextBox):
            edit(a.leaf, a.end, amount - lead)
            holder = (starts[id(leaves[b.leaf])] or (leaves[b.leaf],))[0]
            shifts[id(holder)] = shifts.get(id(holder), 0.0) + lead
            shifted[id(holder)] = b.leaf
        else:
            holder = (starts[id(leaves[b.leaf])] or (leaves[b.leaf],))[0]
            shifts[id(holder)] = shifts.get(id(holder), 0.0) + amount
            shifted[id(holder)] = b.leaf
    whole = _whole_units(edits, shifts)
    composed = _Composed(badness, whole, tuple((shifted[k], v) for k, v in shifts.items()),
                         frozenset(loose))
    if key is not None:
        _kept[key] = composed
    return _set_composed(context, line, leaves, starts, composed)


@dataclass(frozen=True)
class _Composed:
    """How _compose_line sets a line: what is kept of it (measures_kept)."""

    badness: float
    whole: dict  # leaf index -> {byte offset: [trail, lead]} in whole Pango units
    shifts: tuple  # (leaf index, Pango units): the box holding that leaf moves right
    loose: frozenset  # leaf indexes next to a gap a viewer may read as a space


def _set_composed(context, line, leaves, starts, composed):
    """Write a composed line's widths and shifts into its boxes."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import FROM_UNITS

    if composed is False:
        return False
    line._kj_badness = composed.badness
    whole, loose = composed.whole, composed.loose
    shifts = {id((starts[id(leaves[leaf])] or (leaves[leaf],))[0]): amount for leaf, amount in composed.shifts}
    index_of = {id(leaf): i for i, leaf in enumerate(leaves)}

    def spread(box, x_advance):
        x_advance += shifts.pop(id(box), 0) * FROM_UNITS
        if isinstance(box, boxes.TextBox):
            box.position_x += x_advance
            i = index_of.get(id(box))
            if i in loose:
                box._kj_actual_text = box.text.translate(_INVISIBLE)
            gaps = {offset: tuple(v) for offset, v in whole.get(i, {}).items() if v != [0, 0]}
            if gaps:
                planned = sum(map(sum, gaps.values())) * FROM_UNITS
                # The layout's text may hold a trailing space the box no longer has
                # (WeasyPrint's remove_last_whitespace): the offsets are the same.
                drawn = box.pango_layout.text
                if _state["measure"] or not drawn.startswith(box.text):
                    planned = _measured(context, box, gaps)
                else:
                    box.pango_layout._kj_plan = _Plan(drawn, gaps, sorted(gaps))
                box.width += planned
                x_advance += planned
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            previous = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = spread(child, x_advance)
            box.width += x_advance - previous
        else:
            box.translate(x_advance, 0)
        return x_advance

    spread(line, 0)
    line._kj_composed = True
    return True


def _foretold(units, continuation):
    """The _Model _greedy_breaks made of this line from the measured paragraph, on the line's
    own units (the same characters, in boxes split differently); None for another line."""
    foretold = _state.get("foretold")
    if foretold is None:
        return None
    measured, model = foretold
    if (model.continuation != continuation or len(measured) != len(units)
            or any(m.char != u.char or m.em != u.em or m.squeezed != u.squeezed
                   or m.box_half != u.box_half for m, u in zip(measured, units))):
        return None
    _state["foretold"] = None
    index = {id(m): u for m, u in zip(measured, units)}
    return _Model(flexes=model.flexes,
                  flex_units=[(index[id(unit)], side) for unit, side in model.flex_units],
                  tiers=model.tiers,
                  gap_units=[(index[id(a)], index[id(b)]) for a, b in model.gap_units],
                  fixed=[(index[id(unit)], side, change) for unit, side, change in model.fixed],
                  freed=model.freed, continuation=model.continuation)


def _edit_flex(edit, unit, side, change):
    """A mark widens on its blank side, spacing after itself."""
    if side == "left":
        edit(unit.leaf, unit.start, lead=change)
    else:
        edit(unit.leaf, unit.end, trail=change)


def _whole_units(edits, shifts):
    """Edits in whole Pango units (1/1024 px), rounded so that the line's parts add up."""
    whole = {}
    carry = 0.0
    for leaf in sorted(edits):
        whole[leaf] = {}
        for offset in sorted(edits[leaf]):
            trail, lead = edits[leaf][offset]
            values = []
            for value in (trail, lead):
                exact = value + carry
                rounded = int(round(exact))
                carry = exact - rounded
                values.append(rounded)
            whole[leaf][offset] = values
    for key in shifts:
        exact = shifts[key] + carry
        shifts[key] = int(round(exact))
        carry = exact - shifts[key]
    return whole


def _measured(context, box, gaps):
    """Re-shape ``box`` with its plan and return what the glyphs really took (px)."""
    from weasyprint.text.ffi import FROM_UNITS
    from weasyprint.text.line_break import create_layout, line_size
    layout = create_layout(box.text, box.style, context, max_width=None, justification_spacing=0)
    layout.max_width = box.pango_layout.max_width
    layout._kj_plan = _Plan(box.text, gaps, sorted(gaps))
    first_line, _ = _state["get_first_line"](layout)
    natural, _ = line_size(first_line, box.style)
    realised = _apply_plan(layout, first_line) * FROM_UNITS
    layout.deactivate()
    planned = sum(map(sum, gaps.values())) * FROM_UNITS
    if abs(realised - planned) > 0.01:
        # A boundary fell inside a shaping cluster: keep the line flush by moving the missing
        # width to the end of this box.
        LOGGER.debug("unrealised %.3f px in %r", planned - realised, box.text)
    box.pango_layout = layout
    return natural + planned - box.width


# --------------------------------------------------------------------------
# Install / uninstall
# --------------------------------------------------------------------------

def install(composition=None, measure=False, **switches):
    """Patch WeasyPrint; raise RuntimeError if its internals are not the tested ones.

    ``composition`` (or its fields as keywords: ``max_gap_em``, ``squeeze``…) sets the
    composer; ``max_gap_em=None`` always justifies flush, 0.17 (the default) keeps the text
    layer clean: pypdf reads a gap as a space from about 0.18 em and pdfplumber from 3 pt.

    ``measure=True`` re-shapes each edited box at layout time to measure it, instead of
    trusting the arithmetic (slower; for tests).
    """
    uninstall()
    _pulled_rest.clear()  # (one issue's pulled paragraphs at a time)
    problems = check_internals()
    if problems:
        raise RuntimeError(
            "kjtypeset.engine.justify cannot patch this WeasyPrint: " + "; ".join(problems))
    import weasyprint.draw
    from weasyprint.layout import block, inline
    from weasyprint.text import line_break
    composition = composition or Composition()
    if switches:
        composition = replace(composition, **switches)
    _state.update(
        composition=composition, measure=measure, breaking=None, choosing=False, request=None,
        widen=0.0, force=None, get_next_linebox=inline.get_next_linebox,
        iter_line_boxes=inline.iter_line_boxes,
        justify_line=inline.justify_line, text_align=inline.text_align,
        split_first_line=inline.split_first_line,
        trailing_whitespace_size=inline.trailing_whitespace_size,
        first_line_metrics=line_break.first_line_metrics,
        get_first_line=line_break.Layout.get_first_line,
        set_text=line_break.Layout.set_text, draw_text=weasyprint.draw.draw_text)
    _pango()
    for hook, original in ((justify_line, "justify_line"), (text_align, "text_align"),
                           (_get_next_linebox, "get_next_linebox"),
                           (_iter_line_boxes, "iter_line_boxes"),
                           (_split_first_line, "split_first_line"),
                           (_trailing_whitespace_size, "trailing_whitespace_size"),
                           (_first_line_metrics, "first_line_metrics"),
                           (_wrapped_get_first_line, "get_first_line"), (_set_text, "set_text"),
                           (draw_text, "draw_text")):
        hook.__wrapped__ = _state[original]
    inline.justify_line = justify_line
    inline.text_align = text_align
    inline.get_next_linebox = _get_next_linebox
    inline.iter_line_boxes = _iter_line_boxes
    block.iter_line_boxes = _iter_line_boxes
    inline.split_first_line = _split_first_line
    inline.trailing_whitespace_size = _trailing_whitespace_size
    line_break.first_line_metrics = _first_line_metrics
    line_break.Layout.get_first_line = _wrapped_get_first_line
    line_break.Layout.set_text = _set_text
    weasyprint.draw.draw_text = draw_text


def uninstall():
    if not installed():
        return
    import weasyprint.draw
    from weasyprint.layout import block, inline
    from weasyprint.text import line_break
    inline.justify_line = _state["justify_line"]
    inline.text_align = _state["text_align"]
    inline.get_next_linebox = _state["get_next_linebox"]
    inline.iter_line_boxes = _state["iter_line_boxes"]
    block.iter_line_boxes = _state["iter_line_boxes"]
    inline.split_first_line = _state["split_first_line"]
    inline.trailing_whitespace_size = _state["trailing_whitespace_size"]
    line_break.first_line_metrics = _state["first_line_metrics"]
    line_break.Layout.get_first_line = _state["get_first_line"]
    line_break.Layout.set_text = _state["set_text"]
    weasyprint.draw.draw_text = _state["draw_text"]
    _state.clear()
    _balanced.clear()


def installed():
    return "composition" in _state


# --------------------------------------------------------------------------
# 4. draw_text: ActualText
# --------------------------------------------------------------------------

def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
    """WeasyPrint's draw_text, writing edited glyph positions exactly; a widely stretched box
    carries its text as ActualText."""
    import weasyprint.draw.text as module
    actual = getattr(textbox, "_kj_actual_text", None)
    hyphen = getattr(textbox.pango_layout, "_kj_hyphenated", None)
    if hyphen and textbox.text.endswith(hyphen):
        # A hyphen the editor never typed: viewers that read ActualText (Acrobat, Chrome's
        # PDFium) copy the word without it; others see the "-" a reader sees (README).
        actual = (actual or textbox.text.translate(_INVISIBLE))[:-len(hyphen)]
    edited = getattr(textbox.pango_layout, "_kj_plan", None) is not None
    begin, end = stream.begin_text, stream.end_text
    if actual:
        import pydyf

        # Inside the text object, which WeasyPrint then still merges with its neighbours (one
        # BT…ET per line): extractors follow the text position across the line unbroken.
        def begin_text():
            begin()
            stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(actual)}))

        def end_text():
            stream.end_marked_content()
            end()

        stream.begin_text, stream.end_text = begin_text, end_text
    if edited:
        # draw_first_line writes the adjustment after each glyph as int(kerning): truncated to
        # whole thousandths of an em, a justified line of 30 edited glyphs would end up to
        # 0.075 em short. Rounded to the nearest, the errors cancel out.
        module.int = _nearest
    # Only text the composer set (its glyphs edited, or marks and spacing shaped by it).
    _state["drawing"] = edited or bool(
        _text_plan(textbox.text, _squeezes(textbox.style), _state["composition"].punctuation_compression)
        != _TextPlan())
    try:
        return _state["draw_text"](stream, textbox, offset_x, text_overflow, block_ellipsis)
    finally:
        _state["drawing"] = False
        if edited:
            del module.int
        if actual:
            del stream.begin_text, stream.end_text


def _nearest(value):
    return int(round(value))
