"""Stage 3b, cjk: Chinese typography in the HTML, before layout (W3C clreq, GB/T 15834).

Pango breaks lines by UAX #14, which is close to clreq but not the same, and WeasyPrint has no
text-autospace or punctuation compression. This stage marks up what they need, without
changing a visible character: copying text from the PDF gives back what the editor wrote.

- U+200B before an opening quote and after a closing one: Pango 1.50 treats “ ” as class QU
  and will not break beside them, which leaves a 2-em hole before a quotation.
- U+2060 WORD JOINER before · and ～ (which may not start a line), inside a number and its unit
  (30万元, 第3季度), and before the last character of a paragraph (no 孤字 on the last line).
- Adjacent full-width marks: one of the pair set with the font's ``halt`` feature (1.5 em).
- Han–Latin spacing: Latin and digit runs beside Han wrapped in a span with ¼ em margin on that
  side; kjtypeset.engine.justify removes it at line edges.
- U+200B after the separators of a URL, so it can wrap instead of forcing a stretched line.

Neither U+200B nor U+2060 reaches the PDF's text layer (both are empty glyphs).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markupsafe import Markup

ZWSP = "\u200b"
WJ = "\u2060"
OBJECT = "\ufffc"
NOTE = "\ue000"  # a footnote call, as the rules see it (never written out)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3040-\u30ff"
OPENING = "“‘（《〈「『【〔〖［｛"
CLOSING = "”’）》〉」』】〕〗］｝"
STOPS = "，。、；：？！"
QUOTES_OPEN = "“‘"
QUOTES_CLOSE = "”’"
# Marks that may not start a line; a ZWSP after a closing quote must not be followed by them.
NO_START = CLOSING + STOPS + "·～%‰"

_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption", "blockquote",
          "div", "dt", "dd", "caption", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr",
          "figure", "section", "article", "header", "footer", "nav", "main", "hr", "br"}
_RAW = {"pre", "code", "script", "style", "kbd"}
# Blocks whose last line is the end of a justified paragraph: no single character there.
_PARAGRAPHS = {"p", "li", "dd", "blockquote", "h1", "h2", "h3", "h4"}

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
# A URL (printable ASCII, not ending in punctuation), or a Latin word or number.
_URL = re.compile(r"(?:https?://|www\.)[!-~]*[0-9A-Za-z/]")
_LATIN = re.compile(_URL.pattern + r"|[0-9A-Za-z\u00c0-\u024f](?:[0-9A-Za-z\u00c0-\u024f]"
                    r"|[.,:/%+\-_@#&'’](?=[0-9A-Za-z]))*")
_NUMBER_UNIT = re.compile(rf"(?<=[0-9])(?=[{HAN}])|(?<=[0-9][万亿千百余多])(?=[{HAN}])|(?<=第)(?=[0-9])")
_HAN_CHAR = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class Options:
    """The layout's typography switches (layout.yaml `typography:`)."""

    han_latin_spacing: bool = True
    punctuation_compression: bool = True
    latin_hyphenation: bool = False


STYLESHEET = """
.kj-sp-l { margin-left: 0.25em; }
.kj-sp-r { margin-right: 0.25em; }
.kj-sp-lr { margin-left: 0.25em; margin-right: 0.25em; }
.kj-halt { font-feature-settings: "halt"; }
span[lang="en"] { hyphens: auto; }
"""


def is_han(char: str) -> bool:
    return bool(_HAN_CHAR.match(char))


@dataclass
class _Run:
    """The text of one line-breaking context (a paragraph, a cell, a footnote) and its tags."""

    tag: str  # the block that holds it
    # str: text (unescaped); ("tag", markup): markup; ("obj", markup): markup that stands for
    # an object in the text (code, an image), seen by the rules as U+FFFC.
    pieces: list = field(default_factory=list)
    opening: str = ""  # a footnote's own start tag, written with it

    def text(self) -> str:
        placeholder = {"obj": OBJECT, "note": NOTE}
        return "".join(p if isinstance(p, str) else placeholder.get(p[0], "") for p in self.pieces)


