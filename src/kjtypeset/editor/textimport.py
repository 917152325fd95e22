"""Import, plain text: text copied out of a PDF or a web page → one draft per article.

The text may hold a whole issue: a masthead, a hand-made contents list, articles whose titles
stand on their own lines, page heads, feet and numbers, paragraphs cut at page breaks, and an
end block. Titles are recognised by shape (a short line of its own, without sentence
punctuation, followed by body text); the contents list, where there is one, is checked
against what was found. Lines that belong to no article are dropped and reported.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from .cleanup import (clean_title, ends_sentence, furniture_key, has_han, is_page_number,
                      join_lines, rejoin_paragraphs, running_lines)
from .draft import Draft, Run, inline

MAX_TITLE = 45  # characters; a longer line is body text
_INDENT = re.compile(r"^(?:[ \t\u00a0]{2,}|\u3000)")
_BULLET = r"[-*•·●○◆◇■□★☆▪►]"
_CONTENTS_ENTRY = re.compile(
    rf"^\s*(?:{_BULLET}\s*)+(?P<title>.+?)[\s.·…]*(?P<page>\d{{1,3}})\s*$"
    r"|^\s*(?P<title2>.+?)\s*(?:\.{3,}|…{2,}|·{3,}|-{3,})\s*(?P<page2>\d{1,3})\s*$")
_LONE_BULLET = re.compile(rf"^\s*(?:{_BULLET}\s*)+$")
_CONTENTS_HEADING = re.compile(r"^\s*目\s*录\s*$")
_SUBHEAD = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+[章节部分])")
_BYLINE = re.compile(r"^\s*[（(]?\s*(来源|稿源|作者|供稿)\s*[：:]\s*(.+?)\s*[)）]?\s*$")
_NO_TITLE_PUNCT = re.compile(r"[。！？；，、]|[,;!?]\s")
# Run-in heads: "一是……。" / "首先，……。", or a short two-clause first sentence that several
# paragraphs of the same article share ("共育共享，搭建……学院。").
_ENUMERATED_HEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|首先|其次|再次|最后|第[一二三四五六七八九十]+，)")
_FIRST_SENTENCE = re.compile(r"^[^。！？]{2,40}[。！？]")


@dataclass(frozen=True)
class TextImport:
    drafts: tuple[Draft, ...]
    notes: tuple[str, ...]  # about the text as a whole (skipped lines, contents list)
    repairs: tuple[tuple[str, int], ...]


@dataclass
class _Line:
    text: str
    after_blank: bool
    before_blank: bool
    indented: bool


def import_text(text: str, title: str | None = None) -> TextImport:
    """Split ``text`` into articles; ``title`` names a text that has no title line of its own."""
    counts: Counter = Counter()
    notes: list[str] = []
    lines = _furniture_removed(text, counts)
    lines, contents = _contents_removed(lines, counts)
    indent_mode = sum(line.indented for line in lines) >= max(2, len(lines) // 5)
    has_blank_lines = any(line.after_blank for line in lines[1:])

    # Mark title candidates, then keep those that body text follows.
    kinds = []
    previous_complete = True
    for line in lines:
        standalone = not has_blank_lines or (line.after_blank and line.before_blank)
        if standalone and previous_complete and looks_like_title(line.text):
            kinds.append("title")
        else:
            kinds.append("body")
        previous_complete = kinds[-1] == "title" or ends_sentence(line.text)
    for index, kind in enumerate(kinds):
        if kind == "title" and looks_like_subhead(lines[index].text):
            kinds[index] = "body"  # a numbered sub-head belongs to the article it is in

    articles: list[tuple[str, list[_Line]]] = []
    skipped: list[str] = []
    pending: list[str] = []  # title candidates not yet followed by body text
    leading_body: list[_Line] = []
    for line, kind in zip(lines, kinds):
        if kind == "title":
            pending.append(line.text.strip())
            continue
        if pending:
            skipped.extend(pending[:-1])
            articles.append((pending[-1], []))
            pending = []
        (articles[-1][1] if articles else leading_body).append(line)
    skipped.extend(pending)

    if leading_body:
        if articles or not title:
            if not articles and not title:
                return TextImport((), ("没有找到文章标题：标题应单独成行、不以句号结尾，其后是正文；"
                                       "也可以用 --title 指定标题",), ())
            notes.append(f"第一篇文章标题之前的 {len(leading_body)} 行正文未导入："
                         f"“{_clip(leading_body[0].text)}”")
        else:
            articles.insert(0, (title, leading_body))
    elif title and len(articles) == 1:
        articles[0] = (title, articles[0][1])
    if skipped:
        notes.append(f"跳过 {len(skipped)} 行不属于任何文章的短行（报头、报尾等）："
                     + "、".join(f"“{_clip(s)}”" for s in skipped))
    if contents:
        notes.extend(_contents_check(contents, [t for t, _ in articles]))

    drafts = tuple(_draft(raw_title, body, indent_mode, counts) for raw_title, body in articles)
    return TextImport(drafts, tuple(notes), tuple(counts.items()))


def _furniture_removed(text: str, counts: Counter) -> list[_Line]:
    """Lines with page numbers and running heads and feet dropped; blank-line flags kept."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").lstrip("\ufeff")
    raw_lines = raw.split("\n")
    running = running_lines(raw_lines)
    kept: list[_Line] = []
    blank = True
    for line in raw_lines:
        if not line.strip():
            blank = True
            continue
        if is_page_number(line) or furniture_key(line) in running:
            counts["furniture"] += 1
            blank = True  # a page break separates like a blank line
            continue
        if kept:
            kept[-1].before_blank = blank
        kept.append(_Line(line.rstrip(), blank, True, bool(_INDENT.match(line))))
        blank = False
    return kept


