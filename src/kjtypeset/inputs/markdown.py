"""Stage 3, markdown: an article body → an HTML fragment for the layout.

markdown-it-py (CommonMark + pipe tables + footnotes) with print-specific rendering:
footnotes become WeasyPrint page footnotes at their call site, a paragraph holding only an
image becomes a captioned figure, soft line breaks between Chinese characters vanish instead
of turning into spaces, and raw HTML is shown as text (articles are untrusted input) unless the manifest allows
a sanitised subset.
"""

from __future__ import annotations

import copy
import difflib
import html
import importlib
import re
import types
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, mdTrim
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from PIL import Image

from ..errors import KjError, warn
from ..typography.chars import LATIN
from ..typography.cjk import FIELDS, HEADING_LINE, ROSTER, WJ, name_spans
from .paths import case_hint

# The pipe-table module (its name in the package is taken by its rule function).
table_rule = importlib.import_module("markdown_it.rules_block.table")

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


@dataclass(frozen=True)
class ImageRef:
    """An image an article shows: checked to be a file inside the issue folder."""

    src: str  # as written in the article, relative to the article file
    path: Path  # resolved
    line: int  # in the article file


def is_wide(char: str) -> bool:
    """East Asian wide or full-width: Han, kana, CJK punctuation (CSS Text 3 §4.1.2)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F", "H")


class _CjkStateInline(StateInline):
    """Emphasis delimiters per the CommonMark CJK-friendly amendment.

    Plain CommonMark refuses ``**一是……。**衢州`` as bold: the closing ``**`` follows a
    punctuation mark and precedes a letter. The amendment
    (https://github.com/tats-u/markdown-cjk-friendly/blob/main/specification.md) counts only
    non-CJK punctuation against flanking and lets a CJK neighbour stand in for white space.
    """

    def scanDelims(self, start: int, canSplitWord: bool):
        scanned = super().scanDelims(start, canSplitWord)
        pos = start + scanned.length
        last = self.src[start - 1] if start > 0 else " "
        after = self.src[pos] if pos < self.posMax else " "
        if not (_is_cjk(last) or _is_cjk(after)):
            return scanned  # unchanged CommonMark wherever no CJK character is involved

        def punct(c: str) -> bool:
            return isMdAsciiPunct(ord(c)) or isPunctChar(c)

        last_space, after_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(after))
        last_non_cjk_punct = punct(last) and not _is_cjk(last)
        after_non_cjk_punct = punct(after) and not _is_cjk(after)
        left = not after_space and (not after_non_cjk_punct or last_space or punct(last)
                                    or _is_cjk(last))
        right = not last_space and (not last_non_cjk_punct or after_space or punct(after)
                                    or _is_cjk(after))
        can_open = left and (canSplitWord or not right or punct(last))
        can_close = right and (canSplitWord or not left or punct(after))
        return type(scanned)(can_open, can_close, scanned.length)


def _parse_inline_cjk(self, src, md, env, tokens):
    # ParserInline.parse with the CJK-aware state class: kept per parser, no global patch.
    state = _CjkStateInline(src, md, env, tokens)
    self.tokenize(state)
    for rule in self.ruler2.getRules(""):
        rule(state)
    _note_unclosed(state, src, env)
    return state.tokens


def _note_unclosed(state: StateInline, src: str, env: dict) -> None:
    """Remember a bold mark (** or __) left without its partner: it prints as asterisks (issue 14).
    A single * stays quiet: "带*号的" is ordinary text, and Chinese is not set in italics."""
    lists = [state.delimiters] + [meta["delimiters"] for meta in state.tokens_meta
                                  if meta and "delimiters" in meta]
    for delimiters in lists:
        closers = {d.end for d in delimiters if d.end != -1}
        for index, d in enumerate(delimiters):
            if (d.marker in (0x2A, 0x5F) and d.length >= 2 and d.end == -1 and index not in closers
                    and (d.open or d.close)):
                env.setdefault("kj_unclosed", []).append((src, chr(d.marker) * min(d.length, 3)))
                return


def _warn_unclosed(tokens: list[Token], env: dict, path: Path, first_line: int) -> None:
    for src, mark in env.get("kj_unclosed", ()):
        block = next((t for t in tokens if t.type == "inline" and t.content == src and t.map), None)
        line = first_line + (block.map[0] if block else 0) + src.count("\n", 0, max(src.find(mark), 0))
        warn(path, line, f"加粗标记 {mark} 没有闭合，会原样印出来：应在加粗文字的末尾也写上 {mark}"
                         f"（要印出 {mark[0]} 本身，写作 \\{mark[0]}）")


# An HTML tag written in an article (Word users type <sub>, <br>): without raw_html it is text.
_TAG_AS_TEXT = re.compile(r"</?(?:sub|sup|br|b|i|u|em|strong|span|font|p|div|table|tr|td|th|img|a)\b[^<>]*>",
                          re.IGNORECASE)


def _warn_first(tokens: list[Token], path: Path, first_line: int, pattern: re.Pattern, message) -> None:
    """The first match of ``pattern`` in an article's text (not in code), once, with its line:
    ``message(match)``."""
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        for child in token.children or ():
            found = pattern.search(child.content) if child.type == "text" else None
            if found:
                line = first_line + token.map[0] + token.content.count("\n", 0, max(token.content.find(found[0]), 0))
                warn(path, line, message(found))
                return


def _warn_tags_as_text(tokens: list[Token], path: Path, first_line: int) -> None:
    """The first HTML tag an article shows as text, once: the editor meant formatting."""
    _warn_first(tokens, path, first_line, _TAG_AS_TEXT,
                lambda found: f"HTML 标签 {found[0]} 会按原样印出来：下标、上标请直接写 ₂、²，换行请另起一段"
                              "（或在清单中写 raw_html: true，让格式标签生效）")


# A subscript or exponent typed as in plain-text formulas (P_out, N_A, σ_max, aR^b, e^(−λt)): it
# prints as typed, "_" and "^" and all (an unseen issue, P12 D8). Not in an address or a name
# with several underscores (kjqb_info@…, max_gap_em: code, which backticks keep as it is).
_ASCII_SCRIPT = re.compile(r"(?<![A-Za-z0-9_@./:-])[A-Za-z0-9Α-Ωα-ω][A-Za-z0-9Α-Ωα-ω₀-₉]{0,3}"
                           r"(?:_[A-Za-z0-9]{1,6}(?:\^[^\s\u3400-\u9fff，。；、）)]{1,8})?|\^\(?[-−]?[A-Za-z0-9.Α-Ωα-ω]{1,8}\)?)"
                           r"(?![A-Za-z0-9@/_])")


def _warn_ascii_scripts(tokens: list[Token], path: Path, first_line: int) -> None:
    """The first subscript or exponent typed with _ or ^, once: it prints as typed."""
    _warn_first(tokens, path, first_line, _ASCII_SCRIPT,
                lambda found: f"“{found[0]}”中的 {'_' if '_' in found[0] else '^'} 会原样印出来：字母下标、上标请写成 "
                              "<sub>…</sub>、<sup>…</sup>（清单中写 raw_html: true），数字的可直接写 ₂、²")


# The kinds of pasted-text repair the build makes, in the order it makes them, each with its
# warning (typed, printed): one line per kind an article needs, at its first place. Only the
# first repair of an article was named (P15 D8: an article with "..." and ＡＩ heard of the
# "...").
_REPAIRS = {
    "narrow": lambda typed, printed: (f"{_narrowed(typed)}已按半角排（“{typed}”排为“{printed}”，全篇同样处理）："
                                      "请在原文中改为半角"),
    "punctuation": lambda typed, printed: (f"中文里的半角标点已按全角排（“{typed}”排为“{printed}”，全篇同样处理）："
                                           "请在原文中改为全角标点"),
    "marks": lambda typed, printed: (f"标点已按 GB/T 15834 的写法排（“{typed}”排为“{printed}”，全篇同样处理）："
                                     "请在原文中改正"),
    "minus": lambda typed, printed: (f"数字前的全角连接号已按负号排（“{typed}”排为“{printed}”，全篇同样处理）："
                                     "请在原文中改为负号“−”"),
    "spaces": lambda typed, printed: (f"汉字之间的空格已删去（“{typed}”排为“{printed}”，全篇同样处理）："
                                      "多是从 PDF 复制来的，请在原文中删去"),
}


def _narrowed(typed: str) -> str:
    """What the "narrow" repair changed, named as the editor typed it: a lone ％ after
    half-width digits ("节能约23％") or the ． of "www．gov．cn" is no "全角的数字和字母"
    (P16 F5)."""
    from ..editor.cleanup import has_full_width_alnum

    marks = "”“".join(mark for mark in "％．" if mark in typed)
    return f"全角的“{marks}”" if marks and not has_full_width_alnum(typed) else "全角的数字和字母"


def _full_width_marks(tokens: list[Token], path: Path, first_line: int) -> None:
    """Text pasted from web pages, Word and PDFs, repaired by the rules `import` applies
    (editor/cleanup.py), each kind with one warning naming its first place, so the editor can
    correct the file: full-width digits and letters set half width (ＡＩ, １００％, a full-width
    address); half-width marks typed in Chinese sentences (",", ":", "(…)", "...", straight
    quotes around Chinese words) set as the full-width marks Chinese takes (GB/T 15834; 2,000,
    8:30, addresses and English sentences stay); "--", "。。。" and a space before a full-width
    mark as GB/T 15834 writes them; and the spaces between the Han characters of a paragraph
    copied out of a PDF ("全 市 共 登 记": cleanup.spaced_han), which justification stretched
    (P15 D5). Printed as typed, marks stood solid against the Han characters and an English
    quotation after them ran into the margin (an unseen issue)."""
    from ..editor.cleanup import (
        drop_spaces_between_han,
        full_width_minus,
        is_reference,
        narrow_alnum,
        normalise_marks,
        normalise_punctuation,
        spaced_han,
    )
    first: dict[str, tuple[int, Token, str, int]] = {}
    for k, token in enumerate(tokens):
        if token.type != "inline" or not token.map:
            continue
        repairs = [("narrow", narrow_alnum), ("minus", full_width_minus), ("punctuation", normalise_punctuation),
                   ("marks", normalise_marks)]
        # A paragraph of a PDF copy; not a roster or a list of names, whose spaces part names.
        if (k and tokens[k - 1].type == "paragraph_open" and spaced_han(token.content)
                and not ROSTER_LABEL.match(token.content) and not _listed_names(token.content)):
            repairs.append(("spaces", drop_spaces_between_han))
        # A line of a bibliographic reference keeps its marks, emphasis and all (*Nature*, 2020).
        references = {i for i, line in enumerate(token.content.split("\n")) if is_reference(line)}
        row = 0
        for child in token.children or ():
            row += child.type in ("softbreak", "hardbreak")
            if child.type != "text" or row in references:
                continue
            if _attribute_list(child.content) is not None:
                continue  # a figure's attributes, read as typed (｛width＝30％｝: P16 R5)
            typed = child.content
            for kind, repair in repairs:
                fixed = repair(child.content)
                if fixed != child.content and kind not in first:
                    at = next((i for i, (a, b) in enumerate(zip(child.content, fixed)) if a != b),
                              min(len(child.content), len(fixed)))
                    first[kind] = (first_line + token.map[0] + row, child, typed, _offset_before(typed, child.content, at))
                child.content = fixed
    # Each warning shows the text as typed and as printed (all repairs made), around its kind's
    # first change.
    for kind, (line, child, typed, at) in sorted(first.items(), key=lambda item: item[1][0]):
        warn(path, line, _REPAIRS[kind](*_excerpts(typed, child.content, at)))


def _offset_before(typed: str, changed: str, at: int) -> int:
    """Where offset ``at`` of ``changed`` (``typed`` with some repairs made) was in ``typed``."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, typed, changed, autojunk=False).get_opcodes():
        if j1 <= at < max(j2, j1 + 1):
            return min(i1 + (at - j1), i2 - 1) if tag == "equal" else i1
    return min(at, max(len(typed) - 1, 0))


EXCERPT_REACH = 6  # characters a warning shows each side of the first mark it names
_WORD_CHAR = re.compile(r"[!-~]")  # a Latin word with its marks (2,000, www.…)


def _excerpts(typed: str, fixed: str, at: int) -> tuple[str, str]:
    """The same stretch of text as typed and as printed, around the first changed character
    (``at``): about EXCERPT_REACH characters each side, a Latin word whole (or left out when
    it is long), without spaces at its ends. Cut at the same offsets of both, the warning
    showed "“kflows, “as ”排为“kflows，“as o”" and "“(1) 全时”排为“（1）全时当”: words cut, and
    the printed text longer by the spaces the conversion dropped (an unseen issue)."""

    def inside(k: int) -> bool:
        return 0 < k < len(typed) and bool(_WORD_CHAR.match(typed[k - 1]) and _WORD_CHAR.match(typed[k]))

    start, end = max(0, at - EXCERPT_REACH), min(len(typed), at + EXCERPT_REACH + 1)
    wider = start
    while inside(wider) and start - wider <= EXCERPT_REACH * 2:
        wider -= 1
    if inside(wider):  # a long word (an address): leave it out
        while inside(start) and start < at:
            start += 1
    else:
        start = wider
    wider = end
    while inside(wider) and wider - end <= EXCERPT_REACH * 2:
        wider += 1
    if inside(wider):
        while inside(end) and end > at + 1:
            end -= 1
    else:
        end = wider
    while start < at and typed[start].isspace():
        start += 1
    while end > at + 1 and typed[end - 1].isspace():
        end -= 1
    # Where the two offsets fall in the printed text: the conversion drops spaces and turns
    # "..." into "……", so the same offsets are not the same text.
    left = right = None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, typed, fixed, autojunk=False).get_opcodes():
        if left is None and i1 <= start < max(i2, i1 + 1):
            left = j1 + (start - i1) if tag == "equal" else j1
        if right is None and i1 < end <= i2:
            right = j1 + (end - i1) if tag == "equal" else j2
    left = 0 if left is None else left
    right = len(fixed) if right is None else right
    return typed[start:end], fixed[left:right]


