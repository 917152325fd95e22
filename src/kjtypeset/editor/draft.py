"""Import drafts: the form every importer (text, Word, web page) produces, and its Markdown.

A draft is an article not yet written to disk: title, Markdown body, images, and what the
importer noticed. Images are referenced in the body as ``kj-image:N`` until the importer has
chosen their file names.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .cleanup import clean_paragraph, drop_spaces_between_han, has_han, narrow_numbers
from .textmeta import PHOTO_CAPTION, PHOTO_MARK

IMAGE_REF = "kj-image:"


@dataclass(frozen=True)
class Draft:
    title: str
    blocks: tuple[str, ...]  # Markdown blocks, in order
    paragraphs: int
    images: tuple[tuple[str, bytes], ...] = ()  # (file suffix such as ".png", data), numbered from 1
    source: str | None = None
    author: str | None = None
    date: dt.date | None = None  # of the original publication, when the source gives it
    notes: tuple[str, ...] = ()  # what the importer could not handle or left to the editor
    repairs: tuple[tuple[str, int], ...] = ()  # repair kind → count (see cleanup)
    bold_heads: int = 0
    subtitle: str | None = None  # 副题 ("——记……"), taken from the line under the title

    def markdown(self, image_names: list[str] | None = None) -> str:
        """The article file: YAML front matter and the body, images renamed."""
        front = [f"title: {yaml_scalar(self.title)}"]
        if self.subtitle:
            front.append(f"subtitle: {yaml_scalar(self.subtitle)}")
        if self.source:
            front.append(f"source: {yaml_scalar(self.source)}")
        if self.author:
            front.append(f"author: {yaml_scalar(self.author)}")
        if self.date:
            front.append(f"date: {self.date.isoformat()}")
        body = "\n\n".join(self.blocks)
        for number, name in enumerate(image_names or [], start=1):
            body = body.replace(f"]({IMAGE_REF}{number})", f"]({name})")
        return "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"


SUBTITLE_MAX_CHARS = 60  # a longer first paragraph starting with a dash is text


def is_subtitle(text: str) -> bool:
    """A 副题 as a line under a title: a dash, then a few words, not a sentence."""
    return (text.startswith("——") and len(text) > 2 and "\n" not in text and len(text) <= SUBTITLE_MAX_CHARS
            and not text.endswith(("。", "！", "？", "：")))


def with_subtitle(draft: Draft) -> Draft:
    """The draft with its 副题 in the front matter: a short first paragraph right under the
    title that starts with a dash ("——记内蒙古农业大学……教授乌云其其格"), which would print
    indented like text under the source line (README: front matter subtitle)."""
    if draft.subtitle or not draft.blocks:
        return draft
    first = draft.blocks[0].strip()
    if not is_subtitle(first):
        return draft
    return replace(draft, subtitle=first, blocks=draft.blocks[1:], paragraphs=max(0, draft.paragraphs - 1))


def yaml_scalar(text: str) -> str:
    """A plain YAML scalar where it reads back unchanged, else a double-quoted one."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


# -- inline Markdown --------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]~<&])")
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=|]|\d{1,9}[.)](?=\s|$))")


_ALL = "\\`*_[]~<&"


def escape(text: str, only: str = _ALL) -> str:
    """Literal text as Markdown: marks that would start emphasis, links or code are escaped
    (``only``: just these characters)."""
    def one(match: re.Match) -> str:
        char, after = match.group(1), text[match.end():match.end() + 12]
        if char not in only:
            return char
        # "<10%" can start no tag and "R&D;" no entity: only "<b", "&amp;" need the escape.
        if char == "<" and only != _ALL and not re.match(r"[A-Za-z/!?]", after):
            return char
        if char == "&" and only != _ALL and not re.match(r"#?[A-Za-z0-9]+;", after):
            return char
        return "\\" + char

    return _INLINE_SPECIAL.sub(one, text)


# Escaped only when needed, in this order: "R&D" and "<5%" stay as written (issue 14).
_ESCAPE_ORDER = "\\&<`*_~[]"


def escape_block(text: str) -> str:
    """Escape what would make a paragraph start a heading, list, quote or table."""
    match = _BLOCK_START.match(text)
    if not match:
        return text
    marker = match.group(2)
    fixed = "\\" + marker if not marker[0].isdigit() else marker[:-1] + "\\" + marker[-1]
    return match.group(1) + fixed + text[match.end():]


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    raw: bool = False  # already Markdown (a footnote mark, a nested paragraph): not escaped


