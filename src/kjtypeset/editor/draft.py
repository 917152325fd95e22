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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .cleanup import clean_paragraph, has_han

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

    def markdown(self, image_names: list[str] | None = None) -> str:
        """The article file: YAML front matter and the body, images renamed."""
        front = [f"title: {yaml_scalar(self.title)}"]
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
            text = clean_paragraph(run.text, counts) if has_han(run.text) else run.text
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
    """A pipe table; the first row is the header. Cells are already inline Markdown."""
    width = max(len(row) for row in rows)
    rows = [[cell.replace("|", "\\|").replace("\n", " ") for cell in row] + [""] * (width - len(row))
            for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


@dataclass
class Collector:
    """Accumulates blocks while an importer walks its source."""

    blocks: list[str] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    paragraphs: int = 0

    def paragraph(self, runs: list[Run]) -> None:
        text = inline(runs, self.counts)
        if text:
            self.blocks.append(text)
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
