"""The preview command: a local web page showing the issue as it will print, kept up to date.

A watcher thread (watchfiles) sees every saved change to the issue folder and the layouts; a
builder thread rebuilds the PDF with the ordinary build and renders its pages to PNG
(pypdfium2); the page in the browser polls a small state document and swaps in the new page
images. A build that fails keeps the last good rendering and shows the one-line error the
CLI would print. The server binds to 127.0.0.1 and serves nothing but this issue's rendering.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdfium2
import watchfiles

from .. import project
from ..build import build_issue
from ..errors import KjError
from ..archive.search import normalise

PAGE_TEMPLATE = Path(__file__).with_name("preview.html")
SCALE = 1.5  # 108 dpi: sharp on an ordinary screen, quick to render
POLL_MS = 400


@dataclass(frozen=True)
class Rendering:
    """One successful build, as served."""

    pages: tuple[bytes, ...]  # PNG per page
    digests: tuple[str, ...]  # of each page's pixels: names its image, so unchanged pages are reused
    sizes: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]  # each page's text, for the image's alt text (and find-in-page)
    pdf: bytes
    seconds: float  # build and render


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

    def _watch_loop(self) -> None:
        paths = [self.folder, *(folder for folder in project.layout_folders(self.manifest) if folder.is_dir())]
        ignore = self.output

        def relevant(change: watchfiles.Change, path: str) -> bool:
            return (watchfiles.DefaultFilter()(change, path)
                    and not Path(path).resolve().is_relative_to(ignore))

        for _changes in watchfiles.watch(*paths, watch_filter=relevant, stop_event=self.stop,
                                         debounce=400, step=30, rust_timeout=500,
                                         raise_interrupt=False):
            self.dirty.set()

    def _build_loop(self) -> None:
        while not self.stop.is_set():
            self.dirty.wait()
            if self.stop.is_set():
                return
            self.dirty.clear()
            self.rebuild()

    def rebuild(self) -> None:
        with self.state.lock:
            self.state.building = True
        started = time.perf_counter()
        rendering = error = None
        warnings: tuple[str, ...] = ()
        try:
            result = build_issue(self.manifest, self.output, editions=("proof",))
            warnings = tuple(f"警告：{warning}" for warning in result.warnings)
            rendering = render(result.pdf.read_bytes(), time.perf_counter() - started,
                               self.state.rendering)
        except KjError as exc:
            error = f"错误：{exc}"
        except Exception as exc:  # a bug must not stop the preview; the editor sees it
            import traceback
            error = f"内部错误：{type(exc).__name__}: {exc}"
            self.report("debug", traceback.format_exc())
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
        if error:
            self.report("error", error)
        else:
            for warning in warnings:
                self.report("warning", warning)
            self.report("built", f"已更新：{len(rendering.pages)} 页，用时 {rendering.seconds:.1f} 秒")

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
                "finished": state.finished_at,
                "pages": [{"number": n, "width": w, "height": h, "text": text, "image": f"/page/{digest}.png"}
                          for n, ((w, h), text, digest)
                          in enumerate(zip(rendering.sizes, rendering.texts, rendering.digests), 1)]
                if rendering else [],
            }


def render(pdf: bytes, build_seconds: float, previous: Rendering | None = None) -> Rendering:
    """Page images and texts; a page whose pixels did not change keeps its PNG (encoding is
    the slow part, and an edit usually changes a page or two)."""
    started = time.perf_counter()
    known = dict(zip(previous.digests, previous.pages)) if previous else {}
    document = pypdfium2.PdfDocument(pdf)
    pages, sizes, texts, digests = [], [], [], []
    try:
        for page in document:
            image = page.render(scale=SCALE).to_pil()
            digest = hashlib.blake2b(image.tobytes(), digest_size=12).hexdigest()
            if digest not in known:
                out = io.BytesIO()
                image.save(out, format="PNG", compress_level=1)  # speed over size: served locally
                known[digest] = out.getvalue()
            pages.append(known[digest])
            digests.append(digest)
            sizes.append(image.size)
            textpage = page.get_textpage()
            # As the reader sees it: Han–Latin spacing is space, not a space character.
            texts.append(normalise(textpage.get_text_bounded()))
            textpage.close()
            page.close()
    finally:
        document.close()
    return Rendering(tuple(pages), tuple(digests), tuple(sizes), tuple(texts), pdf,
                     build_seconds + time.perf_counter() - started)


# -- serving -----------------------------------------------------------------------------------

_PAGE_URL = re.compile(r"^/page/([0-9a-f]{24})\.png$")


def make_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    title = preview.folder.name
    page = PAGE_TEMPLATE.read_text(encoding="utf-8").replace("{{title}}", html.escape(title)) \
        .replace("{{poll}}", str(POLL_MS))

    class Handler(BaseHTTPRequestHandler):
        server_version = "kjtypeset-preview"

        def log_message(self, format, *args):  # noqa: A002 — only the CLI prints
            pass

        def do_GET(self):  # noqa: N802
            # A page on another site must not read this one through a rebound DNS name.
            allowed = {f"{name}:{self.server.server_port}" for name in
                       ("127.0.0.1", "localhost", "[::1]", host)}
            if self.headers.get("Host") not in allowed:
                return self.send(HTTPStatus.FORBIDDEN, b"forbidden", "text/plain")
            path = self.path.split("?", 1)[0]
            if path == "/":
                return self.send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
            if path == "/state":
                return self.send(HTTPStatus.OK, json.dumps(preview.snapshot(), ensure_ascii=False).encode(),
                                 "application/json; charset=utf-8")
            rendering = preview.state.rendering
            if path == "/issue.pdf" and rendering:
                return self.send(HTTPStatus.OK, rendering.pdf, "application/pdf")
            match = _PAGE_URL.match(path)
            if match and rendering and match.group(1) in rendering.digests:
                image = rendering.pages[rendering.digests.index(match.group(1))]
                return self.send(HTTPStatus.OK, image, "image/png")
            return self.send(HTTPStatus.NOT_FOUND, "找不到".encode(), "text/plain; charset=utf-8")

        def send(self, status, body: bytes, kind: str):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise KjError(None, None, f"无法在 {host}:{port} 上启动预览（{exc.strerror}）："
                                  f"端口可能已被占用，应换一个，如 --port {port + 1}") from exc
    server.daemon_threads = True
    return server
