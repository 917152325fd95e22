"""The desk's web app (Starlette) and how it is served (uvicorn), for `kjtypeset desk` and for
`kjtypeset preview`, which serves the same preview routes at / (issue 18).

Nothing here re-implements a check: pages are built from desk/issues.py and
desk/archiveroom.py, which call the functions the CLI calls; build and publish run the CLI
command itself (desk/jobs.py). Templates and static files ship inside the package; every
asset is served by the desk (no CDN: it works offline).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route

from .. import __version__
from ..errors import KjError, collecting_warnings, display_path
from ..project import Project
from . import archiveroom, issues
from .jobs import Jobs, job_events
from .previewpane import pane_routes
from .security import CSRF_FIELD, Guard, Refused, SignIn, check_password, check_post, csrf_token, is_loopback, safe_next

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
          ".png": "image/png", ".txt": "text/plain; charset=utf-8"}
MAX_FILES = 20  # per upload
Report = Callable[[str, str], None]  # (kind, message): the CLI decides what to print


def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    return env


def static_files() -> dict[str, tuple[bytes, str]]:
    """Every static asset, read once: the URL names a file of this fixed set, never a path."""
    return {path.name: (path.read_bytes(), _TYPES[path.suffix]) for path in sorted(STATIC.iterdir())
            if path.suffix in _TYPES}


def _static_route(files: dict[str, tuple[bytes, str]]) -> Route:
    async def static(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("找不到", 404)
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})

    return Route("/static/{name}", static)


def _internal_error(report: Report):
    async def handler(request: Request, exc: Exception) -> Response:
        report("debug", "".join(traceback.format_exception(exc)))
        return PlainTextResponse(f"内部错误：{type(exc).__name__}: {exc}（请把这一行和操作步骤告诉维护者）", 500)

    return handler


# == the preview alone: `kjtypeset preview` =====================================================

class _OnePreview:
    """The PaneHost of `kjtypeset preview`: one issue, always running."""

    def __init__(self, preview):
        self.preview = preview
        self.stopping = threading.Event()

    def open(self, request):
        return self.preview

    def running(self, request):
        return self.preview

    def current(self, preview) -> bool:
        return True

    def closing(self) -> bool:
        return self.stopping.is_set()


def preview_app(preview, host: str = "127.0.0.1", report: Report = lambda kind, message: None) -> Starlette:
    env = templates()
    pane = _OnePreview(preview)
    title = preview.folder.name

    async def page(request: Request) -> Response:
        return HTMLResponse(env.get_template("preview.html").render(title=title))

    app = Starlette(routes=[Route("/", page), _static_route(static_files()), *pane_routes(pane)],
                    middleware=[Middleware(Guard, loopback_only=is_loopback(host))],
                    exception_handlers={Exception: _internal_error(report)})
    app.state.pane = pane
    return app


def preview_server(preview, host: str = "127.0.0.1", port: int = 8000) -> Served:
    app = preview_app(preview, host, preview.report)
    return Served(app, bind(host, port, "预览"), on_close=app.state.pane.stopping.set)


# == the desk ====================================================================================

@dataclass
class Settings:
    root: Path  # the bulletin folder
    archive: Path
    host: str = "127.0.0.1"
    password: str | None = None  # the stored hash; None: no sign-in (loopback only)
    tls: bool = False
    max_upload: int = 0  # bytes per upload; 0: the importer's limit per source
    report: Report = field(default=lambda kind, message: None)


class Desk:
    """The desk's state: the one running preview, the jobs; the PaneHost of its previews."""

    def __init__(self, settings: Settings):
        from ..editor.importer import MAX_SOURCE_BYTES

        self.settings = settings
        self.project = Project(settings.root)
        self.max_upload = settings.max_upload or MAX_SOURCE_BYTES
        self.jobs = Jobs(settings.root)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._preview: tuple[str, object] | None = None  # (issue_id, Preview)

    # -- PaneHost ---------------------------------------------------------------------------
    def open(self, request: Request):
        issue_id = request.path_params["issue_id"]
        manifest = issues.find_issue(self.project, issue_id)
        if manifest is None:
            return None
        with self._lock:
            if self._preview and self._preview[0] == issue_id:
                return self._preview[1]
            from ..editor.preview import Preview  # loads the engine: only when a preview is opened

            old = self._preview
            report = self.settings.report
            preview = Preview(manifest, None, lambda kind, message: report(kind, f"{issue_id} {message}"))
            self._preview = (issue_id, preview)
        if old is not None:
            old[1].close()  # one engine at a time: the previous issue's preview stops
        preview.start()
        return preview

    def running(self, request: Request):
        current = self._preview
        return current[1] if current and current[0] == request.path_params.get("issue_id") else None

    def current(self, preview) -> bool:
        current = self._preview
        return current is not None and current[1] is preview

    def closing(self) -> bool:
        return self.stopping.is_set()

    # ---------------------------------------------------------------------------------------
    def touched(self, issue_id: str, paths: list[Path]) -> None:
        """The desk changed these files: the running preview rebuilds now, without waiting
        for the watcher's debounce."""
        current = self._preview
        if current and current[0] == issue_id:
            current[1].changed(set(paths))

    def close(self) -> None:
        self.stopping.set()
        self.jobs.stop_all()
        with self._lock:
            current, self._preview = self._preview, None
        if current is not None:
            current[1].close()