def prepare(fragment: str, options: Options = Options()) -> str:
    """Apply the clreq markup to an HTML fragment (the output of the markdown stage)."""
    out: list[str] = []
    stack: list[_Run] = [_Run("body")]
    raw_depth = 0
    footnote_depth: list[int] = []  # span depth at which each open footnote started
    span_depth = 0
    position = 0

    def flush(run: _Run) -> None:
        out.append(_render(run, options))
        run.pieces.clear()

    for match in _TAG.finditer(fragment):
        if match.start() > position:
            text = html.unescape(fragment[position:match.start()])
            if raw_depth:
                stack[-1].pieces.append(("tag", html.escape(text, quote=False)))
            else:
                stack[-1].pieces.append(text)
        position = match.end()
        closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        markup = match.group(0)
        if name in _RAW:
            raw_depth += -1 if closing else 1
            opens_object = not closing and raw_depth == 1
            stack[-1].pieces.append(("obj" if opens_object else "tag", markup))
        elif name == "img":
            stack[-1].pieces.append(("obj", markup))
        elif name == "span":
            # A page footnote is a flow of its own inside the paragraph.
            if not closing:
                span_depth += 1
                if 'class="footnote"' in attrs:
                    footnote_depth.append(span_depth)
                    stack.append(_Run("footnote", opening=markup))
                    continue
                stack[-1].pieces.append(("tag", markup))
            else:
                if footnote_depth and footnote_depth[-1] == span_depth:
                    footnote_depth.pop()
                    inner = stack.pop()
                    # The call stands in the paragraph's text as an object.
                    stack[-1].pieces.append(("note", inner.opening + _render(inner, options) + markup))
                else:
                    stack[-1].pieces.append(("tag", markup))
                span_depth -= 1
        elif name in _BLOCK:
            flush(stack[-1])
            out.append(markup)
            stack[-1].tag = name if not closing else "body"
        else:
            stack[-1].pieces.append(("tag", markup))
    if position < len(fragment):
        stack[-1].pieces.append(html.unescape(fragment[position:]))
    while len(stack) > 1:  # unbalanced footnote markup: never lose text
        inner = stack.pop()
        stack[-1].pieces.append(("tag", inner.opening + _render(inner, options)))
    flush(stack[0])
    return "".join(out)


def prepare_text(text: str, options: Options = Options(), paragraph: bool = True) -> Markup:
    """The same for a plain string (titles, names): returns safe markup for the templates."""
    return Markup(_render(_Run("p" if paragraph else "span", [text]), options))


def _render(run: _Run, options: Options) -> str:
    text = run.text()
    if not text.strip():
        return "".join(html.escape(p, quote=False) if isinstance(p, str) else p[1]
                       for p in run.pieces)
    inserts = _insertions(text, run.tag in _PARAGRAPHS)
    wraps = _wraps(text, options)
    return _weave(run.pieces, inserts, wraps)


def _insertions(text: str, paragraph: bool) -> dict[int, str]:
    """Zero-width characters to insert, by position in the run's text."""
    inserts: dict[int, str] = {}

    def add(index: int, char: str) -> None:
        if 0 < index < len(text) and char not in inserts.get(index, ""):
            inserts[index] = inserts.get(index, "") + char

    for i, char in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if char in QUOTES_OPEN and before and before not in OPENING and not before.isspace():
            add(i, ZWSP)
        elif char in QUOTES_CLOSE and after and after not in NO_START + NOTE and not after.isspace():
            add(i + 1, ZWSP)
        elif char in "·～〜" and before and not before.isspace():
            add(i, WJ)
        if char in NO_START and before in (OBJECT, NOTE):
            # WeasyPrint may break between an inline object (a footnote call, an image, code)
            # and the text after it: a mark that may not start a line stays with the object.
            add(i, WJ)
        if char == NOTE and before and not before.isspace():
            add(i, WJ)  # a footnote call never starts a line: it belongs to the word before
        if before in (OBJECT, NOTE) and i >= 2 and text[i - 2] in OPENING and not char.isspace():
            add(i, WJ)  # "《¹" may not end a line either: after an opening mark it binds forward
    for match in _NUMBER_UNIT.finditer(text):
        add(match.start(), WJ)
    for match in _URL.finditer(text):
        for sep in re.finditer(r"[/.\-_?&=]+", match.group(0)):
            if match.start() + sep.end() < match.end():
                add(match.start() + sep.end(), ZWSP)
    if paragraph:
        _bind_last_word(text, add)
    return inserts


