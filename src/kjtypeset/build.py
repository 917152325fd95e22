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

from . import __version__
from .typography import cjk
from .inputs.articles import Article, read_articles
from .pdf.editions import (
    ARCHIVE, EDITIONS, PRINT, Edition, PrintOptions, check_print_images, write_editions,
)
from .errors import KjError, KjWarning, collecting_warnings
from .pdf.finish import ContentsEntry, article_pages, check_contents, output_lock, write_atomically
from .engine.fonts import Coverage, tofu_message
from .engine.layout import Layout, load_layout, render_html
from .inputs.manifest import Manifest, load_manifest
from .pdf.preflight import preflight
from .pdf.prepress import blank_pages_needed
from .pdf.sources import issue_sources
from .engine.typeset import typeset
from .pdf.xmp import BulletinFields

OUTPUT = Path(__file__).resolve().parents[2] / "output"
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
def collector_paused():
    """Python's cyclic garbage collector off while a build runs (issue 15).

    A build allocates millions of long-lived objects (boxes, styles, Pango wrappers); every
    automatic full collection walks all of them again, which cost 18 % of a 200-page build
    (2.3 of 12.8 s) and 10 % of the sample's. The cycles a build leaves are few except after
    pagination, which a long issue collects once, explicitly, before painting (see _build).
    Thread-safe and nestable: the preview's builder thread and a caller may overlap. A caller
    that disabled the collector itself (the CLI, which exits after one build) keeps it off.
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


def build_issue(manifest_path: Path, output_dir: Path | None = None,
                progress: Progress = lambda message: None,
                editions: tuple[str, ...] = ALL_EDITIONS,
                options: PrintOptions = PrintOptions(), strict: bool = False) -> BuildResult:
    """Build the editions of one issue. ``strict``: a warning fails the build (``--strict``)."""
    started = time.perf_counter()
    progress("读取期刊清单、版式和文章……")
    with collecting_warnings(strict) as warnings, collector_paused():
        manifest = load_manifest(manifest_path)
        folder = output_dir or OUTPUT / manifest.issue_id
        with output_lock(folder, manifest.issue_id, on_wait=progress):
            result = _build(manifest, folder, progress, started, editions, options)
    return dataclasses.replace(result, warnings=tuple(warnings))


def _build(manifest: Manifest, folder: Path, progress: Progress, started: float,
           editions: tuple[str, ...], options: PrintOptions) -> BuildResult:
    layout = load_layout(manifest)
    check_glyphs(manifest, Coverage(layout.fonts))
    articles = tuple(dataclasses.replace(a, body_html=cjk.prepare(a.body_html, layout.cjk))
                     for a in read_articles(manifest))
    chosen = [EDITIONS[name] for name in editions]
    if PRINT in chosen:
        check_print_images(articles)
    html = render_html(manifest, articles, layout)

    progress(f"{manifest.bulletin} {manifest.issue_label}：{len(articles)} 篇文章，排版中……")
    document = typeset(html, layout, manifest.folder, manifest.path)
    contents = article_pages(document, articles)
    if len(document.pages) > LONG_ISSUE_PAGES:
        # Pagination leaves discarded box trees in reference cycles; a long issue frees them
        # before painting, which is where memory peaks (198 pages: 401 → 373 MB).
        gc.collect()
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
        # Editions cut from one master share its pages: one check serves them all.
        check_contents(doc, contents, manifest.path)
        for edition, pdf in pdfs:
            name = "booklet" if pdf.suffix.endswith("booklet") else edition.name
            written.append((name, folder / f"{manifest.issue_id}{pdf.suffix}.pdf", pdf.data, pdf.pages))

    # Every edition is checked before any is written: a failed build leaves the old files.
    for _name, target, data, _pages in written:
        write_atomically(target, data)
    outputs = tuple(Output(name, target, pages, len(data)) for name, target, data, pages in written)
    return BuildResult(outputs[0].path, len(document.pages), contents,
                       time.perf_counter() - started, outputs)


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
                      "版式模板应在报尾前输出 blank_pages 个 class=\"blank-page\" 的空白页")
    if article_pages(padded, articles) != article_pages(document, articles):
        raise KjError(layout.folder / layout.template, None, "骑马订补白改变了文章所在页（版式有误，请报告）")
    return padded


def _strict_preflight(pdf: bytes, edition: Edition, origin: Path) -> None:
    """What `kjtypeset check` would fail, the build fails: nothing unfit leaves the program."""
    if edition is EDITIONS["proof"]:  # the proof promises no standard to check
        return
    report = preflight(pdf, name=edition.label, text=False, kind=edition.name)
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


def check_glyphs(manifest: Manifest, coverage: Coverage) -> None:
    """Every character the issue will print must be in a configured font (no tofu)."""
    values = {
        "bulletin": manifest.bulletin, "publisher": manifest.publisher, "editor": manifest.editor,
        "reviewer": manifest.reviewer, "phone": manifest.phone,
        "classification": manifest.classification,
        "distribution": "".join(label + "".join(names) for label, names in manifest.distribution),
    }
    for key, value in values.items():
        if value and (missing := coverage.missing(value)):
            raise KjError(manifest.path, manifest.line_of(key), tofu_message(missing[0]))
    for ref in manifest.articles:
        if ref.section and (missing := coverage.missing(ref.section)):
            raise KjError(manifest.path, ref.line, tofu_message(missing[0]))
        coverage.check_file(ref.path)
