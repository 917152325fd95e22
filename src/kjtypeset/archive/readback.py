"""Reading an archive edition back: everything the catalogue keeps, from the PDF alone.

The issue's fields and each article's title and first printed page come from the XMP
bulletin schema; each article's source and section from the issue.yaml and article files
embedded in the PDF; the text of each page from the PDF's text layer. The two descriptions
(XMP and embedded sources) must agree, or the file is refused.

Which article is on which page: an article runs from its title on its first page (XMP) to
the next article's title, or on the last page to the end block (编印…, 报/送/发…). Articles may
share a page; each gets its own part of it. The contents page belongs to no article. A title
the text layer does not show where the XMP says is taken to start at the top of that page.
Page numbers are printed page numbers: in the archive edition every page is numbered and
page n is the n-th page of the file.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import KjError
from ..pdf.xmp import BulletinFields, read_fields
from .search import normalise

_FOLIO = re.compile(r"\s*—\s*\d+\s*—\s*$")  # "— 3 —" at the foot of the page
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_ISSUE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")


@dataclass(frozen=True)
class PageText:
    page: int  # printed page number
    text: str  # normalised (search.normalise)


@dataclass(frozen=True)
class ArticleRecord:
    title: str
    source: str | None
    section: str | None
    first_page: int
    last_page: int
    pages: tuple[PageText, ...]


@dataclass(frozen=True)
class IssueRecord:
    fields: BulletinFields
    pages: int
    articles: tuple[ArticleRecord, ...]


def read_archive_pdf(data: bytes, origin: Path) -> IssueRecord:
    """The catalogue's record of an archive edition; KjError if the file contradicts itself."""
    from pypdf import PdfReader  # WeasyPrint-free: search and listing never load this module

    from ..errors import captured_log
    from ..inputs.articles import read_articles
    from ..inputs.manifest import load_manifest
    from ..pdf.sources import extract_sources

    try:
        with captured_log("pypdf"):
            reader = PdfReader(io.BytesIO(data))
            catalog = reader.trailer["/Root"]
            xmp = catalog["/Metadata"].get_object().get_data() if "/Metadata" in catalog else b""
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise KjError(origin, None, f"无法读取 PDF：{exc}") from exc
    if updated_incrementally(data):
        # kjtypeset writes each file in one piece; an incremental update was added by someone else.
        raise KjError(origin, None, "文件在生成后被增量修改过（最后的交叉引用表有 /Prev）：不是 kjtypeset 写出的原样")
    try:
        fields = read_fields(xmp)
    except ValueError as exc:
        raise KjError(origin, None, f"不是 kjtypeset 的存档版：{exc}") from exc
    if fields.edition != "archive":
        raise KjError(origin, None, f"应为存档版（XMP kjb:edition 为 archive），实际为 '{fields.edition}'")
    if not _ISSUE_ID.fullmatch(fields.issue_id):
        raise KjError(origin, None, f"XMP 中的期号文件夹名 '{fields.issue_id}' 不是合法的文件夹名")

    with tempfile.TemporaryDirectory(prefix="kjtypeset-") as temp:
        folder = Path(temp) / fields.issue_id  # the manifest takes its issue id from its folder
        try:
            with captured_log("pypdf"):
                extract_sources(reader, origin, folder)
            manifest = load_manifest(folder / "issue.yaml")
            articles = read_articles(manifest)
        except KjError as exc:
            if exc.path == origin:
                raise
            raise KjError(origin, None, f"附带的源文件有误：{exc.message}") from exc
    _agree(fields, manifest, articles, origin)

    with captured_log("pypdf"):
        texts = [page.extract_text() or "" for page in reader.pages]
    end_markers = [f"编印：{manifest.publisher}"] + [f"{label}：{names[0]}"
                                                   for label, names in manifest.distribution if names]
    try:
        parts = split_articles(texts, fields.articles, fields.article_pages,
                               [a.section for a in articles], end_markers)
    except ValueError as exc:
        raise KjError(origin, None, str(exc)) from exc
    records = tuple(ArticleRecord(a.title, a.source, a.section, pages[0].page, pages[-1].page, pages)
                    for a, pages in zip(articles, parts))
    return IssueRecord(fields, len(texts), records)