# An English quotation in straight double quotes, left after _full_width_marks (which sets those
# of Chinese sentences as “…”): typewriter quotes, which a printed page does not use (an unseen
# issue's English quotations printed "We endow …" with no word to the editor).
_STRAIGHT_QUOTES = re.compile(r'"[^"\n]*[A-Za-z][^"\n]*"')


def _warn_straight_quotes(tokens: list[Token], path: Path, first_line: int) -> None:
    """The first English quotation in straight quotes, once: it prints as typed."""
    _warn_first(tokens, path, first_line, _STRAIGHT_QUOTES,
                lambda found: f"英文引语用了直引号（{found[0][:24]}{'…' if len(found[0]) > 24 else ''}），"
                              "会原样印出来：印刷品的引号应是弯引号，请在原文中改为 “ ”")


# A footnote call left as text: the footnote plugin turns every call that has a definition.
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


def _warn_undefined_notes(tokens: list[Token], path: Path, first_line: int) -> None:
    """The first footnote call an article makes without its note, once: it prints as typed."""
    _warn_first(tokens, path, first_line, _UNDEFINED_NOTE,
                lambda found: f"脚注 {found[0]} 没有对应的脚注内容，会原样印出来："
                              f"应在文末另起一段写 {found[0]}: 脚注内容")


def _parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough").use(footnote_plugin)
    # A line indented by a tab or four spaces is Word's or WPS's first-line indent pasted as
    # text, never an indented code block (CommonMark's rule): w1 of probes P15 printed two
    # paragraphs in monospace 黑体, ragged, and one failed the build. Fenced code (```) stays.
    md.disable("code")
    md.block.ruler.at("table", _table_rule, {"alt": ["paragraph", "reference"]})
    md.add_render_rule("kj_html", lambda self, tokens, idx, options, env: tokens[idx].content)
    if raw_html:
        md.add_render_rule("html_block", _sanitized_block)
        md.add_render_rule("html_inline", _sanitized_inline)
    md.inline.parse = types.MethodType(_parse_inline_cjk, md.inline)
    md.add_render_rule("softbreak", _softbreak)
    md.add_render_rule("footnote_ref", _footnote_ref)
    md.add_render_rule("image", _image)
    md.add_render_rule("em_open", _em_open)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    md.add_render_rule("table_open", _table_open)
    return md


