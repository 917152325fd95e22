"""HTML → Markdown blocks, for the Word import (mammoth's HTML) and the web page import.

Walks an ElementTree (tinyhtml5) and collects paragraphs with bold and italic runs, headings,
lists, tables, images and footnotes into a draft Collector. Scripts, forms, navigation and
embedded media are dropped; what carried content (a video, a frame) is noted for the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.etree.ElementTree import Element

from ..inputs.markdown import ATTRIBUTION_MAX_CHARS
from ..typography.chars import SUBSCRIPT_DIGITS, SUPERSCRIPT_DIGITS
from .draft import _TABLE_CAPTION, Collector, Run, inline, table

SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "nav",
        "form", "input", "button", "select", "textarea", "option", "label", "svg", "map",
        "area", "dialog", "menu"}
MEDIA = {"video": "视频", "audio": "音频", "iframe": "嵌入网页", "object": "嵌入对象",
         "embed": "嵌入对象", "canvas": "画布图形", "math": "公式"}
BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "center", "figure",
          "figcaption", "pre", "address", "dd", "dt", "dl", "header", "footer", "aside", "body",
          "html", "hr", "caption"}
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)
_NOTE_REF = re.compile(r"#(foot|end)note-(\d+)$")
_NOTE_DEF = re.compile(r"^(foot|end)note-(\d+)$")
_NOTE_BACK = re.compile(r"#(foot|end)note-ref-\d+$")
_SEGMENT_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’])"
                            r"[ \t\r\f]*\n\s*(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’])")
_WHITE = re.compile(r"[ \t\r\n\f\u00a0]+")
# Digits and signs that Unicode has as superscripts and subscripts (the fonts' symbols have them).
_SUPERSCRIPT = str.maketrans("0123456789+-−=()", SUPERSCRIPT_DIGITS + "⁺⁻⁻⁼⁽⁾")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", SUBSCRIPT_DIGITS + "₊₋₋₌₍₎")
_REFERENCE_MARK = re.compile(r"^[\[［〔(（]\s*\d{1,3}(?:\s*[-–—,，、]\s*\d{1,3})*\s*[\]］〕)）]$")

# (src, alt) → (file suffix, bytes), or None with a reason noted by the loader.
ImageLoader = Callable[[str], "tuple[str, bytes] | None"]


def _typed_subhead(runs: list[Run]) -> int | None:
    """2 for a paragraph that reads "一、…" (or 第一章…), 3 for "（一）…", bold or not (textimport's
    subhead_level); else None."""
    from .textimport import subhead_level
    return subhead_level("".join(run.text for run in runs))


_TYPED_NUMBER = re.compile(r"^(\d{1,2})(?:\\?[.．、])\s*(?=\S)")


def _covered(cells: list[str], below: dict[int, int]) -> None:
    """The columns a cell merged from above still covers take an empty cell in this row, so
    that its cells stand under their own headers (they moved left)."""
    while below.get(len(cells), 0) > 0:
        below[len(cells)] -= 1
        cells.append("")


def _span(cell: Element, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return max(1, int(value)) if value.isdigit() else 1


def _latin_end(text: str) -> bool:
    return bool(text) and text[-1].isascii() and text[-1].isalnum()


def tag_of(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def text_of(element: Element) -> str:
    """All the text inside, white space collapsed."""
    return _WHITE.sub(" ", _SEGMENT_BREAK.sub("", "".join(element.itertext()))).strip()


class BlockWriter:
    def __init__(self, collector: Collector, load_image: ImageLoader, soft_breaks: bool = False):
        self.out = collector
        # Word's line break (Shift+Enter) stays inside its paragraph: the lines run on, unless
        # the next is indented like a new paragraph. A web page's <br> separates paragraphs.
        self.soft_breaks = soft_breaks
        self.broken = False  # a soft line break just passed
        self.load_image = load_image
        self.levels: dict[int, int] = {}  # source heading level → Markdown level
        self.runs: list[Run] = []
        self.bold = 0
        self.italic = 0
        self.footnotes: dict[str, str] = {}
        self.caption = False
        self.quoted = 0  # inside a <blockquote>: its paragraphs are a quotation (Markdown >)
        self.headings = True  # False inside a list item or table cell: its text runs on in one line

    # -- driving ----------------------------------------------------------------------------

    def write(self, root: Element) -> None:
        # The article title is in the front matter: the top-most heading level left is "##".
        used = sorted({HEADINGS[tag_of(e)] for e in root.iter() if tag_of(e) in HEADINGS})
        self.levels = {level: min(2 + rank, 4) for rank, level in enumerate(used)}
        self.walk(root)
        self.flush()
        for number, text in self.footnotes.items():
            self.out.blocks.append(f"[^{number}]: {text}")

    def flush(self) -> None:
        if (self.runs and self.headings and not self.quoted and not self.caption
                and (level := _typed_subhead(self.runs))):
            # A paragraph "一、基本情况" / "（一）总体情况" is the sub-head Word users type
            # without a heading style: a heading, as the text import makes it (it was bold
            # body text, left at a page foot with its text overleaf). Bold or not: a 公文's
            # sub-heads are set in 黑体 and 楷体, fonts the import does not see, and a notice
            # whose "三、参会人员" alone was bold printed it as the only heading among
            # "一、会议时间", "二、会议地点", "四、有关要求" (P8).
            self.out.heading(level, self.runs)
            self.runs = []
        if self.runs:
            self.out.paragraph(self.runs, quoted=bool(self.quoted))
            if self.caption:  # Word's Caption (题注) style, or <figcaption>
                self.out.captions.add(len(self.out.blocks) - 1)
            self.runs = []

    def attribution(self, start: int) -> None:
        """A quotation's last paragraph "——土默特左旗某牧场场长" goes in the same quote as the
        words above it, where the build sets it as the attribution, flush right (README; the
        Markdown input's kj-attribution): a quote of its own, it printed indented like the
        words (an unseen issue, P11 D4)."""
        blocks = self.out.blocks
        last = blocks[-1] if len(blocks) - start >= 2 else ""
        if (last.startswith("> ——") and len(last) - 2 <= ATTRIBUTION_MAX_CHARS
                and blocks[-2].startswith("> ")):
            blocks[-2:] = [blocks[-2] + "\n>\n" + last]

    def text(self, text: str | None) -> None:
        if text:
            if self.broken:
                self.broken = False
                if text[:1] in ("\u3000", " ", "\t", "\u00a0"):
                    self.flush()  # an indented line after the break: a paragraph of its own
                elif self.runs and _latin_end(self.runs[-1].text) and _latin_end(text[:1]):
                    text = " " + text  # English lines run on with a space between words
            text = _WHITE.sub(" ", _SEGMENT_BREAK.sub("", text))
            self.runs.append(Run(text, bool(self.bold), bool(self.italic)))

    def walk(self, element: Element) -> None:
        tag = tag_of(element)
        if not tag or tag in SKIP:
            return
        if tag in MEDIA:
            self.out.note(f"无法导入的{MEDIA[tag]}已略去，请另行处理")
            return
        handler = getattr(self, f"_{tag}", None)
        if handler is not None:
            handler(element)
        elif tag in HEADINGS:
            self.heading(element, HEADINGS[tag])
        elif tag in BLOCKS:
            self.flush()
            caption = self.caption
            self.caption = caption or tag == "figcaption" or "kj-caption" in (element.get("class") or "").split()
            self.quoted += tag == "blockquote"
            start = len(self.out.blocks)
            self.children(element)
            self.flush()
            self.quoted -= tag == "blockquote"
            self.caption = caption
            if tag == "blockquote":
                self.attribution(start)
        else:
            self.inline_element(element)

    def children(self, element: Element) -> None:
        self.text(element.text)
        for child in element:
            self.walk(child)
            self.text(child.tail)

    def inline_element(self, element: Element) -> None:
        style = element.get("style", "")
        tag = tag_of(element)
        bold = tag in ("strong", "b") or bool(_BOLD_STYLE.search(style))
        italic = tag in ("em", "i") or bool(_ITALIC_STYLE.search(style))
        self.bold += bold
        self.italic += italic
        self.children(element)
        self.bold -= bold
        self.italic -= italic

    # -- elements ---------------------------------------------------------------------------

    def heading(self, element: Element, level: int) -> None:
        self.flush()
        self.out.heading(self.levels.get(level, 4), [Run(text_of(element))])

    def _br(self, element: Element) -> None:
        if self.soft_breaks and self.runs:
            self.broken = True
            return
        self.flush()  # a line break in web text separates paragraphs

    def _a(self, element: Element) -> None:
        href = element.get("href", "")
        if (match := _NOTE_REF.search(href)):
            self.runs.append(Run(f"[^{match.group(2)}]", raw=True))
        elif not _NOTE_BACK.search(href):
            self.inline_element(element)

    def _sup(self, element: Element) -> None:
        link = next(iter(element), None)
        if link is not None and tag_of(link) == "a" and _NOTE_REF.search(link.get("href", "")):
            self._a(link)
        else:
            self.script(element, _SUPERSCRIPT, "上标")

    def _sub(self, element: Element) -> None:
        self.script(element, _SUBSCRIPT, "下标")

    def script(self, element: Element, characters: dict[int, str], kind: str) -> None:
        """A superscript or subscript (10<sup>-6</sup>, CO<sub>2</sub>; Word's raised and lowered
        runs) as the Unicode characters for it (10⁻⁶, CO₂), as an editor types them; where a
        character has none, the text as it is and a note: flattened silently, 10⁻⁶ read 10-6."""
        text = text_of(element)
        if not text:
            return
        if all(ord(char) in characters or char in ".," for char in text):
            self.runs.append(Run(text.translate(characters), bool(self.bold), bool(self.italic)))
            return
        if not _REFERENCE_MARK.match(text):  # "[1]": a reference mark reads the same on the line
            before = "".join(run.text for run in self.runs)[-8:].lstrip()
            self.out.note(f"{kind}“{text}”没有对应的{kind}字符，已按普通文字导入（“{before}{text}”），请核对原文")
        self.inline_element(element)

    def _img(self, element: Element) -> None:
        src = element.get("src") or element.get("data-src") or ""  # WeChat loads its images late
        alt = element.get("alt") or ""  # a title is a tooltip, never a caption (issue 14)
        loaded = self.load_image(src)
        if loaded is None:
            return
        self.flush()
        self.out.image(loaded[0], loaded[1], alt)

    def _ul(self, element: Element) -> None:
        self.flush()
        lines = self.list_lines(element, 0)
        if lines:
            self.out.blocks.append("\n".join(lines))

    _ol = _ul

    def list_lines(self, element: Element, depth: int) -> list[str]:
        ordered = tag_of(element) == "ol"
        lines = []
        number = 0
        for item in element:
            if tag_of(item) != "li":
                continue
            if _NOTE_DEF.match(item.get("id", "")):
                self.footnotes[_NOTE_DEF.match(item.get("id")).group(2)] = self.item_text(item)
                continue
            number += 1
            text = self.item_text(item)
            marker = f"{number}." if ordered else "-"
            if ordered and (typed := _TYPED_NUMBER.match(text)):
                # A number typed over Word's own numbering ("4.优化创新生态" in a numbered list
                # printed "4.4.优化…"): the typed one is the item's number.
                marker, text = f"{typed.group(1)}.", text[typed.end():]
                number = int(typed.group(1))
            lines.append("   " * depth + f"{marker} {text}")
            for child in item.iter():
                if child is not item and tag_of(child) in ("ul", "ol"):
                    lines += self.list_lines(child, depth + 1)
                    break
        return lines

    def item_text(self, item: Element) -> str:
        """A list item's own text (nested lists excluded) as inline Markdown."""
        writer = BlockWriter(Collector(counts=self.out.counts, notes=self.out.notes), self.load_image)
        writer.bold, writer.italic, writer.headings = self.bold, self.italic, False
        writer.text(item.text)
        for child in item:
            if tag_of(child) not in ("ul", "ol"):
                writer.walk(child)
                writer.flush_into_runs()
            writer.text(child.tail)
        return inline(writer.runs, self.out.counts).lstrip("\\") if writer.runs else ""

    def flush_into_runs(self) -> None:
        """Inside a list item or cell, paragraphs run on as one line."""
        for block in self.out.blocks:
            self.runs.append(Run(block, raw=True))
        self.out.blocks.clear()

    def _table(self, element: Element) -> None:
        self.flush()
        rows = []
        merged: list[bool] = []  # of each row: it has a merged cell
        spanning: list[bool] = []  # of each row: one cell across several columns
        captions = [self.cell_text(child) for child in element if tag_of(child) == "caption"]
        below: dict[int, int] = {}  # column → rows still covered by a cell merged from above
        for row in element.iter():
            if tag_of(row) != "tr":
                continue
            cells: list[str] = []
            row_merged = False
            own = [cell for cell in row if tag_of(cell) in ("td", "th")]
            for cell in own:
                _covered(cells, below)
                text = self.cell_text(cell)
                span = min(_span(cell, "colspan"), 50)
                down = min(_span(cell, "rowspan"), 500)
                row_merged = row_merged or span > 1 or down > 1
                for column in range(len(cells), len(cells) + span):
                    if down > 1:
                        below[column] = down - 1
                cells += [text] + [""] * (span - 1)
            _covered(cells, below)
            if cells:
                rows.append(cells)
                merged.append(row_merged)
                spanning.append(len(own) == 1 and len(cells) > 1 and not below)
        if (len(rows) >= 3 and spanning[0] and len(rows[0]) == max(len(row) for row in rows)
                and _TABLE_CAPTION.match(rows[0][0].replace("**", ""))):
            # "表1 乌海市碳材料重点项目" in a first row across the table: its caption, and the
            # row under it the header (it was the header, and the real header a body row).
            captions.append(rows[0][0])
            rows, merged = rows[1:], merged[1:]
        for caption in captions:
            if caption:
                bold = re.fullmatch(r"\*\*([^*]+)\*\*", caption)
                self.out.blocks.append(bold.group(1) if bold else caption)
        if rows:
            self.out.blocks.append(table(rows))
        if any(merged):
            self.out.note("表格中有合并的单元格：已拆成普通单元格，请核对")

    def cell_text(self, cell: Element) -> str:
        """A table cell's (or caption's) content as one line of inline Markdown."""
        writer = BlockWriter(Collector(counts=self.out.counts, notes=self.out.notes), self.load_image)
        writer.headings = False
        writer.walk(cell)
        writer.flush()
        writer.flush_into_runs()
        return " ".join(r.text for r in writer.runs)
