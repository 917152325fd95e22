"""The orchestrator: the only module that knows the order of the stages.

issue.yaml ─load─▶ Manifest ─read─▶ Articles ─layout─▶ HTML ─typeset─▶ Document
  ─write─▶ PDF ─finish─▶ labels, contents check ─▶ output/<issue>/<issue>.pdf (atomic)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import cjk
from .articles import read_articles
from .errors import KjError
from .finish import (ContentsEntry, add_page_labels, article_pages, check_contents, output_lock,
                     write_atomically)
from .fonts import Coverage, tofu_message
from .layout import load_layout, render_html
from .manifest import Manifest, load_manifest
from .typeset import typeset, write_pdf

OUTPUT = Path(__file__).resolve().parents[2] / "output"


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    contents: tuple[ContentsEntry, ...]
    seconds: float


Progress = Callable[[str], None]


def build_issue(manifest_path: Path, output_dir: Path | None = None,
                progress: Progress = lambda message: None) -> BuildResult:
    started = time.perf_counter()
    progress("读取期刊清单、版式和文章……")
    manifest = load_manifest(manifest_path)
    folder = output_dir or OUTPUT / manifest.issue_id
    with output_lock(folder, manifest.issue_id, on_wait=progress):
        return _build(manifest, folder, progress, started)


def _build(manifest: Manifest, folder: Path, progress: Progress, started: float) -> BuildResult:
    layout = load_layout(manifest)
    check_glyphs(manifest, Coverage(layout.fonts))
    articles = tuple(dataclasses.replace(a, body_html=cjk.prepare(a.body_html, layout.cjk))
                     for a in read_articles(manifest))
    html = render_html(manifest, articles, layout)

    progress(f"{manifest.bulletin} {manifest.issue_label}：{len(articles)} 篇文章，排版中……")
    document = typeset(html, layout, manifest.folder, manifest.path)
    contents = article_pages(document, articles)
    progress(f"排版完成：{len(document.pages)} 页；写出 PDF，核对目录页码……")
    pdf = write_pdf(document, manifest.path)
    pdf = add_page_labels(pdf)
    check_contents(pdf, contents, manifest.path)

    target = folder / f"{manifest.issue_id}.pdf"
    write_atomically(target, pdf)
    return BuildResult(target, len(document.pages), contents, time.perf_counter() - started)


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
