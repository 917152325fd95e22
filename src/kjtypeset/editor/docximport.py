"""Import, Word: a .docx file → one draft (mammoth's semantic HTML, then htmlblocks).

The title is the first heading or Title-styled paragraph (or, failing both, a short first
paragraph). Bold run-ins, lists, tables and footnotes carry over; embedded images are kept and
saved beside the article. mammoth's own warnings (unknown styles, unsupported content) are
passed on to the editor.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import mammoth
import tinyhtml5

from .cleanup import clean_title
from .draft import Collector, Draft
from ..errors import KjError
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

    BlockWriter(collector, load_image).write(body)
    for kind in sorted(set(unsupported)):
        collector.note(f"图片格式 {kind} 无法在 PDF 中使用，已略去（请另存为 PNG 或 JPEG 后手工插入）")
    for message in result.messages:
        collector.note(_mammoth_note(message.message))
    return Draft(title=title or found_title, blocks=tuple(collector.blocks),
                 paragraphs=collector.paragraphs, images=tuple(collector.images),
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


def _mammoth_note(message: str) -> str:
    if message.startswith("Unrecognised paragraph style"):
        return f"未识别的段落样式，按正文处理：{message.split(':', 1)[-1].strip()}"
    if message.startswith("Unrecognised run style"):
        return f"未识别的文字样式，按正文处理：{message.split(':', 1)[-1].strip()}"
    return f"Word 转换提示：{message}"