def updated_incrementally(data: bytes) -> bool:
    """Whether the last cross-reference section points back to an earlier one (/Prev), as an
    editor's "save" appends. pypdf merges the trailers and drops /Prev, so look at the bytes."""
    tail = data[-1024:]
    found = _STARTXREF.search(tail)
    if found is None:
        return False  # not a file pypdf could read either: reported as unreadable
    section = data[int(found[1]):len(data) - len(tail) + found.start()]
    stream = section.find(b"stream")  # an xref stream: only its dictionary, not its data
    return re.search(rb"/Prev\s+\d+", section if stream < 0 else section[:stream]) is not None


def _agree(fields: BulletinFields, manifest, articles, origin: Path) -> None:
    """The XMP must say what the embedded manifest says: a mismatch means one was edited."""
    pairs = {
        "bulletin": (fields.bulletin, manifest.bulletin), "year": (fields.year, manifest.year),
        "number": (fields.number, manifest.number), "total": (fields.total, manifest.total),
        "supplement": (fields.supplement, manifest.supplement),
        "date": (fields.issue_date, manifest.date.isoformat()),
        "publisher": (fields.publisher, manifest.publisher), "editor": (fields.editor, manifest.editor),
        "articles": (list(fields.articles), [a.title for a in articles]),
    }
    for key, (in_xmp, in_manifest) in pairs.items():
        if in_xmp != in_manifest:
            raise KjError(origin, None, f"XMP 元数据与附带的清单不符：{key} 在 XMP 中为 {in_xmp!r}，"
                                        f"在清单中为 {in_manifest!r}")
    if len(fields.article_pages) != len(fields.articles):
        raise KjError(origin, None, f"XMP 中有 {len(fields.articles)} 篇文章标题，"
                                    f"却有 {len(fields.article_pages)} 个起始页")


def split_articles(page_texts: list[str], titles: tuple[str, ...], first_pages: tuple[int, ...],
                   sections: list[str | None], end_markers: list[str]) -> list[tuple[PageText, ...]]:
    """Each article's text, page by page (see the module docstring); ValueError if the
    first pages cannot be this file's."""
    texts = [normalise(_FOLIO.sub("", text)) for text in page_texts]
    # Where each article begins (page index, offset), and where the one before it ends there:
    # at its title, or above the section heading printed over it (which belongs to neither).
    starts: list[tuple[int, int, int]] = []
    for title, page, section in zip(titles, first_pages, sections):
        index = page - 1
        if not 0 <= index < len(texts):
            raise ValueError(f"《{title}》的起始页 {page} 不在本文件的 {len(texts)} 页之内")
        if starts and index < starts[-1][0]:
            raise ValueError(f"《{title}》的起始页 {page} 在前一篇文章的起始页之前")
        since = starts[-1][1] if starts and starts[-1][0] == index else 0
        found = texts[index].find(normalise(title), since)
        begin = since if found < 0 else found
        heading = normalise(f"【{section}】") if section else ""
        cut = begin - len(heading) if heading and texts[index].endswith(heading, since, begin) else begin
        starts.append((index, begin, cut))

    last = len(texts) - 1
    floor = starts[-1][1] if starts and starts[-1][0] == last else 0
    found_ends = [at for marker in end_markers if (at := texts[last].find(normalise(marker), floor)) >= 0]
    ends = [(index, cut) for index, _begin, cut in starts[1:]] + [(last, min(found_ends, default=len(texts[last])))]

    out = []
    for (first, begin, _cut), (stop_page, stop) in zip(starts, ends):
        pages = []
        for index in range(first, stop_page + 1):
            text = texts[index][begin if index == first else 0:stop if index == stop_page else None].strip()
            if text or index == first:
                pages.append(PageText(index + 1, text))
        out.append(tuple(pages))
    return out
