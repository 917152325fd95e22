"""The orchestrator: the only module that knows the order of the stages.

issue.yaml ─load─▶ Manifest ─read─▶ Articles ─layout─▶ HTML ─typeset─▶ Document
  ─write (per edition)─▶ PDF ─finish─▶ labels, contents check, preflight
  ─▶ output/<issue>/<issue>.pdf, <issue>-print.pdf, <issue>-archive.pdf (atomic, all or none)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import __version__, project
from .engine.fontload import SubsetReuse
from .engine.fonts import Coverage
from .engine.layout import Layout, load_layout, prints_contents, render_html
from .engine.readback import warn_layout_slips
from .engine.typeset import typeset
from .errors import KjError, KjWarning, collecting_warnings, warn
from .files import output_lock, write_all_atomically
from .inputs.articles import Article, read_article, read_articles
from .inputs.manifest import Manifest, load_manifest
from .pdf.editions import (
    ARCHIVE,
    EDITIONS,
    PRINT,
    Edition,
    PrintOptions,
    check_print_images,
    proof_pages,
    write_editions,
)
from .pdf.finish import ContentsEntry, article_pages, check_contents
from .pdf.preflight import preflight
from .pdf.prepress import blank_pages_needed
from .pdf.sources import issue_sources
from .pdf.xmp import BulletinFields
from .typography import cjk
from .typography.textlayer import twins_kept

ALL_EDITIONS = tuple(EDITIONS)


@dataclass(frozen=True)
class Output:
    edition: str  # proof | print | archive | booklet
    path: Path
    pages: int
    size: int  # bytes


@dataclass(frozen=True)
class BuildResult:
    pdf: Path  # the first output: the proof when all editions are built
    pages: int
    contents: tuple[ContentsEntry, ...]
    seconds: float
    outputs: tuple[Output, ...] = ()
    warnings: tuple[KjWarning, ...] = ()  # each printed as one line 警告：path:line: …


Progress = Callable[[str], None]
LONG_ISSUE_PAGES = 40  # a full collection costs ~0.05 s on the 12-page sample; worth it only when long

_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextlib.contextmanager
def collector_paused(collect: bool = True):
    """Python's cyclic garbage collector off while a build runs (issue 15).

    A build allocates millions of long-lived objects (boxes, styles, Pango wrappers); every
    automatic full collection walks all of them again, which cost 18 % of a 200-page build
    (2.3 of 12.8 s) and 10 % of the sample's. The cycles a build leaves are few except after
    pagination, which a long issue collects once, explicitly, before painting (see _build).
    Thread-safe and nestable: the preview's builder thread and a caller may overlap. A caller
    that disabled the collector itself (the CLI, which exits after one build) keeps it off;
    otherwise the outermost pause ends with one full collection (``collect``), since the
    cycles a build leaves hold native memory (26 MB a sample build) that the few allocations
    between builds would not get collected; a caller that wants it later passes False.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
                if collect:
                    gc.collect()


def build_issue(manifest_path: Path, output_dir: Path | None = None,
                progress: Progress = lambda message: None,
                editions: tuple[str, ...] = ALL_EDITIONS,
                options: PrintOptions = PrintOptions(), strict: bool = False) -> BuildResult:
    """Build the editions of one issue into ``output_dir`` (default: the project's
    output/<issue>/). ``strict``: a warning fails the build (``--strict``)."""
    started = time.perf_counter()
    progress("读取期刊清单、版式和文章……")
    with collecting_warnings(strict) as warnings, collector_paused():
        manifest = load_manifest(manifest_path)
        folder = output_dir or project.require(manifest.path).output / manifest.issue_id
        with output_lock(folder, manifest.issue_id, on_wait=progress):
            result = _build(manifest, folder, progress, started, editions, options)
    return dataclasses.replace(result, warnings=tuple(warnings))


