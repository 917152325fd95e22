"""kjtypeset preview: the server in-process, then end to end in headless Chromium."""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ARTICLE, MANIFEST
from kjtypeset.editor.preview import Preview, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def get(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture
def served(make_issue, tmp_path):
    path = make_issue()
    preview = Preview(path, tmp_path / "out")
    server = make_server(preview, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield path, preview, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_server_shows_the_pages_and_keeps_the_last_good_rendering_on_error(served, monkeypatch):
    path, preview, url = served
    monkeypatch.chdir(path.parent.parent)
    preview.rebuild()
    status, kind, body = get(url + "/")
    assert status == 200 and kind == "text/html; charset=utf-8" and "预览：2024-03" in body.decode()
    state = json.loads(get(url + "/state")[2])
    assert state["error"] is None and state["version"] == 1 and len(state["pages"]) == 2
    assert "近年来，衢州市围绕创新创业生态体系建设" in "".join(p["text"] for p in state["pages"]).replace("\n", "")
    status, kind, image = get(url + state["pages"][0]["image"])
    assert status == 200 and kind == "image/png" and image.startswith(b"\x89PNG")
    assert get(url + "/issue.pdf")[2].startswith(b"%PDF")

    path.write_text(MANIFEST.replace("number: 3", "number: 二"), encoding="utf-8")
    preview.rebuild()
    broken = json.loads(get(url + "/state")[2])
    assert broken["error"] == "错误：2024-03/issue.yaml:3: number（期号）应为正整数，实际为“二”"
    assert broken["version"] == 1 and broken["pages"] == state["pages"]  # the last good rendering
    assert get(url + state["pages"][0]["image"])[0] == 200


def test_server_serves_only_this_issue_and_only_to_this_machine(served):
    path, preview, url = served
    preview.rebuild()
    port = url.rsplit(":", 1)[1]
    for probe in ("/page/../../etc/passwd", "/issue.yaml", "/articles/a.md", "/page/1/1.png",
                  "/%2e%2e/%2e%2e/etc/passwd", "/state/../issue.yaml"):
        assert get(url + probe)[0] == 404, probe
    # A page of another site reaching this server through a rebound DNS name is refused.
    assert get(url + "/state", host=f"attacker.example:{port}")[0] == 403
    assert get(url + "/state", host=f"localhost:{port}")[0] == 200


@pytest.mark.slow
def test_default_address_is_loopback_and_a_busy_port_is_a_clear_error(make_issue, tmp_path):
    preview = Preview(make_issue(), tmp_path / "out")
    server = make_server(preview, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        done = subprocess.run([sys.executable, "-m", "kjtypeset", "preview", str(preview.folder), "--port",
                               str(server.server_address[1])], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert done.stderr.splitlines()[-1].startswith(f"错误：无法在 127.0.0.1:{server.server_address[1]} 上启动预览")
        assert done.stderr.splitlines()[-1].endswith(f"端口可能已被占用，应换一个，如 --port {server.server_address[1] + 1}")
    finally:
        server.server_close()


# -- end to end in a real browser -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(argv: list[str], cwd: Path, banner: str):
    """A kjtypeset server started as a user starts it (``python -m kjtypeset`` + ``argv`` in
    ``cwd``), once its stderr has printed ``banner`` (the whole line, checked); stopped with
    Ctrl+C (then killed) afterwards. Yields the queue of its further stderr lines."""
    process = subprocess.Popen([sys.executable, "-m", "kjtypeset", *argv], cwd=cwd,
                               stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        prefix = banner.split("：", 1)[0] + "："
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(prefix):
                assert line.strip() == banner
                break
        yield lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def preview_process(make_issue, tmp_path):
    """`kjtypeset preview` as an editor starts it; stopped with Ctrl+C (then killed) afterwards."""
    path = make_issue()
    port = free_port()
    with running(["preview", "2024-03", "--port", str(port), "--output", str(tmp_path / "out")],
                path.parent.parent,
                f"预览地址：http://127.0.0.1:{port}/（保存文件即自动刷新；按 Ctrl+C 退出）") as lines:
        yield path, f"http://127.0.0.1:{port}/", lines


ALTS = "() => [...document.querySelectorAll('figure img')].map(i => i.alt.replace(/\\s/g, '')).join('|')"


@pytest.mark.browser
def test_browser_sees_an_edit_and_an_error_without_losing_the_pages(preview_process):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("需要 Debian 的 chromium：请运行 make setup")
    path, url, _lines = preview_process
    article = path.parent / "articles" / "a.md"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, timeout=30_000)
        try:
            page = browser.new_page(bypass_csp=True)  # wait_for_function evaluates strings; the page forbids eval
            page.set_default_timeout(30_000)
            page.goto(url)
            page.wait_for_function(f"({ALTS})().includes('近年来，衢州市围绕创新创业生态体系建设')")
            assert page.locator("figcaption").all_inner_texts() == ["第 1 页", "第 2 页"]
            page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 800)")
            assert not page.locator("#error").is_visible()

            article.write_text(ARTICLE + "\n预览中新写的一句话。\n", encoding="utf-8")
            saved = time.monotonic()
            page.wait_for_function(f"({ALTS})().includes('预览中新写的一句话。')")
            print(f"edit visible in the browser after {time.monotonic() - saved:.2f} s")
            page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 800)")

            path.write_text(MANIFEST.replace("number: 3", "number: 二"), encoding="utf-8")
            page.locator("#error").wait_for(state="visible")
            assert page.locator("#error").inner_text() == "错误：2024-03/issue.yaml:3: number（期号）应为正整数，实际为“二”"
            assert "预览中新写的一句话。" in page.evaluate(ALTS)  # the last good rendering stays
            assert "排版出错，下面仍是上一次成功的结果" in page.locator("#status").inner_text()

            path.write_text(MANIFEST, encoding="utf-8")
            page.locator("#error").wait_for(state="hidden")
        finally:
            browser.close()


def test_the_event_stream_makes_a_snapshot_only_when_the_state_changed():
    # It looks every TICK (issue 15: a new rendering goes out within 10 ms); a snapshot of a
    # 200-page issue at each look would take the builder's time.
    import asyncio

    from kjtypeset.desk import previewpane

    class Shown:
        def __init__(self):
            self.seen, self.snapshots = (0, True, 0), 0

        def changes_seen(self):
            return self.seen

        def sent(self, generation):
            pass

        def snapshot(self):
            self.snapshots += 1
            generation, building, version = self.seen
            return {"generation": generation, "building": building, "version": version, "pages": []}

    class Host:
        stop = False

        def current(self, preview):
            return True

        def closing(self):
            return self.stop

    async def watch(preview, host, events):
        async def read():
            async for chunk in previewpane._stream(preview, host):
                events.append(chunk)

        task = asyncio.create_task(read())
        await asyncio.sleep(30 * previewpane.TICK)
        preview.seen = (1, False, 1)
        await asyncio.sleep(30 * previewpane.TICK)
        host.stop = True
        await task

    preview, events = Shown(), []
    asyncio.run(watch(preview, Host(), events))
    assert preview.snapshots == 2
    assert [e.split("\n")[0] for e in events if e.startswith("event:")] == ["event: preview"] * 2
    assert '"version": 1' in events[-1]


def test_the_last_layout_is_collected_after_a_browser_was_sent_the_new_pages(make_issue, tmp_path, monkeypatch):
    # A collection holds the interpreter (~80 ms on the sample): it must not hold up the event
    # that shows the pages. Without a browser it still happens (after SHOWN_WAIT).
    from kjtypeset.editor import preview as preview_module

    preview = Preview(make_issue(), tmp_path / "preview")
    collections = []
    monkeypatch.setattr(preview_module.gc, "collect",
                        lambda *args: collections.append((preview.state.generation, preview.shown.is_set())))

    def browser(stop):  # as the event stream does: look, and send the finished state
        last = None
        while not stop.is_set():
            generation, building, _version = preview.changes_seen()
            if (generation, building) != last and not building:
                time.sleep(0.05)  # making and sending the event
                preview.sent(generation)
            last = (generation, building)
            time.sleep(0.001)

    stop = threading.Event()
    looking = threading.Thread(target=browser, args=(stop,))
    looking.start()
    try:
        preview.rebuild()
        preview.rebuild()
    finally:
        stop.set()
        looking.join()
    assert preview.state.error is None
    assert collections == [(1, True), (2, True)]

    monkeypatch.setattr(preview_module, "SHOWN_WAIT", 0.01)
    preview.rebuild()  # nobody looking
    assert collections[-1] == (3, False)
    preview.close()
