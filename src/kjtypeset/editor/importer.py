"""The import command: Word files, saved web pages and text → article files of an issue.

Each source is read into drafts (docximport, htmlimport, textimport), every draft becomes
``articles/NN-标题.md`` (with its images beside it) and is appended to the manifest's article
list. All sources are read before anything is written, so a source that cannot be read
leaves the issue as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .draft import Draft
from ..errors import KjError
from ..files import write_atomically
from .manifestedit import append_articles

KINDS = {".docx": "docx", ".txt": "text", ".text": "text", ".html": "html", ".htm": "html"}
_UNSUPPORTED = {
    ".doc": "旧版 Word 文件（.doc）请先在 Word 或 WPS 中“另存为” .docx",
    ".wps": "WPS 文件请先“另存为” .docx",
    ".pdf": "PDF 请先复制其中的文字，存为 .txt 或用 - 从标准输入粘贴",
    ".mhtml": "请把网页“另存为”网页（.html）",
    ".mht": "请把网页“另存为”网页（.html）",
}
MAX_SOURCE_BYTES = 50_000_000


@dataclass(frozen=True)
class Source:
    name: str  # as the user gave it; "-" for standard input
    data: bytes
    path: Path | None = None  # None for standard input


@dataclass(frozen=True)
class Written:
    article: Path
    draft: Draft
    images: tuple[Path, ...]


@dataclass(frozen=True)
class SourceReport:
    source: str
    kind: str
    written: tuple[Written, ...]
    notes: tuple[str, ...]  # about the source as a whole
    repairs: tuple[tuple[str, int], ...]


def read_source(name: str, stdin: bytes | None = None) -> Source:
    if name == "-":
        return Source("-", stdin or b"")
    path = Path(name)
    if not path.is_file():
        raise KjError(path, None, "找不到要导入的文件")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise KjError(path, None, f"文件过大：应不超过 {MAX_SOURCE_BYTES // 1_000_000} MB")
    return Source(name, path.read_bytes(), path)


def kind_of(source: Source) -> str:
    if source.path is None:
        return "text"
    suffix = source.path.suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    hint = _UNSUPPORTED.get(suffix, "应为 .docx（Word）、.txt（文字）或 .html（网页）")
    raise KjError(source.path, None, f"不支持的文件类型 '{suffix or '无扩展名'}'：{hint}")


def decode_text(source: Source) -> tuple[str, str | None]:
    """Text in UTF-8, or in GB18030 (GBK) as Chinese Windows saves it; a note for the latter."""
    try:
        return source.data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return source.data.decode("gb18030"), "文件不是 UTF-8 编码，已按 GB18030（GBK）读取"
    except UnicodeDecodeError as exc:
        raise KjError(source.path or "-", None, "文字应为 UTF-8 或 GBK 编码，实际两者都无法读取") from exc


def read_drafts(source: Source, title: str | None = None,
                ) -> tuple[str, tuple[Draft, ...], tuple[str, ...], tuple[tuple[str, int], ...]]:
    """(kind, drafts, notes about the source, repairs) for one source."""
    kind = kind_of(source)
    where = source.path or "-"
    if kind == "docx":
        from .docximport import import_docx
        drafts = (import_docx(source.data, where, title),)
        notes, repairs = (), ()
    elif kind == "html":
        from .htmlimport import import_html
        drafts = (import_html(source.data, source.path, title),)
        notes, repairs = (), ()
    else:
        from .textimport import import_text
        text, encoding_note = decode_text(source)
        result = import_text(text, title)
        if not result.drafts:
            raise KjError(where, None, result.notes[0] if result.notes else "没有找到文章")
        drafts, notes, repairs = result.drafts, result.notes, result.repairs
        if encoding_note:
            notes = (encoding_note,) + notes
    return kind, drafts, notes, repairs


def import_files(sources: list[Source], manifest: Path, title: str | None = None,
                 ) -> tuple[SourceReport, ...]:
    """Read every source, then write the articles and append them to ``manifest``.

    Nothing is ever overwritten: articles and their images get numbers no file has yet.
    """
    read = [(source, *read_drafts(source, title)) for source in sources]
    folder = manifest.parent
    articles = folder / "articles"
    articles.mkdir(exist_ok=True)
    reports = []
    entries = []
    for source, kind, drafts, notes, repairs in read:
        written = []
        for draft in drafts:
            path = _article_path(articles, draft.title)
            # ASCII image names: Markdown percent-encodes other characters in image links.
            images = [path.with_name(f"{path.stem.split('-')[0]}-image{n}{suffix}")
                      for n, (suffix, _data) in enumerate(draft.images, start=1)]
            for image in images:
                if image.exists():  # cannot happen with fresh numbers; never risk it
                    raise KjError(image, None, "图片文件已经存在，不会覆盖：应先移走它")
            for image, (_suffix, data) in zip(images, draft.images):
                write_atomically(image, data)
            write_atomically(path, draft.markdown([p.name for p in images]))
            entries.append(path.relative_to(folder).as_posix())
            written.append(Written(path, draft, tuple(images)))
        reports.append(SourceReport(source.name, kind, tuple(written), notes, repairs))
    append_articles(manifest, entries)
    return tuple(reports)


_NOT_IN_NAME = re.compile(r"[^\w\u3400-\u9fff]+")


def _article_path(folder: Path, title: str) -> Path:
    """articles/NN-标题.md: numbered after the highest number there, never an existing file."""
    numbers = [int(m.group()) for p in folder.iterdir() if (m := re.match(r"\d+", p.name))]
    number = max(numbers, default=0) + 1
    stem = _NOT_IN_NAME.sub("", title)[:12] or "文章"
    path = folder / f"{number:02d}-{stem}.md"
    while path.exists():
        number += 1
        path = folder / f"{number:02d}-{stem}.md"
    return path
