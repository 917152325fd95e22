"""The live preview's routes, shared by the desk (under /issues/<期>/preview/) and by
`kjtypeset preview` (at /): page images pushed by server-sent events (issue 18 item 3).

The browser opens one EventSource on ``events``. The stream sends the preview's state
whenever it changes (a build starts, ends, fails), and with it only the pages whose image
changed since this browser last heard: each page image is named by the digest of its pixels,
so an unchanged page keeps its URL and is never fetched again (``page/<digest>.png`` is
served as immutable). A failed build sends the error line the CLI prints and leaves the last
good pages in place. ``state`` is the whole snapshot as JSON (the benchmarks read it).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import KjError

# Seconds between looks at the preview's state (in memory; the browser never polls): a look
# reads three numbers, the snapshot is made only when they changed, so looking often costs
# nothing and a new rendering goes out at most 10 ms after it is ready (issue 15).
TICK = 0.01
KEEPALIVE = 15.0  # seconds: a comment line keeps proxies and the browser from closing the stream
_DIGEST = re.compile(r"[0-9a-f]{24}")

class PaneHost(Protocol):
    """What the routes need from whoever serves them (the desk, or `kjtypeset preview`)."""

    def open(self, request: Request):
        """The preview the request is about, started if it is not running; None: no such issue."""

    def running(self, request: Request):
        """That preview if it is running, else None (images and the PDF never start one)."""

    def current(self, preview) -> bool:
        """False once another preview replaced this one (the desk keeps one at a time)."""

    def closing(self) -> bool:
        """True once the server is shutting down: streams end."""


def pane_routes(host: PaneHost) -> list[Route]:
    """Routes relative to where they are mounted."""

    async def events(request: Request) -> Response:
        preview = await run_in_threadpool(host.open, request)  # the first one loads the engine
        if preview is None:
            return PlainTextResponse("找不到这一期", 404)
        return StreamingResponse(_stream(preview, host), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def state(request: Request) -> Response:
        preview = await run_in_threadpool(host.open, request)
        if preview is None:
            return PlainTextResponse("找不到这一期", 404)
        return JSONResponse(preview.snapshot(), headers={"Cache-Control": "no-store"})

    async def page(request: Request) -> Response:
        from ..editor.preview import page_png

        preview = host.running(request)
        digest = request.path_params["digest"]
        png = page_png(preview, digest) if preview is not None and _DIGEST.fullmatch(digest) else None
        if png is None:
            return PlainTextResponse("找不到这一页（预览已更新？）", 404)
        # Named by its pixels: the same URL is always the same image.
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400, immutable"})

    async def pdf(request: Request) -> Response:
        preview = host.running(request)
        if preview is None:
            return PlainTextResponse("这一期的预览没有在运行：请先打开它的预览", 404)
        try:
            data = await run_in_threadpool(preview.proof_pdf)
        except KjError as exc:
            return PlainTextResponse(f"错误：{exc}", 500)
        if data is None:
            return PlainTextResponse("还没有排版成功的结果：请等预览显示出页面后再打开 PDF", 409)
        return Response(data, media_type="application/pdf", headers={"Cache-Control": "no-store"})

    return [
        Route("/events", events, name="preview_events"),
        Route("/state", state, name="preview_state"),
        Route("/page/{digest}.png", page, name="preview_page"),
        Route("/issue.pdf", pdf, name="preview_pdf"),
    ]


async def _stream(preview, host: PaneHost):
    shown: list[str] = []  # the page image URLs this browser has, by position
    last = None
    quiet = 0.0
    yield "retry: 1000\n\n"
    while not host.closing():
        if not host.current(preview):
            yield _event("moved", {"message": "另一个窗口打开了别的一期的预览，这里的预览已停止：刷新本页可重新打开"})
            return
        if preview.changes_seen() != last:
            snapshot = preview.snapshot()
            last = (snapshot["generation"], snapshot["building"], snapshot["version"])
            pages = snapshot.pop("pages")
            changed = []
            for index, page in enumerate(pages):
                page["image"] = "page/" + page["image"].rsplit("/", 1)[1]  # relative to the pane
                if index >= len(shown) or shown[index] != page["image"]:
                    changed.append({"index": index, **page})
            shown = [page["image"] for page in pages]
            snapshot.update(count=len(pages), changed=changed)
            yield _event("preview", snapshot)
            if not snapshot["building"]:
                preview.sent(snapshot["generation"])  # then it collects its garbage (preview.py)
            quiet = 0.0
        await asyncio.sleep(TICK)
        quiet += TICK
        if quiet >= KEEPALIVE:
            quiet = 0.0
            yield ": keep-alive\n\n"


def _event(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