def _bind_last_word(text: str, add) -> None:
    """A WORD JOINER before the paragraph's last word: its last line has at least two."""
    end = len(text.rstrip())
    while end and (text[end - 1] in CLOSING + STOPS + "…—.!?" or text[end - 1] in (ZWSP, WJ, NOTE)):
        end -= 1
    if not end:
        return
    start = end - 1
    if not is_han(text[start]):
        latin = [m for m in _LATIN.finditer(text, 0, end) if m.end() == end]
        if not latin:
            return
        start = latin[-1].start()
    if start > 0 and not text[start - 1].isspace():
        add(start, WJ)


_LONG_WORD = re.compile(r"[A-Za-z]{6,}")


def _wraps(text: str, options: Options) -> list[tuple[int, int, str]]:
    """Spans to wrap around ranges of the run's text: (start, end, attributes)."""
    wraps = []
    for match in _LATIN.finditer(text):
        start, end = match.span()
        left = options.han_latin_spacing and start > 0 and is_han(text[start - 1])
        right = options.han_latin_spacing and end < len(text) and is_han(text[end])
        # A long English word may be hyphenated rather than leave a letter-spaced line before
        # it (Pango knows no Chinese-English mix; the span tells WeasyPrint to use pyphen).
        english = (options.latin_hyphenation and not _URL.fullmatch(match.group())
                   and _LONG_WORD.search(match.group()))
        if left or right or english:
            spacing = "kj-sp-lr" if left and right else "kj-sp-l" if left else "kj-sp-r" if right else ""
            attributes = f'class="{spacing or "kj-en"}"' + (' lang="en"' if english else "")
            wraps.append((start, end, attributes))
    if options.punctuation_compression:
        for i in range(len(text) - 1):
            a, b = text[i], text[i + 1]
            if a in CLOSING + STOPS and b in OPENING + CLOSING + STOPS:
                wraps.append((i, i + 1, 'class="kj-halt"'))
            elif a in OPENING and b in OPENING:
                wraps.append((i + 1, i + 2, 'class="kj-halt"'))
    return sorted(wraps)


def _weave(pieces: list, inserts: dict[int, str], wraps: list[tuple[int, int, str]]) -> str:
    """Put the run back together with the insertions and spans, escaping its text.

    A span is only drawn where its range lies within one text piece: across a tag (a bold
    run-in ending mid-word, say) the markup would nest wrongly, and the spacing is dropped.
    """
    out: list[str] = []
    offset = 0
    for piece in pieces:
        if not isinstance(piece, str):
            if piece[0] in ("obj", "note"):
                out.append(inserts.get(offset, ""))
                offset += 1
            out.append(piece[1])
            continue
        start, end = offset, offset + len(piece)
        opens = {a: cls for a, b, cls in wraps if start <= a and b <= end}
        closes = {b for a, b, _cls in wraps if start <= a and b <= end}
        for i in range(start, end):
            if i in closes:
                out.append("</span>")
            if i in inserts:
                out.append(inserts[i])
            if i in opens:
                out.append(f'<span {opens[i]}>')
            out.append(html.escape(piece[i - start], quote=False))
        if end in closes:
            out.append("</span>")
        offset = end
    return "".join(out)