def _row_cells(state: StateBlock, line: int) -> list[str]:
    """The cells of a table row as markdown-it splits them (rules_block/table.py)."""
    cells = table_rule.escapedSplit(mdTrim(table_rule.getLine(state, line)))
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _table_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's pipe table, noting each row with more cells than its header has columns:
    markdown-it drops the extra cells, and their text would be missing from the PDF without a
    word (P7 D12: "一等奖" lost from a prize table). An empty extra cell (a "|" too many at
    the end of the row) loses nothing. A row with fewer cells is filled with empty ones at its
    end: a total or a group label (合计, 其中：, 一、工业) is often written so, and a row without
    its empty 备注 cells, but a data row with a cell left out has every later cell under the
    wrong column (P9 D5), so it is noted."""
    if not table_rule.table(state, start, end, silent):
        return False
    if not silent:
        header = [re.sub(r"[\s\u3000*_]", "", cell) for cell in _row_cells(state, start)]
        columns = len(header)
        # A 备注 column at the end is mostly left empty, its cell not written.
        remarks = next((k for k in range(columns) if all(name in _REMARKS for name in header[k:])), columns)
        short = []
        for line in range(start + 2, state.line):
            cells = _row_cells(state, line)
            extra = [mdTrim(cell) for cell in cells[columns:] if mdTrim(cell)]
            if extra:
                state.env.setdefault("kj_long_rows", []).append((line, len(cells), columns, extra[0]))
            elif len(cells) < remarks and not _label_row([mdTrim(cell) for cell in cells]):
                short.append((line, len(cells)))
        if short:
            state.env.setdefault("kj_short_rows", []).append((*short[0], columns, len(short) - 1))
    return True


_REMARKS = {"备注", "附注", "说明", "备考", "其他"}  # a column at a table's end that is mostly empty
# The first cell of a row that may stop short: a total (合计, 全市), a group label (其中：,
# 一、工业, （二）服务业) or a note written in the table.
_LABEL_CELL = re.compile(r"^(?:合计|小计|总计|共计|累计|总数|总量|汇总|平均|均值|全市|全区|全省|全国|全盟|全县|全旗"
                         r"|其中|注|备注|说明|资料来源|数据来源"
                         r"|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
                         r"|[:：]$")


def _label_row(cells: list[str]) -> bool:
    """A short row an editor means: one cell alone, a total or group label, or a label with
    only empty cells after it."""
    first = re.sub(r"[\s\u3000*_]", "", cells[0]) if cells else ""
    return len(cells) <= 1 or bool(_LABEL_CELL.search(first)) or not any(cells[1:])


def _check_rows(env: dict, path: Path, first_line: int) -> None:
    """The first table row an article writes with more cells than its header: an error. In
    each table, the first row with fewer cells that is no total or group label: a warning."""
    for line, cells, columns, extra in env.get("kj_long_rows", [])[:1]:
        shown = extra if len(extra) <= 12 else extra[:12] + "…"
        raise KjError(path, first_line + line,
                      f"表格这一行有 {cells} 个单元格，表头只有 {columns} 列：多出的“{shown}”不会印出，"
                      "请在表头补上一列，或删去多余的“|”")
    for line, cells, columns, more in env.get("kj_short_rows", []):
        missing = "一格" if columns - cells == 1 else f" {columns - cells} 格"
        others = f"（这个表格还有 {more} 行也少格）" if more else ""
        warn(path, first_line + line,
             f"表格这一行只有 {cells} 个单元格，表头有 {columns} 列：最右边{missing}会空着，"
             f"如果漏的是中间的格，其后各格都会错到左边一列；请核对，有意留空的格也写上“| |”{others}")


def _softbreak(self, tokens, idx, options, env):
    # A source line break inside Chinese text is not a word space (CSS Text 3 segment breaks).
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    if (before and is_wide(before)) or (after and is_wide(after)):
        return ""
    return "\n"


# Emphasis that holds Latin script alone: a species' name (*Escherichia coli*), a journal's or a
# book's title (*Nature Biotechnology*). The nomenclature codes and GB/T 7714 set these italic;
# Chinese emphasis has no italic (the layouts set it bold 宋体 or 楷体), and an unseen issue's
# digest printed its species names bold like key terms (P13 D4).
_LATIN_EMPHASIS = re.compile(rf"(?=[^{LATIN}]*[A-Za-z\u00c0-\u024f])[{LATIN} .,;:'’&()/!?\-]+")


def _em_open(self, tokens, idx, options, env):
    """<em>, or <em class="kj-latin"> (the layout's Latin italic) when it holds Latin alone."""
    text, depth = [], 0
    for token in tokens[idx + 1:]:
        if token.type == "em_close" and depth == 0:
            break
        depth += {"em_open": 1, "em_close": -1}.get(token.type, 0)
        if token.type not in ("text", "em_open", "em_close", "strong_open", "strong_close"):
            return "<em>"  # code, an image, a link, a note: left to the layout's emphasis
        text.append(token.content)
    return '<em class="kj-latin">' if _LATIN_EMPHASIS.fullmatch("".join(text)) else "<em>"


def _footnote_ref(self, tokens, idx, options, env):
    note = env["kj_footnotes"].get(tokens[idx].meta["id"], "")
    return f'<span class="footnote">{note}</span>'


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    path = env["kj_images"][token.attrGet("src")]
    # Placed at its own resolution (CSS image-resolution), 300 ppi when it declares none.
    style = f"image-resolution: {image_ppi(path) or DEFAULT_PPI:g}dpi"
    if width := token.attrGet("data-width"):
        style += f"; width: {width}"
    return f'<img src="{html.escape(path.as_uri())}" alt="{alt}" style="{style}">'


WIDE_TABLE = 7  # columns from which a table is set a size smaller (the layout's .md-table.wide)
# Where a table is written (its article, relative to the issue folder, and line): page makeup
# names them when a table is too wide to print (engine/makeup.py wide_tables).
TABLE_SOURCE, TABLE_LINE = "data-kj-source", "data-kj-line"


def _table_open(self, tokens, idx, options, env):
    columns = 0
    for token in tokens[idx + 1:]:
        if token.type == "tr_close":
            break
        columns += token.type in ("th_open", "td_open")
    return _opening(self, tokens[idx], columns, options, env) + "\n"


def _opening(self, token, columns: int, options, env) -> str:
    """A table's start tag, as the layout styles it (.md-table, .wide), with where it is written
    and the caption found above it (_table_captions)."""
    classes = "md-table wide" if columns >= WIDE_TABLE else "md-table"
    source, first_line = env.get("kj_source", ("", 0))
    line = first_line + token.map[0] if token.map else 0
    caption = token.meta.get("kj_caption")
    # A caption is as wide as its table (CSS): a narrow table is made as wide as its caption's
    # one line, up to CAPTION_MAX_EM (its table's ems: within every layout's measure), so
    # that "表6　企业反映的主要融资难点（可多选）" is not broken over two lines above two columns.
    style = "" if caption is None else \
        f' style="min-width: {min(_width_em(re.sub(r"[*_`]", "", caption.content)) + 1, CAPTION_MAX_EM):g}em"'
    opening = f'<table class="{classes}" {TABLE_SOURCE}="{html.escape(source)}" {TABLE_LINE}="{line}"{style}>'
    if caption is None:
        return opening
    return f"{opening}\n<caption>{self.renderInline(caption.children or [], options, env)}</caption>"


CAPTION_MAX_EM = 30  # a table's ems (0.85 of jianbao's body, 0.76 of gongwen's): under either measure


# "表1　各旗县区入库企业数量" standing just above a table is the table's caption (issue 14).
_TABLE_CAPTION = re.compile(r"^(?:\*\*)?(?:表|Table)\s*\d{1,3}(?:[-－.．]\d{1,3})?(?:[\s　:：.．]|$)", re.I)


def _table_captions(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if (tokens[i].type == "paragraph_open" and i + 3 < len(tokens) and _is_table(tokens[i + 3])
                and tokens[i + 1].type == "inline" and _TABLE_CAPTION.match(tokens[i + 1].content)):
            tokens[i + 3].meta["kj_caption"] = tokens[i + 1]
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _is_table(token: Token) -> bool:
    """A Markdown table, or one written in HTML (raw_html: the only way to merge cells)."""
    return token.type == "table_open" or (token.type == "html_block"
                                          and token.content.lstrip()[:6].lower() == "<table")


_LEVELS = {"h1": "h2", "h2": "h2", "h3": "h3"}


def _heading_open(self, tokens, idx, options, env):
    tag = _LEVELS.get(tokens[idx].tag, "h4")
    return f'<{tag} class="subhead">'


def _heading_close(self, tokens, idx, options, env):
    return f"</{_LEVELS.get(tokens[idx].tag, 'h4')}>\n"


# A heading that is only a number ("### 2", "## 3."): a list number or a page number made a
# heading by a stray #, printed alone as a heading line without a word (P15 D10).
_NUMBER_ONLY = re.compile(r"[0-9０-９]+[.．、]?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[)）]")


def _number_headings(tokens: list[Token], path: Path, first_line: int) -> None:
    for k, token in enumerate(tokens[:-1]):
        text = tokens[k + 1].content.strip()
        if token.type == "heading_open" and token.map and _NUMBER_ONLY.fullmatch(text):
            warn(path, first_line + token.map[0], f"小标题“{text}”只有编号，没有文字：会单独印成一行小标题；"
                                                 f"应把标题文字写在编号后面（{token.markup} {text}……），不是小标题请删去 {token.markup}")


def _printed_level(tag: str) -> int:
    """2, 3 or 4: the sub-head level a Markdown heading prints at (# and ## alike, #### and below alike)."""
    return int(_LEVELS.get(tag, "h4")[1])


def printed_levels(written: list[int]) -> list[tuple[int, int | None]]:
    """(level, index of the sub-head it stands under or None) of each of an article's sub-heads
    in order, from the levels they are written at (2, 3, 4: _printed_level). A sub-head is set
    one level below the sub-head it stands under (the last one before it written higher), an
    article's highest at its own level; siblings written alike are set alike."""
    top = min(written, default=2)
    above: list[int] = []  # indexes of the sub-heads it stands under
    out = []
    for index, level in enumerate(written):
        while above and written[above[-1]] >= level:
            above.pop()
        out.append((min(top + len(above), level), above[-1] if above else None))
        above.append(index)
    return out


def _heading_jumps(tokens: list[Token], path: Path, first_line: int) -> None:
    """A sub-head written two levels down is set at the next level down (printed_levels), with
    a warning for the first in the article. "#### 一、关键技术突破" above "## 二、国内相关进展"
    printed as a body line in 宋体 (#### is the body-face third and fourth level of GB/T 9704
    §7.3.3), its sibling in 黑体, without a word (P9 D8); a skipped level also broke the tagged
    PDF's outline. An article whose sub-heads are all ### or all #### is set as written."""
    headings = [(k, token) for k, token in enumerate(tokens) if token.type == "heading_open"]
    written = [_printed_level(token.tag) for _k, token in headings]
    top = min(written, default=2)
    jumps = []
    for (k, token), was, (level, parent) in zip(headings, written, printed_levels(written)):
        if level < was:
            jumps.append((k, token, None if parent is None else headings[parent][1], level))
            token.tag = tokens[k + 2].tag = f"h{level}"
    if not jumps:
        return
    k, token, parent, level = jumps[0]
    text = tokens[k + 1].content.strip()
    text = text if len(text) <= 16 else text[:16] + "…"
    now = "#" * level
    if parent is None:  # the article's first sub-head
        what = (f"小标题“{text}”写作 {token.markup}，它前面没有小标题，"
                f"而这篇文章最高一级的小标题是 {'#' * top}")
    else:
        what = (f"小标题从 {parent.markup}（第 {first_line + parent.map[0]} 行）跳到了 {token.markup}（“{text}”），"
                f"中间没有 {'#' * (_printed_level(parent.tag) + 1)}")
    more = f"（这篇文章还有 {len(jumps) - 1} 个小标题跳级，同样处理）" if len(jumps) > 1 else ""
    warn(path, first_line + token.map[0], f"{what}：已按 {now} 排；请在原文中改为 {now}{more}")


# The raw HTML a layout may switch on (manifest `raw_html: true`): formatting and tables only.
# No attributes but table spans: no style (url(), @import), no event handlers, no src/href,
# so raw HTML can neither fetch anything nor run anything. Images come from Markdown syntax.
SAFE_INLINE = {"b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
               "br", "span", "abbr", "q", "cite", "code", "kbd"}
SAFE_BLOCK = SAFE_INLINE | {"p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "hr",
                            "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
                            "h2", "h3", "h4", "pre"}
_SPANS = {"colspan", "rowspan"}
_INLINE_TAG = re.compile(r"^<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^>]*)??\s*(/?)>$", re.S)


def _sanitized_block(self, tokens, idx, options, env):
    cleaned = nh3.clean(tokens[idx].content, tags=SAFE_BLOCK, attributes={"td": _SPANS, "th": _SPANS},
                        url_schemes=set(), strip_comments=True, link_rel=None)
    if "<table>" not in cleaned:
        return cleaned
    # A table written in HTML is set as a Markdown one: the layout's rules and sizes, its
    # caption, its figures to the right (an unseen issue's merged-cell table printed bare:
    # no rules, no padding, body size, its "表1" caption an indented paragraph).
    first_row = re.search(r"<tr>(.*?)</tr>", cleaned, re.S)
    columns = sum(int(span or 1) for span in re.findall(r'<t[hd](?: colspan="(\d+)")?[^>]*>',
                                                          first_row.group(1) if first_row else ""))
    cleaned = cleaned.replace("<table>", _opening(self, tokens[idx], columns, options, env), 1)
    # A cell that holds a figure alone (1 234.5, −4.9%, ＋8.9): to the right, as Markdown's ---:.
    return _CELL.sub(lambda m: f'{m.group(1)} style="text-align:right">{m.group(2)}' if FIGURE_CELL.match(m.group(2))
                     else m.group(), cleaned)


_CELL = re.compile(r"(<td(?: (?:rowspan|colspan)=\"\d+\")*)>([^<]*)(?=</td>)")
# A figure alone in a table cell: 1 234.5, −4.9%, ＋8.9.
FIGURE_CELL = re.compile(r"^\s*[−\-+＋±]?[\d.,\u2009\u00a0 ]*\d[\d.,\u2009\u00a0 ]*[%‰]?\s*$")


def _sanitized_inline(self, tokens, idx, options, env):
    # An inline tag arrives alone ("<sub>", later "</sub>"): an allowed tag is kept bare, without
    # its attributes; anything else (comments, <img>, <script>) is dropped, its text kept.
    tag = _INLINE_TAG.match(tokens[idx].content.strip())
    if tag and tag.group(2).lower() in SAFE_INLINE:
        return f"<{tag.group(1)}{tag.group(2).lower()}{tag.group(3)}>"
    return ""


_MD = _parser(raw_html=False)
_MD_HTML = _parser(raw_html=True)


def percent_share(text: str) -> float | None:
    """"75%" or "0.75" → 0.75 (None when it is not a share between 10 % and 100 %)."""
    text = str(text).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return value if 0.1 <= value <= 1 else None


def image_ppi(path: Path) -> float | None:
    """The resolution an image file declares (PNG pHYs, JPEG JFIF/EXIF), None when it names
    none or a value no printed image has; SVG has none."""
    if path.suffix.lower() == ".svg":
        return None
    try:
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
    except (OSError, ValueError):
        return None
    if not dpi:
        return None
    ppi = float(dpi[0])
    return ppi if 30 <= ppi <= 4800 else None


DEFAULT_PPI = 300  # the print resolution an image is taken to have when it declares none


def render_markdown(body: str, path: Path, first_line: int, root: Path, raw_html: bool = False) -> str:
    """Render an article body that starts at ``first_line`` of ``path``.

    Images must be files under ``root`` (the issue folder); a missing one is an error
    naming the line that refers to it. Raw HTML is shown as text unless ``raw_html``, and
    then only a sanitised subset passes.
    """
    return render_body(body, path, first_line, root, raw_html)[0]


def render_body(body: str, path: Path, first_line: int, root: Path, raw_html: bool = False,
                figure_max_height: float | None = None) -> tuple[str, tuple[ImageRef, ...]]:
    """The HTML fragment and the images it shows, in order of first appearance.

    ``figure_max_height``: the article's own limit for its figures (front matter), a share
    of the type area height; the layout's applies otherwise."""
    md = _MD_HTML if raw_html else _MD
    source = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name  # TABLE_SOURCE
    env: dict = {"kj_source": (source, first_line)}
    tokens = md.parse(_nest_sub_lists(body), env)
    _check_nesting(tokens, path, first_line)
    _check_rows(env, path, first_line)
    _heading_jumps(tokens, path, first_line)
    _number_headings(tokens, path, first_line)
    _warn_unclosed(tokens, env, path, first_line)
    if not raw_html:
        _warn_tags_as_text(tokens, path, first_line)
    _full_width_marks(tokens, path, first_line)
    _warn_straight_quotes(tokens, path, first_line)
    _warn_ascii_scripts(tokens, path, first_line)
    _warn_undefined_notes(tokens, path, first_line)
    tokens, env["kj_footnotes"] = _take_footnotes(tokens, env)
    images = _check_images(tokens, path, first_line, root)
    env["kj_images"] = {ref.src: ref.path for ref in images.values()}
    figures = _figures(tokens, path, first_line, figure_max_height)
    figures = _sub_items(figures)
    figures = _typed_lines(figures)
    _items_as_paragraphs(figures)
    _heading_like_paragraphs(figures)
    _table_notes(figures)
    _list_starts(figures)
    _letter_parts(figures)
    _attachment_parts(figures)
    _attachments(figures)
    _rosters(figures)
    _name_lists(figures)
    _contact_fields(figures)
    _attributions(figures)
    _references(figures)
    return md.renderer.render(_table_captions(figures), md.options, env), tuple(images.values())


_LIST_ITEM = re.compile(r"( *)(?:[-*+]|\d{1,9}[.)])( {1,4})(?=\S)")
_FENCE = re.compile(r" {0,3}(?:```|~~~)")


def _nest_sub_lists(body: str) -> str:
    """Sub-items indented by two spaces or more under a list item are that item's, as the
    editor means, though CommonMark wants them under the item's text: "10. …" then "   - …"
    (three spaces, as under "9. …") closed the numbered list and printed the sub-items level
    with it (P17 D6). Such lines move in to the item's text column; line numbers stay."""
    lines = body.split("\n")
    parents: list[tuple[int, int]] = []  # (indent, text column) of each open item
    fenced, shift, below = False, 0, 0  # the shift of the current sub-item, lines below it
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = _LIST_ITEM.match(line)
        if not item:
            if indent == 0 and index and not lines[index - 1].strip():
                parents = []  # a paragraph after a blank line ends the list
            elif shift and indent > below:
                lines[index] = " " * shift + line  # the sub-item's own text
            continue
        while parents and indent <= parents[-1][0]:
            parents.pop()
        shift = 0
        if parents and parents[-1][0] + 2 <= indent < parents[-1][1]:
            shift, below = parents[-1][1] - indent, indent
            lines[index] = " " * shift + line
        parents.append((indent + shift, indent + shift + len(item.group(0)) - len(item.group(1))))
    return "\n".join(lines)


# "注：…", "资料来源：…" just under a table: the table's note (GB/T 7713.1 表注).
TABLE_NOTE = re.compile(r"^(?:\*\*)?(?:注|说明|备注|资料来源|数据来源|来源)\s*\d*\s*[:：]")


def _table_notes(tokens: list[Token]) -> None:
    """A note written just under a table (one paragraph or a few: 注：…, 资料来源：…) is set with
    it: the table, its caption and its notes go into one block (style.css .table-block), so the
    notes stand under the table's last rule in its size and the white after the table comes
    after them. Set apart, a note stood a line below the table like body text, and alone at
    the top of the next page (seven times in an unseen statistics issue, once as the only
    line of the last page)."""
    k = len(tokens) - 1
    while k > 0:
        if not (_is_note(tokens, k) and _after_table(tokens, k)):
            k -= 1
            continue
        end = k
        while end + 3 < len(tokens) and _is_note(tokens, end + 3):
            end += 3  # the next note, just under this one
        for note in range(k, end + 1, 3):
            tokens[note].attrJoin("class", "table-note")
        start = _table_start(tokens, k - 1)
        if (start >= 3 and tokens[start - 3].type == "paragraph_open" and tokens[start - 2].type == "inline"
                and _TABLE_CAPTION.match(tokens[start - 2].content)):
            start -= 3  # the caption written above the table
        block = Token("table_block_open", "div", 1)
        block.attrSet("class", "table-block")
        tokens.insert(end + 3, Token("table_block_close", "div", -1))
        tokens.insert(start, block)
        k = start - 1


def _is_note(tokens: list[Token], k: int) -> bool:
    return (tokens[k].type == "paragraph_open" and tokens[k].level == 0 and k + 1 < len(tokens)
            and tokens[k + 1].type == "inline" and bool(TABLE_NOTE.match(tokens[k + 1].content)))


def _table_start(tokens: list[Token], close: int) -> int:
    """The index of the table_open (or the HTML block) a table ending at ``close`` starts with."""
    if tokens[close].type != "table_close":
        return close
    return next(i for i in range(close, -1, -1) if tokens[i].type == "table_open" and tokens[i].level == tokens[close].level)


def _after_table(tokens: list[Token], k: int) -> bool:
    before = tokens[k - 1]
    return before.type == "table_close" or (before.type == "html_block"
                                            and before.content.rstrip().lower().endswith("</table>"))


DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_SIGNATORY = re.compile(r"^[\u4e00-\u9fff（）()、\u3000 ]{2,40}$")
SIGNATURE_RIGHT_EM = 4  # GB/T 9704 §7.3.5.1: the date ends four characters from the right


# A lead-in sentence that ends in a colon ("现将……情况列示如下：", "主要做法如下：") is text, not an
# addressee: it was set at the margin with a blank line above it (an unseen issue, P11 D7).
_LEAD_IN = re.compile(r"(?:如下|以下|下列|如次|如后|是|有|为)[:：]$|\d")
_ADDRESSEE_CHARS = 25  # one addressee of a 主送机关 list, e.g. 内蒙古自治区科学技术厅高新技术发展及产业化处


def _salutation(text: str) -> bool:
    """A first paragraph that names whom a notice or a letter is addressed to (主送机关,
    GB/T 9704 §7.3.2): "各有关单位：", "各旗县区人民政府，市各委办局：", "同志们：" — a list of short
    names ending in a colon, no full stop, no figures, not a sentence leading in to what follows."""
    return (text.endswith(("：", ":")) and len(text) <= 80 and "。" not in text and not _LEAD_IN.search(text)
            and all(len(name) <= _ADDRESSEE_CHARS for name in re.split(r"[，,、；;]", text[:-1])))


def _letter_parts(tokens: list[Token]) -> None:
    """A notice, a speech or a letter reprinted as an article: its salutation (主送机关,
    "各有关单位：", "同志们：", the first paragraph, ending in a colon) starts at the left margin
    (GB/T 9704 §7.3.2 居左顶格); its signatory and date (署名 and 成文日期, the last short line
    and a date among the last paragraphs) stand at the right, the date four characters from
    the margin and the signatory centred over it (§7.3.5.1), a blank line under the text, and
    never alone at the top of a page (§7.3.5.4: the text's last lines go over with them; they
    stood alone above the 版记 in two unseen issues). Both were indented like text."""
    paragraphs = [k for k, token in enumerate(tokens) if token.type == "paragraph_open" and token.level == 0
                  and k + 1 < len(tokens) and tokens[k + 1].type == "inline"]
    if not paragraphs:
        return
    first = paragraphs[0]
    text = tokens[first + 1].content.strip()
    if _salutation(text) and first == _first_block(tokens):
        tokens[first].attrJoin("class", "kj-salutation")
    # The signature closes the text, before the attachments (GB/T 9704 §8) if any follow it:
    # it was set as text when an 附件 followed (two unseen notices).
    end = _text_end(tokens)
    paragraphs = [k for k in paragraphs if end is not None and k <= end]
    for place, k in enumerate(paragraphs[-3:], start=max(0, len(paragraphs) - 3)):
        date = tokens[k + 1].content.strip()
        if not DATE_LINE.match(date) or place == 0:
            continue
        before = paragraphs[place - 1]
        name = tokens[before + 1].content.strip()
        if not _SIGNATORY.match(name) or before + 3 != k:
            continue
        date_em, name_em = _width_em(date), _width_em(name)
        tokens[k].attrJoin("class", "kj-signature")
        tokens[k].attrSet("style", f"padding-right: {SIGNATURE_RIGHT_EM}em")
        tokens[before].attrJoin("class", "kj-signature kj-signatory kj-keep-next")
        tokens[before].attrSet("style", f"padding-right: {max(0.0, SIGNATURE_RIGHT_EM + (date_em - name_em) / 2):g}em")
        break


ATTACHMENT_LABEL = re.compile(r"^附\s*件\s*[:：]")
ATTACHMENT_HEADING = re.compile(r"^附\s*件\s*[0-9]{0,2}$")  # "附件", "附件2": an attachment starts


def _text_end(tokens: list[Token]) -> int | None:
    """The last top-level paragraph of a notice's text: the last before an attachment
    ("附件2" alone on a line, GB/T 9704 §8) that follows it, else the last of all."""
    paragraphs = [k for k, t in enumerate(tokens) if t.type == "paragraph_open" and t.level == 0
                  and k + 1 < len(tokens) and tokens[k + 1].type == "inline"]
    cut = next((place for place, k in enumerate(paragraphs)
                if place and ATTACHMENT_HEADING.match(tokens[k + 1].content.strip().split("\n")[0].strip())),
               len(paragraphs))
    return paragraphs[cut - 1] if cut else None


def _attachment_parts(tokens: list[Token]) -> None:
    """An attachment after a notice's signature (GB/T 9704 §8): "附件" and its number flush
    left in 黑体, a blank line above, its title (the short line under it) centred a line
    lower and kept with it (style.css .kj-attachment-heading): both were set as indented
    text, the title apart from its table (two unseen notices)."""
    for k, token in enumerate(tokens[:-4]):
        if not (token.type == "paragraph_open" and token.level == 0 and tokens[k + 1].type == "inline"
                and ATTACHMENT_HEADING.match(tokens[k + 1].content.strip()) and k):
            continue
        token.attrJoin("class", "kj-attachment-heading kj-keep-next")
        title = tokens[k + 3]
        if (title.type == "paragraph_open" and title.level == 0 and tokens[k + 4].type == "inline"
                and _is_table_title(tokens[k + 4].content)):
            title.attrJoin("class", "kj-attachment-title kj-keep-next")
_ITEM_NUMBER = re.compile(r"^\d{1,2}\s*[.．、]")


def _attachments(tokens: list[Token]) -> None:
    """A notice's 附件说明 (GB/T 9704 §7.3.4): "附件：1. …" a blank line under the text, 附件
    two characters in, each attachment on a line of its own with its number under the first's
    (style.css .kj-attachments). Written one per line as an editor types them, the names ran
    on as one paragraph (Markdown joins the lines: a list may not start at 2 inside a
    paragraph); written as a list, they stood at the text's indent."""
    for k, token in enumerate(tokens[:-1]):
        inline = tokens[k + 1]
        if not (token.type == "paragraph_open" and token.level == 0 and inline.type == "inline"
                and ATTACHMENT_LABEL.match(inline.content)):
            continue
        token.attrJoin("class", "kj-attachments")
        children = inline.children or []
        for i, child in enumerate(children[:-1]):
            if child.type == "softbreak" and children[i + 1].type == "text" and _ITEM_NUMBER.match(children[i + 1].content):
                child.type, child.tag = "hardbreak", "br"
        _space_item_numbers(children)
        _label_span(inline, ATTACHMENT_LABEL.match(inline.content).group(0), "kj-attachments-label")
        after = next((t for t in tokens[k + 2:] if t.type != "paragraph_close" or t.level != 0), None)
        if after is not None and after.type == "ordered_list_open" and after.level == 0:
            after.attrJoin("class", "kj-attachment-list")
        # The next attachments as paragraphs of their own ("2.项目申报书", no space after the
        # number: no Markdown list; Word's 附件说明 comes in so): each under the first's number.
        j = k + 3
        while (j + 1 < len(tokens) and tokens[j].type == "paragraph_open" and tokens[j].level == 0
               and tokens[j + 1].type == "inline" and _ITEM_NUMBER.match(tokens[j + 1].content)):
            tokens[j].attrJoin("class", "kj-attachment-item")
            _space_item_numbers(tokens[j + 1].children or [])
            j += 3


# A meeting summary's lists of who attended (纪要: 出席、列席、请假…; GB/T 9704 §10.3).
ROSTER_LABEL = re.compile(r"^(?:出席|列席|请假|缺席|记录|主持|参加|参会)(?:人员|单位|人)?\s*[:：]")


# The labels of a notice's contact lines: "联系人：", "联系电话：", "电子邮箱：", "地　　址：".
_CONTACT_LABELS = ("联系人", "联系电话", "联系方式", "咨询电话", "办公电话", "固定电话", "移动电话", "电话", "手机",
                   "传真", "电子邮箱", "电子信箱", "电子邮件", "邮箱", "通讯地址", "联系地址", "地址", "邮政编码",
                   "邮编", "网址", "受理单位", "受理部门")
_CONTACT = "(?:" + "|".join("[ \u3000]*".join(label) for label in _CONTACT_LABELS) + r"|E-?mail)[ \u3000]*[:：]"
CONTACT_LABEL = re.compile(_CONTACT, re.I)  # (match: at a line's start; sub: anywhere)
# A line of such fields, two or more, apart by wide spaces: "联系人：赵文斌　　电话：0471-4366683",
# also as a notice's numbered item ("三、联系人：…", "（三）", "3."): justified, that one broke
# after "电话：" and spread 0.13 em a gap (P17 D3).
# Apart by one space or a tab too, as editors type them ("联系人：赵文斌 电话：…" ran on justified).
_CONTACT_START = re.compile(rf"^(?:(?:{_NUMBER_ONLY.pattern})[ \u3000]*)?{_CONTACT}", re.I)
_FIELDS_LINE = re.compile(rf"{_CONTACT_START.pattern}[^\n]*?[ \t\u3000]+{_CONTACT}", re.I)


def _contact_fields(tokens: list[Token]) -> None:
    """A line of a notice's contact fields ("联系人：市科技局办公室　赵文斌　　电话：0471-4366683转8012")
    that needs two lines breaks between its fields, each label with its value, and is set
    flush left at its natural widths, its lines two characters in (style.css .kj-fields):
    justified, it broke after "电话：" and spread its first line a third of an em a gap (an
    unseen notice, in gongwen)."""
    for k, token in enumerate(tokens[:-1]):
        if (token.type == "paragraph_open" and token.level == 0 and tokens[k + 1].type == "inline"
                and _FIELDS_LINE.match(tokens[k + 1].content.strip())):
            token.attrJoin("class", FIELDS)
            for child in tokens[k + 1].children or []:
                if child.type == "text":  # no break inside a label nor between it and its value
                    child.content = CONTACT_LABEL.sub(lambda m: WJ.join(m.group(0)) + WJ, child.content)


def _rosters(tokens: list[Token]) -> None:
    """A meeting summary's 出席、列席、请假… paragraphs (GB/T 9704 §10.3: a blank line under the
    text, the label two characters in, in 黑体, with a full-width colon; turned lines under the
    first character after the colon). Set as text, the names ran back under the label
    (an unseen 纪要's 40 names of 列席 over six lines). Only where a 出席 or 列席 paragraph is:
    "记录：" alone may be anything."""
    found = [k for k, token in enumerate(tokens[:-1]) if token.type == "paragraph_open" and token.level == 0
             and tokens[k + 1].type == "inline" and ROSTER_LABEL.match(tokens[k + 1].content)]
    if not any(tokens[k + 1].content.lstrip().startswith(("出席", "列席")) for k in found):
        return
    for k in found:
        inline = tokens[k + 1]
        label = ROSTER_LABEL.match(inline.content).group(0)
        if not _label_span(inline, label, f"{ROSTER}-label"):
            continue
        hang = _width_em(label)
        tokens[k].attrJoin("class", ROSTER if k - 3 in found else f"{ROSTER} {ROSTER}-first")
        tokens[k].attrSet("style", f"padding-left: {2 + hang:g}em; text-indent: -{hang:g}em")


NAME_LIST = "kj-name-list"  # a paragraph of names alone (a 表彰名单), with ROSTER's whole names
_NAME = re.compile(r"[\u3400-\u9fff·]{2,5}")
_NAME_SEPARATORS = re.compile(r"[\u3000 、，,]*")
MIN_LISTED_NAMES = 4


def _listed_names(text: str) -> bool:
    """Whether ``text`` is nothing but persons' names, four or more, between full-width spaces,
    spaces or 、 ("巴特尔　王晓燕　张　伟　孟克巴雅尔": a two-character name spaced to line up
    with the others, as the 版记's and the rosters' lists write it, is one name: name_spans)."""
    spans = name_spans(text)
    edges = [0, *(edge for span in spans for edge in span), len(text)]
    return (len(spans) >= MIN_LISTED_NAMES and all(_NAME.fullmatch(text[a:b].replace("\u3000", "")) for a, b in spans)
            and all(_NAME_SEPARATORS.fullmatch(text[a:b]) for a, b in zip(edges[::2], edges[1::2])))


def _name_lists(tokens: list[Token]) -> None:
    """A paragraph of names alone (an 附件's 先进个人名单, ten names a paragraph) keeps each name
    whole, as a 纪要's roster does (typography/cjk.py _bind_names), its lines two characters in
    and ending short at a name: set as text, "孟 / 克巴雅尔", "郭 / 峰" broke across lines (an
    unseen issue, P12 D1)."""
    for k, token in enumerate(tokens[:-1]):
        inline = tokens[k + 1]
        if (token.type == "paragraph_open" and token.level == 0 and inline.type == "inline"
                and ROSTER not in (token.attrGet("class") or "")
                and all(child.type == "text" for child in inline.children or [])
                and _listed_names(inline.content)):
            token.attrJoin("class", f"{ROSTER} {NAME_LIST}")


# A reference list's heading ("## 参考文献", "**参考文献**", "参考文献：") and its entries (GB/T 7714:
# "[1] …", "[12] …").
# (参考文献, 主要参考文献, 主要文献, 参考资料, 引用文献: what an unseen issue's reprint wrote, probe b)
REFERENCES_HEADING = re.compile(r"^(?:\*\*)?(?:(?:主要)?参考(?:文献|资料)|主要文献|引用文献)\s*[:：]?\s*(?:\*\*)?$")
REFERENCE_ENTRY = re.compile(r"^[\[［]\s*\d{1,3}\s*[\]］]")
REFERENCES = "kj-references"  # the block of a reference list (style.css)


def _references(tokens: list[Token]) -> None:
    """A reference list under its heading (参考文献, GB/T 7714) is set as journals set it: its
    entries (paragraphs opening "[n]", or an ordered list right under the heading) in a block
    of class kj-references, in the footnotes' size with a hanging indent, their lines never
    spread (style.css). Set as text, each entry was indented 2 em and justified at the
    body size, English lines spread 2 em a word space before a URL and Chinese ones 0.14 em
    between characters (an unseen 综述, P12 D3)."""
    blocks = []  # (first token, token after the last) of each list
    for k, token in enumerate(tokens[:-3]):
        if not (token.level == 0 and token.type in ("heading_open", "paragraph_open")
                and tokens[k + 1].type == "inline" and REFERENCES_HEADING.match(tokens[k + 1].content.strip())):
            continue
        start = k + 3
        if tokens[start].type == "ordered_list_open" and tokens[start].level == 0:
            tokens[start].attrJoin("class", REFERENCES)
        else:
            end = start
            while (end + 1 < len(tokens) and tokens[end].type == "paragraph_open" and tokens[end].level == 0
                   and tokens[end + 1].type == "inline" and REFERENCE_ENTRY.match(tokens[end + 1].content)):
                tokens[end].attrJoin("class", "kj-reference")
                end += 3
            if end == start:
                continue
            blocks.append((start, end))
        if token.type == "paragraph_open":
            token.attrJoin("class", f"kj-keep-next {HEADING_LINE}")  # a heading written as a line
    for start, end in reversed(blocks):
        block = Token("references_open", "div", 1)
        block.attrSet("class", REFERENCES)
        tokens.insert(end, Token("references_close", "div", -1))
        tokens.insert(start, block)


def _label_span(inline: Token, label: str, name: str) -> bool:
    """The paragraph's opening ``label`` (出席：, 附件：) set apart in a span of class ``name``
    (style.css: its face, and its colon kept full width under the hang); False when the
    paragraph does not open with it as text."""
    first = inline.children[0] if inline.children else None
    if first is None or first.type != "text" or not first.content.startswith(label):
        return False
    opening, closing = Token("kj_html", "", 0), Token("kj_html", "", 0)
    opening.content, closing.content = f'<span class="{name}">', "</span>"
    rest = Token("text", "", 0)
    rest.content = first.content[len(label):]
    label_token = Token("text", "", 0)
    label_token.content = label
    inline.children[:1] = [opening, label_token, closing, rest]
    return True


# An attachment's number typed solid before a figure ("1.2033年度…" reads as a decimal).
_SOLID_ITEM_NUMBER = re.compile(r"^((?:附\s*件\s*[:：]\s*)?\d{1,2}[.．])(?=\d)")


def _space_item_numbers(children: list[Token]) -> None:
    """A word space after each attachment's number that stands solid before a figure, as a
    list's marker has (style.css)."""
    at_line_start = True
    for child in children:
        if child.type == "text" and at_line_start:
            child.content = _SOLID_ITEM_NUMBER.sub(r"\1 ", child.content)
        at_line_start = child.type in ("softbreak", "hardbreak")


ATTRIBUTION_MAX_CHARS = 80  # a longer paragraph starting with a dash is text, not an attribution


def _attributions(tokens: list[Token]) -> None:
    """A quotation's attribution ("——乌云其其格在2025年全区科技工作会议上的发言"): a paragraph
    that starts with a dash and is the last of a block quote, after its text, or the paragraph
    right after one. It is set flush right with no indent (style.css .kj-attribution) and breaks
    between words (typography/cjk.py); it was indented like text, and left 伊 of a name at a
    line end."""
    for k, token in enumerate(tokens[:-3]):
        if token.type != "paragraph_open" or tokens[k + 1].type != "inline" or k == 0:
            continue
        text = tokens[k + 1].content.strip()
        if not text.startswith("——") or len(text) > ATTRIBUTION_MAX_CHARS:
            continue
        before, after = tokens[k - 1].type, tokens[k + 3].type
        closes_quote = token.level > 0 and before == "paragraph_close" and after == "blockquote_close"
        if closes_quote or before == "blockquote_close":
            token.attrJoin("class", "kj-attribution")


def _first_block(tokens: list[Token]) -> int | None:
    return next((k for k, token in enumerate(tokens) if token.level == 0 and token.nesting >= 0
                 and token.type != "inline"), None)


def _width_em(text: str) -> float:
    """A line's width in ems, near enough to centre one line over another: Chinese and
    full-width characters one, digits and letters a little more than half, and the quarter em
    of spacing where they meet."""
    from ..typography.chars import is_wide
    wide = [is_wide(char) for char in text]
    return sum(1.0 if w else 0.55 for w in wide) + 0.25 * sum(a != b for a, b in zip(wide, wide[1:]))


def _list_starts(tokens: list[Token]) -> None:
    """An ordered list that starts at 2 ("附件：1. …" written as a paragraph, then "2. …"):
    its first number as written. The markers count with CSS's list-item counter, which
    WeasyPrint does not set from <ol start> (it printed 1., 2. under the paragraph's 1.)."""
    for token in tokens:
        if token.type == "ordered_list_open" and (start := token.attrGet("start")) and str(start).isdigit():
            token.attrSet("style", f"counter-reset: list-item {int(start) - 1}")


def _heading_like_paragraphs(tokens: list[Token]) -> None:
    """A paragraph that reads as a numbered sub-head ("一、修订的必要性", "（二）主要内容": short,
    not a sentence) is kept with what follows it, as a heading is (style.css .kj-keep-next):
    written as a paragraph, not a Markdown heading, it was left at a page foot under its
    article's title, the text it heads on the next page. The import makes such lines headings
    (editor.textimport: the same test); here they keep the paragraph style they were given.
    So is a paragraph that ends with a colon before a paragraph: a notice's salutation
    (主送机关, "各有关单位：") introduces the text under it and never ends a page (an unseen
    notice: its title and salutation alone at a page foot, its text overleaf). Not before a
    list: a list item of three lines cannot split (two lines each side), and the heading,
    lead-in and item kept together left a page 28 % empty (another unseen issue)."""
    from ..editor.textimport import looks_like_subhead

    for k, token in enumerate(tokens[:-1]):
        if token.type != "paragraph_open" or token.level != 0 or tokens[k + 1].type != "inline":
            continue
        text = tokens[k + 1].content
        before_paragraph = k + 3 < len(tokens) and tokens[k + 3].type == "paragraph_open"
        if looks_like_subhead(text.strip("*_ ")):
            token.attrJoin("class", f"kj-keep-next {HEADING_LINE}")
        elif (before_paragraph and (text.rstrip().endswith(("：", ":")) or _is_question(text))) or (
                k + 3 < len(tokens) and _is_table(tokens[k + 3]) and _is_table_title(text)):
            token.attrJoin("class", "kj-keep-next")


def _is_table_title(text: str) -> bool:
    """A line just above a table that names it without "表1" (2038年度科技计划项目立项名单): short
    and no sentence. It stood alone at a page foot, the table overleaf (an unseen notice)."""
    plain = text.strip().strip("*_ ")
    return 0 < len(plain) <= TABLE_TITLE_CHARS and not any(mark in plain for mark in "。；！？")


TABLE_TITLE_CHARS = 40


# An interviewer's question (问：…, 记者：…), kept with its answer: a question stood at a page
# foot with its answer overleaf (an unseen interview issue). Up to three lines or so: a longer
# one may end a page as any paragraph.
_QUESTION = re.compile(r"^(?:问|记者|主持人)\s*[:：]")
QUESTION_CHARS = 90


def _is_question(text: str) -> bool:
    plain = text.strip().lstrip("*_ ")
    return bool(_QUESTION.match(plain)) and len(plain) <= QUESTION_CHARS


# A line that opens a numbered sub-item: "(1) …", "（2）…", "③…".
_SUB_ITEM = re.compile(r"^[ \t]*(?:[(（][ \t]*(\d{1,2})[ \t]*[)）]|([\u2460-\u2473]))")


def _sub_item_lines(lines: list[str]) -> list[int]:
    """The lines after the first that open a sub-item, when the paragraph's lines number them
    in order from (1) (or ①): "1. 关于研发人员的统计：" then "(1) 全时当量…；", "(2) …" each on a
    line of its own. [] when they are not so numbered (a "(3)" that a wrapped line starts with)."""
    found = []
    for index, line in enumerate(lines):
        if match := _SUB_ITEM.match(line):
            number = int(match.group(1)) if match.group(1) else ord(match.group(2)) - 0x245F
            found.append((index, number, bool(match.group(2))))
    if len(found) < 2:
        return []
    if any(n != k + 1 or circled != found[0][2] for k, (_i, n, circled) in enumerate(found)):  # from 1, in order
        return []
    return [index for index, _n, _c in found if index > 0]


def _sub_items(tokens: list[Token]) -> list[Token]:
    """A paragraph whose lines open with (1), (2), (3) in order is set a line each, as it was
    typed: markdown-it runs a paragraph's lines together ("(1)" is no list marker), and the
    sub-items under "1. 关于研发人员的统计：" printed as one run-on line, "…统计：（1）全时当量…；（2）兼职
    人员…" (P9 D7). Each sub-item is a paragraph of its own (in a list item, under its text):
    indented 2 em, its lines back to the margin, as GB/T 9704 sets "（1）" paragraphs."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if not (token.type == "paragraph_open" and k + 2 < len(tokens) and tokens[k + 1].type == "inline"
                and "\n" in tokens[k + 1].content):
            out.append(token)
            k += 1
            continue
        inline, close = tokens[k + 1], tokens[k + 2]
        lines = inline.content.split("\n")
        starts = _sub_item_lines(lines)
        children = inline.children or []
        depth, breaks = 0, []  # the children that end each line: the line breaks outside any markup
        for index, child in enumerate(children):
            depth += child.nesting
            if depth == 0 and child.type in ("softbreak", "hardbreak"):
                breaks.append(index)
        if not starts or len(breaks) != len(lines) - 1:
            out.extend(tokens[k:k + 3])
            k += 3
            continue
        first = token.map[0] if token.map else None
        cuts = [0, *starts, len(lines)]
        child_cuts = [0, *(breaks[start - 1] for start in starts), len(children)]
        for part, (begin, end) in enumerate(zip(cuts, cuts[1:])):
            opening, text, closing = (token, inline, close) if part == 0 else (
                Token("paragraph_open", "p", 1), Token("inline", "", 0), Token("paragraph_close", "p", -1))
            for new, old in ((opening, token), (text, inline), (closing, close)):
                new.level, new.block = old.level, True
                if first is not None:
                    new.map = [first + begin, first + end]
            text.content = "\n".join(lines[begin:end])
            own = children[child_cuts[part] + (part > 0):child_cuts[part + 1]]
            text.children = own
            out.extend((opening, text, closing))
        k += 3
    return out


# What starts an item an editor types on a line of its own, under the one before (★ 重点任务…,
# ● 第一…): Markdown joins such lines into one paragraph, so four ★ items ran on as one
# (an unseen issue, P11 D12).
_TYPED_ITEM = re.compile(r"^[★☆●■□◆◇▲△▶►•※✓✔]")  # not ○: the zero of 二○二四年 may start a copied line


# A numbered item an editor typed on a line of its own and ended with a hard break ("1．…公司　代码␣␣"
# under one another, as Word and WeChat pastes give): each is a paragraph, indented as the first;
# one paragraph with <br>s set line 1 indented, the others flush left (P15 D4).
_HARD_BROKEN_ITEM = re.compile(r"^(?:\d{1,2}\s*[.．、](?![0-9])|[(（]\s*\d{1,2}\s*[)）]|[\u2460-\u2473])")


def _typed_lines(tokens: list[Token]) -> list[Token]:
    """Lines an editor typed under one another without a blank line between them, where each
    is meant to stand alone, are paragraphs of their own: a line that starts with an item
    symbol (_TYPED_ITEM), an entry of a reference list typed one a line ("[2] …" under "[1] …"),
    and a notice's signatory over its date as its last two lines
    ("呼和浩特市科学技术局⏎2045年1月15日" ran on as one indented line, so _letter_parts did not
    set them at the right), and in a paragraph that opens with an item number, each line a hard
    break ends before the next number (_HARD_BROKEN_ITEM). Other line breaks join as Markdown
    joins them (a copy from a PDF breaks its lines anywhere)."""
    last = _text_end(tokens)
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        inline = tokens[k + 1] if k + 1 < len(tokens) else None
        if token.type != "paragraph_open" or inline is None or inline.type != "inline" or not inline.children:
            out.append(token)
            k += 1
            continue
        children = inline.children
        breaks = [i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")]
        lines = inline.content.split("\n")
        # A reference list typed or pasted one entry a line: each "[n] …" line an entry
        # (_references; they ran on as one paragraph).
        entries = bool(REFERENCE_ENTRY.match(lines[0]))
        # (or one whose first line leads in to them, "主要任务如下：": the commonest shape, P16 F1)
        lead_in = (len(lines) > 1 and lines[0].rstrip(" \\").endswith(("：", ":"))
                   and bool(_HARD_BROKEN_ITEM.match(lines[1])))
        numbered = (bool(_HARD_BROKEN_ITEM.match(lines[0])) or lead_in) and not ATTACHMENT_LABEL.match(lines[0])
        # A notice's contact fields typed one a line ("联系人：赵文斌⏎电话：0471-…"): each a
        # paragraph of its own; joined, they printed as "联系人：赵文斌电话：0471-…".
        fields = bool(_CONTACT_START.match(lines[0]))
        cuts = [n for n, i in enumerate(breaks, start=1)
                if n < len(lines) and (
                    children[i].type == "softbreak"
                    and (_TYPED_ITEM.match(lines[n]) or (entries and REFERENCE_ENTRY.match(lines[n]))
                         or (fields and CONTACT_LABEL.match(lines[n].strip())))
                    or numbered and children[i].type == "hardbreak" and _HARD_BROKEN_ITEM.match(lines[n]))]
        if (k == last and len(lines) == 2 and breaks and DATE_LINE.match(lines[1].strip())
                and _SIGNATORY.match(lines[0].strip())):
            cuts = [1]
        # A quotation's source typed on the quote's next line ("> ——摘自…" with no blank ">"
        # line above it): a paragraph of its own, the attribution (_attributions); joined, it
        # ran on after the quote's full stop.
        source = lines[-1].strip()
        if (len(lines) > 1 and token.level > 0 and k + 3 < len(tokens) and tokens[k + 3].type == "blockquote_close"
                and children[breaks[-1]].type == "softbreak" and source.startswith("——")
                and len(source) <= ATTRIBUTION_MAX_CHARS and len(breaks) == len(lines) - 1):
            cuts = sorted({*cuts, len(lines) - 1})
        if not cuts:
            out.append(token)
            k += 1
            continue
        bounds = [0, *cuts, len(lines)]
        child_bounds = [0, *(breaks[n - 1] for n in cuts), len(children)]
        start = token.map[0] if token.map else None
        for part, (a, b) in enumerate(zip(bounds, bounds[1:])):
            opening, closing = copy.copy(token), copy.copy(tokens[k + 2])
            opening.attrs = dict(token.attrs)  # each paragraph its own classes (_letter_parts)
            piece = copy.copy(inline)
            first = child_bounds[part] + (1 if part else 0)  # after the line break it replaces
            piece.children = children[first:child_bounds[part + 1]]
            piece.content = "\n".join(lines[a:b])
            if start is not None:
                opening.map = piece.map = [start + a, start + b]
            out += [opening, piece, closing]
        k += 3
    return out


def _items_as_paragraphs(tokens: list[Token]) -> None:
    """A list item's first paragraph is the item's own text, in a loose list as in a tight one.

    Lists are set as Chinese numbered paragraphs (GB/T 9704 §7.3.3: “1.……” indented 2 em, its
    lines running back to the margin), the marker in the first line; a loose item's <p> would put
    the marker alone on a line above its text."""
    for k, token in enumerate(tokens):
        if token.type == "list_item_open" and k + 1 < len(tokens) and tokens[k + 1].type == "paragraph_open":
            level = tokens[k + 1].level
            tokens[k + 1].hidden = True
            close = next(t for t in tokens[k + 2:] if t.type == "paragraph_close" and t.level == level)
            close.hidden = True


def _check_nesting(tokens: list[Token], path: Path, first_line: int) -> None:
    # markdown-it stops parsing at maxNesting and silently drops the rest of the article.
    limit = _MD.options["maxNesting"] - 1
    for token in tokens:
        if token.level >= limit and token.map:
            raise KjError(path, first_line + token.map[0],
                          f"列表或引用嵌套过深：应不超过 {limit // 2} 层，否则后面的内容会丢失")


def _take_footnotes(tokens: list[Token], env: dict) -> tuple[list[Token], dict[int, str]]:
    """Cut the footnote definitions out of the stream, rendered inline, by footnote id."""
    notes: dict[int, str] = {}
    kept: list[Token] = []
    current: int | None = None
    parts: list[Token] = []
    for token in tokens:
        if token.type == "footnote_open":
            current, parts = token.meta["id"], []
        elif token.type == "footnote_close":
            inner = [t for t in parts if t.type == "inline"]
            notes[current] = "".join(
                _MD.renderer.renderInline(t.children or [], _MD.options, env) for t in inner)
            current = None
        elif current is not None:
            parts.append(token)
        elif not token.type.startswith("footnote_block"):
            kept.append(token)
    return kept, notes


def _check_images(tokens: list[Token], path: Path, first_line: int, root: Path) -> dict[str, ImageRef]:
    found: dict[str, ImageRef] = {}
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type != "image":
                continue
            src = child.attrGet("src") or ""
            line = _image_line(token, child, first_line)
            if src not in found:
                found[src] = ImageRef(src, _image_file(src, path, line, root), line)
            if not "".join(c.content for c in child.children or []).strip():
                # The tagged editions give every figure its alt text or caption (issue 16).
                warn(path, line, f"图片 '{src}' 没有图题（替代文字）：读屏软件只能读出“未加说明的图片”；"
                                 f"应在方括号中写上图题，如 ![图1　说明]({src})")
    return found


def _image_line(inline: Token, image: Token, first_line: int) -> int:
    """The source line an image of a paragraph (``inline``) is written on."""
    offset = inline.content.find(image.attrGet("src") or "")
    line = first_line + (inline.map[0] if inline.map else 0)
    return line + inline.content.count("\n", 0, max(offset, 0))


def _image_file(src: str, path: Path, line: int, root: Path) -> Path:
    src = unquote(src)  # markdown-it percent-encodes the destination: 园区.png → %E5%9B%AD…
    if ":" in src.split("/")[0] or src.startswith(("/", "\\")):
        raise KjError(path, line, f"图片 '{src}' 应为相对于文章文件的本地路径，实际为网址或绝对路径")
    target = (path.parent / src).resolve()
    if not target.is_relative_to(root):
        raise KjError(path, line, f"图片 '{src}' 应在期刊文件夹之内，实际指向其外")
    if not target.is_file():
        # A name that differs only in case works on Windows and macOS, not here (P7: Logo1.png)
        raise KjError(path, line, f"找不到图片 '{src}'（路径相对于文章文件）{case_hint(target, root)}")
    if target.suffix.lower() not in IMAGE_TYPES:
        raise KjError(path, line, f"图片 '{src}' 应为 PNG、JPEG、GIF、SVG 或 WebP 文件")
    if target.suffix.lower() == ".svg" and (outside := _svg_external_reference(target)):
        raise KjError(path, line, f"SVG 图片 '{src}' 引用了外部资源 '{outside}'：SVG 只能引用自身内容或 data: 数据")
    if target.suffix.lower() != ".svg" and not _readable_image(target):
        # WeasyPrint would only log "Failed to load image" and name no article or line.
        raise KjError(path, line, f"图片 '{src}' 无法读取（文件不完整，或不是扩展名所说的格式）："
                                  "应为完整的 PNG、JPEG、GIF 或 WebP 文件，可用看图软件打开后另存一份")
    return target


def _readable_image(path: Path) -> bool:
    """Whether Pillow can identify the image, and a PNG or JPEG is not cut short (its end
    marker is there: a picture copied in part prints half drawn). Not stricter than the
    viewers: a chunk with a wrong checksum still shows everywhere, and decoding every
    photograph to be sure would cost a tenth of a second each."""
    ends = {"PNG": b"IEND", "JPEG": b"\xff\xd9"}
    try:
        with Image.open(path) as image:
            kind = image.format
        if kind in ends:
            with path.open("rb") as file:
                file.seek(max(0, path.stat().st_size - 4096))
                return ends[kind] in file.read()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


_SVG_REFERENCE = re.compile(r"""(?:href\s*=\s*["']|url\(\s*["']?|@import\s+["'])\s*([^"')\s]+)""", re.I)


def _svg_external_reference(svg: Path) -> str | None:
    """The first reference an SVG makes to anything but itself (#id) or inline data:."""
    text = svg.read_text(encoding="utf-8", errors="replace")
    for match in _SVG_REFERENCE.finditer(text):
        target = match.group(1)
        if not target.startswith(("#", "data:")):
            return target
    return None


# Figure attributes, written after the image: ![图1　…](a.png){width=60% max-height=100%}.
_ATTRIBUTES = re.compile(r"^\s*\{([^{}]*)\}\s*$")
_MM = re.compile(r"^\d+(\.\d+)?mm$")
FIGURE_ATTRIBUTES = "width=60%（占版心宽度的比例，或如 80mm）、max-height=100%（图连同图题占版心高度的比例）"


def _attribute_list(text: str) -> str | None:
    """What is inside a figure's attribute braces, or None when ``text`` is not such braces.
    Typed with a Chinese input method they come full width ("｛width＝50％｝", full-width
    spaces between): read as the ASCII ones (NFKC), where they printed as text beside an image
    whose caption was lost (P13 D2)."""
    found = _ATTRIBUTES.match(unicodedata.normalize("NFKC", text))
    return found and found.group(1)


@dataclass
class _FigurePart:
    image: Token
    attributes: str | None = None  # inside the braces written after it
    link: str | None = None  # the address it was linked to: [![图1　…](a.jpg)](https://…)


def _figure_parts(children: list[Token]) -> list[_FigurePart] | None:
    """The images of a paragraph that holds nothing else: one or more images, each perhaps
    inside a link of its own and followed by its attributes, apart only by spaces and line
    breaks; None when it holds anything else (text, or a link around more than an image)."""
    parts: list[_FigurePart] = []
    link = None  # the open link's address, while its image is awaited
    in_link = False  # an image was read inside the open link: its close must come next
    for child in children:
        if in_link and child.type != "link_close":
            return None
        if child.type == "link_open" and link is None:
            link = child.attrGet("href") or ""
        elif child.type == "image":
            parts.append(_FigurePart(child, link=link))
            in_link = link is not None
        elif child.type == "link_close" and in_link:
            link, in_link = None, False
        elif child.type in ("softbreak", "hardbreak") and link is None:
            continue
        elif child.type == "text" and link is None and not child.content.strip():
            continue
        elif (child.type == "text" and link is None and parts and parts[-1].attributes is None
              and (inside := _attribute_list(child.content)) is not None):
            parts[-1].attributes = inside
        else:
            return None
    return parts if parts and link is None else None


def _figures(tokens: list[Token], path: Path, first_line: int,
             max_height: float | None) -> list[Token]:
    """A paragraph that holds only images (each perhaps followed by its attributes) becomes
    a <figure> for each, one under the other, with its alt text as caption; kjtypeset's makeup
    sizes each and lets it float. Two images written in one paragraph (as if side by side) were
    one inline paragraph with both captions lost (P13 D2); 2–4 whose widths fit the measure
    side by side are a figure row (_figure_row), sized and moved as one figure (issue 13).
    An image linked to a web page prints as a figure without the link; one left in a sentence
    is named (its caption does not print)."""
    out: list[Token] = []
    numbers: list[tuple[int, int]] = []  # (图N's number, its line), in the article's order
    i = 0
    while i < len(tokens):
        token = tokens[i]
        inline = tokens[i + 1] if i + 1 < len(tokens) else None
        parts = (_figure_parts(inline.children) if token.type == "paragraph_open" and inline is not None
                 and inline.children else None)
        if parts is None:
            if token.type == "inline":
                _warn_inline_images(token, path, first_line)
            out.append(token)
            i += 1
            continue
        figures = []  # (its image alone in an inline token, its caption, its attributes)
        for part in parts:
            image = part.image
            line = _image_line(inline, image, first_line)
            attributes = _figure_attributes(part.attributes, path, line) if part.attributes is not None else {}
            if part.link is not None:
                warn(path, line, f"图片 '{image.attrGet('src')}' 带有链接（{part.link}）：印件上点不开链接，"
                                 "已去掉链接，按图连同图题印出")
            if "width" in attributes:
                image.attrSet("data-width", attributes["width"])
            own = copy.copy(inline)
            own.children = [image]
            caption = html.escape("".join(c.content for c in image.children or []))
            if (number := _FIGURE_NUMBER.match(caption)) is not None:
                numbers.append((int(number.group(1)), line))
            figures.append((own, caption, attributes))
        if (row := _row_shares([attributes for _own, _caption, attributes in figures])) is not None:
            out.extend(_figure_row(figures, row, max_height))
        for own, caption, attributes in figures if row is None else ():
            share = attributes.get("max-height", max_height)
            height = f' data-max-height="{share:g}"' if share else ""
            out.append(_html_token(f'<figure class="figure" data-kj-figure{height}>'))
            out.append(own)
            if caption:
                out.append(_html_token(f"<figcaption>{caption}</figcaption>"))
            out.append(_html_token("</figure>\n"))
        i += 3
    _warn_figure_order(numbers, path)
    return out


# A figure row (issue 13): 2–4 images written in one paragraph, each with its width as a share
# of the measure, set side by side when the widths and the gaps between them fit the measure,
# as 简报 print two 现场照片 in a row. The gap is a share of the measure too, so that the test
# needs no layout (about 1.1 em in jianbao, 1.3 em in gongwen).
ROW_IMAGES = (2, 4)
ROW_GAP = 0.04


def _row_shares(attributes: list[dict]) -> list[float] | None:
    """The images' widths as shares of the measure when they make a figure row, else None:
    stacked, as before, when one has no width, one is in mm (its share of the measure is the
    layout's, unknown here) or they do not fit side by side."""
    if not ROW_IMAGES[0] <= len(attributes) <= ROW_IMAGES[1]:
        return None
    widths = [a.get("width", "") for a in attributes]
    if not all(w.endswith("%") for w in widths):
        return None
    shares = [percent_share(w) for w in widths]
    if sum(shares) + ROW_GAP * (len(shares) - 1) > 1 + 1e-9:
        return None
    return shares


def _figure_row(figures: list, shares: list[float], max_height: float | None) -> list[Token]:
    """A figure row: one block for the makeup (data-kj-figure: sized, shrunk and moved as one),
    its images on one line, bottoms aligned, each caption centred under its image on the line
    below, the captions' tops aligned whatever the images' heights (a portrait photograph beside
    a landscape one); the row centred on the measure. Each image is a <figure> of its own (the
    tagged editions' Figure with its alt text), its caption joined to it by data-kj-cell
    (engine/tagging.py), as the two lines part image from caption."""
    limits = [a["max-height"] for _own, _caption, a in figures if "max-height" in a]
    share = max(limits) if limits else max_height
    height = f' data-max-height="{share:g}"' if share else ""
    out = [_html_token(f'<div class="figure figure-row" data-kj-figure{height}>'
                       '<div class="figure-row-images" role="presentation">')]
    gaps = [""] + [f" margin-left: {ROW_GAP:.0%};"] * (len(shares) - 1)
    for (own, _caption, _attributes), width, gap in zip(figures, shares, gaps):
        own.children[0].attrSet("data-width", "100%")  # of its cell, the editor's share of the measure
        out.append(_html_token(f'<figure class="figure-cell" style="width: {width:.2%};{gap}">'))
        out.append(own)
        out.append(_html_token("</figure>"))
    out.append(_html_token('</div><div class="figure-row-captions" role="presentation">'))
    for n, ((_own, caption, _attributes), width, gap) in enumerate(zip(figures, shares, gaps)):
        out.append(_html_token(f'<figcaption data-kj-cell="{n}" style="width: {width:.2%};{gap}">{caption}</figcaption>'))
    out.append(_html_token("</div></div>\n"))
    return out


def _warn_inline_images(inline: Token, path: Path, first_line: int) -> None:
    """An image written inside a sentence (or a table cell, a heading) prints in the line, and
    its caption nowhere; nothing said so (P13 D2). An icon with no caption loses nothing (its
    missing alt text is _check_images' warning)."""
    for child in inline.children or ():
        caption = "".join(c.content for c in child.children or []).strip()
        if child.type != "image" or not caption:
            continue
        src = child.attrGet("src") or ""
        warn(path, _image_line(inline, child, first_line),
             f"图片 '{src}' 写在文字之中（没有单独成段），只随文字排在行内，图题“{caption}”不会印出："
             f"要印成带图题的图，请把它单独写成一段（前后各空一行），如 ![{caption}]({src})")


# A caption's number: "图1", "图 2", "图3-1" (its first part).
_FIGURE_NUMBER = re.compile(r"^图\s*(\d{1,3})(?![\d.．-])")


def _warn_figure_order(numbers: list[tuple[int, int]], path: Path) -> None:
    """The first figure whose caption's number is not one more than the one before, once: the
    figures print in the order written, so "图2" printed before "图1" with no word (an unseen
    issue, P12 D10)."""
    for (before, _line), (number, line) in zip(numbers, numbers[1:]):
        if number != before + 1:
            warn(path, line, f"图题编号不连续：“图{number}”写在“图{before}”之后；图片按书写的顺序印出，"
                             "请核对图的次序和编号")
            return


# Spaces an editor may type inside an attribute, and a colon for its "=": "width = 50 %",
# "width=80 mm", "width: 50%" (P14, P16: reported as "图片属性 'width=50'", "'width:'", a part
# of what was typed).
_ATTRIBUTE_SPACES = re.compile(r"\s*[=:]\s*|(?<=\d)\s+(?=%|mm(?![A-Za-z]))")


def _figure_attributes(inside: str, path: Path, line: int) -> dict:
    found: dict = {}
    for part in _ATTRIBUTE_SPACES.sub(lambda m: "=" if m.group().strip() else "", inside).split():
        key, sep, value = part.partition("=")
        if key == "width" and sep and (_MM.match(value) or (value.endswith("%") and percent_share(value))):
            found[key] = value
        elif key == "max-height" and sep and (share := percent_share(value)):
            found[key] = share
        else:
            raise KjError(path, line, f"图片属性 '{part}' 无法识别：应为 {FIGURE_ATTRIBUTES}")
    return found


def _html_token(markup: str) -> Token:
    token = Token("kj_html", "", 0)  # our own markup: never passes through the sanitiser
    token.content = markup
    return token
