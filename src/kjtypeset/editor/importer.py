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

from ..errors import KjError, display_path
from ..files import write_atomically
from ..inputs.encoding import decode
from .draft import Draft, with_subtitle
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
    """Text in UTF-8, GBK (GB18030) as Chinese Windows saves it, or UTF-16 as Word's "Unicode
    text" does; a note when it was not UTF-8 (the article is written in UTF-8 all the same)."""
    decoded = decode(source.data, source.path or "-")
    note = None if decoded.is_utf8 else f"文件不是 UTF-8 编码，已按 {decoded.label} 读取"
    return decoded.text, note


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
    return kind, tuple(with_subtitle(draft) for draft in drafts), notes, repairs


def import_files(sources: list[Source], manifest: Path, title: str | None = None,
                 again: bool = False) -> tuple[SourceReport, ...]:
    """Read every source, then write the articles and append them to ``manifest``.

    Nothing is ever overwritten: articles and their images get numbers no file has yet. An
    article the issue already has (same title, or same opening text) is refused unless
    ``again``: importing the same page twice is a slip (issue 14).
    """
    read = [(source, *read_drafts(source, title)) for source in sources]
    folder = manifest.parent
    if not again:
        _refuse_duplicates(read, folder)
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


_REPAIRS = {"rejoined": "接合被分页截断的段落", "spaces": "删去汉字与数字、字母之间的空格",
            "punctuation": "中文中的半角标点改为全角", "narrow": "全角数字、字母改为半角", "minus": "数字前当负号用的连字符改为负号“−”",
            "furniture": "删去页眉、页脚、页码",
            "contents": "删去原文目录行"}


def describe_import(reports: tuple[SourceReport, ...]) -> list[tuple[bool, str]]:
    """The import report as lines, each (detail, text): what `kjtypeset import` prints (the
    details only with -v) and the desk shows."""
    lines: list[tuple[bool, str]] = []

    def repairs(done, indent: str) -> None:
        done = [f"{_REPAIRS.get(kind, kind)} {count} 处" for kind, count in done if count]
        if done:
            lines.append((True, f"{indent}修复：" + "；".join(done)))

    for report in reports:
        name = "标准输入" if report.source == "-" else report.source
        lines.append((False, f"{name}：找到 {len(report.written)} 篇文章"))
        for written in report.written:
            draft = written.draft
            parts = [f"{draft.paragraphs} 段"]
            if written.images:
                parts.append(f"{len(written.images)} 张图片")
            if draft.bold_heads:
                parts.append(f"加粗段首语 {draft.bold_heads} 处")
            if draft.source:
                parts.append(f"来源：{draft.source}")
            if draft.author:  # a byline under a PDF copy's title went unmentioned (P10 D13)
                parts.append(f"作者：{draft.author}")
            lines.append((False, f"  《{draft.title}》{'，'.join(parts)} → {display_path(written.article)}"))
            for image in written.images:
                lines.append((True, f"      图片 {display_path(image)}"))
            for note in draft.notes:
                lines.append((False, f"    注意：{note}"))
            repairs(draft.repairs, "      ")
        for note in report.notes:
            lines.append((False, f"  注意：{note}"))
        repairs(report.repairs, "  ")
    return lines


def _key(text: str) -> str:
    """Text compared for sameness: letters, digits and Han only."""
    return re.sub(r"[^\w]|_", "", text)


def _refuse_duplicates(read, folder: Path) -> None:
    known: dict[str, Path | str] = {}  # title key or opening-text key → where it is
    for path in sorted((folder / "articles").glob("*.md")) if (folder / "articles").is_dir() else ():
        title, opening = _existing(path)
        for key in (title, opening):
            if key:
                known.setdefault(key, path)
    for source, _kind, drafts, _notes, _repairs in read:
        for draft in drafts:
            opening = _key("".join(b for b in draft.blocks if not b.startswith(("!", "|", "#"))))[:_OPENING]
            title = "t:" + _key(draft.title)
            where = known.get(title) or (known.get("o:" + opening) if len(opening) >= 20 else None)
            if where is not None:
                there = display_path(where) if isinstance(where, Path) else f"本次导入的 {where}"
                raise KjError(source.path or "-", None,
                              f"《{draft.title}》本期已经有了：{there}（同一稿件导入了两次？）："
                              "没有导入任何文件；确要再导入一份，加 --again")
            known[title] = source.name
            if len(opening) >= 20:
                known["o:" + opening] = source.name


_OPENING = 80  # characters of the body compared: the same text under another title


def _existing(path: Path) -> tuple[str | None, str | None]:
    """(title key, opening-text key) of an article file; Nones where it cannot be read."""
    import yaml

    from ..inputs.articles import split_front_matter
    from ..inputs.encoding import decode

    try:
        front, body, _line = split_front_matter(decode(path.read_bytes(), path).text, path)
        fields = yaml.safe_load(front) or {}
    except (KjError, yaml.YAMLError, OSError):
        return None, None
    title = fields.get("title") if isinstance(fields, dict) else None
    paragraphs = [b for b in body.split("\n\n") if b.strip() and not b.lstrip().startswith(("!", "|", "#"))]
    opening = _key("".join(paragraphs))[:_OPENING]
    return ("t:" + _key(str(title)) if title else None), ("o:" + opening if len(opening) >= 20 else None)


_NOT_IN_NAME = re.compile(r"[^\w\u3400-\u9fff]+")
NAME_CHARS = 20  # of the title in an article's file name


def name_stem(title: str, limit: int = NAME_CHARS) -> str:
    """The title shortened for a file name: at most ``limit`` characters, cut between words
    (issue 14: "02-呼和浩特市科技局召开20.md" was cut inside a year). Punctuation and spaces
    are left out; Han text is cut between words as jieba's dictionary segments it, never
    inside a number or a Latin word."""
    pieces = [p for p in _NOT_IN_NAME.split(title) if p]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces) or "文章"
    words: list[str] = []
    for piece in pieces:
        words += _words(piece)
    stem = ""
    for word in words:
        if len(stem) + len(word) > limit:
            break
        stem += word
    return stem or "".join(pieces)[:limit]


def _words(text: str) -> list[str]:
    """Han runs cut into words; digits and Latin letters kept whole (with a unit after digits)."""
    # The build's segmenter, with the bulletins' own words: bare jieba took "网漏" of
    # 供水管网漏损率 for a word, and a file name ended "…供水管网漏.md" (P10 D13).
    from ..typography.cjk import segment  # lazily: its dictionary loads only when a title is long

    words = []
    for run in re.findall(r"[0-9.]+[年月日%万亿元个家项次届期号]?|[A-Za-z][A-Za-z0-9]*|[^0-9A-Za-z]+", text):
        if re.match(r"[0-9A-Za-z]", run):
            words.append(run)
            continue
        words += segment(run)
    return words


def _article_path(folder: Path, title: str) -> Path:
    """articles/NN-标题.md: numbered after the highest number there, never an existing file."""
    numbers = [int(m.group()) for p in folder.iterdir() if (m := re.match(r"\d+", p.name))]
    number = max(numbers, default=0) + 1
    stem = name_stem(title)
    path = folder / f"{number:02d}-{stem}.md"
    while path.exists():
        number += 1
        path = folder / f"{number:02d}-{stem}.md"
    return path
