"""The preview command: a local web page showing the issue as it will print, kept up to date.

A watcher thread (watchfiles) sees every saved change to the issue folder and the layouts; a
builder thread lays the issue out again and repaints the pages that changed; the desk's
server (kjtypeset.desk, issue 18) pushes the new page images to the browser. A build that
fails keeps the last good rendering and shows the one-line error the CLI would print. The
server binds to 127.0.0.1 and serves nothing but this issue's rendering.

Warm rebuilds (issue 15): the process keeps WeasyPrint, the fonts' subsets, the articles it
has read and the measures of the justified paragraphs it has set (engine/justify.py
measures_kept); after an edit it reads only the files that changed, lays the issue out, compares
each page's fingerprint (kjtypeset.engine.pagediff) with the last layout's, paints only the
pages that differ into a small PDF and rasterises them (in worker processes when there are
many). The PDF of the whole proof is made when the browser asks for it.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from .. import project
from ..build import LaidOut, collector_paused, laid_out_pages_pdf, laid_out_proof, lay_out_issue
from ..engine.fontload import SubsetReuse
from ..engine.justify import measures_kept
from ..engine.pagediff import page_fingerprints
from ..errors import KjError
from ..files import write_atomically
from .pageimages import PageImage, Renderer

TEXT_SOURCES = (".md", ".yaml")  # a change to anything else repaints every page
SHOWN_WAIT = 0.5  # seconds a finished build waits for a browser to take it before collecting


@dataclass(frozen=True)
class Rendering:
    """One successful build, as served."""

    images: tuple[PageImage, ...]
    prints: tuple[bytes, ...]  # each page's fingerprint: which pages the next build repaints
    laid: LaidOut  # for the PDF, made when asked for
    seconds: float  # lay out, paint and rasterise
    repainted: int  # pages painted for this rendering

    @property
    def digests(self) -> tuple[str, ...]:
        return tuple(image.digest for image in self.images)


@dataclass
class State:
    generation: int = 0  # advances on every finished build, good or bad
    version: int = 0  # advances when a new rendering replaces the shown one
    rendering: Rendering | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()  # of the last build, each "警告：path:line: …" (issue 14)
    building: bool = True
    finished_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


# What the preview tells the CLI: ("built", message), ("error", message), ("debug", traceback).
Report = Callable[[str, str], None]


class Preview:
    def __init__(self, manifest: Path, output: Path | None = None, report: Report = lambda k, m: None):
        self.manifest = manifest.resolve()
        self.folder = self.manifest.parent
        self.output = (output or project.require(self.manifest).output / self.folder.name / "preview").resolve()
        self.report = report
        self.state = State()
        self.dirty = threading.Event()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.engine = threading.Lock()  # WeasyPrint serves one caller at a time
        self.articles: dict = {}  # articles read, by file state (build.lay_out_issue)
        self.fonts = SubsetReuse()
        self.measures: dict = {}  # justified paragraphs measured, by what they depend on
        self.renderer = Renderer()
        self.changes: set[Path] | None = None  # since the last build; None: start afresh
        self.changes_lock = threading.Lock()
        self.pdf: tuple[int, bytes] | None = None  # (version, proof) once asked for
        self.shown = threading.Event()  # a browser was sent the last finished build

    # -- building ---------------------------------------------------------------------------

    def start(self) -> None:
        self.dirty.set()  # the first build
        for target in (self._build_loop, self._watch_loop):
            thread = threading.Thread(target=target, daemon=True, name=target.__name__)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        self.dirty.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.renderer.close()

    def _watch_loop(self) -> None:
        paths = [self.folder, *(folder for folder in project.layout_folders(self.manifest) if folder.is_dir())]
        ignore = self.output

        def relevant(change: watchfiles.Change, path: str) -> bool:
            return (watchfiles.DefaultFilter()(change, path)
                    and not Path(path).resolve().is_relative_to(ignore))

        # step: how long the watcher waits for more changes of the same save before it reports.
        for changes in watchfiles.watch(*paths, watch_filter=relevant, stop_event=self.stop,
                                        debounce=400, step=20, rust_timeout=500,
                                        raise_interrupt=False):
            self.changed({Path(path) for _change, path in changes})

    def changed(self, paths: set[Path]) -> None:
        """Files saved since the last build (the watcher's report): rebuild."""
        with self.changes_lock:
            if self.changes is not None:
                self.changes |= paths
        self.dirty.set()

    def _build_loop(self) -> None:
        while not self.stop.is_set():
            self.dirty.wait()
            if self.stop.is_set():
                return
            self.dirty.clear()
            self.rebuild()

    def _text_only(self, changes: set[Path] | None) -> bool:
        """Whether only the manifest and articles changed: then the box tree shows every
        difference; an image, a font or the layout folder may change pixels it does not."""
        return changes is not None and all(
            path.suffix in TEXT_SOURCES and path.resolve().is_relative_to(self.folder) for path in changes)

    def rebuild(self) -> None:
        # The collector stays off until the new pages are on offer, then collects the last
        # layout's cycles while the editor looks (see build.collector_paused): once a browser
        # has been sent the new state (sent), since a collection holds the interpreter for
        # ~80 ms (the sample) and would hold up the event that shows the pages (issue 15).
        with collector_paused(collect=False):
            self._rebuild()
        self.shown.wait(SHOWN_WAIT)
        gc.collect()

    def _rebuild(self) -> None:
        with self.state.lock:
            self.state.building = True
        with self.changes_lock:
            changes, self.changes = self.changes, set()
        started = time.perf_counter()
        rendering = error = None
        previous = self.state.rendering
        warnings: tuple[str, ...] = ()
        try:
            if not self._text_only(changes):  # start afresh: re-read everything
                self.articles.clear()
                self.fonts = SubsetReuse()
                self.measures.clear()  # a font or the layout may have changed
                previous = None
            with self.engine, measures_kept(self.measures):
                laid = lay_out_issue(self.manifest, self.articles)
                prints = tuple(page_fingerprints(laid.document))
                todo = [i for i, fingerprint in enumerate(prints)
                        if previous is None or i >= len(previous.prints) or previous.prints[i] != fingerprint]
                pdf = laid_out_pages_pdf(laid, todo, self.fonts) if todo else b""
            painted = dict(zip(todo, self.renderer.render(pdf, list(range(len(todo)))))) if todo else {}
            images = tuple(painted[i] if i in painted else previous.images[i] for i in range(len(prints)))
            rendering = Rendering(images, prints, laid, time.perf_counter() - started, len(todo))
            warnings = tuple(f"警告：{warning}" for warning in laid.warnings)
        except KjError as exc:
            error = f"错误：{exc}"
        except Exception as exc:  # a bug must not stop the preview; the editor sees it
            import traceback
            error = f"内部错误：{type(exc).__name__}: {exc}"
            self.report("debug", traceback.format_exc())
            with self.changes_lock:
                self.changes = None  # whatever state the bug left, the next build starts afresh
        with self.state.lock:
            if rendering is not None:
                self.state.rendering = rendering
                self.state.version += 1
            self.state.error = error
            if error is None:
                self.state.warnings = warnings
            self.state.generation += 1
            self.state.building = False
            self.state.finished_at = time.time()
            self.shown.clear()
        if error:
            self.report("error", error)
        else:
            for warning in warnings:
                self.report("warning", warning)
            self.report("built", f"已更新：{len(rendering.images)} 页（重绘 {rendering.repainted} 页），"
                                 f"用时 {rendering.seconds:.1f} 秒")

    def proof_pdf(self) -> bytes | None:
        """The whole proof of the rendering shown, as `build --edition proof` writes it; made
        on first request and written to the preview's output folder."""
        with self.state.lock:
            version, rendering = self.state.version, self.state.rendering
        if rendering is None:
            return None
        with self.engine:
            if self.pdf is None or self.pdf[0] != version:
                data = laid_out_proof(rendering.laid)
                write_atomically(self.output / f"{rendering.laid.manifest.issue_id}.pdf", data)
                self.pdf = version, data
            return self.pdf[1]

    def changes_seen(self) -> tuple[int, bool, int]:
        """What changes when the snapshot does (besides its pages): cheap to look at often."""
        with self.state.lock:
            return self.state.generation, self.state.building, self.state.version

    def sent(self, generation: int) -> None:
        """A browser's event stream has sent it the state of this build."""
        with self.state.lock:
            if generation == self.state.generation:
                self.shown.set()

    def snapshot(self) -> dict:
        with self.state.lock:
            state, rendering = self.state, self.state.rendering
            return {
                "generation": state.generation,
                "version": state.version,
                "building": state.building,
                "error": state.error,
                "warnings": list(state.warnings),
                "seconds": round(rendering.seconds, 2) if rendering else None,
                "repainted": rendering.repainted if rendering else None,
                "finished": state.finished_at,
                "pages": [{"number": n, "width": image.size[0], "height": image.size[1], "text": image.text,
                           "image": f"/page/{image.digest}.png"}
                          for n, image in enumerate(rendering.images, 1)]
                if rendering else [],
            }


# -- serving: the desk's server (kjtypeset.desk, issue 18) --------------------------------------

def page_png(preview: Preview, digest: str) -> bytes | None:
    """The PNG of the shown rendering's page whose pixels have this digest, if there is one."""
    rendering = preview.state.rendering
    if rendering is None or digest not in rendering.digests:
        return None
    return rendering.images[rendering.digests.index(digest)].png


def make_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000):
    """The preview served by the desk's server code: its preview routes at /."""
    from ..desk.server import preview_server

    return preview_server(preview, host, port)