def inline(runs: list[Run], counts: Counter | None = None) -> str:
    """Runs of text → Markdown with **bold** and *italic*, cleaned, and escaped where the
    Markdown would otherwise read differently: the build renders it back to check."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].raw) == (run.bold, run.italic, run.raw):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic, run.raw)
        else:
            merged.append(Run(run.text, run.bold, run.italic, run.raw))
    cleaned = []
    for index, run in enumerate(merged):
        text = run.text
        if not run.raw:
            # (A cell of digits alone, "１", is narrowed too: it printed full width, an unseen issue.)
            text = (drop_spaces_between_han(clean_paragraph(run.text, counts), counts) if has_han(run.text)
                    else narrow_numbers(run.text, counts))
            # A space at a run boundary next to Han text is an extraction artefact too.
            if index + 1 < len(merged) and has_han(merged[index + 1].text[:1]):
                text = text.rstrip(" ")
            if index > 0 and has_han(merged[index - 1].text[-1:]):
                text = text.lstrip(" ")
        cleaned.append(Run(text, run.bold, run.italic, run.raw))
    if any(run.raw for run in cleaned):
        return _markdown(cleaned, _ESCAPE_ORDER)  # opaque pieces: escape everything else
    present = "".join(char for char in _ESCAPE_ORDER if any(char in run.text for run in cleaned))
    plain = _markdown(cleaned, "")
    if not present or _reads_back(plain, cleaned):
        return plain
    # A kind of mark needs its escape when leaving it alone (all others escaped) misreads.
    needed = "".join(char for char in present
                     if not _reads_back(_markdown(cleaned, present.replace(char, "")), cleaned))
    markdown = _markdown(cleaned, needed)
    return markdown if _reads_back(markdown, cleaned) else _markdown(cleaned, present)


def _markdown(runs: list[Run], escaped_chars: str) -> str:
    out = []
    for run in runs:
        if run.raw:
            out.append(run.text)
            continue
        escaped = escape(run.text, escaped_chars)
        if (run.bold or run.italic) and escaped.strip():
            mark = "**" if run.bold else "*"
            if run.bold and run.italic:
                mark = "***"
            lead = escaped[: len(escaped) - len(escaped.lstrip())]
            trail = escaped[len(escaped.rstrip()):]
            escaped = f"{lead}{mark}{escaped.strip()}{mark}{trail}"
        out.append(escaped)
    return escape_block("".join(out).strip(" \t\u3000\u00a0"))


def _reads_back(markdown: str, runs: list[Run]) -> bool:
    """Whether the build renders ``markdown`` as exactly the text and emphasis of ``runs``."""
    from ..inputs.markdown import render_markdown

    expected = []
    for run in runs:
        text = html.escape(run.text, quote=False).replace('"', "&quot;")
        if run.bold and run.italic:
            text = f"<em><strong>{text}</strong></em>"
        elif run.bold:
            text = f"<strong>{text}</strong>"
        elif run.italic:
            text = f"<em>{text}</em>"
        if run.text.strip() or not (run.bold or run.italic):
            expected.append(text if (run.bold or run.italic) else text)
    body = "".join(expected).strip(" \t\u3000\u00a0")
    try:
        # With raw HTML switched on, as a manifest may: "<b>" must then be escaped too.
        rendered = render_markdown(markdown, Path("draft.md"), 1, Path("/"), raw_html=True)
    except Exception:  # noqa: BLE001 — anything unexpected: escape fully instead
        return False
    return rendered == f"<p>{body}</p>\n"


def table(rows: list[list[str]]) -> str:
    """A pipe table; the first row is the header. Cells are already inline Markdown. A column
    whose body cells are all figures (1 186, 23.5, −4.9%, bold or not; a dash or an empty cell for none) is
    set to the right, as the build sets the figures of an HTML table (Markdown's ---:)."""
    from ..inputs.markdown import FIGURE_CELL

    width = max(len(row) for row in rows)
    rows = [[cell.replace("|", "\\|").replace("\n", " ") for cell in row] + [""] * (width - len(row))
            for row in rows]

    def numeric(column: int) -> bool:
        # A bold total ("**412**") is a figure too: the 合计 row left its columns at the left
        # while a column with no bold cell went right, one table, two alignments (P11 D1).
        cells = [re.sub(r"^(\*{1,3})(.+)\1$", r"\2", row[column].strip()) for row in rows[1:]]
        figures = [cell for cell in cells if cell not in _NO_FIGURE]
        return bool(figures) and all(FIGURE_CELL.match(cell) for cell in figures)

    lines = ["| " + " | ".join(rows[0]) + " |",
             "|" + "".join("---:|" if numeric(column) else "---|" for column in range(width))]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


_NO_FIGURE = ("", "—", "——", "-", "－", "/", "／", "…")  # an empty cell, or a dash for "none"


@dataclass
class Collector:
    """Accumulates blocks while an importer walks its source."""

    blocks: list[str] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    paragraphs: int = 0
    captions: set[int] = field(default_factory=set)  # blocks marked as captions by their markup

    def paragraph(self, runs: list[Run], quoted: bool = False) -> None:
        text = inline(runs, self.counts)
        if text:
            self.blocks.append("> " + text if quoted else text)
            self.paragraphs += 1

    def heading(self, level: int, runs: list[Run]) -> None:
        text = inline([Run(r.text) for r in runs], self.counts)
        if text:
            self.blocks.append("#" * level + " " + text)

    def image(self, suffix: str, data: bytes, caption: str = "") -> None:
        self.images.append((suffix, data))
        alt = escape(caption.strip()).replace("\n", " ")
        self.blocks.append(f"![{alt}]({IMAGE_REF}{len(self.images)})")

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def attach_captions(self) -> None:
        """One caption per figure (issue 14): a caption paragraph beside an image ("图1 …",
        "▲ …" without its mark, Word's 题注 style, <figcaption>) becomes the image's caption in place of its alt text;
        an alt text that is no caption (Word's "自动生成的说明", a file name) is dropped. A table
        caption ("表1 …") is put just before its table, where the build sets it as a caption."""
        blocks, kept, kinds = self.blocks, [], []
        used: set[int] = set()
        for index, block in enumerate(blocks):
            if index in used:
                continue
            image = _IMAGE_BLOCK.fullmatch(block)
            if image:
                caption = next((i for i in (index + 1, index - 1) if 0 <= i < len(blocks) and i not in used
                                and self._caption(i, _FIGURE_CAPTION)), None)
                if caption is not None and caption == index - 1 and kinds and kinds[-1] == index - 1:
                    kept.pop()
                    kinds.pop()
                alt = PHOTO_MARK.sub("", blocks[caption]) if caption is not None else image.group(1)
                if caption is None and _NO_CAPTION.search(image.group(1)):
                    alt = ""
                alt = alt.replace("**", "").replace("\n", " ")
                if caption is not None:
                    used.add(caption)
                    self.paragraphs -= 1
                kept.append(f"![{alt}]({image.group(2)})")
                kinds.append(index)
                continue
            if block.startswith("|") and index + 1 < len(blocks) and self._caption(index + 1, _TABLE_CAPTION) \
                    and not (kept and self._caption(kinds[-1], _TABLE_CAPTION)):
                kept += [blocks[index + 1], block]  # a caption under a table goes above it
                kinds += [index + 1, index]
                used.add(index + 1)
                continue
            kept.append(block)
            kinds.append(index)
        self.blocks[:] = kept

    def _caption(self, index: int, pattern: re.Pattern) -> bool:
        text = self.blocks[index].replace("**", "")
        if _IMAGE_BLOCK.fullmatch(self.blocks[index]) or self.blocks[index].startswith(("|", "#", "- ", "[^")):
            return False
        other = _TABLE_CAPTION if pattern is _FIGURE_CAPTION else _FIGURE_CAPTION
        # "▲ 技术人员在牧场调试智能项圈" beside a photo is its caption (the text import drops it,
        # having no photo): it printed as a lone paragraph pages away, and the photo had none (P11 D4).
        photo = pattern is _FIGURE_CAPTION and bool(PHOTO_CAPTION.match(text))
        return bool(pattern.match(text)) or photo or (index in self.captions and not other.match(text))


def take_meta(collector: Collector):
    """Source, author and date paragraphs ("（来源：内蒙古日报）", "作者：王晓东") near the start or
    the end of the body go to the front matter (issue 14); a paragraph must hold nothing else."""
    from .textmeta import Meta, meta_line

    meta = Meta()
    blocks = collector.blocks
    near = set(range(min(3, len(blocks)))) | set(range(max(0, len(blocks) - 3), len(blocks)))
    for index in sorted(near, reverse=True):
        block = blocks[index]
        if block.startswith(("!", "|", "#", "- ", "[^")):
            continue
        found = meta_line(block.replace("**", "").replace("\\", ""))
        if found is not None:
            meta.merge(found)
            del blocks[index]
            collector.paragraphs -= 1
            collector.captions = {i - (i > index) for i in collector.captions if i != index}
    meta.source = meta.source or meta.account
    return meta


_IMAGE_BLOCK = re.compile(r"!\[(.*)\]\((kj-image:\d+)\)", re.S)
_FIGURE_CAPTION = re.compile(r"^(?:图|Figure|Fig\.?)\s*\d{1,3}(?:[-－.．]\d{1,3})?(?:[\s　:：.．]|$)", re.I)
_TABLE_CAPTION = re.compile(r"^(?:表|Table)\s*\d{1,3}(?:[-－.．]\d{1,3})?(?:[\s　:：.．]|$)", re.I)
# Alt texts that are no caption: Word's generated descriptions, file names, "图片".
_NO_CAPTION = re.compile(r"自动生成|已生成|\.(?:png|jpe?g|gif|bmp|webp|svg|emf|wmf)$|^(?:图片|图像|照片|image|img|photo|"
                         r"picture|pic)\s*\d*$", re.I)