def desk_app(settings: Settings) -> Starlette:
    desk = Desk(settings)
    env = templates()
    files = static_files()
    root = desk.project
    password = settings.password

    def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.update(request=request, csrf=csrf_token(request), password=password is not None,
                       signed_in=bool(request.session.get("user")), csrf_field=CSRF_FIELD)
        return HTMLResponse(env.get_template(name).render(**context), status)

    def manifest_of(request: Request) -> Path:
        manifest = issues.find_issue(root, request.path_params["issue_id"])
        if manifest is None:
            raise Refused(404, f"找不到这一期：{request.path_params['issue_id']}")
        return manifest

    def refused(exc: Refused, request: Request) -> Response:
        if "application/json" in request.headers.get("accept", "") or request.method == "POST":
            return JSONResponse({"ok": False, "error": exc.message}, exc.status)
        return render(request, "message.html", exc.status, title="无法完成", message=exc.message)

    def guarded(handler):
        """Every POST: the CSRF check first; Refused and KjError become the one-line message."""
        async def run(request: Request) -> Response:
            try:
                if request.method == "POST":
                    await check_post(request)
                return await handler(request)
            except Refused as exc:
                return refused(exc, request)
        return run

    # -- the issue list and a new issue -----------------------------------------------------
    async def home(request: Request) -> Response:
        rows = await run_in_threadpool(issues.issue_rows, root, settings.archive)
        return _issues_page(request, rows)

    def _issues_page(request: Request, rows, error: str | None = None, form: dict | None = None,
                     status: int = 200) -> Response:
        previous = issues.default_previous(root)
        form = form or {"previous": previous.parent.name if previous else "", "date": "", "supplement": ""}
        return render(request, "issues.html", status, rows=rows, error=error, form=form,
                      choices=[m.parent.name for m in reversed(issues.regular_issues(root))]
                      + [r.issue_id for r in rows if "-zk" in r.issue_id],
                      today=dt.date.today().isoformat(), folder=display_path(root.issue_sources))

    async def new_issue(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=20)
        values = {key: str(form.get(key, "")).strip() for key in ("previous", "date", "supplement", "confirmed")}
        rows = await run_in_threadpool(issues.issue_rows, root, settings.archive)
        previous = issues.find_issue(root, values["previous"])
        if previous is None:
            return _issues_page(request, rows, f"错误：找不到上一期“{values['previous']}”：应从列表中选一期", values, 400)
        try:
            date = dt.date.fromisoformat(values["date"]) if values["date"] else None
        except ValueError:
            return _issues_page(request, rows, f"错误：日期应写作 YYYY-MM-DD（如 2024-03-28），实际为 '{values['date']}'",
                                values, 400)
        try:
            plan = await run_in_threadpool(issues.plan_new, previous, bool(values["supplement"]), date)
            if plan.questions and values["confirmed"] != plan.folder.name:
                return render(request, "new_confirm.html", question=issues.question(plan), form=values,
                              folder=plan.folder.name)
            manifest = await run_in_threadpool(issues.create_new, previous, plan)
        except KjError as exc:
            return _issues_page(request, rows, f"错误：{exc}", values, 400)
        return RedirectResponse(f"/issues/{manifest.parent.name}?new=1", 303)

    # -- an issue -------------------------------------------------------------------------------
    async def issue(request: Request) -> Response:
        manifest = manifest_of(request)
        try:
            page = await run_in_threadpool(issues.issue_page, manifest)
        except KjError as exc:
            return render(request, "message.html", 200, title=manifest.parent.name,
                          message=f"错误：{exc}（请在文本编辑器中改正 {display_path(manifest)}）")
        outputs = issues.output_files(root, page.issue_id)
        return render(request, "issue.html", page=page, fields=issues.FIELDS, schema=_labels(),
                      hints=issues.HINTS, outputs=outputs, editions=issues.EDITIONS,
                      created=request.query_params.get("new") == "1", max_upload=desk.max_upload,
                      manifest_path=display_path(manifest), job=desk.jobs.running(page.issue_id))

    async def article_list(request: Request) -> Response:
        manifest = manifest_of(request)
        page = await run_in_threadpool(issues.issue_page, manifest)
        return render(request, "_articles.html", page=page)

    async def save_fields(request: Request) -> Response:
        manifest = manifest_of(request)
        form = await request.form(max_files=0, max_fields=50)
        values = {key: str(form[key]) for key in issues.FIELDS if key in form}
        try:
            result = await run_in_threadpool(issues.save_fields, manifest, values)
        except KjError as exc:
            return JSONResponse({"ok": False, "error": f"错误：{exc}"}, 400)
        if result.saved and result.changed:
            desk.touched(request.path_params["issue_id"], [manifest])
        return JSONResponse({"ok": result.saved, "changed": result.changed, "errors": result.errors,
                             "warnings": result.warnings, "general": result.general},
                            200 if result.saved else 422)

    async def arrange(request: Request) -> Response:
        manifest = manifest_of(request)
        try:
            body = await request.json()
            wanted = [(str(item["file"]), item.get("section") if isinstance(item.get("section"), str) else None)
                      for item in body["articles"]]
        except (ValueError, KeyError, TypeError):
            raise Refused(400, "请求的格式不对：应为 {articles: [{file, section}, …]}") from None
        try:
            changed = await run_in_threadpool(issues.arrange, manifest, wanted)
        except KjError as exc:
            return JSONResponse({"ok": False, "error": f"错误：{exc}"}, 409)
        if changed:
            desk.touched(request.path_params["issue_id"], [manifest])
        return JSONResponse({"ok": True, "changed": bool(changed)})

    async def remove(request: Request) -> Response:
        manifest = manifest_of(request)
        try:
            body = await request.json()
            index, file = int(body["index"]), str(body["file"])
        except (ValueError, KeyError, TypeError):
            raise Refused(400, "请求的格式不对：应为 {index, file}") from None
        try:
            moved = await run_in_threadpool(issues.remove_article, manifest, index, file)
        except KjError as exc:
            return JSONResponse({"ok": False, "error": f"错误：{exc}"}, 409)
        desk.touched(request.path_params["issue_id"], [manifest])
        message = f"已从文章列表中移去 {file}" + (f"，文件移到了 {display_path(moved)}（没有删除）" if moved else "")
        return JSONResponse({"ok": True, "message": message})

    async def upload(request: Request) -> Response:
        manifest = manifest_of(request)
        limit = desk.max_upload
        megabytes = f"{limit / 1e6:g} MB"
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise Refused(413, f"错误：一次上传的文件共 {int(declared) / 1e6:.1f} MB，超过上限 {megabytes}：请分几次上传")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise Refused(415, "错误：上传应为 multipart/form-data（把文件拖到网页上的方框里）")
        parser = MultiPartParser(request.headers, _limited(request.stream(), limit + 64 * 1024),
                                 max_files=MAX_FILES, max_fields=5)
        parser.spool_max_size = limit + 64 * 1024  # kept in memory: nothing written outside the issue
        try:
            form = await parser.parse()
        except _TooLarge:
            raise Refused(413, f"错误：一次上传的文件超过上限 {megabytes}：请分几次上传") from None
        except MultiPartException as exc:
            raise Refused(400, f"错误：上传的内容无法读取（{exc.message}）") from None
        uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
        if not uploads:
            raise Refused(400, "错误：没有收到文件：应拖入 .docx、.html 或 .txt 文件")
        received = []
        for item in uploads:
            data = await item.read()
            if len(data) > limit:
                raise Refused(413, f"错误：{_shown_name(item.filename)} 有 {len(data) / 1e6:.1f} MB，超过上限 {megabytes}")
            received.append((item.filename or "", data))
        try:
            lines, written = await run_in_threadpool(_import, manifest, received)
        except KjError as exc:
            return JSONResponse({"ok": False, "error": f"错误：{exc}"}, 422)
        desk.touched(request.path_params["issue_id"], [manifest, *written])
        return JSONResponse({"ok": True, "lines": lines})

    async def build(request: Request) -> Response:
        manifest = manifest_of(request)
        issue_id = manifest.parent.name
        if desk.jobs.running(issue_id):
            raise Refused(409, "这一期正在排版或存档，请等它完成")
        job = await desk.jobs.start("build", issue_id, ["build", str(manifest)])
        return JSONResponse({"ok": True, "job": job.id, "events": f"/jobs/{job.id}/events"})

    async def publish_plan(request: Request) -> Response:
        manifest = manifest_of(request)
        try:
            plan = await run_in_threadpool(_publish_plan, manifest, settings.archive)
        except KjError as exc:
            return JSONResponse({"ok": False, "error": f"错误：{exc}"}, 422)
        return JSONResponse({"ok": True, **plan})

    async def publish(request: Request) -> Response:
        manifest = manifest_of(request)
        issue_id = manifest.parent.name
        form = await request.form(max_files=0, max_fields=10)
        plan = await run_in_threadpool(_publish_plan, manifest, settings.archive)
        if str(form.get("revision", "")) != str(plan["revision"]):
            raise Refused(409, f"档案在这期间有了变化：现在存档将是第 {plan['revision']} 版，请重新确认")
        if desk.jobs.running(issue_id):
            raise Refused(409, "这一期正在排版或存档，请等它完成")
        job = await desk.jobs.start("publish", issue_id, ["publish", issue_id, "--archive", str(settings.archive)])
        return JSONResponse({"ok": True, "job": job.id, "events": f"/jobs/{job.id}/events"})

    def finished(job) -> dict:
        if job.kind == "build":
            outputs = issues.output_files(root, job.issue_id)
            return {"downloads": [{"edition": name, "label": issues.EDITIONS[name][1], "name": path.name,
                                   "url": f"/issues/{job.issue_id}/download/{name}",
                                   "size": f"{path.stat().st_size / 1e6:.2f} MB"} for name, path in outputs.items()]}
        return {"archive": "/archive"}

    async def job_stream(request: Request) -> Response:
        job = desk.jobs.jobs.get(request.path_params["job_id"])
        if job is None:
            return PlainTextResponse("找不到这项任务（编辑台重新启动过？）", 404)
        return StreamingResponse(job_events(job, finished, desk.closing), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def download(request: Request) -> Response:
        manifest = manifest_of(request)
        edition = request.path_params["edition"]
        path = issues.output_files(root, manifest.parent.name).get(edition)
        if path is None:
            return PlainTextResponse("还没有这个版本的 PDF：请先排版", 404)
        return FileResponse(path, media_type="application/pdf", filename=path.name)

    # -- the archive room -----------------------------------------------------------------------
    async def archive(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        year_text = request.query_params.get("year", "").strip()
        year = int(year_text) if year_text.isdigit() else None
        folder = settings.archive
        context = {"q": text, "year": year, "folder": display_path(folder), "years": [], "result": None,
                   "seconds": None, "shelf": None, "error": None, "highlighted": archiveroom.highlighted}
        try:
            context["years"] = await run_in_threadpool(archiveroom.catalogue_years, folder)
            if text:
                context["result"], context["seconds"] = await run_in_threadpool(
                    archiveroom.run_search, folder, text, year)
            else:
                context["shelf"] = await run_in_threadpool(archiveroom.shelf, folder, year)
        except KjError as exc:
            context["error"] = f"错误：{exc}"
        from ..archive.search import STATE_NOTES

        return render(request, "archive.html", notes=STATE_NOTES, **context)

    async def archived(request: Request) -> Response:
        path = await run_in_threadpool(archiveroom.archived_pdf, settings.archive, request.path_params["file"])
        if path is None:
            return PlainTextResponse("档案中没有这个文件", 404)
        return FileResponse(path, media_type="application/pdf", content_disposition_type="inline",
                            filename=path.name)

    # -- signing in -----------------------------------------------------------------------------
    failures = {"count": 0}

    async def login(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if request.method == "GET":
            if password is None or request.session.get("user"):
                return RedirectResponse(target, 303)
            return render(request, "login.html", target=target, error=None)
        form = await request.form(max_files=0, max_fields=5)
        given = str(form.get("password", ""))
        if password is not None and await run_in_threadpool(check_password, password, given):
            request.session.clear()
            request.session["user"] = True
            request.session["csrf"] = secrets.token_urlsafe(32)  # a new token once signed in
            failures["count"] = 0
            return RedirectResponse(target, 303)
        failures["count"] += 1
        await asyncio.sleep(min(5.0, 0.5 * failures["count"]))  # guessing gets slower
        return render(request, "login.html", 401, target=target, error="密码不对，请重新输入")

    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login" if password else "/", 303)

    issue_routes = [
        Route("/", guarded(issue)),
        Route("/articles", guarded(article_list)),
        Route("/fields", guarded(save_fields), methods=["POST"]),
        Route("/arrange", guarded(arrange), methods=["POST"]),
        Route("/remove", guarded(remove), methods=["POST"]),
        Route("/import", guarded(upload), methods=["POST"]),
        Route("/build", guarded(build), methods=["POST"]),
        Route("/publish", guarded(publish_plan), methods=["GET"]),
        Route("/publish", guarded(publish), methods=["POST"]),
        Route("/download/{edition}", guarded(download)),
        Mount("/preview", routes=pane_routes(desk)),
    ]
    routes = [
        Route("/", guarded(home)),
        Route("/issues/new", guarded(new_issue), methods=["POST"]),
        Route("/issues/{issue_id}", lambda request: RedirectResponse(
            request.url.path + "/" + (f"?{request.url.query}" if request.url.query else ""), 307)),
        Mount("/issues/{issue_id}", routes=issue_routes),
        Route("/jobs/{job_id}/events", guarded(job_stream)),
        Route("/archive", guarded(archive)),
        Route("/archive/pdf/{file:path}", guarded(archived)),
        Route("/login", guarded(login), methods=["GET", "POST"]),
        Route("/logout", guarded(logout), methods=["POST"]),
        _static_route(files),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
    ]
    middleware = [
        Middleware(Guard, loopback_only=is_loopback(settings.host)),
        # A key made afresh at each start: restarting the desk signs everyone out.
        Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="kjdesk",
                   max_age=12 * 3600, same_site="strict", https_only=settings.tls),
        Middleware(SignIn, password=password),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={Exception: _internal_error(settings.report)})
    app.state.desk = desk
    app.state.templates = env
    return app


def _labels() -> dict[str, str]:
    from ..inputs.manifest import SCHEMA

    return {key: field.label for key, field in SCHEMA.items()}


def _publish_plan(manifest: Path, archive: Path) -> dict:
    from ..archive.store import planned_revision
    from ..inputs.manifest import load_manifest

    with collecting_warnings():
        loaded = load_manifest(manifest)
    revision, file, earlier = planned_revision(archive, loaded.issue_id, loaded.year)
    target = display_path(archive / file)
    text = f"将排出存档版，存为 {target}：{loaded.issue_label}第 {revision} 版。"
    if earlier:
        text += f"现行的第 {revision - 1} 版 {display_path(archive / earlier[-1])} 原样保留，" \
                "新的一版成为现行版本；与现行版本完全相同时不重复存档。"
    text += "存档的文件不能再改动。"
    return {"revision": revision, "file": target, "earlier": [display_path(archive / f) for f in earlier],
            "label": loaded.issue_label, "text": text}


class _TooLarge(Exception):
    pass


async def _limited(stream, limit: int):
    """The request body, refused once it passes ``limit`` bytes (a body without a declared
    length, or one that lies about it)."""
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise _TooLarge
        yield chunk


_UNSAFE = re.compile(r"[^\w\u3400-\u9fff\uf900-\ufaff.（）()-]+")


def _shown_name(name: str | None) -> str:
    """The client's file name as text for messages: its last part, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "".join(c for c in base if c.isprintable())[:80] or "未命名文件"


def _stored_name(name: str | None) -> tuple[str, str]:
    """(stem, suffix) to store an upload under: made from the client's name, reduced to
    letters, digits, Han and a few marks; the suffix is checked by the importer."""
    base = _shown_name(name)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("", stem).strip(".")[:60] or "上传的文件"
    suffix = ("." + suffix.lower()) if suffix and re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix) else ""
    return stem, suffix


def _import(manifest: Path, received: list[tuple[str, bytes]]) -> tuple[list[str], list[Path]]:
    """Import uploaded files as `kjtypeset import` does. Each is first stored in the issue's
    原稿/ folder under a name the desk chooses (the client's name is only text); when the
    import fails, the files stored for it are removed again and nothing else was written."""
    from ..editor.importer import Source, describe_import, import_files, kind_of

    originals = manifest.parent / issues.ORIGINALS
    sources, stored = [], []
    # Types first, by the importer's rule, before anything is written.
    for name, data in received:
        stem, suffix = _stored_name(name)
        kind_of(Source(_shown_name(name), data, originals / f"{stem}{suffix}"))
    try:
        originals.mkdir(exist_ok=True)
        for name, data in received:
            stem, suffix = _stored_name(name)
            path = originals / f"{stem}{suffix}"
            number = 2
            while path.exists() or path in stored:
                path = originals / f"{stem}（{number}）{suffix}"
                number += 1
            with open(path, "xb") as stream:  # never replaces a file
                stream.write(data)
            stored.append(path)
            sources.append(Source(_shown_name(name), data, path))
        with collecting_warnings() as warnings:
            reports = import_files(sources, manifest)
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    lines = [f"警告：{w}" for w in warnings]
    lines += [line for _detail, line in describe_import(reports)]
    lines.append(f"原稿保存在 {display_path(originals)}/")
    written = [w.article for r in reports for w in r.written]
    return lines, written


# == serving ========================================================================================

def bind(host: str, port: int, what: str) -> socket.socket:
    """The listening socket, or the one-line error a busy port deserves."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise KjError(None, None, f"无法在 {host}:{port} 上启动{what}（{exc.strerror}）："
                                  f"端口可能已被占用，应换一个，如 --port {port + 1}") from exc
    sock.set_inheritable(False)
    return sock


class Served:
    """An app on a bound socket: ``serve_forever`` runs uvicorn until ``shutdown`` (another
    thread) or Ctrl+C (the main thread)."""

    def __init__(self, app, sock: socket.socket, tls: tuple[Path, Path] | None = None,
                 on_close: Callable[[], None] = lambda: None):
        import logging

        import uvicorn

        self.app = app
        self.socket = sock
        self.on_close = on_close
        # Only the CLI prints: uvicorn's own log goes nowhere (errors reach the app's handler).
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logger = logging.getLogger(name)
            logger.handlers = [logging.NullHandler()]
            logger.propagate = False
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", ws="none", http="h11",
                                loop="asyncio", timeout_graceful_shutdown=2, server_header=False,
                                ssl_certfile=str(tls[0]) if tls else None, ssl_keyfile=str(tls[1]) if tls else None)
        served = self

        class Server(uvicorn.Server):
            async def shutdown(self, sockets=None):
                served.on_close()  # event streams end first, so the shutdown does not wait for them
                await super().shutdown(sockets)

        self.server = Server(config)
        self._serving = threading.Event()
        self._stopped = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        return self.socket.getsockname()[:2]

    def serve_forever(self, poll_interval: float = 0.1) -> None:
        self._serving.set()
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self._serving.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving (from another thread) and wait until it has stopped, as socketserver's."""
        self.server.should_exit = True
        if self._serving.is_set():
            self._stopped.wait(30)

    def server_close(self) -> None:
        self.socket.close()


def desk_server(settings: Settings, port: int, tls: tuple[Path, Path] | None = None) -> Served:
    app = desk_app(settings)
    # Before the address is shown: the first page then comes as fast as the next (issue 18
    # item 9): templates compiled, the modules the list needs loaded, every manifest read once.
    for name in TEMPLATES.glob("*.html"):
        app.state.templates.get_template(name.name)
    try:
        issues.issue_rows(app.state.desk.project, settings.archive)
    except KjError:
        pass  # the page itself will say what is wrong
    desk = app.state.desk
    # Streams end and jobs stop at once; the caller closes the preview once serving ended.
    return Served(app, bind(settings.host, port, "编辑台"), tls,
                  on_close=lambda: (desk.stopping.set(), desk.jobs.stop_all()))
