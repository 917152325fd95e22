"""Page images for the preview: pages of a PDF → PNG, pixel digest, size and text.

Kept apart from preview.py so that a worker process imports only pypdfium2 and Pillow, not
the typesetting engine: a warm rebuild that changed many pages (an edit early in a long
issue moves every page after it) rasterises them in parallel (issue 15).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import multiprocessing
import os
from dataclasses import dataclass

import pypdfium2

from ..archive.search import normalise

SCALE = 1.5  # 108 dpi: sharp on an ordinary screen, quick to render
PARALLEL_FROM = 3  # pages: fewer are rasterised here, sooner than a worker could answer


@dataclass(frozen=True)
class PageImage:
    png: bytes
    digest: str  # of the pixels: names the image, so an unchanged page keeps its URL
    size: tuple[int, int]
    text: str  # as a reader sees it, for the image's alt text (and find-in-page)


def render_pages(pdf: bytes, numbers: list[int]) -> list[PageImage]:
    """The pages at these 0-based positions of ``pdf``, each cut to its TrimBox."""
    document = pypdfium2.PdfDocument(pdf)
    out = []
    try:
        for number in numbers:
            page = document[number]
            page.set_cropbox(*page.get_trimbox())  # the proof ends at the trim, not the bleed
            image = page.render(scale=SCALE).to_pil()
            digest = hashlib.blake2b(image.tobytes(), digest_size=12).hexdigest()
            png = io.BytesIO()
            image.save(png, format="PNG", compress_level=1)  # speed over size: served locally
            textpage = page.get_textpage()
            # As the reader sees it: Han–Latin spacing is space, not a space character.
            text = normalise(textpage.get_text_bounded())
            textpage.close()
            page.close()
            out.append(PageImage(png.getvalue(), digest, image.size, text))
    finally:
        document.close()
    return out


class Renderer:
    """Rasterises pages here, or, for many pages, in a pool of worker processes (one per
    core) that is started on first need and kept for the next rebuild."""

    def __init__(self, workers: int | None = None):
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.workers = workers if workers is not None else min(4, available)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def render(self, pdf: bytes, numbers: list[int]) -> list[PageImage]:
        if self.workers < 2 or len(numbers) < PARALLEL_FROM:
            return render_pages(pdf, numbers)
        if self._pool is None:
            # spawn: the preview process holds threads (watcher, server); a fork would copy them.
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_end_with_parent, initargs=(os.getpid(),))
        shares = [numbers[i::self.workers] for i in range(self.workers)]
        try:
            parts = list(self._pool.map(render_pages, [pdf] * len(shares), shares))
        except concurrent.futures.process.BrokenProcessPool:
            self._pool = None
            return render_pages(pdf, numbers)
        found = {n: image for share, images in zip(shares, parts) for n, image in zip(share, images)}
        return [found[n] for n in numbers]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _end_with_parent(parent: int) -> None:
    """In a worker: exit when the preview process is gone, however it ended (a killed parent
    leaves its pool's workers waiting on a queue they themselves keep open)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
