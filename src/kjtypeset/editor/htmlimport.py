"""Import, web page: a saved .html page → one draft: its article's title and body.

Scripts, styles, navigation, headers, footers and side bars are dropped; the body is the
element holding the most paragraph text (<article> or <main> where the page has one).
Images come from the files saved with the page or from data: URLs; the import never goes
to the network, so an image that lives only on a web server is reported instead.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import tinyhtml5

from ..errors import KjError
from ..typography.chars import IDEOGRAPHS
from .cleanup import byline_author, clean_title, has_han
from .draft import Collector, Draft, is_subtitle, take_meta
from .htmlblocks import BlockWriter, tag_of, text_of
from .textmeta import EDITORIAL_CREDITS, PHOTO_CAPTION, Meta, bracketed_credit, is_furniture, meta_line, parse_date

# Page furniture by element name, and by class or id words that CMSs use for it.
FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript"}
_FURNITURE_NAMES = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|header|footer|foot|breadcrumbs?|crumbs?|sidebar|side|share|"
    r"comments?|copyright|related|recommend|banner|ads?|advert|toolbar|pager|pagination|"
    r"position|location|login|search|dh|daohang)($|[\s_-])", re.I)
_BYLINE = re.compile(r"(来源|稿源|作者)\s*[：:]\s*([^\s　|｜]{2,30})")
_IMAGE_TYPES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg", ".gif": ".gif", ".webp": ".webp",
                ".svg": ".svg"}
_DATA_URL = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)(;base64)?,(.*)$", re.S | re.I)
# Where a page title joins the article's title and the site's name: "_", "|", "｜", "--" or a dash
# with spaces round it ("标题 - 正北方网", "标题--人民网"); never the Chinese dash "——" of a 副题 (P11 D2).
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--)\s*|\s+[-–—]{1,2}\s+")


def import_html(data: bytes, path: Path | None, title: str | None = None) -> Draft:
    where = path or "-"
    root = tinyhtml5.parse(data, namespace_html_elements=False, likely_encoding=_likely(data))
    body = root.find("body")
    if body is None or not text_of(body):
        raise KjError(where, None, "网页中没有文字")
    page_title = _page_title(root)
    hidden = _drop_hidden(root, body)
    dropped = _drop_furniture(body)
    content = _content(body)
    collector = Collector()
    found, subtitle = _take_heading(content, body, page_title)
    meta = _take_byline(body)
    for summary in _summaries_left_out(body, content):
        collector.note(f"正文之外的摘要、导语未导入：“{_clip(summary)}”；需要时请手工加入")
    lines_dropped, line_meta = _drop_furniture_lines(content)
    meta.merge(line_meta)

    def load_image(src: str):
        return _image(src, path, collector)

    BlockWriter(collector, load_image).write(content)
    collector.attach_captions()
    for block in collector.blocks:
        if PHOTO_CAPTION.match(block):  # its photo not imported (only on the web) or not beside it
            collector.note(f"“{block[:16]}”是图片说明，但旁边没有图片，按正文导入：请核对")
    meta.merge(take_meta(collector))
    name = title or (clean_title(found, collector.counts) if found else None)
    if not name:
        raise KjError(where, None, "没有找到文章标题（<h1> 或 <title>）：可以用 --title 指定")
    if dropped:
        collector.note(f"已删去网页的导航、页眉页脚、脚本等 {dropped} 处")
    if hidden:
        shown = "、".join(f"“{_clip(text)}”" for text in hidden[:6]) + ("等" if len(hidden) > 6 else "")
        collector.note(f"已删去网页上不显示的（样式设为隐藏的）内容 {len(hidden)} 处：{shown}")
    if lines_dropped:
        # Named, not counted as navigation: what is cleared stood in the article (P11 D1).
        shown = "、".join(f"“{text}”" for text in lines_dropped[:6]) + ("等" if len(lines_dropped) > 6 else "")
        collector.note(f"已删去正文中的按钮、署名、分节序号等 {len(lines_dropped)} 处：{shown}")
    return Draft(title=name, blocks=tuple(collector.blocks), paragraphs=collector.paragraphs,
                 images=tuple(collector.images), source=meta.source, author=meta.author, date=meta.date,
                 notes=tuple(collector.notes), repairs=tuple(collector.counts.items()),
                 subtitle=clean_title(subtitle, collector.counts) if subtitle else None)


def _likely(data: bytes) -> str:
    """A page without a charset declaration: UTF-8 if it decodes so, else GB18030."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _page_title(root: Element) -> str | None:
    for meta in root.iter("meta"):
        if meta.get("property") in ("og:title",) or meta.get("name") in ("ArticleTitle", "title"):
            if (content := (meta.get("content") or "").strip()):
                return content
    element = root.find(".//title")
    if element is not None and (text := text_of(element)):
        # "文章标题_网站名" / "文章标题 - 网站名": the longest part is the article's.
        return max(_TITLE_SPLIT.split(text), key=len)
    return None


