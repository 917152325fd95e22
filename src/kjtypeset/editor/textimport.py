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
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from ..inputs.markdown import (
    ATTACHMENT_HEADING,
    ATTACHMENT_LABEL,
    CONTACT_LABEL,
    DATE_LINE,
    ROSTER_LABEL,
    TABLE_NOTE,
)
from .cleanup import (
    byline_author,
    clean_paragraph,
    clean_title,
    drop_spaces_between_han,
    ends_sentence,
    furniture_key,
    has_han,
    is_page_number,
    join_lines,
    running_lines,
)
from .draft import Draft, Run, inline, is_subtitle, table
from .textmeta import (
    EDITORIAL_CREDITS,
    PHOTO_CAPTION,
    Meta,
    bracketed_credit,
    is_furniture,
    mail_parts,
    meta_line,
)

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
_ENUMERATED_HEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|首先|其次|再次|最后|第[一二三四五六七八九十]+，"
                              r"|（[一二三四五六七八九十]{1,3}）)")
_FIRST_SENTENCE = re.compile(r"^[^。！？]{2,40}[。！？]")


@dataclass(frozen=True)
class TextImport:
    drafts: tuple[Draft, ...]
    notes: tuple[str, ...]  # about the text as a whole (skipped lines, contents list)
    repairs: tuple[tuple[str, int], ...]


@dataclass
class _Line:
    text: str  # as in the source, right-stripped
    after_blank: bool
    before_blank: bool
    indented: bool
    clean: str = ""  # repaired (full-width marks, spaces): what decisions look at
    blank_line: bool = False  # an empty line before it (not a removed page number or button)
    meta: Meta = field(default_factory=Meta)  # source, author, date lines next to it