def _build(manifest: Manifest, folder: Path, progress: Progress, started: float,
           editions: tuple[str, ...], options: PrintOptions) -> BuildResult:
    chosen = [EDITIONS[name] for name in editions]
    layout, articles, document, contents = _lay_out(manifest, progress, for_print=PRINT in chosen)
    fields = bulletin_fields(manifest, articles, layout, contents)
    sources = issue_sources(manifest, articles) if ARCHIVE in chosen else ()

    # One layout serves every edition; saddle-stitch padding alone needs a second one.
    groups = [(document, chosen)]
    if PRINT in chosen and options.pads:
        padded = _padded(document, manifest, articles, layout, progress)
        if padded is not document:
            groups = [(document, [e for e in chosen if e is not PRINT]), (padded, [PRINT])]
    written: list[tuple[str, Path, bytes, int]] = []
    for doc, group in groups:
        if not group:
            continue
        progress("写出" + "、".join(e.label for e in group) + "……")
        # Each cut is preflighted as it is made (in parallel with the others when possible).
        pdfs = write_editions(doc, group, fields, sources, options, manifest.path,
                              check=functools.partial(_strict_preflight, origin=manifest.path))
        # Editions cut from one master share its pages: one check serves them all (an issue
        # of one article prints no contents to check).
        if prints_contents(articles, layout):
            check_contents(doc, contents, manifest.path)
        for edition, pdf in pdfs:
            name = "booklet" if pdf.suffix.endswith("booklet") else edition.name
            written.append((name, folder / f"{manifest.issue_id}{pdf.suffix}.pdf", pdf.data, pdf.pages))

    # Every edition is checked before any is written: a failed build leaves the old files.
    write_all_atomically([(target, data) for _name, target, data, _pages in written])
    outputs = tuple(Output(name, target, pages, len(data)) for name, target, data, pages in written)
    return BuildResult(outputs[0].path, len(document.pages), contents,
                       time.perf_counter() - started, outputs)


ArticleCache = dict  # (path, index, section) → (file state, Article ready for layout); the fonts' Coverage


def _lay_out(manifest: Manifest, progress: Progress, for_print: bool = False,
             cache: ArticleCache | None = None):
    """Stages 2–5: layout folder, articles, HTML, the laid-out document and its contents."""
    layout = load_layout(manifest, progress)
    if cache is None:
        coverage = Coverage(layout.fonts)
    else:  # the fonts' code points, decoded once while the preview runs
        coverage = cache.get(("coverage", layout.fonts))
        if coverage is None or coverage[0] != [_file_state(face.path) for face in layout.fonts]:
            coverage = cache[("coverage", layout.fonts)] = (
                [_file_state(face.path) for face in layout.fonts], Coverage(layout.fonts))
        coverage = coverage[1]
    # With a cache, each article's file is checked as it is read (only when it changed).
    check_glyphs(manifest, coverage, files=cache is None)
    articles = _read_articles(manifest, layout, coverage, cache)
    if for_print:
        check_print_images(articles)
    html = render_html(manifest, articles, layout)

    progress(f"{manifest.bulletin} {manifest.issue_label}：{len(articles)} 篇文章，排版中……")
    document = typeset(html, layout, manifest.folder, manifest.path)
    warn_layout_slips(document, articles)  # low-ppi images, sub-heads longer than a line
    contents = article_pages(document, articles)
    if len(document.pages) > LONG_ISSUE_PAGES and cache is None:
        # Pagination leaves discarded box trees in reference cycles; a long issue frees them
        # before painting, which is where memory peaks (198 pages: 401 → 373 MB). The preview
        # (with a cache) paints a few pages and collects once they are shown.
        gc.collect()
    return layout, articles, document, contents


def _read_articles(manifest: Manifest, layout: Layout, coverage: Coverage,
                   cache: ArticleCache | None) -> tuple[Article, ...]:
    """Every article, read, rendered and marked up for Chinese typography; with a ``cache``
    (the preview's), a file whose size and modification time are unchanged is not read again."""
    if cache is None:
        return tuple(dataclasses.replace(a, body_html=cjk.prepare(a.body_html, layout.cjk))
                     for a in read_articles(manifest))
    out = []
    for index, ref in enumerate(manifest.articles, start=1):
        key = (ref.path, index, ref.section)
        state = (_file_state(ref.path), manifest.folder, manifest.raw_html, layout.cjk)
        known = cache.get(key)
        if known is None or known[0] != state:
            coverage.check_file(ref.path)
            article = read_article(ref, index, manifest.folder, manifest.raw_html)
            known = cache[key] = state, dataclasses.replace(
                article, body_html=cjk.prepare(article.body_html, layout.cjk))
        out.append(known[1])
    return tuple(out)