_SIMPLE_SELECTOR = re.compile(r"^[a-z0-9]*([.#])([\w-]+)$", re.I)


def _hides(declarations) -> bool:
    """Whether CSS declarations (a rule's block or a style attribute) set display: none,
    read with tinycss2 (WeasyPrint's CSS parser)."""
    import tinycss2

    return any(d.type == "declaration" and d.lower_name == "display"
               and tinycss2.serialize(d.value).strip().lower() == "none"
               for d in tinycss2.parse_blocks_contents(declarations, skip_comments=True, skip_whitespace=True))


def _hidden_names(root: Element) -> tuple[set[str], set[str]]:
    """The classes and ids that the page's own style sheets hide (".hide{display:none}",
    "p.hide, #tip{display:none}"); rules inside @media and other at-rules do not count."""
    import tinycss2

    classes: set[str] = set()
    ids: set[str] = set()
    for style in root.iter("style"):
        for rule in tinycss2.parse_stylesheet("".join(style.itertext()), skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule" or not _hides(rule.content):
                continue
            for one in tinycss2.serialize(rule.prelude).split(","):
                if (simple := _SIMPLE_SELECTOR.match(one.strip())):
                    (classes if simple.group(1) == "." else ids).add(simple.group(2))
    return classes, ids


def _drop_hidden(root: Element, body: Element) -> list[str]:
    """Remove what the page does not show: elements hidden by its own simple class or id rules,
    by style="display:none" or by the hidden attribute. web2's hidden "本文系正北方网原创，转载
    请注明出处。" printed as the article's last paragraph (an unseen issue, P11 D4). An element
    holding most of the page's text stays: a script shows it."""
    classes, ids = _hidden_names(root)
    total = len(text_of(body))
    removed: list[str] = []

    def walk(parent: Element) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):
                continue
            hidden = (child.get("hidden") is not None or bool(classes & set((child.get("class") or "").split()))
                      or child.get("id") in ids or bool(child.get("style")) and _hides(child.get("style")))
            text = text_of(child) if hidden else ""
            if hidden and len(text) * 2 <= total:
                parent.remove(child)
                if text:
                    removed.append(text)
            else:
                walk(child)

    walk(body)
    return removed


