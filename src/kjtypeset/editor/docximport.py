"""Import, Word: a .docx file → one draft (mammoth's semantic HTML, then htmlblocks).

The title is the first heading or Title-styled paragraph (or, failing both, a short first
paragraph). Bold run-ins, lists, tables and footnotes carry over; embedded images are kept and
saved beside the article. mammoth's own warnings (unknown styles, unsupported content) are
passed on to the editor.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import mammoth
import tinyhtml5

from ..errors import KjError
from .cleanup import clean_title
from .draft import Collector, Draft, take_meta
from .htmlblocks import HEADINGS, BlockWriter, tag_of, text_of
from .textimport import looks_like_title

# Word's built-in names, and the Chinese names WPS and localised templates use.
STYLE_MAP = """
p[style-name='Title'] => h1.kj-title:fresh
p[style-name='标题'] => h1.kj-title:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='副标题'] => p:fresh
p[style-name='标题 1'] => h1:fresh
p[style-name='标题 2'] => h2:fresh
p[style-name='标题 3'] => h3:fresh
p[style-name='标题 4'] => h4:fresh
p[style-name='Caption'] => p.kj-caption:fresh
p[style-name='题注'] => p.kj-caption:fresh
p[style-name='List Paragraph'] => p:fresh
p[style-name='列出段落'] => p:fresh
"""
_IMAGE_SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
                 "image/svg+xml": ".svg"}


def import_docx(data: bytes, where: Path | str, title: str | None = None) -> Draft:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise KjError(where, None, "不是有效的 .docx 文件（应为 Word 2007 及以后的格式；"
                                   "旧版 .doc 请先“另存为” .docx）")
    images: list[tuple[str, bytes]] = []
    unsupported: list[str] = []

    def keep_image(image) -> dict:
        suffix = _IMAGE_SUFFIX.get(image.content_type)
        if suffix is None:
            unsupported.append(image.content_type or "未知格式")
            return {}
        with image.open() as stream:
            images.append((suffix, stream.read()))
        return {"src": f"kj-docx-image:{len(images)}"}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                         convert_image=mammoth.images.img_element(keep_image))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise KjError(where, None, f"无法读取这个 .docx 文件：{exc}") from exc
    except Exception as exc:  # mammoth on a damaged part (ExpatError in footnotes.xml, …)
        raise KjError(where, None, "无法读取这个 .docx 文件：文件内部的内容已损坏"
                                   f"（{type(exc).__name__}），请在 Word 中打开、另存为 .docx 后再导入") from exc

    root = tinyhtml5.parse(f"<body>{result.value}</body>", namespace_html_elements=False)
    body = root.find("body")
    collector = Collector()
    found_title = _take_title(body, collector)
    if title is None and found_title is None:
        raise KjError(where, None, "没有找到标题：应有一个“标题”样式或标题 1 样式的段落；"
                                   "也可以用 --title 指定标题")

    def load_image(src: str):
        if src.startswith("kj-docx-image:"):
            return images[int(src.split(":")[1]) - 1]
        return None

    BlockWriter(collector, load_image, soft_breaks=True).write(body)
    collector.attach_captions()
    meta = take_meta(collector)
    for kind in sorted(set(unsupported)):
        collector.note(f"图片格式 {kind} 无法在 PDF 中使用，已略去（请另存为 PNG 或 JPEG 后手工插入）")
    for note in mammoth_notes([message.message for message in result.messages]):
        collector.note(note)
    return Draft(title=title or found_title, blocks=tuple(collector.blocks),
                 paragraphs=collector.paragraphs, images=tuple(collector.images),
                 source=meta.source, author=meta.author, date=meta.date,
                 notes=tuple(collector.notes), repairs=tuple(collector.counts.items()))


def _take_title(body, collector: Collector) -> str | None:
    """Remove the title element (first heading, else a short first paragraph); its text."""
    for element in body.iter():
        if tag_of(element) in HEADINGS and text_of(element):
            _remove(body, element)
            return clean_title(text_of(element), collector.counts)
    first = next((e for e in body if tag_of(e) == "p" and text_of(e)), None)
    if first is not None and looks_like_title(text_of(first)):
        _remove(body, first)
        collector.note("没有标题样式的段落：已把第一段当作标题，请核对")
        return clean_title(text_of(first), collector.counts)
    return None


def _remove(root, target) -> None:
    for parent in root.iter():
        if target in list(parent):
            parent.remove(target)
            return


# mammoth's warnings, in English, summarised for the editor in Chinese (issue 14): what was
# left out and whether anything needs doing.
_MAMMOTH = (
    (re.compile(r"^Unrecognised (?:paragraph|run) style: (.*?) \(Style ID: (.*?)\)$"), "style"),
    (re.compile(r"^(?:Paragraph|Run|Table|Numbering) style with ID (.*) was referenced but not defined"), "style"),
    (re.compile(r"^A w:sym element with an unsupported character was ignored: char (\S+) in font (.+)$"), "symbol"),
    (re.compile(r"^Unsupported break type"), "break"),
    (re.compile(r"^(?:Could not find image file|A v:imagedata element without a relationship ID|"
                r"could not find|could not open)", re.I), "image"),
    (re.compile(r"^Image of type .* is unlikely to display"), None),  # noted with the image itself
    (re.compile(r"complex field"), "field"),
    (re.compile(r"cell merging may be incorrect"), "table"),
    (re.compile(r"^An unrecognised element was ignored"), "element"),
)


# The styles of Word's own footnotes: mammoth reads the notes themselves (Markdown footnotes),
# only their paragraph style is unknown to it; naming it made the editor look for lost text.
_NOTE_STYLES = {"footnotetext", "footnotereference", "endnotetext", "endnotereference"}


def mammoth_notes(messages: list[str]) -> list[str]:
    styles: list[str] = []
    counts: dict[str, int] = {}
    fonts: set[str] = set()
    for message in messages:
        kind, match = next(((kind, match) for pattern, kind in _MAMMOTH if (match := pattern.search(message))),
                           ("other", None))
        if kind is None:
            continue
        if kind == "style":
            name = match.group(1).strip()
            if name in ("", "None") and match.lastindex and match.lastindex > 1:
                name = match.group(2).strip()  # a style without a name: its ID
            if name and name not in styles and name.replace(" ", "").lower() not in _NOTE_STYLES:
                styles.append(name)
        if kind == "symbol":
            fonts.add(match.group(2).strip())
        counts[kind] = counts.get(kind, 0) + 1
    notes = []
    if styles:
        shown = "、".join(f"“{s}”" for s in styles[:6]) + ("等" if len(styles) > 6 else "")
        notes.append(f"Word 文件用了 {len(styles)} 种程序不认识的样式（{shown}），这些段落按正文导入，文字没有缺失")
    if counts.get("symbol"):
        notes.append(f"略去了 {counts['symbol']} 个符号字体（{'、'.join(sorted(fonts))}）中的特殊符号，"
                     "如勾、框、箭头：请对照原文补上")
    if counts.get("image"):
        notes.append(f"有 {counts['image']} 张图片在 Word 文件里找不到（可能是链接到别处的图片），已略去：请另行插入")
    if counts.get("break"):
        notes.append("略去了分栏符等 Word 专用的分隔，不影响文字")
    if counts.get("field"):
        notes.append("Word 的域（自动编号、目录、交叉引用等）不完整，按其中的文字导入：请核对编号")
    if counts.get("table"):
        notes.append("有表格的结构不规整，合并单元格可能不对：请核对表格")
    if counts.get("element"):
        notes.append(f"略去了 {counts['element']} 处 Word 中无法识别的内容（如文本框、公式对象）：请对照原文核对")
    if counts.get("other"):
        notes.append(f"Word 转换时有 {counts['other']} 处内容未能处理：请对照原文核对")
    return notes
