"""Stage 3, markdown: an article body → an HTML fragment for the layout.

markdown-it-py (CommonMark + pipe tables + footnotes) with print-specific rendering:
footnotes become WeasyPrint page footnotes at their call site, a paragraph holding only an
image becomes a captioned figure, soft line breaks between Chinese characters vanish instead
of turning into spaces, and raw HTML is shown as text (articles are untrusted input).
"""

from __future__ import annotations

import html
import types
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .errors import KjError

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
    return state.tokens


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough").use(footnote_plugin)
    md.inline.parse = types.MethodType(_parse_inline_cjk, md.inline)
    md.add_render_rule("softbreak", _softbreak)
    md.add_render_rule("footnote_ref", _footnote_ref)
    md.add_render_rule("image", _image)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    md.add_render_rule("table_open", lambda *a: '<table class="md-table">\n')
    return md


def _softbreak(self, tokens, idx, options, env):
    # A source line break inside Chinese text is not a word space (CSS Text 3 segment breaks).
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    if (before and is_wide(before)) or (after and is_wide(after)):
        return ""
    return "\n"


def _footnote_ref(self, tokens, idx, options, env):
    note = env["kj_footnotes"].get(tokens[idx].meta["id"], "")
    return f'<span class="footnote">{note}</span>'


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    uri = env["kj_images"][token.attrGet("src")].as_uri()
    return f'<img src="{html.escape(uri)}" alt="{alt}">'


_LEVELS = {"h1": "h2", "h2": "h2", "h3": "h3"}


def _heading_open(self, tokens, idx, options, env):
    tag = _LEVELS.get(tokens[idx].tag, "h4")
    return f'<{tag} class="subhead">'


def _heading_close(self, tokens, idx, options, env):
    return f"</{_LEVELS.get(tokens[idx].tag, 'h4')}>\n"


_MD = _parser()


def render_markdown(body: str, path: Path, first_line: int, root: Path) -> str:
    """Render an article body that starts at ``first_line`` of ``path``.

    Images must be files under ``root`` (the issue folder); a missing one is an error
    naming the line that refers to it.
    """
    return render_body(body, path, first_line, root)[0]


def render_body(body: str, path: Path, first_line: int, root: Path) -> tuple[str, tuple[ImageRef, ...]]:
    """The HTML fragment and the images it shows, in order of first appearance."""
    env: dict = {}
    tokens = _MD.parse(body, env)
    tokens, env["kj_footnotes"] = _take_footnotes(tokens, env)
    images = _check_images(tokens, path, first_line, root)
    env["kj_images"] = {ref.src: ref.path for ref in images.values()}
    return _MD.renderer.render(_figures(tokens), _MD.options, env), tuple(images.values())


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
            offset = token.content.find(src)
            line = first_line + (token.map[0] if token.map else 0)
            line += token.content.count("\n", 0, max(offset, 0))
            if src not in found:
                found[src] = ImageRef(src, _image_file(src, path, line, root), line)
    return found


def _image_file(src: str, path: Path, line: int, root: Path) -> Path:
    if ":" in src.split("/")[0] or src.startswith(("/", "\\")):
        raise KjError(path, line, f"图片 '{src}' 应为相对于文章文件的本地路径，实际为网址或绝对路径")
    target = (path.parent / src).resolve()
    if not target.is_relative_to(root):
        raise KjError(path, line, f"图片 '{src}' 应在期刊文件夹之内，实际指向其外")
    if not target.is_file():
        raise KjError(path, line, f"找不到图片 '{src}'（路径相对于文章文件）")
    if target.suffix.lower() not in IMAGE_TYPES:
        raise KjError(path, line, f"图片 '{src}' 应为 PNG、JPEG、GIF、SVG 或 WebP 文件")
    return target


def _figures(tokens: list[Token]) -> list[Token]:
    """A paragraph that holds a single image becomes <figure> with its alt text as caption."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        children = tokens[i + 1].children if i + 1 < len(tokens) else None
        if (token.type == "paragraph_open" and children and len(children) == 1
                and children[0].type == "image"):
            caption = html.escape("".join(c.content for c in children[0].children or []))
            out.append(_html_token('<figure class="figure">'))
            out.append(tokens[i + 1])
            if caption:
                out.append(_html_token(f"<figcaption>{caption}</figcaption>"))
            out.append(_html_token("</figure>\n"))
            i += 3
            continue
        out.append(token)
        i += 1
    return out


def _html_token(markup: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = markup
    return token