def _clip(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[:width] + "……"


def _drop_furniture(root: Element) -> int:
    dropped = 0
    for parent in list(root.iter()):
        for child in list(parent):
            names = f"{child.get('class', '')} {child.get('id', '')} {child.get('role', '')}"
            is_furniture = tag_of(child) in FURNITURE_TAGS or _FURNITURE_NAMES.search(names)
            # An article's own <header> holds its <h1>: keep that one.
            if is_furniture and (tag_of(child) in ("nav", "script", "style", "form")
                                 or child.find(".//h1") is None):
                parent.remove(child)
                dropped += 1
    return dropped


# What a WeChat article has around its text, one element each: credits "编辑 | 张小北", an
# "END", section ornaments "01", "02" (the heading follows in bold), and the calls to follow.
_CREDIT_LINE = re.compile(rf"^(?:{EDITORIAL_CREDITS}|责编|图片|文字|供稿)\s*[|｜:：]\s*\S.{{0,30}}$")
_ORNAMENT_LINE = re.compile(r"^(?:[-—–\s]*END[-—–\s]*|\d{1,2}|PART\s*\d{1,2})$", re.I)
_SOURCE_LINE = re.compile(r"^(?:来源|稿源)\s*[|｜]\s*(\S.{0,40})$")


def _drop_furniture_lines(content: Element) -> tuple[list[str], Meta]:
    """Empty the short blocks of the article that are page furniture, not text (is_furniture:
    buttons, counters, calls to follow; credits, END and ornaments; a WeChat header or
    "来源 | …" line, whose fields go to the front matter): a saved WeChat page printed them
    all ("点击蓝字关注我们", "编辑 | 张小北", "阅读原文…"), which the text import drops. Only a
    block standing alone between blocks is such a line: a table cell's "86" and the bold "12"
    of "全市新增企业<strong>12</strong>家" are text (they were cleared, an unseen issue, P11 D1).
    The texts cleared, for the report (the fields moved to the front matter are not listed)."""
    meta, dropped = Meta(), []
    parents = {child: parent for parent in content.iter() for child in parent}
    for element in content.iter():
        if element.get("id") == "meta_content":  # WeChat's 原创 / author / account / time
            spans = [text_of(e) for e in element if "rich_media_meta_text" in (e.get("class") or "")
                     and e.get("id") not in ("copyright_logo", "publish_time")]
            account = next((text_of(e) for e in element.iter() if e.get("id") == "js_name"), "")
            time = next((text_of(e) for e in element.iter() if e.get("id") == "publish_time"), "")
            meta.merge(Meta(author=spans[0].replace(" ", "") if spans and spans[0] else None,
                            account=account or None, date=parse_date(time)))
            element.clear()
            continue
        if tag_of(element) not in ("p", "section", "div", "span", "strong", "em", "b"):
            continue
        if any(tag_of(child) in ("p", "section", "div", "img", "table", "ul", "ol") for child in element.iter()
               if child is not element):
            continue
        text = text_of(element)
        if not text or len(text) > 60 or not _standing_alone(element, text, parents):
            continue
        found = meta_line(text)
        source = _SOURCE_LINE.match(text)
        if found is None and source is None and not (is_furniture(text) or _CREDIT_LINE.match(text)
                                                     or bracketed_credit(text) or _ORNAMENT_LINE.match(text)):
            continue
        if found is not None:
            meta.merge(found)
        if source is not None:
            meta.source = meta.source or source.group(1).strip()
        if found is None and source is None:
            dropped.append(text)
        tail = element.tail
        element.clear()
        element.tail = tail
    return dropped, meta


_INLINE_BLOCKS = ("p", "section", "div", "blockquote", "article", "main", "body", "center", "header", "footer")


def _standing_alone(element: Element, text: str, parents: dict[Element, Element]) -> bool:
    """Whether ``element`` is the whole of a block of its own, outside tables and lists: not a
    cell's text, nor a word inside a sentence."""
    block = element
    while tag_of(block) not in _INLINE_BLOCKS and block in parents:
        block = parents[block]
    if text_of(block) != text:
        return False
    ancestor = element
    while ancestor is not None:
        if tag_of(ancestor) in ("td", "th", "caption", "li", "dd", "dt", "figcaption"):
            return False
        ancestor = parents.get(ancestor)
    return True


def _content(body: Element) -> Element:
    """The element that holds the article: <article>/<main>, else the densest text block."""
    for tag in ("article", "main"):
        found = [e for e in body.iter(tag) if len(text_of(e)) > 50]
        if len(found) == 1:
            return found[0]
    scores: dict[int, tuple[float, Element]] = {}
    parents = {child: parent for parent in body.iter() for child in parent}
    for paragraph in body.iter():
        if tag_of(paragraph) not in ("p", "br", "td", "pre") and not (
                tag_of(paragraph) == "div" and not any(tag_of(c) in ("div", "p") for c in paragraph)):
            continue
        length = len(text_of(paragraph)) if tag_of(paragraph) != "br" else 0
        if length < 20:
            continue
        parent = parents.get(paragraph)
        for share in (1.0, 0.5):
            if parent is None:
                break
            score, _ = scores.get(id(parent), (0.0, parent))
            scores[id(parent)] = (score + length * share, parent)
            parent = parents.get(parent)
    if not scores:
        return body
    return max(scores.values(), key=lambda item: item[0])[1]


_SUMMARY_LABEL = re.compile(r"^\s*(?:[【\[［〔]\s*(?:摘\s*要|导\s*语|导\s*读|提\s*要|内容提要|核心提示)\s*[】\]］〕]"
                            r"|(?:摘\s*要|导\s*语|导\s*读|内容提要|核心提示)\s*[:：])")
_SUMMARY_NAMES = re.compile(r"(^|[\s_-])(summary|abstract|digest|lead|intro|zhaiyao|daoyu|daodu|tiyao)"
                            r"($|[\s_-])", re.I)


def _summaries_left_out(body: Element, content: Element) -> list[str]:
    """Texts outside the chosen article body that read as its 摘要 or 导语 ("【摘要】……", a
    <div class="summary">): left out, as an editor may want, but named in the report; web2's
    was dropped without a word (an unseen issue, P11 D4)."""
    parents = {child: parent for parent in body.iter() for child in parent}
    skip = set(content.iter())  # the body itself, and what holds it
    holder = content
    while holder is not None:
        skip.add(holder)
        holder = parents.get(holder)
    found: list[str] = []
    for element in body.iter():
        if element in skip or not isinstance(element.tag, str):
            continue
        text = text_of(element)
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if len(text) >= 10 and (_SUMMARY_LABEL.match(text) or _SUMMARY_NAMES.search(names)):
            found.append(text)
            skip.update(element.iter())
    return found


def _take_heading(content: Element, body: Element, page_title: str | None) -> tuple[str | None, str | None]:
    """The article's title and 副题: the <h1> matching the page title, else any heading matching
    it (a site's logo may be the <h1>), else the first <h1>, else the page title; the 副题 is a
    heading or paragraph right after the title that reads "——记……" (is_subtitle, as the text
    import takes it), or the page title's "——……" after the title. A page with <h1>标题</h1>
    <h2>——记……</h2> had the 副题 as its title and lost the title (P11 D2)."""
    parents = {child: parent for parent in body.iter() for child in parent}
    headings = [e for e in body.iter() if tag_of(e) in ("h1", "h2", "h3") and text_of(e)]
    chosen = None
    if page_title:
        matching = [h for h in headings if _same(text_of(h), page_title)]
        chosen = next((h for h in matching if tag_of(h) == "h1"), matching[0] if matching else None)
    if chosen is None:
        chosen = next((h for h in headings if tag_of(h) == "h1"), None)
    if chosen is None:
        return _split_subtitle(page_title) if page_title else (None, None)
    title = text_of(chosen)
    subtitle = None
    following = _next_block(chosen, parents)
    if following is not None and is_subtitle(text_of(following)):
        subtitle = text_of(following)
        parents[following].remove(following)
    elif page_title and _squash(page_title).startswith(_squash(title)):
        subtitle = _split_subtitle(page_title)[1]
        subtitle = subtitle if subtitle and _squash(page_title) == _squash(title + subtitle) else None
    if chosen in parents:
        parents[chosen].remove(chosen)
    return title, subtitle


def _split_subtitle(title: str) -> tuple[str, str | None]:
    """"标题——记……" → ("标题", "——记……") when what follows the dash reads as a 副题."""
    at = title.find("——", 1)
    if at > 0 and is_subtitle(title[at:].strip()):
        return title[:at].strip(), title[at:].strip()
    return title, None


def _next_block(element: Element, parents: dict[Element, Element]) -> Element | None:
    """The element with text right after ``element`` among its siblings (a heading or paragraph)."""
    parent = parents.get(element)
    if parent is None or (element.tail or "").strip():
        return None
    siblings = list(parent)
    for sibling in siblings[siblings.index(element) + 1:]:
        if text_of(sibling):
            return sibling if tag_of(sibling) in ("h1", "h2", "h3", "h4", "p", "div") else None
        if (sibling.tail or "").strip():
            return None
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _same(a: str, b: str) -> bool:
    a, b = _squash(a), _squash(b)
    return bool(a) and (a == b or (len(a) >= 6 and (a in b or b in a)))


def _take_byline(body: Element) -> Meta:
    """A short "发布时间：…　来源：…　作者：…" line at the top of the page: source, author and date."""
    for element in body.iter():
        if tag_of(element) not in ("p", "div", "span"):
            continue
        text = text_of(element)
        if len(text) > 120 or not _BYLINE.search(text):
            continue
        if any(len(text_of(c)) > 120 for c in element):
            continue
        element.clear()
        meta = meta_line(text) or Meta()
        # A byline with buttons or counters beside it: take the fields one by one.
        for match in _BYLINE.finditer(text):
            key, value = match.groups()
            if key == "作者":
                meta.author = _author(text[match.start(2):]) or meta.author or value
            elif has_han(value):
                meta.source = meta.source or value
        meta.date = meta.date or parse_date(text)
        return meta
    return Meta()


def _author(text: str) -> str | None:
    """The reporters' names at the start of ``text`` (what follows "作者："): "记者 郝婷　通讯员
    其其格　评论(12)" → "郝婷、其其格", as the text import takes the byline (it was "记者", the
    value stopping at the first space, P11 D3). Words of Han characters only are tried, the
    longest run first."""
    words = []
    for word in re.split(r"[ \t\u3000\u00a0]+", text.strip()):
        if (not word or not re.fullmatch(f"[{IDEOGRAPHS}·、，：:]+", word) or is_furniture(word)
                or word.startswith(("评论", "跟帖"))):  # "评论(12)" beside the byline: no name
            break
        words.append(word)
    return next((found for end in range(len(words), 0, -1) if (found := byline_author(" ".join(words[:end])))), None)


def _image(src: str, page: Path | None, collector: Collector):
    if (match := _DATA_URL.match(src)):
        kind = {"jpeg": ".jpg", "svg+xml": ".svg"}.get(match.group(1).lower(), "." + match.group(1).lower())
        try:
            data = base64.b64decode(match.group(3)) if match.group(2) else unquote(match.group(3)).encode()
        except ValueError:
            collector.note("有一张内嵌图片无法解码，已略去")
            return None
        return kind, data
    parts = urlsplit(src)
    if parts.scheme in ("http", "https") or src.startswith("//"):
        collector.note(f"网络图片未导入（导入时不联网）：{src}；请另存到本地后手工插入")
        return None
    if page is None or parts.scheme not in ("", "file"):
        collector.note(f"图片未导入：{src}")
        return None
    # "网页，全部" saves images beside the page, in "<page>_files/".
    file = (page.parent / unquote(parts.path)).resolve()
    suffix = _IMAGE_TYPES.get(file.suffix.lower())
    if not file.is_file() or suffix is None or not file.is_relative_to(page.parent.resolve()):
        collector.note(f"找不到网页保存的图片或格式不支持：{src}")
        return None
    return suffix, file.read_bytes()