def import_text(text: str, title: str | None = None) -> TextImport:
    """Split ``text`` into articles; ``title`` names a text that has no title line of its own."""
    counts: Counter = Counter()
    notes: list[str] = []
    lines, dropped, captions = _furniture_removed(text, counts)
    lines, contents = _contents_removed(lines, counts)
    for line in lines:
        line.clean = clean_paragraph(line.text.strip(" \t\u3000\u00a0"))
    indent_mode = sum(line.indented for line in lines) >= max(2, len(lines) // 5)
    has_blank_lines = any(line.blank_line for line in lines[1:])
    wrap = _wrap_width(lines)

    # Mark title candidates, then keep those that body text follows.
    kinds = []
    previous_complete = True
    for line in lines:
        standalone = not has_blank_lines or (line.after_blank and line.before_blank)
        if kinds and kinds[-1] == "title" and is_subtitle(line.clean):
            # "——记……" under a title: its 副题 (it was taken for the title, and the title
            # above it was skipped)
            kinds.append("subtitle")
        elif kinds and kinds[-1] in ("title", "subtitle") and (author := _byline_author(line.clean)):
            # "市科技情报研究所　周文博", "本报记者  陈曦" under a title: its author (it was taken
            # for the title, and the title, with no text under it, was skipped)
            line.meta.author = line.meta.author or author
            kinds.append("byline")
        elif (standalone and previous_complete and looks_like_title(line.clean)
                and not _cells(line) and not _CAPTION.match(line.clean)):
            kinds.append("title")
        elif ((_CREDIT.match(line.clean) and not (labelled(line.clean) and kinds and kinds[-1] == "body"))
              or bracketed_credit(line.clean)):
            # "编辑：李娜" under a WeChat article, "电话：…" in a bulletin's end block: not text
            # to print ("电话：0471-…" among a notice's contact lines is its text)
            kinds.append("credit")
        else:
            kinds.append("body")
        # A table's row and a date alone under text (成文日期) end what is above them too: a
        # second document's title after a notice's signature or its 附件 table starts an
        # article (it stayed in the first, as text under the table, P8). (A date right under
        # a title is the article's; a short line under it is no title.)
        previous_complete = (kinds[-1] == "title" or (ends_sentence(line.clean) and not _full(line, wrap))
                             or _cells(line) > 1
                             or (bool(DATE_LINE.match(line.clean)) and kinds[-2:-1] == ["body"]))
    for index, kind in enumerate(kinds):
        if kind == "title" and _SUBHEAD.match(lines[index].clean):
            kinds[index] = "body"  # a numbered sub-head belongs to the article it is in

    articles: list[tuple[_Line, list[_Line]]] = []
    skipped: list[_Line] = []
    pending: list[_Line] = []  # title candidates not yet followed by body text
    leading_body: list[_Line] = []
    subtitles: dict[int, str] = {}  # id of a title line → its 副题
    for line, kind in zip(lines, kinds):
        if kind == "title":
            pending.append(line)
            continue
        if kind == "byline":
            pending[-1].meta.merge(line.meta)
            continue
        if kind == "subtitle" and pending:
            subtitles[id(pending[-1])] = line.clean
            continue
        if kind == "credit":
            skipped.append(line)
            continue
        if pending:
            skipped.extend(pending[:-1])
            articles.append((pending[-1], []))
            pending = []
        (articles[-1][1] if articles else leading_body).append(line)
    skipped.extend(pending)
    order = {id(line): index for index, line in enumerate(lines)}
    skipped.sort(key=lambda line: order[id(line)])  # as they stand in the text

    if leading_body:
        if articles or not title:
            if not articles and not title:
                return TextImport((), ("没有找到文章标题：标题应单独成行、不以句号结尾，其后是正文；"
                                       "也可以用 --title 指定标题",), ())
            notes.append(f"第一篇文章标题之前的 {len(leading_body)} 行正文未导入："
                         f"“{_clip(leading_body[0].text)}”")
        else:
            articles.insert(0, (_Line(title, True, True, False, title), leading_body))
    elif title and len(articles) == 1:
        named = _Line(title, True, True, False, title, articles[0][0].meta)
        if id(articles[0][0]) in subtitles:
            subtitles[id(named)] = subtitles.pop(id(articles[0][0]))
        articles[0] = (named, articles[0][1])
    if dropped:
        notes.append(f"删去网页、微信或邮件中的按钮、导航、邮件头等 {len(dropped)} 行："
                     + "、".join(f"“{_clip(s)}”" for s in dropped[:6]) + ("等" if len(dropped) > 6 else ""))
    if captions:
        notes.append(f"原文的图片没有随文字复制，已删去 {len(captions)} 行图片说明："
                     + "、".join(f"“{_clip(c)}”" for c in captions) + "；需要时请另行插入图片和图注")
    if skipped:
        notes.append(f"跳过 {len(skipped)} 行不属于任何文章的短行（报头、报尾等）："
                     + "、".join(f"“{_clip(s.text)}”" for s in skipped))
    if contents:
        notes.extend(_contents_check(contents, [t.text.strip() for t, _ in articles]))

    drafts = tuple(replace(_draft(head, body, indent_mode, wrap, counts), subtitle=subtitles.get(id(head)))
                   for head, body in articles)
    return TextImport(drafts, tuple(notes), tuple(counts.items()))


def _furniture_removed(text: str, counts: Counter) -> tuple[list[_Line], list[str], list[str]]:
    """Lines without page numbers, running heads and feet, web and e-mail furniture; the
    source, author and date lines are kept as the meta of the line before them. Blank-line
    flags are kept; a removed line separates like a blank line."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").lstrip("\ufeff")
    raw_lines = raw.split("\n")
    if sum(line.startswith(">") for line in raw_lines) > len([x for x in raw_lines if x.strip()]) / 2:
        raw_lines = [re.sub(r"^>+ ?", "", line) for line in raw_lines]  # a quoted e-mail
    running = running_lines(raw_lines)
    header, signature = mail_parts(raw_lines)
    kept: list[_Line] = []
    dropped: list[str] = []
    captions: list[str] = []
    pending_meta = Meta()
    blank = True
    empty = False
    for index, line in enumerate(raw_lines):
        if signature is not None and index >= signature:
            if line.strip() and not _SIGNATURE_MARK.match(line):
                dropped.append(line.strip())
            continue
        if not line.strip():
            blank = empty = True
            continue
        if is_page_number(line) or furniture_key(line) in running:
            counts["furniture"] += 1
            blank = True  # a page break separates like a blank line
            continue
        # Captions, buttons and meta lines are reported by name (notes, the front matter), not
        # counted as page heads and feet: a web page had "删去页眉、页脚、页码 4 处" (P10 D2).
        if PHOTO_CAPTION.match(line):
            captions.append(line.strip())
            blank = True
            continue
        if index in header or is_furniture(line):
            dropped.append(line.strip())
            blank = True
            continue
        if (meta := meta_line(line)) is not None:
            (kept[-1].meta if kept else pending_meta).merge(meta)
            blank = True
            continue
        if kept:
            kept[-1].before_blank = blank
        kept.append(_Line(line.rstrip(), blank, True, bool(_INDENT.match(line)), blank_line=empty))
        if len(kept) == 1:
            kept[0].meta.merge(pending_meta)
        blank = empty = False
    return kept, dropped, captions


_SIGNATURE_MARK = re.compile(r"^--\s?$")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width at which the text was hard-wrapped (PDF copy, e-mail), or None.

    Lines followed by another line of the same block are either wrapped (about one width, the
    last line of each paragraph shorter) or whole paragraphs (of any width). The text is
    wrapped when many are within a few characters of the usual width and hardly any longer."""
    inner = [_display_width(line.text.strip()) for line, following in zip(lines, lines[1:])
             if not following.after_blank and not _cells(line)]  # a table's rows are as long as they are
    inner = [width for width in inner if width >= 16]
    if len(inner) < 3:
        return None
    width = sorted(inner)[(len(inner) * 3) // 4]
    full = [w for w in inner if width - _SLACK <= w <= width + _SLACK]
    longer = [w for w in inner if w > width + _SLACK]
    return width if len(full) >= 0.45 * len(inner) and len(longer) <= 0.1 * len(inner) else None


_SLACK = 6  # display columns: three Han characters (justified lines differ by a few)


def _full(line: _Line, wrap: int | None) -> bool:
    """A line that fills the wrapping width: its paragraph goes on on the next line."""
    return wrap is not None and _display_width(line.text.strip()) >= wrap - _SLACK


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
            and not _BYLINE.match(text) and not labelled(text) and not ATTACHMENT_HEADING.match(squashed))


def looks_like_subhead(text: str) -> bool:
    """"一、总体情况", "（二）下一步打算": numbered, short, not a sentence, nor a label with its
    value ("一、会议时间：2038年2月26日上午9:00" is a paragraph)."""
    text = text.strip()
    # A closing quote or bracket ends a sentence only after its punctuation: "一、从“数据仓库”到
    # “算力工厂”" is a sub-head (it stayed a bold paragraph beside "## 二、…", P11 D4).
    return (bool(_SUBHEAD.match(text)) and len(text) <= MAX_TITLE
            and not re.search(r"[。！？；]|[:：]\s*\S", text) and not ends_sentence(text.rstrip("”’」』）》)")))


def subhead_level(text: str) -> int | None:
    """The heading level of a sub-head typed as text (looks_like_subhead): 2 for "一、…" (and
    第一章…), 3 for "（一）…" (GB/T 9704 §7.3.3's second level, 楷体 in gongwen); None for
    other text. The text, Word and web page imports all read sub-heads so."""
    if not looks_like_subhead(text):
        return None
    return 3 if text.strip().startswith(("（", "(")) else 2


# Labels that start a line of a notice's closing, a table's note or a summary's list of those
# present: "联系人：", "联系电话：", "电子邮箱：", "地　　址：", "附件：", "注：", "出席：". Such a
# line starts a paragraph of its own, whatever ends the line above (three of them ran on into
# one: "…0471－4366690电子邮箱：…附件：1．…", P8), and is never a title.
def labelled(text: str) -> bool:
    """Whether ``text`` starts with one of those labels (the build's own for 附件, 注 and 出席)."""
    text = text.strip(" \t\u3000\u00a0")
    return any(pattern.match(text) for pattern in (CONTACT_LABEL, ATTACHMENT_LABEL, ROSTER_LABEL, TABLE_NOTE))


# Credits under an article and the end block of a bulletin: "编辑：李娜", "报：市委办公室、…".
_CREDIT_KEY = rf"(?:{EDITORIAL_CREDITS}|电话|报|送|发|抄送|抄报|分送)"
# A byline under a title: an organisation and one or more names, nothing else.
_UNIT_BYLINE = re.compile(r"^(?:作者[:：]\s*)?\S{2,30}?(?:所|局|院|中心|委员会|委|办公室|办|厅|处|科|室|部|站|会|校|大学|"
                          r"学院|公司|集团|报社|报|社|台)[\s　]+(?!编辑|编印|主编|主办|印发|供稿|撰稿|整理|摄影|审核|校对|制作)"
                          r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[\s　、，,]+"
                          r"[\u4e00-\u9fff]{2,4}){0,3})(?<![处科室局所部办站会院委])$")


def _byline_author(text: str) -> str | None:
    """The author a byline line names: "单位　姓名" (the names as typed), or a reporter's
    "本报记者  陈曦" / "记者 张三 通讯员 李四" (the names, 、 between them); None for other text."""
    if (byline := _UNIT_BYLINE.match(text)):
        return byline.group("names")
    return byline_author(text)


_CREDIT = re.compile(rf"^{_CREDIT_KEY}[:：]\s*\S{{1,40}}(?:\s+{_CREDIT_KEY}[:：]\s*\S{{1,40}})*$")
# What starts a paragraph of its own, whatever the line before it: run-in heads and list items.
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+是|首先|其次|再次|最后|第[一二三四五六七八九十]+，"
                         r"|[（(][一二三四五六七八九十]{1,3}[)）]"
                         r"|\d{1,2}[.、．)）](?!\d)|[（(]\d{1,2}[)）]|[①-⑳]|[-•·●▪■◆]\s*)")