def _file_state(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


@dataclass(frozen=True)
class LaidOut:
    """An issue laid out, before any PDF is written: what the preview shows."""

    manifest: Manifest
    document: object  # weasyprint.Document
    contents: tuple[ContentsEntry, ...]
    warnings: tuple[KjWarning, ...]
    fields: BulletinFields


def lay_out_issue(manifest_path: Path, cache: ArticleCache | None = None) -> LaidOut:
    """The issue laid out as `build` lays it out, its contents page checked (the preview).

    ``cache``: kept by the caller between calls; articles whose files did not change are
    taken from it instead of being read, rendered and checked for missing glyphs again.
    """
    with collecting_warnings() as warnings, collector_paused():
        manifest = load_manifest(manifest_path)
        layout, articles, document, contents = _lay_out(manifest, lambda message: None, cache=cache)
        if prints_contents(articles, layout):
            check_contents(document, contents, manifest.path)
        fields = bulletin_fields(manifest, articles, layout, contents)
    return LaidOut(manifest, document, contents, tuple(warnings), fields)


def laid_out_pages_pdf(laid: LaidOut, indices: list[int], fonts: SubsetReuse | None = None) -> bytes:
    """Only these pages (0-based) of a laid-out issue, painted as the proof paints them: for
    page images. ``fonts``: the preview's font subsets, reused between calls."""
    with (collector_paused(), fonts.reusing() if fonts else contextlib.nullcontext(),
          twins_kept(fonts.twins) if fonts else contextlib.nullcontext()):
        return proof_pages(laid.document, indices, laid.manifest.path)


def laid_out_proof(laid: LaidOut) -> bytes:
    """The proof edition of a laid-out issue, exactly as `build --edition proof` writes it."""
    with collector_paused():
        ((_edition, pdf),) = write_editions(laid.document, [EDITIONS["proof"]], laid.fields, (),
                                            PrintOptions(), laid.manifest.path)
    return pdf.data


def _padded(document, manifest: Manifest, articles: tuple[Article, ...], layout: Layout,
            progress: Progress):
    """The print layout padded for saddle stitching (a second layout only when needed)."""
    blanks = blank_pages_needed(document)
    if blanks is None:
        return document
    filler = f"在报尾前补 {blanks} 个空白页，" if blanks else ""
    progress(f"骑马订：{filler}报尾单独成页，使总页数为 4 的倍数，重新排版……")
    padded = typeset(render_html(manifest, articles, layout, blank_pages=blanks),
                     layout, manifest.folder, manifest.path)
    if len(padded.pages) % 4:
        raise KjError(layout.folder / layout.template, None,
                      f"骑马订补白后应为 4 的倍数页，实际为 {len(padded.pages)} 页："
                      '版式模板应在报尾前输出 blank_pages 个 class="blank-page" 的空白页')
    if article_pages(padded, articles) != article_pages(document, articles):
        raise KjError(layout.folder / layout.template, None, "骑马订补白改变了文章所在页（版式有误，请报告）")
    return padded


def _strict_preflight(pdf: bytes, edition: Edition, origin: Path) -> None:
    """What `kjtypeset check` would fail, the build fails: nothing unfit leaves the program."""
    # The proof promises PDF/UA-1: its tags are checked (issue 16), the rest is the screen's.
    report = preflight(pdf, name=edition.label, text=False, kind=edition.name,
                       tags_only=edition is EDITIONS["proof"])
    if report.failures:
        first = report.failures[0]
        raise KjError(origin, None, f"{edition.label}未通过印前检查：{first.section}：{first.message}"
                                    + (f"（另有 {len(report.failures) - 1} 项）" if len(report.failures) > 1 else ""))


def bulletin_fields(manifest: Manifest, articles: tuple[Article, ...], layout: Layout,
                    contents: tuple[ContentsEntry, ...]) -> BulletinFields:
    return BulletinFields(
        issue_id=manifest.issue_id, bulletin=manifest.bulletin, year=manifest.year,
        number=manifest.number, total=manifest.total, supplement=manifest.supplement,
        issue_date=manifest.date.isoformat(), publisher=manifest.publisher, editor=manifest.editor,
        reviewer=manifest.reviewer, articles=tuple(a.title for a in articles),
        article_pages=tuple(entry.page for entry in contents), edition="",
        layout=manifest.layout, generator=f"kjtypeset {__version__}")


def check_glyphs(manifest: Manifest, coverage: Coverage, files: bool = True) -> None:
    """Every character the issue will print must be in a configured font (no tofu)."""
    values = {
        "bulletin": manifest.bulletin, "publisher": manifest.publisher, "editor": manifest.editor,
        "reviewer": manifest.reviewer, "phone": manifest.phone,
        "classification": manifest.classification,
        "distribution": "".join(label + "".join(names) for label, names in manifest.distribution),
    }
    for key, value in values.items():
        role = "masthead" if key == "bulletin" else "body"  # the font role that sets it
        if value and (missing := coverage.missing(value, role)):
            raise KjError(manifest.path, manifest.line_of(key), coverage.message(missing, role))
        if value and (fallen := coverage.fallbacks(value, role)):
            warn(manifest.path, manifest.line_of(key), coverage.fallback_message(fallen, role))
    for ref in manifest.articles:
        if ref.section and (missing := coverage.missing(ref.section, "heading-1")):
            raise KjError(manifest.path, ref.line, coverage.message(missing, "heading-1"))
        if files:
            coverage.check_file(ref.path)