def _contents_removed(lines: list[_Line], counts: Counter) -> tuple[list[_Line], list[str]]:
    kept: list[_Line] = []
    contents: list[str] = []
    for line in lines:
        match = _CONTENTS_ENTRY.match(line.text)
        if match and has_han(line.text):
            contents.append((match.group("title") or match.group("title2")).strip())
        elif not (_LONE_BULLET.match(line.text) or _CONTENTS_HEADING.match(line.text)):
            kept.append(line)
            continue
        counts["contents"] += 1
        # The lines around a removed block now stand apart.
        if kept:
            kept[-1].before_blank = True
        line.after_blank = True
    for before, after in zip(kept, kept[1:]):
        after.after_blank = after.after_blank or before.before_blank
    return kept, contents


def looks_like_title(text: str) -> bool:
    text = text.strip()
    squashed = re.sub(r"\s+", "", text)
    return (has_han(text) and 2 <= len(squashed) <= MAX_TITLE
            and not _NO_TITLE_PUNCT.search(text) and not text.endswith(tuple("…：:")) and not text.startswith(("（", "(", "【", "[", "《"))
            and not _BYLINE.match(text))


def looks_like_subhead(text: str) -> bool:
    """"一、总体情况", "（二）下一步打算": numbered, short, not a sentence."""
    text = text.strip()
    return (bool(_SUBHEAD.match(text)) and len(text) <= MAX_TITLE
            and not re.search(r"[。！？；]", text) and not ends_sentence(text))


def _draft(raw_title: str, lines: list[_Line], indent_mode: bool, counts: Counter) -> Draft:
    source = author = None
    pieces: list[list[str]] = []  # paragraphs as lists of pieces, before the page-break rejoin
    subheads: dict[int, str] = {}
    for line in lines:
        text = line.text.strip(" \t\u3000\u00a0")
        byline = _BYLINE.match(text)
        if byline and not pieces:
            if byline.group(1) == "作者":
                author = byline.group(2)
            else:
                source = byline.group(2)
            continue
        if looks_like_subhead(text):
            subheads[len(pieces)] = text
            pieces.append([])
            continue
        if indent_mode and pieces and pieces[-1] and not line.indented and not line.after_blank:
            pieces[-1].append(text)  # a wrapped line of the same paragraph
        else:
            pieces.append([text])
    paragraphs: list[str | tuple[str]] = []
    run: list[str] = []
    for index, piece in enumerate(pieces):
        if index in subheads:
            paragraphs.extend(rejoin_paragraphs(run, counts))
            paragraphs.append((subheads[index],))
            run = []
            continue
        joined = piece[0]
        for more in piece[1:]:
            joined = join_lines(joined, more)
        run.append(joined)
    paragraphs.extend(rejoin_paragraphs(run, counts))

    texts = [p for p in paragraphs if isinstance(p, str)]
    heads = _run_in_heads(texts)
    blocks = []
    for paragraph in paragraphs:
        if isinstance(paragraph, tuple):
            blocks.append("## " + inline([Run(paragraph[0])], counts))
            continue
        head = heads.get(paragraph, "")
        runs = [Run(head, bold=True), Run(paragraph[len(head):])] if head else [Run(paragraph)]
        blocks.append(inline(runs, counts))
    return Draft(title=clean_title(raw_title, counts), blocks=tuple(blocks), paragraphs=len(texts),
                 source=source, author=author, bold_heads=len(heads))


def _run_in_heads(paragraphs: list[str]) -> dict[str, str]:
    """The first sentence of each paragraph that opens with a run-in head (set in bold)."""
    enumerated, parallel = {}, {}
    for paragraph in paragraphs:
        match = _FIRST_SENTENCE.match(paragraph)
        if not match or match.end() == len(paragraph):
            continue
        sentence = match.group()
        if _ENUMERATED_HEAD.match(sentence):
            enumerated[paragraph] = sentence
        elif len(sentence) <= 24 and sentence.count("，") == 1 and not re.search(r"\d", sentence):
            parallel[paragraph] = sentence
    heads = {}
    for found in (enumerated, parallel):
        if len(found) >= 2:  # a head is one of a series
            heads.update(found)
    return heads


def _contents_check(contents: list[str], titles: list[str]) -> list[str]:
    def key(text: str) -> str:
        return re.sub(r"[\s\u3000—–\-]+", "", text)

    notes = []
    listed = [key(c) for c in contents]
    missing = [t for t in titles
               if not any(difflib.SequenceMatcher(None, key(t), c).ratio() > 0.8 for c in listed)]
    unknown = [c for c in contents
               if not any(difflib.SequenceMatcher(None, key(t), key(c)).ratio() > 0.8 for t in titles)]
    notes.append(f"原文目录列出 {len(contents)} 篇，正文中找到 {len(titles)} 篇（目录已删去，排版时按清单重新生成）")
    if missing:
        notes.append("原文目录漏列：" + "、".join(f"《{clean_title(t)}》" for t in missing))
    if unknown:
        notes.append("原文目录中的这些文章在正文中没有找到：" + "、".join(f"《{c}》" for c in unknown))
    return notes


def _clip(text: str, width: int = 16) -> str:
    text = text.strip()
    return text if len(text) <= width else text[:width] + "……"