# A paragraph that ends with one of these (or with a word of a long line) was cut, not ended.
_CONTINUING_END = tuple("，、（“‘《—")
_CAPTION = re.compile(r"^(?:表|图)\s*\d{1,3}(?:[-－.．]\d{1,3})?(?:[\s　:：]|$)")


def _draft(head: _Line, lines: list[_Line], indent_mode: bool, wrap: int | None, counts: Counter) -> Draft:
    meta = Meta()
    for line in (head, *lines):
        meta.merge(line.meta)

    # 1. Within a block of lines: a line goes on the paragraph above when it is a wrapped line.
    units: list[tuple[str, list[_Line]]] = []  # ("para" | "subhead" | "row", lines)
    for line in lines:
        if looks_like_subhead(line.clean):
            units.append(("subhead", [line]))
        elif _cells(line) > 1:
            units.append(("row", [line]))
        elif (units and units[-1][0] == "para" and not line.after_blank
              and _continues(units[-1][1][-1], line, indent_mode, wrap)):
            units[-1][1].append(line)
        else:
            units.append(("para", [line]))

    # 2. Across blank lines and page breaks: a paragraph cut mid-sentence goes on.
    texts = []
    for kind, group in units:
        joined = group[0].text.strip(" \t\u3000\u00a0")
        for more in group[1:]:
            joined = join_lines(joined, more.text.strip(" \t\u3000\u00a0"))
        texts.append((kind, joined, group))
    paragraphs = [clean_paragraph(text) for kind, text, _ in texts if kind == "para"]
    punctuated = sum(ends_sentence(p) for p in paragraphs) >= 0.6 * max(1, len(paragraphs))
    merged: list[list] = []
    for kind, text, group in texts:
        if (kind == "para" and merged and merged[-1][0] == "para"
                and _cut(clean_paragraph(merged[-1][1]), punctuated) and not labelled(group[0].clean)
                and not _ITEM_START.match(group[0].clean) and not _CAPTION.match(group[0].clean)):
            merged[-1][1] = join_lines(merged[-1][1], text)
            counts["rejoined"] += 1
        else:
            merged.append([kind, text, group])

    # 3. Blocks: sub-heads, tables (tab-separated rows), paragraphs with their run-in heads.
    def clean(kind: str, text: str) -> str:
        if kind == "row":
            return text
        text = clean_paragraph(text, counts)
        return drop_spaces_between_han(text, counts) if kind == "para" else text

    cleaned = [(kind, clean(kind, text)) for kind, text, _ in merged]
    heads = _run_in_heads([text for kind, text in cleaned if kind == "para"])
    blocks: list[str] = []
    notes: list[str] = []
    rows: list[list[str]] = []
    for index, (kind, text) in enumerate(cleaned):
        if kind == "row":
            rows.append([inline([Run(cell)]) for cell in text.strip().split("\t")])
            if index + 1 == len(cleaned) or cleaned[index + 1][0] != "row":
                blocks.append(table(rows))
                rows = []
            continue
        if kind == "subhead":
            blocks.append("#" * (subhead_level(text) or 2) + " " + inline([Run(text)]))
            continue
        head_text = heads.get(text, "")
        runs = [Run(head_text, bold=True), Run(text[len(head_text):])] if head_text else [Run(text)]
        blocks.append(inline(runs))
        if text.startswith("图") and _CAPTION.match(text):
            notes.append(f"“{_clip(text)}”的图片没有随文字导入：请把图片放进 articles/，在这一段写 ![{text}](图片文件名)")
    return Draft(title=clean_title(head.text.strip(), counts), blocks=tuple(blocks),
                 paragraphs=sum(kind == "para" for kind, _ in cleaned), source=meta.source or meta.account,
                 author=meta.author, date=meta.date, bold_heads=len(heads), notes=tuple(notes))


def _continues(previous: _Line, line: _Line, indent_mode: bool, wrap: int | None) -> bool:
    """Whether ``line`` is a wrapped continuation of the paragraph ending with ``previous``."""
    if labelled(line.clean) or _CAPTION.match(line.clean):
        return False
    if _ITEM_START.match(line.clean) and not _run_on(previous, line, wrap):
        return False
    if indent_mode:
        return not line.indented
    return _full(previous, wrap)


# "二是", "其次": the next of an enumeration, which runs on in its sentence ("一是……；二是……").
_RUN_ON = re.compile(r"^(?:[二三四五六七八九十]+是|其次|再次|最后|第[二三四五六七八九十]+，)")


def _run_on(previous: _Line, line: _Line, wrap: int | None) -> bool:
    """Whether ``line``, opening with the next of an enumeration, goes on the sentence of the
    line above: that line fills the text's wrapping width and stops inside its sentence (at
    "；" or "，"). "…的具体举措；⏎二是要抓好…" was split into two paragraphs (P8)."""
    return (bool(_RUN_ON.match(line.clean)) and _full(previous, wrap)
            and not previous.clean.endswith(tuple("。！？…”’」』）》")))


def _cut(text: str, punctuated: bool) -> bool:
    """A paragraph that a page break cut: it ends with a comma or an opening mark, or, in a
    text whose paragraphs end with full stops, in the middle of a long sentence."""
    if not text or ends_sentence(text):
        return False
    if text.endswith(_CONTINUING_END):
        return True
    last = text[-1]
    return punctuated and len(text) >= 20 and (has_han(last) or (last.isascii() and last.isalnum()))


def _cells(line: _Line) -> int:
    """Cells of a tab-separated table row (Word's "save as text" writes tables so)."""
    text = line.text.strip(" \u3000")
    return len(text.split("\t")) if "\t" in text else 0


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
